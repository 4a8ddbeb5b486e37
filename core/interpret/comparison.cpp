#include "interpret/comparison.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "common/text.h"
#include "interpret/analysis.h"
#include "interpret/synth_ii.h"
#include "io/h5.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace repalign {

// ---------------------------------------------------------------------------------------
// Comparison of analyses

std::vector<std::string> comparisonMetrics()
{
    return {"lpips", "color", "label", "lpips_synth", "color_synth"};
}

bool isSynthMetric(const std::string& metric)
{
    return metric == "lpips_synth" || metric == "color_synth";
}

std::vector<float> comparisonValues(const std::string& path, const std::string& metric, std::vector<std::int64_t>* unitIds)
{
    const auto metrics = comparisonMetrics();
    if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end())
        throw Error("unknown metric '" + metric + "' (valid: " + joinChoices(metrics) + ")");
    if (!isSynthMetric(metric)) {
        const AnalysisFile f(path);
        if (unitIds) {
            unitIds->resize(static_cast<std::size_t>(f.units));
            for (std::int64_t u = 0; u < f.units; ++u)
                (*unitIds)[static_cast<std::size_t>(u)] = u;
        }
        return f.metric(metric);
    }
    SynthIIValues s;
    if (!readSynthII(path, s))
        throw Error(path + " has no /ii_synth (the II on synthesised images; add it with: repalign-cli visualize ... --out "
            + path + ", then repalign-cli analyze --ii-on synth --out " + path + ")");
    if (unitIds)
        *unitIds = s.units;
    return metric == "lpips_synth" ? s.lpips : s.color;
}

std::vector<std::string> comparisonFormats()
{
    return {"table", "csv", "markdown", "latex"};
}

