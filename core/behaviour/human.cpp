#include "behaviour/human.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "interpret/stats.h"
#include "io/npy.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <map>
#include <sstream>

namespace repalign::behaviour {

namespace {

constexpr int kClasses = 10;

std::vector<std::string> splitCsvLine(const std::string& line)
{
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (quoted) {
            if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cur += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                cur += ch;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            out.push_back(cur);
            cur.clear();
        } else if (ch != '\r') {
            cur += ch;
        }
    }
    out.push_back(cur);
    return out;
}

/// An integer field ("3", "3.0", "-99999"); Error naming the file, line and column otherwise.
std::int64_t intField(const std::string& s, const std::string& file, std::size_t line, const std::string& column)
{
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end == s.c_str() || *end != '\0' || !std::isfinite(v) || v != std::floor(v))
        throw Error(file + " line " + std::to_string(line) + ": " + column + " = '" + s + "' is not an integer");
    return static_cast<std::int64_t>(v);
}

bool boolField(const std::string& s, const std::string& file, std::size_t line, const std::string& column)
{
    if (s == "1" || s == "True" || s == "true" || s == "TRUE" || s == "1.0")
        return true;
    if (s == "0" || s == "False" || s == "false" || s == "FALSE" || s == "0.0")
        return false;
    throw Error(file + " line " + std::to_string(line) + ": " + column + " = '" + s + "' is not 0/1 (or True/False)");
}

std::vector<HumanTrial> readRawCsv(const std::string& path, std::int64_t images)
{
    if (!fileExists(path))
        throw Error("cannot open " + path + ": no such file (--human-raw: cifar10h-raw.csv)");
    std::istringstream in(readFileText(path));
    std::string line;
    if (!std::getline(in, line))
        throw Error(path + ": empty file (expected cifar10h-raw.csv with a header line)");
    const auto header = splitCsvLine(line);
    const std::vector<std::string> required
        = {"annotator_id", "is_attn_check", "true_label", "chosen_label", "cifar10_test_set_idx"};
    std::vector<std::size_t> col;
    std::vector<std::string> missing;
    for (const auto& name : required) {
        const auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end())
            missing.push_back(name);
        col.push_back(static_cast<std::size_t>(it - header.begin()));
    }
    if (!missing.empty())
        throw Error(path + ": missing column" + (missing.size() > 1 ? "s " : " ") + joinChoices(missing)
            + " (cifar10h-raw.csv has annotator_id, trial_index, is_attn_check, true_label, chosen_label, correct_guess, "
              "cifar10_test_set_idx, reaction_time, ...)");
    const std::size_t need = *std::max_element(col.begin(), col.end()) + 1;
    std::vector<HumanTrial> trials;
    std::size_t lineNo = 1;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.empty() || line == "\r")
            continue;
        const auto f = splitCsvLine(line);
        if (f.size() < need)
            throw Error(path + " line " + std::to_string(lineNo) + ": " + std::to_string(f.size()) + " fields, the header has "
                + std::to_string(header.size()));
        const std::int64_t idx = intField(f[col[4]], path, lineNo, "cifar10_test_set_idx");
        if (boolField(f[col[1]], path, lineNo, "is_attn_check") || idx == -99999)
            continue;
        HumanTrial t;
        t.annotator = intField(f[col[0]], path, lineNo, "annotator_id");
        t.image = idx;
        const std::int64_t tl = intField(f[col[2]], path, lineNo, "true_label");
        const std::int64_t cl = intField(f[col[3]], path, lineNo, "chosen_label");
        if (idx < 0 || idx >= images)
            throw Error(path + " line " + std::to_string(lineNo) + ": cifar10_test_set_idx " + std::to_string(idx)
                + " is outside the " + std::to_string(images) + " images evaluated");
        if (tl < 0 || tl >= kClasses || cl < 0 || cl >= kClasses)
            throw Error(path + " line " + std::to_string(lineNo) + ": "
                + (tl < 0 || tl >= kClasses ? "true_label " : "chosen_label ")
                + std::to_string(tl < 0 || tl >= kClasses ? tl : cl) + " (valid: 0-9)");
        t.trueLabel = static_cast<int>(tl);
        t.chosenLabel = static_cast<int>(cl);
        trials.push_back(t);
    }
    if (trials.empty())
        throw Error(path + ": no main trials (every row is an attention check or the file has only a header)");
    return trials;
}

/// Percentile bootstrap CI of the median (numpy's linear quantiles), seeded.
Interval2 bootstrapMedianCI(const std::vector<double>& x, int resamples, std::uint64_t seed)
{
    Interval2 ci;
    if (x.size() < 2 || resamples < 2)
        return ci;
    Rng rng(mixSeed(seed, 0x3ED1A7, x.size()));
    std::vector<double> meds(static_cast<std::size_t>(resamples)), s(x.size());
    for (auto& m : meds) {
        for (auto& v : s)
            v = x[rng.below(x.size())];
        m = stats::median(s);
    }
    ci.low = stats::quantile(meds, 0.025);
    ci.high = stats::quantile(meds, 0.975);
    return ci;
}

