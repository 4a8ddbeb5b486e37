#include "interpret/comparison.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "common/table.h"
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
    return tableFormatNames();
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

namespace {

std::string groupArea(const GroupSummary& g)
{
    return g.tunedArea.empty() ? std::string("-") : g.tunedArea;
}

/// "*" after a value from uncalibrated LPIPS weights.
bool uncalibratedMark(const ComparisonResult& r, const GroupSummary& g)
{
    return !g.calibrated && (r.metric == "lpips" || r.metric == "lpips_synth");
}

/// CSV or TSV: the groups, an empty line, the tests.
std::string comparisonData(const ComparisonResult& r, TableFormat f)
{
    Table groups;
    groups.header = {"section", "label", "model", "layer", "tuned_area", "metric", "n", "mean", "std", "median", "ci95_low",
        "ci95_high", "accuracy", "lpips_calibrated", "ii_diagonal"};
    for (const auto& g : r.groups)
        groups.rows.push_back({"group", g.label, g.model, g.layer, groupArea(g), r.metric, std::to_string(g.n),
            significant(g.mean, 10), significant(g.std, 10), significant(g.median, 10), significant(g.ci95.low, 10),
            significant(g.ci95.high, 10), significant(g.accuracy, 10), g.calibrated ? "1" : "0", g.iiDiagonal});
    Table tests;
    tests.header = {"section", "a", "b", "test", "statistic", "df", "p_value", "note"};
    if (r.anovaDone)
        tests.rows.push_back({"test", "all", "all", "one-way ANOVA", significant(r.anova.statistic, 10),
            significant(r.anova.df1, 10) + ";" + significant(r.anova.df, 10), significant(r.anova.pValue, 10), ""});
    for (const auto& p : r.pairs) {
        const std::string a = r.groups[static_cast<std::size_t>(p.i)].label, b = r.groups[static_cast<std::size_t>(p.j)].label;
        tests.rows.push_back({"test", a, b, "Welch t", significant(p.welch.statistic, 10), significant(p.welch.df, 10),
            significant(p.welch.pValue, 10), ""});
        tests.rows.push_back({"test", a, b, "Mann-Whitney U", significant(p.mannWhitney.statistic, 10), "",
            significant(p.mannWhitney.pValue, 10), p.mannWhitney.method});
        if (p.pairedDone)
            tests.rows.push_back({"test", a, b, "Wilcoxon signed-rank", significant(p.wilcoxon.statistic, 10), "",
                significant(p.wilcoxon.pValue, 10), p.wilcoxon.method});
        else
            tests.rows.push_back({"test", a, b, "Wilcoxon signed-rank", "", "", "", "skipped: " + p.pairedSkipReason});
        tests.rows.push_back({"test", a, b, "Cohen's d", significant(p.cohensD, 10), "", "", ""});
    }
    return renderTable(groups, f) + "\n" + renderTable(tests, f);
}

/// The reference's results table (Markdown, LaTeX): Model | Condition | Brain Area Tuned | Val Acc | II mean ± std.
Table resultsTable(const ComparisonResult& r, int dig)
{
    Table t;
    t.header = {"Model", "Condition", "Brain Area Tuned", "Val Acc", metricTitle(r.metric) + " mean ± std"};
    for (const auto& g : r.groups)
        t.rows.push_back({prettyModel(g.model), g.label, groupArea(g), fixed(g.accuracy, 4),
            fixed(g.mean, dig) + " ± " + fixed(g.std, dig) + (uncalibratedMark(r, g) ? " *" : "")});
    return t;
}

std::string comparisonMarkdown(const ComparisonResult& r, int dig)
{
    std::ostringstream o;
    auto label = [&](int i) { return r.groups[static_cast<std::size_t>(i)].label; };
    o << renderTable(resultsTable(r, dig), TableFormat::Markdown) << "\n";
    o << "n, median and 95% bootstrap CI of the mean (10,000 resamples); std is the sample std (ddof 1).\n\n";
    Table spread;
    spread.header = {"Condition", "n", "median", "95% CI"};
    for (const auto& g : r.groups)
        spread.rows.push_back({g.label, std::to_string(g.n), fixed(g.median, dig),
            "[" + fixed(g.ci95.low, dig) + ", " + fixed(g.ci95.high, dig) + "]"});
    o << renderTable(spread, TableFormat::Markdown) << "\n";
    if (r.anovaDone)
        o << "One-way ANOVA: F(" << significant(r.anova.df1) << ", " << significant(r.anova.df)
          << ") = " << significant(r.anova.statistic) << ", p = " << formatPValue(r.anova.pValue) << "\n\n";
    for (const auto& p : r.pairs) {
        o << "**" << label(p.i) << " vs " << label(p.j) << "**: Welch t(" << significant(p.welch.df)
          << ") = " << significant(p.welch.statistic) << ", p = " << formatPValue(p.welch.pValue)
          << "; Mann-Whitney U = " << significant(p.mannWhitney.statistic, 8) << ", p = " << formatPValue(p.mannWhitney.pValue)
          << "; ";
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

std::string comparisonLatex(const ComparisonResult& r, int dig)
{
    std::ostringstream o;
    auto label = [&](int i) { return r.groups[static_cast<std::size_t>(i)].label; };
    Table t = resultsTable(r, dig);
    t.numeric = {false, false, false, true, true};
    o << renderTable(t, TableFormat::Latex);
    if (r.anovaDone)
        o << "% One-way ANOVA: F(" << significant(r.anova.df1) << ", " << significant(r.anova.df)
          << ") = " << significant(r.anova.statistic) << ", p = " << formatPValue(r.anova.pValue) << "\n";
    for (const auto& p : r.pairs) {
        o << "% " << label(p.i) << " vs " << label(p.j) << ": Welch t = " << significant(p.welch.statistic)
          << ", p = " << formatPValue(p.welch.pValue) << "; Mann-Whitney p = " << formatPValue(p.mannWhitney.pValue)
          << "; Wilcoxon " << (p.pairedDone ? "p = " + formatPValue(p.wilcoxon.pValue) : "skipped (" + p.pairedSkipReason + ")")
          << "; Cohen's d = " << fixed(p.cohensD, 3) << "\n";
    }
    for (const auto& n : r.notes)
        o << "% * " << n << "\n";
    return o.str();
}

std::string comparisonText(const ComparisonResult& r)
{
    std::ostringstream o;
    auto label = [&](int i) { return r.groups[static_cast<std::size_t>(i)].label; };
    Table t;
    t.caption = metricTitle(r.metric) + " per analysis (std = sample std, ddof 1)";
    t.header = {"label", "model", "layer", "area", "n", "mean", "std", "median", "95% CI (bootstrap)", "accuracy"};
    for (const auto& g : r.groups)
        t.rows.push_back({g.label + (uncalibratedMark(r, g) ? " *" : ""), g.model, g.layer, groupArea(g), std::to_string(g.n),
            fixed(g.mean, 4), fixed(g.std, 4), fixed(g.median, 4),
            "[" + fixed(g.ci95.low, 4) + ", " + fixed(g.ci95.high, 4) + "]", fixed(g.accuracy, 4)});
    o << renderTable(t, TableFormat::Text) << "\n";
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

} // namespace

std::string formatComparison(const ComparisonResult& r, const std::string& format)
{
    const TableFormat f = parseTableFormat(format);
    const int dig = r.metric == "color" || r.metric == "color_synth" ? 2 : 3;
    switch (f) {
    case TableFormat::Csv:
    case TableFormat::Tsv:
        return comparisonData(r, f);
    case TableFormat::Markdown:
        return comparisonMarkdown(r, dig);
    case TableFormat::Latex:
        return comparisonLatex(r, dig);
    case TableFormat::Text:
        break;
    }
    return comparisonText(r);
}

} // namespace repalign
