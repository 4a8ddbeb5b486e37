// Studies, the comparison room: each tuned condition tested against its own baseline
// (Holm-corrected), the table in every format (common/table.h), and the study figure's points.
#include "pipeline/study.h"

#include "behaviour/behaviour_file.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/table.h"
#include "common/text.h"
#include "interpret/analysis.h"
#include "interpret/comparison.h"
#include "interpret/stats.h"
#include "io/h5.h"
#include "pipeline/study_internal.h"
#include "run/tune_config.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace repalign {

// ---- comparison ----------------------------------------------------------------------------

namespace {

/// The predictivity of a tuned model per tuned ROI (its predictivity.h5), or nothing.
std::vector<StudyRoiScore> roiScores(const StudyPlan& plan, const StudyRun& m)
{
    std::vector<StudyRoiScore> out;
    const TuneConfig tc = parseTuneConfig(m.config, m.name);
    const std::string pf = plan.runDir(m.name) + "/predictivity.h5";
    if (!fileExists(pf))
        return out;
    H5File h(pf, H5File::Mode::Read);
    for (const auto& roi : tc.rois) {
        StudyRoiScore s;
        s.roi = roi;
        if (h.exists("/r/" + roi))
            s.rMedian = stats::median(h.readF64("/r/" + roi));
        if (h.exists("/normalized/" + roi)) {
            const auto nc = h.readF64("/normalized/" + roi);
            s.normalizedMedian = nc.empty() ? -1 : stats::median(nc);
        }
        out.push_back(s);
    }
    return out;
}

std::string pgdLabel(const std::string& norm, double eps)
{
    return norm == "linf" ? "PGD linf " + significant(eps * 255.0, 4) + "/255" : "PGD " + norm + " " + significant(eps, 4);
}

/// The behaviour of model run @p model: its first finished behave condition. Notes a condition
/// that could not be read, and models with several behave conditions.
StudyBehaviour behaviourOf(const StudyPlan& plan, const std::string& model, std::vector<std::string>& notes)
{
    StudyBehaviour out;
    int conditions = 0;
    for (const StudyRun* b : plan.stage(StudyStage::Behave)) {
        if (b->model != model || !study_detail::runFinished(plan, *b))
            continue;
        if (++conditions > 1)
            continue;
        try {
            const behaviour::BehaviourData d = behaviour::readBehaviour(plan.behaviourPath(b->name));
            out.present = true;
            out.run = b->name;
            out.accuracy = d.accuracy;
            out.ece = d.calibration.ece;
            if (d.corruption.present)
                out.corruptionAccuracy = d.corruption.meanAccuracy;
            if (d.human.present)
                out.humanCrossEntropy = d.human.crossEntropy;
            for (const auto& curve : d.pgd)
                for (std::size_t i = 0; i < curve.eps.size() && i < curve.accuracy.size(); ++i)
                    out.pgd.emplace_back(pgdLabel(curve.norm, curve.eps[i]), curve.accuracy[i]);
        } catch (const std::exception& e) {
            notes.push_back(b->name + ": behaviour not read (" + std::string(e.what()) + ")");
        }
    }
    if (conditions > 1)
        notes.push_back(model + " has " + std::to_string(conditions) + " behave conditions; the table shows " + out.run);
    return out;
}

} // namespace