namespace {
std::string prettyModel(const std::string& model)
{
    auto pos = model.find('_');
    std::string arch = pos == std::string::npos ? model : model.substr(0, pos);
    auto digits = arch.find_first_of("0123456789");
    if (digits == std::string::npos)
        return model.empty() ? "-" : model;
    const std::string family = arch.substr(0, digits), depth = arch.substr(digits);
    if (family == "resnet")
        return "ResNet-" + depth;
    if (family == "vgg")
        return "VGG-" + depth;
    return model;
}

std::string metricTitle(const std::string& metric)
{
    if (metric == "lpips")
        return "II-LPIPS";
    if (metric == "color")
        return "II-color";
    if (metric == "lpips_synth")
        return "II-LPIPS (synthesised)";
    if (metric == "color_synth")
        return "II-color (synthesised)";
    return "II-label";
}

std::string csvQuote(const std::string& s)
{
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

std::string latexEscape(const std::string& s)
{
    std::string out;
    for (char c : s) {
        if (c == '_' || c == '%' || c == '&' || c == '#' || c == '$' || c == '{' || c == '}')
            out += '\\';
        out += c;
    }
    return out;
}
} // namespace

std::string formatPValue(double p)
{
    if (std::isnan(p))
        return "nan";
    if (p < 1e-300)
        return "< 1e-300";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", p);
    return buf;
}

ComparisonResult compareAnalyses(
    const std::vector<std::string>& paths, const std::string& metric, const std::vector<std::string>& labels)
{
    const auto metrics = comparisonMetrics();
    if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end())
        throw Error("unknown metric '" + metric + "' (valid: " + joinChoices(metrics) + ")");
    if (paths.empty())
        throw Error("compare needs at least one analysis file");
    if (!labels.empty() && labels.size() != paths.size())
        throw Error("--labels gives " + std::to_string(labels.size()) + " labels for " + std::to_string(paths.size())
            + " analysis files (one label per file)");
    ComparisonResult result;
    result.metric = metric;
    std::vector<std::vector<double>> values;
    std::vector<std::vector<std::int64_t>> unitIds;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        GroupSummary g;
        g.label = labels.empty() ? fileStem(paths[i]) : labels[i];
        g.path = paths[i];
        std::vector<std::int64_t> ids;
        const std::vector<float> m = comparisonValues(paths[i], metric, &ids);
        // A synthesised II may sit in a visualize file (no dataset analysis, no accuracy: nan);
        // an analysis file gives the model's attributes either way.
        if (!isSynthMetric(metric) || H5File(paths[i], H5File::Mode::Read).exists("/activations")) {
            const AnalysisFile f(paths[i]);
            g.model = f.model;
            g.layer = f.layer;
            g.tunedArea = f.tunedArea;
            g.data = f.data;
            g.split = f.split;
            g.accuracy = f.accuracy;
            g.calibrated = f.lpipsCalibrated;
            g.lpipsWeights = f.lpipsWeights;
            g.iiDiagonal = f.iiDiagonal;
        } else {
            g.accuracy = std::numeric_limits<double>::quiet_NaN();
        }
        if (isSynthMetric(metric)) {
            // The model, layer, LPIPS settings and convention the synthesised II was computed with.
            SynthIIValues sv;
            readSynthII(paths[i], sv);
            g.model = sv.model;
            g.layer = sv.layer;
            g.calibrated = sv.lpipsCalibrated;
            g.lpipsWeights = sv.lpipsWeights;
            g.iiDiagonal = sv.iiDiagonal;
        }
        std::vector<double> v(m.begin(), m.end());
        std::vector<std::size_t> bad;
        for (std::size_t u = 0; u < v.size(); ++u)
            if (!std::isfinite(v[u]))
                bad.push_back(u);
        if (!bad.empty()) {
            std::string list;
            for (std::size_t b = 0; b < bad.size() && b < 8; ++b)
                list += (b ? ", " : "") + std::to_string(bad[b]);
            if (bad.size() > 8)
                list += " and " + std::to_string(bad.size() - 8) + " more";
            throw Error(paths[i] + ": "
                + (isSynthMetric(metric) ? "/ii_synth/" + metric.substr(0, metric.find('_')) : "/ii/" + metric) + " holds "
                + std::to_string(bad.size()) + " NaN/Inf values of " + std::to_string(v.size()) + " (unit"
                + (bad.size() == 1 ? " " : "s ") + list + "); II values must be finite numbers (re-run analyze for this file)");
        }
        g.n = static_cast<std::int64_t>(v.size());
        g.mean = stats::mean(v);
        g.std = stats::sampleStd(v);
        g.median = stats::median(v);
        g.ci95 = stats::bootstrapMeanCI(v, 0.95, 10000, 0);
        if ((metric == "lpips" || metric == "lpips_synth") && !g.calibrated)
            result.notes.push_back(g.label + ": LPIPS weights " + g.lpipsWeights
                + " are uncalibrated; II-LPIPS values are not comparable with published ones");
        result.groups.push_back(g);
        values.push_back(std::move(v));
        unitIds.push_back(std::move(ids));
    }
    for (std::size_t i = 1; i < result.groups.size(); ++i)
        if (result.groups[i].iiDiagonal != result.groups[0].iiDiagonal)
            result.notes.push_back("the analyses use different ii_diagonal conventions (" + result.groups[0].iiDiagonal + " vs "
                + result.groups[i].iiDiagonal + "); their values are not comparable");
    if (values.size() >= 2) {
        result.anova = stats::oneWayAnova(values);
        result.anovaDone = true;
    }
    for (std::size_t i = 0; i < values.size(); ++i)
        for (std::size_t j = i + 1; j < values.size(); ++j) {
            PairComparison pc;
            pc.i = static_cast<int>(i);
            pc.j = static_cast<int>(j);
            pc.welch = stats::welchT(values[i], values[j]);
            pc.mannWhitney = stats::mannWhitneyU(values[i], values[j]);
            pc.cohensD = stats::cohensD(values[i], values[j]);
            const auto& gi = result.groups[i];
            const auto& gj = result.groups[j];
            if (gi.layer != gj.layer) {
                pc.pairedSkipReason = "layers differ (" + gi.layer + " vs " + gj.layer + "), units cannot be matched";
            } else if (unitIds[i].size() != unitIds[j].size()) {
                pc.pairedSkipReason = "unit counts differ (" + std::to_string(unitIds[i].size()) + " vs "
                    + std::to_string(unitIds[j].size()) + "), units cannot be matched";
            } else if (unitIds[i] != unitIds[j]) {
                pc.pairedSkipReason = "the files hold different units, units cannot be matched";
            } else {
                bool allZero = true;
                for (std::size_t u = 0; u < values[i].size(); ++u)
                    allZero = allZero && values[i][u] == values[j][u];
                if (allZero) {
                    pc.pairedSkipReason = "every paired difference is zero";
                } else {
                    pc.wilcoxon = stats::wilcoxonSignedRank(values[i], values[j]);
                    pc.pairedDone = true;
                }
            }
            result.pairs.push_back(pc);
        }
    return result;
}