Interval2 meanCI(const std::vector<double>& x, int resamples, std::uint64_t seed)
{
    if (x.empty())
        return {};
    const auto ci = stats::bootstrapMeanCI(x, 0.95, resamples, seed);
    return {ci.low, ci.high};
}

} // namespace

HumanLabels readHumanLabels(const std::string& npyPath, const std::string& rawCsv, std::int64_t images)
{
    const NpyArray a = readNpy(npyPath);
    if (!a.isNumeric() || a.kind == 'b')
        throw Error(npyPath + ": dtype " + a.descr
            + " is not CIFAR-10H's (float64 probabilities as cifar10h-probs.npy, or integer counts as cifar10h-counts.npy)");
    if (a.shape.size() != 2 || a.shape[1] != kClasses)
        throw Error(a.describe() + " is not CIFAR-10H's shape (N, 10) (cifar10h-probs.npy / cifar10h-counts.npy: 10000 x 10)");
    const std::int64_t rows = a.shape[0];
    if (rows != images)
        throw Error(npyPath + " has " + std::to_string(rows) + " rows but " + std::to_string(images)
            + " images were evaluated (CIFAR-10H: one row per CIFAR-10 test image, in test-set order)");
    const std::vector<double> v = a.toDoubles();
    bool integral = true;
    double maxSum = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
        double sum = 0;
        for (int k = 0; k < kClasses; ++k) {
            const double x = v[static_cast<std::size_t>(r * kClasses + k)];
            if (!std::isfinite(x))
                throw Error(npyPath + ": row " + std::to_string(r) + " holds " + (std::isnan(x) ? "NaN" : "an infinite value"));
            if (x < 0)
                throw Error(npyPath + ": row " + std::to_string(r) + " holds a negative value (" + std::to_string(x) + ")");
            integral = integral && x == std::floor(x);
            sum += x;
        }
        if (!(sum > 0))
            throw Error(npyPath + ": row " + std::to_string(r) + " is all zeros (no human label for that image)");
        maxSum = std::max(maxSum, sum);
    }
    HumanLabels h;
    h.images = rows;
    h.source = npyPath;
    const bool counts = a.kind != 'f' || (integral && maxSum > 1.0 + 1e-9);
    if (!counts) {
        for (std::int64_t r = 0; r < rows; ++r) {
            double sum = 0;
            for (int k = 0; k < kClasses; ++k)
                sum += v[static_cast<std::size_t>(r * kClasses + k)];
            if (std::fabs(sum - 1.0) > 1e-3)
                throw Error(npyPath + ": row " + std::to_string(r) + " sums to " + std::to_string(sum)
                    + ": neither probabilities (rows summing to 1, as cifar10h-probs.npy) nor whole counts "
                      "(cifar10h-counts.npy)");
        }
    }
    if (counts)
        h.counts = v;
    h.probs.resize(v.size());
    for (std::int64_t r = 0; r < rows; ++r) {
        double sum = 0;
        for (int k = 0; k < kClasses; ++k)
            sum += v[static_cast<std::size_t>(r * kClasses + k)];
        for (int k = 0; k < kClasses; ++k)
            h.probs[static_cast<std::size_t>(r * kClasses + k)] = v[static_cast<std::size_t>(r * kClasses + k)] / sum;
    }
    if (!rawCsv.empty()) {
        h.trials = readRawCsv(rawCsv, images);
        h.source += "," + rawCsv;
    }
    return h;
}

double errorConsistency(double cObs, double p1, double p2)
{
    const double cExp = p1 * p2 + (1 - p1) * (1 - p2);
    if (!(1 - cExp > 1e-12))
        return NAN;
    return (cObs - cExp) / (1 - cExp);
}