StudyTable compareStudy(const StudyPlan& plan, const std::string& metric)
{
    if (metric != "lpips" && metric != "color" && metric != "label")
        throw Error("study compare: unknown metric '" + metric + "' (valid: lpips, color, label)");
    StudyTable t;
    t.metric = metric;
    for (const auto& a : plan.axes)
        t.axisKeys.push_back(a.key);
    std::map<std::string, std::size_t> rowOf;
    std::map<std::string, std::string> layerOf;
    std::vector<std::string> missing;
    bool uncalibrated = false;
    for (const StudyRun* a : plan.stage(StudyStage::Analyze)) {
        if (!study_detail::runFinished(plan, *a)) {
            missing.push_back(a->name);
            continue;
        }
        AnalysisFile f(plan.analysisPath(a->name));
        StudyRow row;
        row.analysis = a->name;
        row.model = a->model;
        const StudyRun* m = plan.find(a->model);
        row.stage = m ? m->stage : StudyStage::Train;
        for (const auto& key : t.axisKeys)
            row.axes.emplace_back(key, a->axisValue(key));
        row.accuracy = f.accuracy;
        uncalibrated = uncalibrated || (metric == "lpips" && !f.lpipsCalibrated);
        for (float v : f.metric(metric))
            row.values.push_back(v);
        row.mean = stats::mean(row.values);
        row.std = stats::sampleStd(row.values);
        row.baselineAnalysis = a->baselineAnalysis;
        layerOf[a->name] = f.layer;
        if (m && m->stage == StudyStage::Tune) {
            try {
                row.rois = roiScores(plan, *m);
            } catch (const std::exception& e) {
                t.notes.push_back(m->name + ": predictivity not read (" + std::string(e.what()) + ")");
            }
        }
        if (!plan.stage(StudyStage::Behave).empty()) {
            row.behaviour = behaviourOf(plan, a->model, t.notes);
            if (row.stage == StudyStage::Tune)
                row.baselineBehaviour = behaviourOf(plan, a->baseline, t.notes);
        }
        rowOf[a->name] = t.rows.size();
        t.rows.push_back(std::move(row));
    }
    // Each tuned condition against its own baseline's analysis.
    std::vector<std::size_t> tested;
    std::vector<double> ps;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        StudyRow& row = t.rows[i];
        if (row.stage != StudyStage::Tune || row.baselineAnalysis.empty())
            continue;
        auto it = rowOf.find(row.baselineAnalysis);
        if (it == rowOf.end())
            continue;
        const StudyRow& base = t.rows[it->second];
        const bool paired = base.values.size() == row.values.size() && layerOf[row.analysis] == layerOf[base.analysis];
        bool anyDiff = false;
        for (std::size_t k = 0; paired && k < row.values.size(); ++k)
            anyDiff = anyDiff || row.values[k] != base.values[k];
        stats::TestResult r;
        if (paired && anyDiff) {
            r = stats::wilcoxonSignedRank(row.values, base.values);
            row.test = "Wilcoxon signed-rank";
        } else {
            r = stats::mannWhitneyU(row.values, base.values);
            row.test = "Mann-Whitney U";
        }
        row.statistic = r.statistic;
        row.p = r.pValue;
        row.cohensD = stats::cohensD(row.values, base.values);
        tested.push_back(i);
        ps.push_back(r.pValue);
    }
    const auto adj = stats::holmAdjust(ps);
    for (std::size_t k = 0; k < tested.size(); ++k)
        t.rows[tested[k]].pHolm = adj[k];
    if (!tested.empty())
        t.notes.push_back("p_holm: Holm-Bonferroni correction across the " + std::to_string(tested.size())
            + " tuned conditions, each tested against its own baseline (Wilcoxon signed-rank on paired units where both "
              "analyses have the same units, else Mann-Whitney U; two-sided)");
    if (uncalibrated)
        t.notes.push_back("II-LPIPS from uncalibrated (random) LPIPS weights in at least one analysis");
    if (std::any_of(t.rows.begin(), t.rows.end(), [](const StudyRow& r) { return r.behaviour.present; }))
        t.notes.push_back("behaviour: each model's behave condition (accuracies on [0, 1], ECE, human cross-entropy in nats); "
                          "on tuned rows the difference to the baseline's in brackets (columns 'vs baseline' in CSV)");
    if (!missing.empty())
        t.notes.push_back(std::to_string(missing.size()) + " analyses not finished yet: " + joinChoices(missing));
    return t;
}

