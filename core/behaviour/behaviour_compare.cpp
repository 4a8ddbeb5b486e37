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
/// difference over @p units (each unit: @p per outcomes, e.g. the 5 severities of an image;
/// outcome k of unit i at [k * units + i]).
BehaviourComparisonRow binaryRow(const std::string& measure, const std::uint8_t* a, const std::uint8_t* b, std::size_t units,
    std::size_t per, int resamples, std::uint64_t seed)
{
    BehaviourComparisonRow row;
    row.measure = measure;
    std::int64_t onlyA = 0, onlyB = 0;
    double sa = 0, sb = 0;
    std::vector<double> diff(units, 0.0);
    for (std::size_t k = 0; k < per; ++k)
        for (std::size_t i = 0; i < units; ++i) {
            const int x = a[k * units + i] ? 1 : 0, y = b[k * units + i] ? 1 : 0;
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

void checkArguments(const std::vector<std::string>& files, const std::vector<std::string>& labels)
{
    if (files.size() != 2)
        throw Error("compare --metric behaviour compares two files (got " + std::to_string(files.size())
            + "): A.h5 B.h5, each written by repalign-cli behave");
    if (!labels.empty() && labels.size() != 2)
        throw Error("compare --labels: " + std::to_string(labels.size()) + " labels for 2 files");
}

/// The files, their labels (--labels, else the file stems, else the paths when the stems are
/// the same) and the bootstrap settings.
BehaviourComparison describeComparison(
    const std::vector<std::string>& files, const std::vector<std::string>& labels, int resamples, std::uint64_t seed)
{
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
    return c;
}

/// Paired tests need the same images: the same count and the same labels.
void checkSameImages(const BehaviourData& A, const BehaviourData& B, const std::vector<std::string>& files)
{
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
}

/// The two files being compared and the comparison being filled. Each bootstrapped row takes
/// the next seed, in row order.
struct Pairing {
    const BehaviourData& A;
    const BehaviourData& B;
    const std::vector<std::string>& files;
    std::size_t n; ///< images
    int resamples;
    std::uint64_t seed; ///< the next row's
    BehaviourComparison& c;

    std::uint64_t nextSeed() { return seed++; }
    /// binaryRow over @p units units of @p per outcomes each.
    void addBinary(
        const std::string& measure, const std::uint8_t* a, const std::uint8_t* b, std::size_t units, std::size_t per = 1)
    {
        c.rows.push_back(binaryRow(measure, a, b, units, per, resamples, nextSeed()));
    }
    void addMean(const std::string& measure, const std::vector<double>& a, const std::vector<double>& b)
    {
        c.rows.push_back(meanRow(measure, a, b, resamples, nextSeed()));
    }
    /// A note for a part only file @p side (0 = A, 1 = B) has.
    void onlyIn(const std::string& what, std::size_t side) { c.notes.push_back(what + " skipped: only in " + files[side]); }
};

/// A row of two whole-file values, without a test.
BehaviourComparisonRow valueRow(const std::string& measure, double a, double b, std::int64_t n = 0)
{
    BehaviourComparisonRow r;
    r.measure = measure;
    r.a = a;
    r.b = b;
    r.diff = r.b - r.a;
    r.n = n;
    return r;
}

void addCleanRows(Pairing& p)
{
    const BehaviourData &A = p.A, &B = p.B;
    const std::size_t n = p.n;
    p.addBinary("accuracy (clean)", A.correct.data(), B.correct.data(), n);
    const int bins = A.calibration.bins;
    BehaviourComparisonRow ece
        = valueRow("ECE (" + std::to_string(bins) + " bins)", A.calibration.ece, B.calibration.ece, static_cast<std::int64_t>(n));
    ece.ci = pairedBootstrap(
        n, [&](const std::vector<std::size_t>& idx) { return eceAt(B, idx, bins) - eceAt(A, idx, bins); },
        std::min(p.resamples, 500), p.nextSeed());
    p.c.rows.push_back(ece);
    p.addMean("NLL", perImageNll(A), perImageNll(B));
    p.addMean("Brier", perImageBrier(A), perImageBrier(B));
}

/// Both files' human metrics, from the same CIFAR-10H labels.
void addHumanAgreementRows(Pairing& p)
{
    const BehaviourData &A = p.A, &B = p.B;
    const HumanResult &ha = A.human, &hb = B.human;
    const std::size_t n = p.n;
    if (!ha.crossEntropyPerImage.empty() && !hb.crossEntropyPerImage.empty())
        p.addMean("CIFAR-10H cross-entropy", ha.crossEntropyPerImage, hb.crossEntropyPerImage);
    std::vector<std::uint8_t> ua(n), ub(n), hardA, hardB;
    for (std::size_t i = 0; i < n; ++i) {
        ua[i] = A.predictions[i] == ha.humanMajority[i] ? 1 : 0;
        ub[i] = B.predictions[i] == ha.humanMajority[i] ? 1 : 0;
        if (ha.humanAccuracy[i] < 0.9f) {
            hardA.push_back(A.correct[i]);
            hardB.push_back(B.correct[i]);
        }
    }
    p.addBinary("CIFAR-10H agreement (human majority)", ua.data(), ub.data(), n);
    if (!hardA.empty())
        p.addBinary(
            "accuracy on human-hard images (" + std::to_string(hardA.size()) + ")", hardA.data(), hardB.data(), hardA.size());
    BehaviourComparisonRow r
        = valueRow("error consistency (expected observer)", ha.kappaExpected, hb.kappaExpected, static_cast<std::int64_t>(n));
    r.ci = pairedBootstrap(
        n, [&](const std::vector<std::size_t>& idx) { return kappaAt(B, idx) - kappaAt(A, idx); }, p.resamples, p.nextSeed());
    p.c.rows.push_back(r);
    if (!ha.kappaPerAnnotator.empty() && !hb.kappaPerAnnotator.empty())
        p.c.rows.push_back(valueRow("error consistency (median over annotators)", ha.kappaMedian, hb.kappaMedian,
            static_cast<std::int64_t>(ha.kappaPerAnnotator.size())));
}

void addHumanRows(Pairing& p)
{
    const BehaviourData &A = p.A, &B = p.B;
    if (A.human.present && B.human.present) {
        if (A.human.humanAccuracy != B.human.humanAccuracy)
            p.c.notes.push_back("human metrics skipped: the two files used different human labels");
        else
            addHumanAgreementRows(p);
    } else if (A.human.present || B.human.present) {
        p.c.notes.push_back(
            "human metrics skipped: only " + (A.human.present ? p.files[0] : p.files[1]) + " has /behaviour/human");
    }
}

/// One row per corruption both files have (the mean over its 5 severities), their mean over all
/// shared corruptions, and mCE when both have a reference.
void addSharedCorruptionRows(Pairing& p)
{
    const CorruptionResult &A = p.A.corruption, &B = p.B.corruption;
    const std::size_t n = p.n;
    std::vector<std::uint8_t> allA, allB;
    std::size_t shared = 0;
    for (std::size_t ca = 0; ca < A.names.size(); ++ca) {
        const std::string& name = A.names[ca];
        const auto it = std::find(B.names.begin(), B.names.end(), name);
        if (it == B.names.end()) {
            p.onlyIn("corruption " + name, 0);
            continue;
        }
        const auto cb = static_cast<std::size_t>(it - B.names.begin());
        const std::uint8_t* pa = A.correct.data() + ca * 5 * n;
        const std::uint8_t* pb = B.correct.data() + cb * 5 * n;
        p.addBinary("CIFAR-10-C " + name + " (mean of 5 severities)", pa, pb, n, 5);
        allA.insert(allA.end(), pa, pa + 5 * n);
        allB.insert(allB.end(), pb, pb + 5 * n);
        ++shared;
    }
    for (const std::string& name : B.names)
        if (std::find(A.names.begin(), A.names.end(), name) == A.names.end())
            p.onlyIn("corruption " + name, 1);
    if (shared > 1)
        p.addBinary("CIFAR-10-C mean (" + std::to_string(shared) + " corruptions)", allA.data(), allB.data(), n, 5 * shared);
    if (A.hasReference && B.hasReference)
        p.c.rows.push_back(valueRow("CIFAR-10-C mCE", A.mce, B.mce));
}

void addCorruptionRows(Pairing& p)
{
    const bool a = p.A.corruption.present, b = p.B.corruption.present;
    if (a && b)
        addSharedCorruptionRows(p);
    else if (a || b)
        p.c.notes.push_back("CIFAR-10-C skipped: only " + (a ? p.files[0] : p.files[1]) + " has /behaviour/corruption");
}

/// One row per eps both curves of a norm have, when both attacked the same images.
void addPgdCurveRows(Pairing& p, const PgdCurve& pa, const PgdCurve& pb)
{
    if (pa.imageIndices != pb.imageIndices) {
        p.c.notes.push_back("PGD " + pa.norm + " skipped: the files attacked different images ("
            + std::to_string(pa.imageIndices.size()) + " vs " + std::to_string(pb.imageIndices.size()) + ")");
        return;
    }
    if (pa.steps != pb.steps || pa.stepFraction != pb.stepFraction || pa.randomStart != pb.randomStart)
        p.c.notes.push_back("PGD " + pa.norm + ": the attacks differ in steps, step size or random start");
    const std::size_t m = pa.imageIndices.size();
    for (std::size_t ea = 0; ea < pa.eps.size(); ++ea) {
        std::size_t eb = 0;
        while (eb < pb.eps.size() && std::fabs(pb.eps[eb] - pa.eps[ea]) > 1e-12)
            ++eb;
        const std::string eps = pa.norm == "linf" ? significant(pa.eps[ea] * 255.0, 4) + "/255" : significant(pa.eps[ea], 4);
        if (eb == pb.eps.size()) {
            p.onlyIn("PGD " + pa.norm + " eps " + eps, 0);
            continue;
        }
        p.addBinary("PGD " + pa.norm + " eps " + eps, pa.correct.data() + ea * m, pb.correct.data() + eb * m, m);
    }
}

void addPgdRows(Pairing& p)
{
    for (const PgdCurve& pa : p.A.pgd) {
        const auto it = std::find_if(p.B.pgd.begin(), p.B.pgd.end(), [&](const PgdCurve& x) { return x.norm == pa.norm; });
        if (it == p.B.pgd.end())
            p.onlyIn("PGD " + pa.norm, 0);
        else
            addPgdCurveRows(p, pa, *it);
    }
    for (const PgdCurve& pb : p.B.pgd)
        if (std::none_of(p.A.pgd.begin(), p.A.pgd.end(), [&](const PgdCurve& x) { return x.norm == pb.norm; }))
            p.onlyIn("PGD " + pb.norm, 1);
}

} // namespace

BehaviourComparison compareBehaviour(
    const std::vector<std::string>& files, const std::vector<std::string>& labels, int resamples, std::uint64_t seed)
{
    checkArguments(files, labels);
    const BehaviourData A = readBehaviour(files[0]), B = readBehaviour(files[1]);
    BehaviourComparison c = describeComparison(files, labels, resamples, seed);
    checkSameImages(A, B, files);
    c.images = static_cast<std::int64_t>(A.labels.size());
    Pairing p {A, B, files, A.labels.size(), resamples, seed, c};
    addCleanRows(p);
    addHumanRows(p);
    addCorruptionRows(p);
    addPgdRows(p);
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