HumanResult computeHumanMetrics(const HumanLabels& human, const std::vector<double>& logProbs,
    const std::vector<std::int64_t>& labels, const std::vector<std::int64_t>& predictions, int resamples, std::uint64_t seed)
{
    const std::size_t n = labels.size();
    if (static_cast<std::size_t>(human.images) != n)
        throw Error("human labels for " + std::to_string(human.images) + " images, but " + std::to_string(n) + " were evaluated");
    if (logProbs.size() != n * kClasses || predictions.size() != n)
        throw Error("human metrics: the model's outputs are not " + std::to_string(n) + " x 10");
    HumanResult r;
    r.present = true;
    r.source = human.source;
    r.confusionModel.assign(kClasses * kClasses, 0);
    r.confusionHuman.assign(kClasses * kClasses, 0.0);
    r.humanMajority.resize(n);
    r.humanAccuracy.resize(n);
    r.crossEntropyPerImage.resize(n);
    const double lpFloor = std::log(DBL_TRUE_MIN);
    std::vector<double> agree(n), hardCorrect, correct(n), klPer(n);
    double cObs = 0, pm = 0, ph = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double* h = human.probs.data() + i * kClasses;
        const double* lp = logProbs.data() + i * kClasses;
        const std::int64_t y = labels[i];
        if (y < 0 || y >= kClasses)
            throw Error("human metrics: image " + std::to_string(i) + " has label " + std::to_string(y) + " (CIFAR-10: 0-9)");
        double ce = 0, ent = 0;
        int major = 0;
        for (int k = 0; k < kClasses; ++k) {
            if (h[k] > 0) {
                ce -= h[k] * std::max(lp[k], lpFloor);
                ent -= h[k] * std::log(h[k]);
            }
            if (h[k] > h[major])
                major = k;
        }
        r.crossEntropyPerImage[i] = ce;
        klPer[i] = ce - ent;
        r.humanMajority[i] = major;
        agree[i] = predictions[i] == major ? 1.0 : 0.0;
        const double acc = h[y];
        r.humanAccuracy[i] = static_cast<float>(acc);
        const double m = predictions[i] == y ? 1.0 : 0.0;
        correct[i] = m;
        if (acc < 0.9)
            hardCorrect.push_back(m);
        cObs += m * acc + (1 - m) * (1 - acc);
        pm += m;
        ph += acc;
        const std::int64_t p = predictions[i];
        if (p >= 0 && p < kClasses)
            ++r.confusionModel[static_cast<std::size_t>(y * kClasses + p)];
        if (!human.counts.empty())
            for (int k = 0; k < kClasses; ++k)
                r.confusionHuman[static_cast<std::size_t>(y * kClasses + k)]
                    += human.counts[i * kClasses + static_cast<std::size_t>(k)];
    }
    if (human.counts.empty()) {
        if (!human.trials.empty()) {
            for (const HumanTrial& t : human.trials)
                r.confusionHuman[static_cast<std::size_t>(labels[static_cast<std::size_t>(t.image)] * kClasses + t.chosenLabel)]
                    += 1;
        } else {
            for (std::size_t i = 0; i < n; ++i)
                for (int k = 0; k < kClasses; ++k)
                    r.confusionHuman[static_cast<std::size_t>(labels[i] * kClasses + k)]
                        += human.probs[i * kClasses + static_cast<std::size_t>(k)];
        }
    }
    const double dn = static_cast<double>(std::max<std::size_t>(n, 1));
    r.crossEntropy = stats::mean(r.crossEntropyPerImage);
    r.kl = stats::mean(klPer);
    r.agreement = stats::mean(agree);
    r.hardImages = static_cast<std::int64_t>(hardCorrect.size());
    r.hardAccuracy = hardCorrect.empty() ? NAN : stats::mean(hardCorrect);
    r.crossEntropyCI = meanCI(r.crossEntropyPerImage, resamples, seed);
    r.agreementCI = meanCI(agree, resamples, seed + 1);
    r.hardAccuracyCI = meanCI(hardCorrect, resamples, seed + 2);
    r.kappaExpected = errorConsistency(cObs / dn, pm / dn, ph / dn);

    if (!human.trials.empty()) {
        struct Tally {
            double trials = 0, both = 0, model = 0, human = 0;
        };
        std::map<std::int64_t, Tally> per;
        for (const HumanTrial& t : human.trials) {
            const auto i = static_cast<std::size_t>(t.image);
            if (t.trueLabel != labels[i])
                throw Error(human.source + ": a trial of annotator " + std::to_string(t.annotator) + " gives image "
                    + std::to_string(t.image) + " true_label " + std::to_string(t.trueLabel)
                    + ", but the evaluated image has label " + std::to_string(labels[i])
                    + " (CIFAR-10H is for the CIFAR-10 test set in its order)");
            Tally& a = per[t.annotator];
            const double hm = t.chosenLabel == t.trueLabel ? 1.0 : 0.0;
            a.trials += 1;
            a.model += correct[i];
            a.human += hm;
            a.both += correct[i] == hm ? 1.0 : 0.0;
        }
        for (const auto& [id, a] : per) {
            const double k = errorConsistency(a.both / a.trials, a.model / a.trials, a.human / a.trials);
            if (std::isfinite(k)) {
                r.annotatorIds.push_back(id);
                r.kappaPerAnnotator.push_back(k);
            }
        }
        if (!r.kappaPerAnnotator.empty()) {
            r.kappaMedian = stats::median(r.kappaPerAnnotator);
            r.kappaCI = bootstrapMedianCI(r.kappaPerAnnotator, resamples, seed + 3);
        }
    }
    return r;
}

} // namespace repalign::behaviour