namespace {

/// A p-value as the table shows it: empty when there is no test (p < 0).
std::string pText(double p)
{
    return p < 0 ? std::string() : formatPValue(p);
}

std::vector<std::string> roiNames(const StudyTable& t)
{
    std::vector<std::string> rois;
    for (const auto& r : t.rows)
        for (const auto& s : r.rois)
            if (std::find(rois.begin(), rois.end(), s.roi) == rois.end())
                rois.push_back(s.roi);
    return rois;
}

/// The behavioural columns the rows have values for: clean accuracy, corruption accuracy, ECE,
/// each PGD eps, human cross-entropy (empty without a behave stage).
std::vector<std::string> behaviourColumns(const StudyTable& t)
{
    bool any = false, corruption = false, human = false;
    std::vector<std::string> pgd;
    for (const auto& r : t.rows) {
        const StudyBehaviour& b = r.behaviour;
        any = any || b.present;
        corruption = corruption || !std::isnan(b.corruptionAccuracy);
        human = human || !std::isnan(b.humanCrossEntropy);
        for (const auto& [label, acc] : b.pgd)
            if (std::find(pgd.begin(), pgd.end(), label) == pgd.end())
                pgd.push_back(label);
    }
    if (!any)
        return {};
    std::vector<std::string> out {"clean acc"};
    if (corruption)
        out.push_back("corruption acc");
    out.push_back("ECE");
    for (const auto& label : pgd)
        out.push_back(label + " acc");
    if (human)
        out.push_back("human CE");
    return out;
}

double behaviourValue(const StudyBehaviour& b, const std::string& column)
{
    if (!b.present)
        return NAN;
    if (column == "clean acc")
        return b.accuracy;
    if (column == "corruption acc")
        return b.corruptionAccuracy;
    if (column == "ECE")
        return b.ece;
    if (column == "human CE")
        return b.humanCrossEntropy;
    for (const auto& [label, acc] : b.pgd)
        if (label + " acc" == column)
            return acc;
    return NAN;
}

/// The behavioural cells of one row: for a data file the value and its difference to the
/// baseline in separate columns; for a reader "0.8123 (+0.0120)" on tuned rows.
void addBehaviourCells(std::vector<std::string>& c, const StudyRow& r, const std::vector<std::string>& columns, bool data)
{
    for (const auto& col : columns) {
        const double v = behaviourValue(r.behaviour, col);
        const double base = behaviourValue(r.baselineBehaviour, col);
        const double diff = r.stage == StudyStage::Tune && !std::isnan(v) && !std::isnan(base) ? v - base : NAN;
        if (data) {
            c.push_back(std::isnan(v) ? "" : strprintf("%.10g", v));
            c.push_back(std::isnan(diff) ? "" : strprintf("%.10g", diff));
        } else {
            c.push_back(std::isnan(v) ? "" : fixed(v, 4) + (std::isnan(diff) ? "" : strprintf(" (%+.4f)", diff)));
        }
    }
}

/// The comparison as a table: full-precision numbers and separate columns for a data file
/// (@p data: CSV/TSV), rounded numbers and "mean ± std" for a reader.
Table studyCells(const StudyTable& t, bool data)
{
    const std::vector<std::string> rois = roiNames(t);
    Table table;
    auto& header = table.header;
    header.push_back("analysis");
    for (const auto& k : t.axisKeys)
        header.push_back(k);
    header.push_back("accuracy");
    for (const auto& roi : rois) {
        header.push_back(roi + " r median");
        header.push_back(roi + " r2/ceiling");
    }
    const std::string ii = "II-" + t.metric;
    if (data)
        header.insert(
            header.end(), {ii + " mean", ii + " std", "units", "baseline", "test", "statistic", "p", "p_holm", "cohens_d"});
    else
        header.insert(header.end(), {ii + " mean ± std", "vs baseline", "test", "p", "p (Holm)"});
    const std::vector<std::string> behaviour = behaviourColumns(t);
    for (const auto& col : behaviour) {
        header.push_back(col);
        if (data)
            header.push_back(col + " vs baseline");
    }
    for (const auto& r : t.rows) {
        std::vector<std::string> c {r.analysis};
        for (const auto& [k, v] : r.axes)
            c.push_back(v);
        c.push_back(fixed(r.accuracy, 4));
        for (const auto& roi : rois) {
            const StudyRoiScore* s = nullptr;
            for (const auto& x : r.rois)
                if (x.roi == roi)
                    s = &x;
            c.push_back(s ? fixed(s->rMedian, 4) : "");
            c.push_back(s && s->normalizedMedian >= 0 ? fixed(s->normalizedMedian, 4) : "");
        }
        const bool tested = r.p >= 0;
        const std::string test = tested ? r.test : "";
        const std::string base = tested ? r.baselineAnalysis : "";
        if (data) {
            c.insert(c.end(),
                {strprintf("%.10g", r.mean), strprintf("%.10g", r.std), std::to_string(r.values.size()), base, test,
                    tested ? strprintf("%.10g", r.statistic) : "", tested ? strprintf("%.10g", r.p) : "",
                    r.pHolm >= 0 ? strprintf("%.10g", r.pHolm) : "", tested ? strprintf("%.6g", r.cohensD) : ""});
        } else {
            const int d = t.metric == "color" ? 2 : 4;
            c.insert(c.end(), {fixed(r.mean, d) + " ± " + fixed(r.std, d), base, test, pText(r.p), pText(r.pHolm)});
        }
        addBehaviourCells(c, r, behaviour, data);
        table.rows.push_back(c);
    }
    return table;
}

} // namespace

