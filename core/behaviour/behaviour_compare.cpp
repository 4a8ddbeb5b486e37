#include "behaviour/behaviour_compare.h"

#include "behaviour/calibration.h"
#include "behaviour/human.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "common/table.h"
#include "common/text.h"
#include "interpret/comparison.h"
#include "interpret/stats.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace repalign::behaviour {

namespace {

using Statistic = std::function<double(const std::vector<std::size_t>&)>;

/// Percentile bootstrap CI (95%, numpy's linear quantiles) of @p diff evaluated on resampled
/// image indices: the same indices for both models (paired).
Interval2 pairedBootstrap(std::size_t n, const Statistic& diff, int resamples, std::uint64_t seed)
{
    Interval2 ci;
    if (n < 2 || resamples < 2)
        return ci;
    Rng rng(mixSeed(seed, 0xBE4A, n));
    std::vector<double> v;
    v.reserve(static_cast<std::size_t>(resamples));
    std::vector<std::size_t> idx(n);
    for (int r = 0; r < resamples; ++r) {
        for (auto& i : idx)
            i = static_cast<std::size_t>(rng.below(n));
        const double x = diff(idx);
        if (std::isfinite(x))
            v.push_back(x);
    }
    if (v.size() < 2)
        return ci;
    ci.low = stats::quantile(v, 0.025);
    ci.high = stats::quantile(v, 0.975);
    return ci;
}

double meanAt(const std::vector<double>& x, const std::vector<std::size_t>& idx)
{
    long double s = 0;
    for (std::size_t i : idx)
        s += x[i];
    return static_cast<double>(s / static_cast<long double>(idx.size()));
}

/// A row for paired 0/1 outcomes: McNemar on the discordant pairs, bootstrap CI of the mean
/// difference over @p units (each unit: @p per outcomes, e.g. the 5 severities of an image).
BehaviourComparisonRow binaryRow(const std::string& measure, const std::uint8_t* a, const std::uint8_t* b, std::size_t units,
    std::size_t per, std::size_t stride, int resamples, std::uint64_t seed)
{
    BehaviourComparisonRow row;
    row.measure = measure;
    std::int64_t onlyA = 0, onlyB = 0;
    double sa = 0, sb = 0;
    std::vector<double> diff(units, 0.0);
    for (std::size_t k = 0; k < per; ++k)
        for (std::size_t i = 0; i < units; ++i) {
            const int x = a[k * stride + i] ? 1 : 0, y = b[k * stride + i] ? 1 : 0;
            sa += x;
            sb += y;
            onlyA += x && !y;
            onlyB += y && !x;
            diff[i] += static_cast<double>(y - x) / static_cast<double>(per);
        }
    const double total = static_cast<double>(units * per);
    row.n = static_cast<std::int64_t>(units * per);
    row.a = sa / total;
    row.b = sb / total;
    row.diff = row.b - row.a;
    row.ci = pairedBootstrap(
        units, [&](const std::vector<std::size_t>& idx) { return meanAt(diff, idx); }, resamples, seed);
    const stats::TestResult t = stats::mcNemar(onlyA, onlyB);
    row.test = "McNemar " + t.method;
    row.statistic = t.statistic;
    row.p = t.pValue;
    return row;
}

BehaviourComparisonRow meanRow(
    const std::string& measure, const std::vector<double>& a, const std::vector<double>& b, int resamples, std::uint64_t seed)
{
    BehaviourComparisonRow row;
    row.measure = measure;
    row.n = static_cast<std::int64_t>(a.size());
    if (a.empty())
        return row;
    row.a = stats::mean(a);
    row.b = stats::mean(b);
    row.diff = row.b - row.a;
    std::vector<double> d(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        d[i] = b[i] - a[i];
    row.ci = pairedBootstrap(
        a.size(), [&](const std::vector<std::size_t>& idx) { return meanAt(d, idx); }, resamples, seed);
    return row;
}

std::vector<double> perImageNll(const BehaviourData& d)
{
    std::vector<double> v(d.labels.size());
    const double floor = std::log(static_cast<double>(std::numeric_limits<float>::denorm_min()));
    for (std::size_t i = 0; i < v.size(); ++i) {
        const double p = d.probs[i * static_cast<std::size_t>(d.classes) + static_cast<std::size_t>(d.labels[i])];
        v[i] = -std::max(std::log(static_cast<double>(p)), floor);
    }
    return v;
}

std::vector<double> perImageBrier(const BehaviourData& d)
{
    std::vector<double> v(d.labels.size(), 0.0);
    const auto k = static_cast<std::size_t>(d.classes);
    for (std::size_t i = 0; i < v.size(); ++i)
        for (std::size_t c = 0; c < k; ++c) {
            const double x = d.probs[i * k + c] - (static_cast<std::int64_t>(c) == d.labels[i] ? 1.0 : 0.0);
            v[i] += x * x;
        }
    return v;
}

double eceAt(const BehaviourData& d, const std::vector<std::size_t>& idx, int bins)
{
    const auto k = static_cast<std::size_t>(d.classes);
    std::vector<double> probs;
    std::vector<std::int64_t> labels;
    probs.reserve(idx.size() * k);
    labels.reserve(idx.size());
    for (std::size_t i : idx) {
        probs.insert(probs.end(), d.probs.begin() + static_cast<std::ptrdiff_t>(i * k),
            d.probs.begin() + static_cast<std::ptrdiff_t>((i + 1) * k));
        labels.push_back(d.labels[i]);
    }
    return computeCalibration(probs, d.classes, labels, bins).ece;
}

double kappaAt(const BehaviourData& d, const std::vector<std::size_t>& idx)
{
    double cObs = 0, pm = 0, ph = 0;
    for (std::size_t i : idx) {
        const double m = d.correct[i] ? 1.0 : 0.0, a = d.human.humanAccuracy[i];
        cObs += m * a + (1 - m) * (1 - a);
        pm += m;
        ph += a;
    }
    const double n = static_cast<double>(idx.size());
    return errorConsistency(cObs / n, pm / n, ph / n);
}

std::string num(double v, int digits = 4)
{
    return std::isfinite(v) ? fixed(v, digits) : std::string("nan");
}

std::string signedNum(double v)
{
    if (!std::isfinite(v))
        return "nan";
    return (v >= 0 ? "+" : "") + fixed(v, 4);
}

} // namespace

BehaviourComparison compareBehaviour(
    const std::vector<std::string>& files, const std::vector<std::string>& labels, int resamples, std::uint64_t seed)
{
    if (files.size() != 2)
        throw Error("compare --metric behaviour compares two files (got " + std::to_string(files.size())
            + "): A.h5 B.h5, each written by repalign-cli behave");
    if (!labels.empty() && labels.size() != 2)
        throw Error("compare --labels: " + std::to_string(labels.size()) + " labels for 2 files");
    const BehaviourData A = readBehaviour(files[0]), B = readBehaviour(files[1]);
    BehaviourComparison c;
    c.fileA = files[0];
    c.fileB = files[1];
    c.labelA = labels.empty() ? fileStem(files[0]) : labels[0];
    c.labelB = labels.empty() ? fileStem(files[1]) : labels[1];
    if (c.labelA == c.labelB && labels.empty()) {
        c.labelA = files[0];
        c.labelB = files[1];
    }
    c.resamples = resamples;
    c.seed = seed;
    if (A.labels.size() != B.labels.size())
        throw Error("compare --metric behaviour: " + files[0] + " was evaluated on " + std::to_string(A.labels.size())
            + " images, " + files[1] + " on " + std::to_string(B.labels.size()) + " (paired tests need the same images)");
    if (A.labels != B.labels) {
        std::size_t i = 0;
        while (A.labels[i] == B.labels[i])
            ++i;
        throw Error("compare --metric behaviour: " + files[0] + " and " + files[1]
            + " were evaluated on different images (labels differ first at image " + std::to_string(i) + ": "
            + std::to_string(A.labels[i]) + " vs " + std::to_string(B.labels[i]) + ")");
    }
    const std::size_t n = A.labels.size();
    c.images = static_cast<std::int64_t>(n);
    std::uint64_t s = seed;

    c.rows.push_back(binaryRow("accuracy (clean)", A.correct.data(), B.correct.data(), n, 1, n, resamples, s++));
    {
        BehaviourComparisonRow r;
        r.measure = "ECE (" + std::to_string(A.calibration.bins) + " bins)";
        r.a = A.calibration.ece;
        r.b = B.calibration.ece;
        r.diff = r.b - r.a;
        r.n = static_cast<std::int64_t>(n);
        const int bins = A.calibration.bins;
        r.ci = pairedBootstrap(
            n, [&](const std::vector<std::size_t>& idx) { return eceAt(B, idx, bins) - eceAt(A, idx, bins); },
            std::min(resamples, 500), s++);
        c.rows.push_back(r);
    }
    c.rows.push_back(meanRow("NLL", perImageNll(A), perImageNll(B), resamples, s++));
    c.rows.push_back(meanRow("Brier", perImageBrier(A), perImageBrier(B), resamples, s++));

    if (A.human.present && B.human.present) {
        if (A.human.humanAccuracy != B.human.humanAccuracy)
            c.notes.push_back("human metrics skipped: the two files used different human labels");
        else {
            const HumanResult &ha = A.human, &hb = B.human;
            if (!ha.crossEntropyPerImage.empty() && !hb.crossEntropyPerImage.empty())
                c.rows.push_back(
                    meanRow("CIFAR-10H cross-entropy", ha.crossEntropyPerImage, hb.crossEntropyPerImage, resamples, s++));
            std::vector<double> agA(n), agB(n), hardA, hardB;
            for (std::size_t i = 0; i < n; ++i) {
                agA[i] = A.predictions[i] == ha.humanMajority[i] ? 1.0 : 0.0;
                agB[i] = B.predictions[i] == ha.humanMajority[i] ? 1.0 : 0.0;
            }
            std::vector<std::uint8_t> ua(n), ub(n), hua, hub;
            for (std::size_t i = 0; i < n; ++i) {
                ua[i] = agA[i] > 0 ? 1 : 0;
                ub[i] = agB[i] > 0 ? 1 : 0;
                if (ha.humanAccuracy[i] < 0.9f) {
                    hua.push_back(A.correct[i]);
                    hub.push_back(B.correct[i]);
                }
            }
            c.rows.push_back(binaryRow("CIFAR-10H agreement (human majority)", ua.data(), ub.data(), n, 1, n, resamples, s++));
            if (!hua.empty())
                c.rows.push_back(binaryRow("accuracy on human-hard images (" + std::to_string(hua.size()) + ")", hua.data(),
                    hub.data(), hua.size(), 1, hua.size(), resamples, s++));
            BehaviourComparisonRow r;
            r.measure = "error consistency (expected observer)";
            r.a = ha.kappaExpected;
            r.b = hb.kappaExpected;
            r.diff = r.b - r.a;
            r.n = static_cast<std::int64_t>(n);
            r.ci = pairedBootstrap(
                n, [&](const std::vector<std::size_t>& idx) { return kappaAt(B, idx) - kappaAt(A, idx); }, resamples, s++);
            c.rows.push_back(r);
            if (!ha.kappaPerAnnotator.empty() && !hb.kappaPerAnnotator.empty()) {
                BehaviourComparisonRow k;
                k.measure = "error consistency (median over annotators)";
                k.a = ha.kappaMedian;
                k.b = hb.kappaMedian;
                k.diff = k.b - k.a;
                k.n = static_cast<std::int64_t>(ha.kappaPerAnnotator.size());
                c.rows.push_back(k);
            }
        }
    } else if (A.human.present || B.human.present) {
        c.notes.push_back("human metrics skipped: only " + (A.human.present ? files[0] : files[1]) + " has /behaviour/human");
    }

    if (A.corruption.present && B.corruption.present) {
        std::vector<double> meanA(n, 0.0), meanB(n, 0.0);
        std::vector<std::uint8_t> allA, allB;
        std::size_t shared = 0;
        for (std::size_t ca = 0; ca < A.corruption.names.size(); ++ca) {
            const std::string& name = A.corruption.names[ca];
            const auto it = std::find(B.corruption.names.begin(), B.corruption.names.end(), name);
            if (it == B.corruption.names.end()) {
                c.notes.push_back("corruption " + name + " skipped: only in " + files[0]);
                continue;
            }
            const auto cb = static_cast<std::size_t>(it - B.corruption.names.begin());
            const std::uint8_t* pa = A.corruption.correct.data() + ca * 5 * n;
            const std::uint8_t* pb = B.corruption.correct.data() + cb * 5 * n;
            c.rows.push_back(binaryRow("CIFAR-10-C " + name + " (mean of 5 severities)", pa, pb, n, 5, n, resamples, s++));
            allA.insert(allA.end(), pa, pa + 5 * n);
            allB.insert(allB.end(), pb, pb + 5 * n);
            ++shared;
        }
        for (const std::string& name : B.corruption.names)
            if (std::find(A.corruption.names.begin(), A.corruption.names.end(), name) == A.corruption.names.end())
                c.notes.push_back("corruption " + name + " skipped: only in " + files[1]);
        if (shared > 1)
            c.rows.push_back(binaryRow("CIFAR-10-C mean (" + std::to_string(shared) + " corruptions)", allA.data(), allB.data(),
                n, 5 * shared, n, resamples, s++));
        if (A.corruption.hasReference && B.corruption.hasReference) {
            BehaviourComparisonRow r;
            r.measure = "CIFAR-10-C mCE";
            r.a = A.corruption.mce;
            r.b = B.corruption.mce;
            r.diff = r.b - r.a;
            c.rows.push_back(r);
        }
    } else if (A.corruption.present || B.corruption.present) {
        c.notes.push_back(
            "CIFAR-10-C skipped: only " + (A.corruption.present ? files[0] : files[1]) + " has /behaviour/corruption");
    }

    for (const PgdCurve& pa : A.pgd) {
        const auto it = std::find_if(B.pgd.begin(), B.pgd.end(), [&](const PgdCurve& p) { return p.norm == pa.norm; });
        if (it == B.pgd.end()) {
            c.notes.push_back("PGD " + pa.norm + " skipped: only in " + files[0]);
            continue;
        }
        const PgdCurve& pb = *it;
        if (pa.imageIndices != pb.imageIndices) {
            c.notes.push_back("PGD " + pa.norm + " skipped: the files attacked different images ("
                + std::to_string(pa.imageIndices.size()) + " vs " + std::to_string(pb.imageIndices.size()) + ")");
            continue;
        }
        if (pa.steps != pb.steps || pa.stepFraction != pb.stepFraction || pa.randomStart != pb.randomStart)
            c.notes.push_back("PGD " + pa.norm + ": the attacks differ in steps, step size or random start");
        const std::size_t m = pa.imageIndices.size();
        for (std::size_t ea = 0; ea < pa.eps.size(); ++ea) {
            std::size_t eb = 0;
            while (eb < pb.eps.size() && std::fabs(pb.eps[eb] - pa.eps[ea]) > 1e-12)
                ++eb;
            const std::string eps = pa.norm == "linf" ? significant(pa.eps[ea] * 255.0, 4) + "/255" : significant(pa.eps[ea], 4);
            if (eb == pb.eps.size()) {
                c.notes.push_back("PGD " + pa.norm + " eps " + eps + " skipped: only in " + files[0]);
                continue;
            }
            c.rows.push_back(binaryRow("PGD " + pa.norm + " eps " + eps, pa.correct.data() + ea * m, pb.correct.data() + eb * m,
                m, 1, m, resamples, s++));
        }
    }
    for (const PgdCurve& pb : B.pgd)
        if (std::none_of(A.pgd.begin(), A.pgd.end(), [&](const PgdCurve& p) { return p.norm == pb.norm; }))
            c.notes.push_back("PGD " + pb.norm + " skipped: only in " + files[1]);
    return c;
}

std::string formatBehaviourComparison(const BehaviourComparison& c, const std::string& format)
{
    const TableFormat f = parseTableFormat(format);
    Table t;
    t.header = {"Measure", c.labelA, c.labelB, "Difference (B - A)", "95% CI (paired bootstrap)", "Test", "Statistic", "p", "n"};
    t.numeric = {false, true, true, true, false, false, true, true, true};
    t.caption = "Behaviour: " + c.labelA + " (A, " + c.fileA + ") vs " + c.labelB + " (B, " + c.fileB + "), "
        + std::to_string(c.images) + " images, " + std::to_string(c.resamples) + " bootstrap resamples";
    for (const BehaviourComparisonRow& r : c.rows) {
        const std::string ci = std::isfinite(r.ci.low) ? "[" + signedNum(r.ci.low) + ", " + signedNum(r.ci.high) + "]" : "";
        t.rows.push_back({r.measure, num(r.a), num(r.b), signedNum(r.diff), ci, r.test,
            r.test.empty() ? "" : significant(r.statistic, 4), r.test.empty() ? "" : formatPValue(r.p), std::to_string(r.n)});
    }
    std::string out = renderTable(t, f);
    if (f == TableFormat::Text || f == TableFormat::Markdown)
        for (const std::string& note : c.notes)
            out += (f == TableFormat::Markdown ? "\n" : "") + std::string("note: ") + note + "\n";
    return out;
}

} // namespace repalign::behaviour