std::string formatComparison(const ComparisonResult& r, const std::string& format)
{
    const auto formats = comparisonFormats();
    if (std::find(formats.begin(), formats.end(), format) == formats.end())
        throw Error("unknown format '" + format + "' (valid: " + joinChoices(formats) + ")");
    const std::string title = metricTitle(r.metric);
    const int dig = r.metric == "color" || r.metric == "color_synth" ? 2 : 3;
    auto area = [](const GroupSummary& g) { return g.tunedArea.empty() ? std::string("-") : g.tunedArea; };
    auto label = [&](int i) { return r.groups[static_cast<std::size_t>(i)].label; };
    std::ostringstream o;

    if (format == "csv") {
        o << "section,label,model,layer,tuned_area,metric,n,mean,std,median,ci95_low,ci95_high,accuracy,"
             "lpips_calibrated,ii_diagonal\n";
        for (const auto& g : r.groups)
            o << "group," << csvQuote(g.label) << "," << csvQuote(g.model) << "," << csvQuote(g.layer) << "," << csvQuote(area(g))
              << "," << r.metric << "," << g.n << "," << significant(g.mean, 10) << "," << significant(g.std, 10) << ","
              << significant(g.median, 10) << "," << significant(g.ci95.low, 10) << "," << significant(g.ci95.high, 10) << ","
              << significant(g.accuracy, 10) << "," << (g.calibrated ? 1 : 0) << "," << g.iiDiagonal << "\n";
        o << "\nsection,a,b,test,statistic,df,p_value,note\n";
        if (r.anovaDone)
            o << "test,all,all,one-way ANOVA," << significant(r.anova.statistic, 10) << "," << significant(r.anova.df1, 10) << ";"
              << significant(r.anova.df, 10) << "," << significant(r.anova.pValue, 10) << ",\n";
        for (const auto& p : r.pairs) {
            const std::string ab = csvQuote(label(p.i)) + "," + csvQuote(label(p.j));
            o << "test," << ab << ",Welch t," << significant(p.welch.statistic, 10) << "," << significant(p.welch.df, 10) << ","
              << significant(p.welch.pValue, 10) << ",\n";
            o << "test," << ab << ",Mann-Whitney U," << significant(p.mannWhitney.statistic, 10) << ",,"
              << significant(p.mannWhitney.pValue, 10) << "," << p.mannWhitney.method << "\n";
            if (p.pairedDone)
                o << "test," << ab << ",Wilcoxon signed-rank," << significant(p.wilcoxon.statistic, 10) << ",,"
                  << significant(p.wilcoxon.pValue, 10) << "," << p.wilcoxon.method << "\n";
            else
                o << "test," << ab << ",Wilcoxon signed-rank,,,," << csvQuote("skipped: " + p.pairedSkipReason) << "\n";
            o << "test," << ab << ",Cohen's d," << significant(p.cohensD, 10) << ",,,\n";
        }
        return o.str();
    }

    if (format == "markdown") {
        o << "| Model | Condition | Brain Area Tuned | Val Acc | " << title << " mean ± std |\n";
        o << "|---|---|---|---|---|\n";
        for (const auto& g : r.groups)
            o << "| " << prettyModel(g.model) << " | " << g.label << " | " << area(g) << " | " << fixed(g.accuracy, 4) << " | "
              << fixed(g.mean, dig) << " ± " << fixed(g.std, dig)
              << (g.calibrated || (r.metric != "lpips" && r.metric != "lpips_synth") ? "" : " *") << " |\n";
        o << "\n";
        o << "n, median and 95% bootstrap CI of the mean (10,000 resamples); std is the sample std (ddof 1).\n\n";
        o << "| Condition | n | median | 95% CI |\n|---|---|---|---|\n";
        for (const auto& g : r.groups)
            o << "| " << g.label << " | " << g.n << " | " << fixed(g.median, dig) << " | [" << fixed(g.ci95.low, dig) << ", "
              << fixed(g.ci95.high, dig) << "] |\n";
        o << "\n";
        if (r.anovaDone)
            o << "One-way ANOVA: F(" << significant(r.anova.df1) << ", " << significant(r.anova.df)
              << ") = " << significant(r.anova.statistic) << ", p = " << formatPValue(r.anova.pValue) << "\n\n";
        for (const auto& p : r.pairs) {
            o << "**" << label(p.i) << " vs " << label(p.j) << "**: Welch t(" << significant(p.welch.df)
              << ") = " << significant(p.welch.statistic) << ", p = " << formatPValue(p.welch.pValue)
              << "; Mann-Whitney U = " << significant(p.mannWhitney.statistic, 8)
              << ", p = " << formatPValue(p.mannWhitney.pValue) << "; ";
            if (p.pairedDone)
                o << "Wilcoxon signed-rank W = " << significant(p.wilcoxon.statistic, 8)
                  << ", p = " << formatPValue(p.wilcoxon.pValue);
            else
                o << "Wilcoxon signed-rank skipped (" << p.pairedSkipReason << ")";
            o << "; Cohen's d = " << fixed(p.cohensD, 3) << "\n\n";
        }
        for (const auto& n : r.notes)
            o << "\\* " << n << "\n\n";
        return o.str();
    }

    if (format == "latex") {
        o << "\\begin{tabular}{lllrr}\n\\hline\n";
        o << "Model & Condition & Brain Area Tuned & Val Acc & " << title << " mean $\\pm$ std \\\\\n\\hline\n";
        for (const auto& g : r.groups)
            o << latexEscape(prettyModel(g.model)) << " & " << latexEscape(g.label) << " & " << latexEscape(area(g)) << " & "
              << fixed(g.accuracy, 4) << " & " << fixed(g.mean, dig) << " $\\pm$ " << fixed(g.std, dig)
              << (g.calibrated || (r.metric != "lpips" && r.metric != "lpips_synth") ? "" : "$^{*}$") << " \\\\\n";
        o << "\\hline\n\\end{tabular}\n";
        if (r.anovaDone)
            o << "% One-way ANOVA: F(" << significant(r.anova.df1) << ", " << significant(r.anova.df)
              << ") = " << significant(r.anova.statistic) << ", p = " << formatPValue(r.anova.pValue) << "\n";
        for (const auto& p : r.pairs) {
            o << "% " << label(p.i) << " vs " << label(p.j) << ": Welch t = " << significant(p.welch.statistic)
              << ", p = " << formatPValue(p.welch.pValue) << "; Mann-Whitney p = " << formatPValue(p.mannWhitney.pValue)
              << "; Wilcoxon "
              << (p.pairedDone ? "p = " + formatPValue(p.wilcoxon.pValue) : "skipped (" + p.pairedSkipReason + ")")
              << "; Cohen's d = " << fixed(p.cohensD, 3) << "\n";
        }
        for (const auto& n : r.notes)
            o << "% * " << n << "\n";
        return o.str();
    }

    // table: aligned plain text
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"label", "model", "layer", "area", "n", "mean", "std", "median", "95% CI (bootstrap)", "accuracy"});
    for (const auto& g : r.groups)
        rows.push_back({g.label + (g.calibrated || (r.metric != "lpips" && r.metric != "lpips_synth") ? "" : " *"), g.model,
            g.layer, area(g), std::to_string(g.n), fixed(g.mean, 4), fixed(g.std, 4), fixed(g.median, 4),
            "[" + fixed(g.ci95.low, 4) + ", " + fixed(g.ci95.high, 4) + "]", fixed(g.accuracy, 4)});
    std::vector<std::size_t> width(rows[0].size(), 0);
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c)
            width[c] = std::max(width[c], row[c].size());
    o << title << " per analysis (std = sample std, ddof 1)\n";
    for (const auto& row : rows) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            o << row[c];
            if (c + 1 < row.size())
                o << std::string(width[c] - row[c].size() + 2, ' ');
        }
        o << "\n";
    }
    o << "\n";
    if (r.anovaDone)
        o << "one-way ANOVA: F(" << significant(r.anova.df1) << ", " << significant(r.anova.df)
          << ") = " << significant(r.anova.statistic) << ", p = " << formatPValue(r.anova.pValue) << "\n";
    for (const auto& p : r.pairs) {
        o << label(p.i) << " vs " << label(p.j) << ":\n";
        o << "  Welch's t        t = " << significant(p.welch.statistic) << ", df = " << significant(p.welch.df)
          << ", p = " << formatPValue(p.welch.pValue) << "\n";
        o << "  Mann-Whitney U   U = " << significant(p.mannWhitney.statistic, 8)
          << ", p = " << formatPValue(p.mannWhitney.pValue) << " (" << p.mannWhitney.method << ")\n";
        if (p.pairedDone)
            o << "  Wilcoxon (paired) W = " << significant(p.wilcoxon.statistic, 8) << ", p = " << formatPValue(p.wilcoxon.pValue)
              << " (" << p.wilcoxon.method << ", units matched by index)\n";
        else
            o << "  Wilcoxon (paired) skipped: " << p.pairedSkipReason << "\n";
        o << "  Cohen's d        d = " << fixed(p.cohensD, 3) << "\n";
    }
    for (const auto& n : r.notes)
        o << "* " << n << "\n";
    return o.str();
}

} // namespace repalign