std::string formatStudyTable(const StudyTable& t, const std::string& format)
{
    const TableFormat f = parseTableFormat(format, "study compare --format");
    std::string out = renderTable(studyCells(t, f == TableFormat::Csv || f == TableFormat::Tsv), f);
    for (const auto& n : t.notes) {
        switch (f) {
        case TableFormat::Csv:
        case TableFormat::Tsv:
            out += "# " + n + "\n";
            break;
        case TableFormat::Markdown:
            out += "\n_" + n + "_\n";
            break;
        case TableFormat::Latex:
            out += "% " + n + "\n";
            break;
        case TableFormat::Text:
            out += "note: " + n + "\n";
            break;
        }
    }
    return out;
}

std::string writeStudyComparison(const StudyPlan& plan, const StudyTable& table)
{
    const std::string csv = plan.studyDir + "/comparison.csv";
    writeFileAtomic(csv, formatStudyTable(table, "csv"));
    writeFileAtomic(plan.studyDir + "/comparison.md", formatStudyTable(table, "markdown"));
    return csv;
}

std::vector<StudyFigurePoint> studyFigurePoints(const StudyTable& table, const std::string& x, const std::string& hue)
{
    auto has = [&](const std::string& key) {
        return std::find(table.axisKeys.begin(), table.axisKeys.end(), key) != table.axisKeys.end();
    };
    if (!has(x))
        throw Error(
            "figure --kind study: --x '" + x + "' is not an axis of the study (axes: " + joinChoices(table.axisKeys) + ")");
    if (!hue.empty() && !has(hue))
        throw Error(
            "figure --kind study: --hue '" + hue + "' is not an axis of the study (axes: " + joinChoices(table.axisKeys) + ")");
    std::vector<StudyFigurePoint> points;
    std::vector<std::vector<double>> pooled, accs;
    for (const auto& r : table.rows) {
        std::string xv, hv;
        for (const auto& [k, v] : r.axes) {
            if (k == x)
                xv = v;
            if (k == hue)
                hv = v;
        }
        if (xv.empty())
            continue;
        std::size_t i = 0;
        for (; i < points.size(); ++i)
            if (points[i].x == xv && points[i].hue == hv)
                break;
        if (i == points.size()) {
            StudyFigurePoint p;
            p.x = xv;
            p.hue = hv;
            points.push_back(p);
            pooled.emplace_back();
            accs.emplace_back();
        }
        pooled[i].insert(pooled[i].end(), r.values.begin(), r.values.end());
        accs[i].push_back(r.accuracy);
        points[i].rows++;
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
        points[i].n = static_cast<std::int64_t>(pooled[i].size());
        points[i].mean = stats::mean(pooled[i]);
        const stats::Interval ci = stats::bootstrapMeanCI(pooled[i], 0.95, 10000, 0);
        points[i].low = ci.low;
        points[i].high = ci.high;
        points[i].y2 = stats::mean(accs[i]);
    }
    return points;
}
} // namespace repalign
