// The behavioural profile (behave): calibration, CIFAR-10H metrics and McNemar against values
// computed independently in Python (tests/data/behaviour/make_metrics_fixture.py with numpy and
// scipy) and by hand, the CIFAR-10H file formats and their one-line errors, PGD robust accuracy
// against PyTorch (make_pgd_fixture.py), CIFAR-10-C evaluation against a plain evaluation of the
// same images, /behaviour round trips and compare --metric behaviour.
#include "behaviour/behave.h"
#include "behaviour/behaviour_compare.h"
#include "behaviour/behaviour_file.h"
#include "behaviour/calibration.h"
#include "behaviour/cifar10c.h"
#include "behaviour/human.h"
#include "common/error.h"
#include "interpret/stats.h"
#include "io/h5.h"
#include "io/npy.h"
#include "models/nets.h"
#include "run/checkpoint.h"
#include "testutil.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

using namespace repalign;
using namespace repalign::behaviour;

namespace {

const std::string kData = std::string(REPALIGN_TEST_DATA) + "/behaviour/";
const std::string kPth = std::string(REPALIGN_TEST_DATA) + "/pth/";

std::vector<std::string> splitWs(const std::string& s)
{
    std::istringstream in(s);
    std::vector<std::string> out;
    std::string w;
    while (in >> w)
        out.push_back(w);
    return out;
}

/// "name value ..." lines of an expected-values file (comments skipped).
std::map<std::string, std::vector<std::string>> readExpected(const std::string& path)
{
    std::map<std::string, std::vector<std::string>> out;
    std::istringstream in(testutil::readText(path));
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        auto w = splitWs(line);
        const std::string key = w.front();
        w.erase(w.begin());
        out[key] = w;
    }
    return out;
}

/// A NumPy .npy (format 1.0, little-endian, C order) as np.save writes it.
void writeNpy(const std::string& path, const std::string& descr, const std::vector<std::int64_t>& shape, const void* data,
    std::size_t bytes)
{
    std::string sh = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        sh += std::to_string(shape[i]) + (shape.size() == 1 ? "," : i + 1 < shape.size() ? ", " : "");
    sh += ")";
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + sh + ", }";
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const auto len = static_cast<std::uint16_t>(header.size());
    f.put(static_cast<char>(len & 0xff));
    f.put(static_cast<char>(len >> 8));
    f << header;
    f.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
}

void writeF64(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<double>& v)
{
    writeNpy(path, "<f8", shape, v.data(), v.size() * 8);
}
void writeI64(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<std::int64_t>& v)
{
    writeNpy(path, "<i8", shape, v.data(), v.size() * 8);
}

std::vector<double> npyDoubles(const std::string& path)
{
    return readNpy(path).toDoubles();
}

std::vector<std::int64_t> npyInts(const std::string& path)
{
    std::vector<std::int64_t> out;
    for (double v : readNpy(path).toDoubles())
        out.push_back(static_cast<std::int64_t>(v));
    return out;
}

/// The one-line Error @p f throws (fails the test when it throws nothing or more than a line).
template <class F> std::string errorOf(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        const std::string m = e.what();
        if (m.find('\n') != std::string::npos)
            return "MULTI-LINE: " + m;
        return m;
    }
    return "NO ERROR";
}

#define QVERIFY_CONTAINS(text, part)                                                                                             \
    QVERIFY2(std::string(text).find(part) != std::string::npos, (std::string(text) + "  [expected: " + (part) + "]").c_str())

// make_pth_fixtures.py's storage formula and image_pixels (the PGD fixture's model and images).
float formulaValue(std::uint64_t key, std::int64_t i, double scale, double offset)
{
    std::uint32_t h = static_cast<std::uint32_t>(static_cast<std::uint64_t>(i) * 2654435761ull + key * 40503ull + 12345ull);
    h ^= h >> 15;
    h = static_cast<std::uint32_t>(static_cast<std::uint64_t>(h) * 2246822519ull);
    h ^= h >> 13;
    const double u = static_cast<double>(h) / 4294967296.0;
    return static_cast<float>(offset + scale * (2.0 * u - 1.0));
}

std::vector<std::uint8_t> imagePixels(std::int64_t n)
{
    std::vector<std::uint8_t> out(static_cast<std::size_t>(n) * 32 * 32 * 3);
    for (std::size_t i = 0; i < out.size(); ++i) {
        std::uint32_t h = static_cast<std::uint32_t>(static_cast<std::uint64_t>(i) * 2246822519ull + 977ull);
        h ^= h >> 16;
        h = static_cast<std::uint32_t>(static_cast<std::uint64_t>(h) * 2654435761ull);
        h ^= h >> 15;
        out[i] = static_cast<std::uint8_t>(h % 256);
    }
    return out;
}

/// resnet18_cifar10 with tests/data/pth/resnet18_ckpt's formula weights, as our checkpoint.
std::string formulaResnetCheckpoint(const std::string& path)
{
    TapNet m = createModel("resnet18_cifar10");
    Checkpoint ck;
    ck.model = "resnet18_cifar10";
    for (auto& [n, t] : m->stateDict())
        ck.stateDict[n] = t.detach().clone();
    std::istringstream in(testutil::readText(kPth + "resnet18_ckpt/records.txt"));
    std::string line;
    int filled = 0;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string item; std::getline(ss, item, '\t');)
            f.push_back(item);
        if (f.size() < 8 || f[1] != "storage" || !ck.stateDict.count(f[7]))
            continue;
        torch::Tensor& t = ck.stateDict[f[7]];
        const std::uint64_t key = std::stoull(f[2]);
        const std::int64_t numel = std::stoll(f[4]);
        if (f[3] == "int64") {
            t.fill_(static_cast<std::int64_t>(std::stod(f[6])));
        } else {
            std::vector<float> v(static_cast<std::size_t>(numel));
            for (std::int64_t i = 0; i < numel; ++i)
                v[static_cast<std::size_t>(i)] = formulaValue(key, i, std::stod(f[5]), std::stod(f[6]));
            t.copy_(torch::from_blob(v.data(), {numel}, torch::kFloat32).reshape(t.sizes()));
        }
        ++filled;
    }
    if (filled != static_cast<int>(ck.stateDict.size()))
        throw std::runtime_error("records.txt filled " + std::to_string(filled) + " of " + std::to_string(ck.stateDict.size()));
    saveCheckpoint(path, ck);
    return path;
}

/// CIFAR-10 binary records (label byte + R, G, B planes) of HWC images.
void writeCifarBatch(const std::string& path, const std::vector<std::uint8_t>& hwc, const std::vector<std::int64_t>& labels)
{
    std::string rec;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        rec += static_cast<char>(labels[i]);
        for (int c = 0; c < 3; ++c)
            for (int p = 0; p < 1024; ++p)
                rec += static_cast<char>(hwc[i * 3072 + static_cast<std::size_t>(p) * 3 + static_cast<std::size_t>(c)]);
    }
    std::ofstream(path, std::ios::binary) << rec;
}

BehaviourData syntheticBehaviour(const std::vector<std::int64_t>& labels, const std::vector<std::uint8_t>& correct)
{
    BehaviourData d;
    d.model = "resnet18_cifar10";
    d.checkpoint = "x.pt";
    d.data = "shapes:8";
    d.split = "test";
    d.images = static_cast<std::int64_t>(labels.size());
    d.labels = labels;
    d.classes = 2;
    double acc = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const std::int64_t pred = correct[i] ? labels[i] : 1 - labels[i];
        d.predictions.push_back(pred);
        d.correct.push_back(correct[i]);
        d.probs.push_back(pred == 0 ? 0.7f : 0.3f);
        d.probs.push_back(pred == 0 ? 0.3f : 0.7f);
        acc += correct[i];
    }
    d.accuracy = acc / static_cast<double>(labels.size());
    std::vector<double> p(d.probs.begin(), d.probs.end());
    d.calibration = computeCalibration(p, 2, labels);
    return d;
}

void writeBehaviourFile(const std::string& path, const BehaviourData& d)
{
    H5File f(path, H5File::Mode::CreateAtomic);
    writeBehaviourGroup(f, d);
    f.commit();
}

} // namespace

class TestBehaviour : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mcnemarMatchesScipy()
    {
        std::istringstream in(testutil::readText(kData + "mcnemar_expected.txt"));
        std::string line;
        int rows = 0;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#')
                continue;
            const auto w = splitWs(line);
            const std::int64_t b = std::stoll(w[0]), c = std::stoll(w[1]);
            const double stat = std::stod(w[2]), p = std::stod(w[3]);
            const stats::TestResult r = stats::mcNemar(b, c);
            QCOMPARE(r.method, std::string(b + c < 25 ? "exact" : "chi-square"));
            QVERIFY2(std::fabs(r.statistic - stat) <= 1e-12 * std::max(1.0, stat), line.c_str());
            QVERIFY2(std::fabs(r.pValue - p) <= 1e-9 * std::max(1e-300, p), (line + " got " + std::to_string(r.pValue)).c_str());
            ++rows;
        }
        QCOMPARE(rows, 9);
        QVERIFY_CONTAINS(errorOf([] { stats::mcNemar(-1, 2); }), "must not be negative");
    }

    void calibrationByHand()
    {
        // conf 0.8 right (bin 12 of 15: (11/15, 12/15]), conf 0.6 wrong (bin 9: (8/15, 9/15]).
        const CalibrationResult r = computeCalibration({0.8, 0.2, 0.6, 0.4}, 2, {0, 1});
        QCOMPARE(r.bins, 15);
        QCOMPARE(r.binEdges.size(), std::size_t(16));
        QCOMPARE(r.binCount[11], std::int64_t(1));
        QCOMPARE(r.binCount[8], std::int64_t(1));
        QVERIFY(std::isnan(r.binAccuracy[0]) && std::isnan(r.binConfidence[14]));
        QCOMPARE(r.binAccuracy[11], 1.0);
        QCOMPARE(r.binAccuracy[8], 0.0);
        QVERIFY(std::fabs(r.ece - (0.5 * 0.2 + 0.5 * 0.6)) < 1e-15);
        QVERIFY(std::fabs(r.nll - -(std::log(0.8) + std::log(0.4)) / 2) < 1e-15);
        QVERIFY(std::fabs(r.brier - (0.08 + 0.72) / 2) < 1e-15);
        QVERIFY_CONTAINS(errorOf([] { computeCalibration({0.5, 0.5}, 2, {2}); }), "label 2");
        QVERIFY_CONTAINS(errorOf([] { computeCalibration({NAN, 0.5}, 2, {0}); }), "non-finite");
    }

    void calibrationMatchesNumpy()
    {
        const auto probs = npyDoubles(kData + "metrics_probs.npy");
        const auto labels = npyInts(kData + "metrics_labels.npy");
        const auto e = readExpected(kData + "metrics_expected.txt");
        const CalibrationResult r = computeCalibration(probs, 10, labels);
        QVERIFY(std::fabs(r.ece - std::stod(e.at("ece")[0])) < 1e-12);
        QVERIFY(std::fabs(r.nll - std::stod(e.at("nll")[0])) < 1e-12);
        QVERIFY(std::fabs(r.brier - std::stod(e.at("brier")[0])) < 1e-12);
        for (int b = 0; b < 15; ++b)
            QCOMPARE(r.binCount[static_cast<std::size_t>(b)], std::stoll(e.at("bin_count")[static_cast<std::size_t>(b)]));
    }

    void errorConsistencyByHand()
    {
        // c_exp = 0.7*0.9 + 0.3*0.1 = 0.66; kappa = (0.8 - 0.66) / 0.34.
        QVERIFY(std::fabs(errorConsistency(0.8, 0.7, 0.9) - 0.14 / 0.34) < 1e-12);
        QVERIFY(std::isnan(errorConsistency(1.0, 1.0, 1.0)));
        QCOMPARE(errorConsistency(0.5, 0.5, 0.5), 0.0);
    }

    void humanMetricsMatchNumpy()
    {
        const auto probs = npyDoubles(kData + "metrics_probs.npy");
        const auto labels = npyInts(kData + "metrics_labels.npy");
        const auto e = readExpected(kData + "metrics_expected.txt");
        std::vector<double> logp(probs.size());
        std::vector<std::int64_t> pred(labels.size());
        for (std::size_t i = 0; i < probs.size(); ++i)
            logp[i] = std::log(probs[i]);
        for (std::size_t i = 0; i < labels.size(); ++i)
            pred[i] = std::max_element(probs.begin() + static_cast<std::ptrdiff_t>(i * 10),
                          probs.begin() + static_cast<std::ptrdiff_t>(i * 10 + 10))
                - (probs.begin() + static_cast<std::ptrdiff_t>(i * 10));
        // Counts + raw CSV (attention checks among the rows), and probs alone: the same soft labels.
        const HumanLabels hc = readHumanLabels(kData + "metrics_counts.npy", kData + "metrics_raw.csv", 40);
        QCOMPARE(hc.counts.size(), std::size_t(400));
        QCOMPARE(hc.trials.size(), std::size_t(180)); // 6 annotators x 30, the 12 attention checks dropped
        const HumanLabels hp = readHumanLabels(kData + "metrics_hprobs.npy", "", 40);
        QVERIFY(hp.counts.empty() && hp.trials.empty());
        for (const HumanLabels* h : {&hc, &hp}) {
            const HumanResult r = computeHumanMetrics(*h, logp, labels, pred, 500, 1);
            QVERIFY(r.present);
            QVERIFY(std::fabs(r.crossEntropy - std::stod(e.at("cross_entropy")[0])) < 1e-12);
            QVERIFY(std::fabs(r.kl - std::stod(e.at("kl")[0])) < 1e-12);
            QVERIFY(std::fabs(r.agreement - std::stod(e.at("agreement")[0])) < 1e-12);
            QVERIFY(std::fabs(r.hardAccuracy - std::stod(e.at("hard_accuracy")[0])) < 1e-12);
            QCOMPARE(r.hardImages, std::stoll(e.at("hard_images")[0]));
            QVERIFY(std::fabs(r.kappaExpected - std::stod(e.at("kappa_expected")[0])) < 1e-12);
            QVERIFY(r.crossEntropyCI.low < r.crossEntropy && r.crossEntropy < r.crossEntropyCI.high);
            QVERIFY(r.agreementCI.low <= r.agreement && r.agreement <= r.agreementCI.high);
            std::int64_t confusionTotal = 0;
            for (auto v : r.confusionModel)
                confusionTotal += v;
            QCOMPARE(confusionTotal, std::int64_t(40));
        }
        const HumanResult r = computeHumanMetrics(hc, logp, labels, pred, 500, 1);
        const auto& ann = e.at("kappa_annotators");
        QCOMPARE(r.kappaPerAnnotator.size(), ann.size());
        for (std::size_t i = 0; i < ann.size(); ++i) {
            const auto colon = ann[i].find(':');
            QCOMPARE(r.annotatorIds[i], std::stoll(ann[i].substr(0, colon)));
            QVERIFY(std::fabs(r.kappaPerAnnotator[i] - std::stod(ann[i].substr(colon + 1))) < 1e-12);
        }
        QVERIFY(std::fabs(r.kappaMedian - std::stod(e.at("kappa_median")[0])) < 1e-12);
        QVERIFY(r.kappaCI.low <= r.kappaMedian && r.kappaMedian <= r.kappaCI.high);
        const auto& conf = e.at("confusion_human");
        for (std::size_t i = 0; i < 100; ++i)
            QCOMPARE(r.confusionHuman[i], std::stod(conf[i]));
    }

    void humanFilesRefuseBadInput()
    {
        const std::string dir = testutil::tempDir("behave-human");
        const auto probs = npyDoubles(kData + "metrics_hprobs.npy");
        // Row count differs from the images evaluated: both counts named.
        const std::string m = errorOf([&] { readHumanLabels(kData + "metrics_hprobs.npy", "", 10000); });
        QVERIFY_CONTAINS(m, "has 40 rows but 10000 images were evaluated");
        // Wrong shape.
        writeF64(dir + "/shape.npy", {40, 9}, std::vector<double>(360, 0.1));
        QVERIFY_CONTAINS(errorOf([&] { readHumanLabels(dir + "/shape.npy", "", 40); }), "(N, 10)");
        writeF64(dir + "/flat.npy", {400}, probs);
        QVERIFY_CONTAINS(errorOf([&] { readHumanLabels(dir + "/flat.npy", "", 40); }), "(N, 10)");
        // Wrong dtype: strings and booleans.
        std::vector<char> s(400 * 4, 'a');
        writeNpy(dir + "/str.npy", "<U1", {40, 10}, s.data(), s.size());
        QVERIFY_CONTAINS(errorOf([&] { readHumanLabels(dir + "/str.npy", "", 40); }), "dtype <U1");
        std::vector<char> b(400, 1);
        writeNpy(dir + "/bool.npy", "|b1", {40, 10}, b.data(), b.size());
        QVERIFY_CONTAINS(errorOf([&] { readHumanLabels(dir + "/bool.npy", "", 40); }), "dtype |b1");
        // NaN row, negative value, all-zero row, rows that are neither probabilities nor counts.
        auto bad = probs;
        bad[7 * 10 + 3] = NAN;
        writeF64(dir + "/nan.npy", {40, 10}, bad);
        QVERIFY_CONTAINS(errorOf([&] { readHumanLabels(dir + "/nan.npy", "", 40); }), "row 7 holds NaN");
        bad = probs;
        bad[5] = -0.1;
        writeF64(dir + "/neg.npy", {40, 10}, bad);
        QVERIFY_CONTAINS(errorOf([&] { readHumanLabels(dir + "/neg.npy", "", 40); }), "row 0 holds a negative value");
        bad = probs;
        for (int k = 0; k < 10; ++k)
            bad[static_cast<std::size_t>(20 * 10 + k)] = 0;
        writeF64(dir + "/zero.npy", {40, 10}, bad);
        QVERIFY_CONTAINS(errorOf([&] { readHumanLabels(dir + "/zero.npy", "", 40); }), "row 20 is all zeros");
        bad = probs;
        bad[0] += 0.5;
        writeF64(dir + "/sum.npy", {40, 10}, bad);
        QVERIFY_CONTAINS(errorOf([&] { readHumanLabels(dir + "/sum.npy", "", 40); }), "row 0 sums to");
        // CSV: missing columns, bad values, an index outside the images.
        testutil::writeText(dir + "/cols.csv", "annotator_id,trial_index,true_label,chosen_label\n1,0,3,3\n");
        const std::string cm = errorOf([&] { readHumanLabels(kData + "metrics_hprobs.npy", dir + "/cols.csv", 40); });
        QVERIFY_CONTAINS(cm, "missing columns is_attn_check, cifar10_test_set_idx");
        testutil::writeText(
            dir + "/val.csv", "annotator_id,is_attn_check,true_label,chosen_label,cifar10_test_set_idx\n1,0,3,cat,5\n");
        QVERIFY_CONTAINS(errorOf([&] { readHumanLabels(kData + "metrics_hprobs.npy", dir + "/val.csv", 40); }),
            "line 2: chosen_label = 'cat' is not an integer");
        testutil::writeText(
            dir + "/idx.csv", "annotator_id,is_attn_check,true_label,chosen_label,cifar10_test_set_idx\n1,0,3,3,40\n");
        QVERIFY_CONTAINS(errorOf([&] { readHumanLabels(kData + "metrics_hprobs.npy", dir + "/idx.csv", 40); }),
            "cifar10_test_set_idx 40 is outside the 40 images evaluated");
        QVERIFY_CONTAINS(errorOf([&] { readHumanLabels(dir + "/missing.npy", "", 40); }), "missing.npy");
    }

    void pgdRequestsRefuseBadInput()
    {
        const PgdRequest r = parsePgdRequest("linf:1,2,4,8");
        QCOMPARE(r.norm, std::string("linf"));
        QCOMPARE(r.eps, (std::vector<double> {1, 2, 4, 8}));
        QCOMPARE(parsePgdRequest("l2:0.25,0.5,1").eps, (std::vector<double> {0.25, 0.5, 1}));
        QVERIFY_CONTAINS(errorOf([] { parsePgdRequest("l1:1,2"); }), "unknown norm 'l1' (valid: linf, l2)");
        QVERIFY_CONTAINS(errorOf([] { parsePgdRequest("linf:1,-2"); }), "eps -2 is negative");
        QVERIFY_CONTAINS(errorOf([] { parsePgdRequest("linf:1,x"); }), "eps 'x' is not a number");
        QVERIFY_CONTAINS(errorOf([] { parsePgdRequest("linf:"); }), "no eps values");
        QVERIFY_CONTAINS(errorOf([] { parsePgdRequest("8"); }), "expected NORM:EPS");
    }

    void behaviourFileRoundTripAndCompare()
    {
        const std::string dir = testutil::tempDir("behave-compare");
        // 30 images; A right on the first 20, B on 5..29: b = 5 (A only), c = 10 (B only).
        std::vector<std::int64_t> labels(30);
        std::vector<std::uint8_t> ca(30), cb(30);
        for (int i = 0; i < 30; ++i) {
            labels[static_cast<std::size_t>(i)] = i % 2;
            ca[static_cast<std::size_t>(i)] = i < 20;
            cb[static_cast<std::size_t>(i)] = i >= 5;
        }
        BehaviourData a = syntheticBehaviour(labels, ca), b = syntheticBehaviour(labels, cb);
        PgdCurve p;
        p.norm = "linf";
        p.eps = {1 / 255.0, 2 / 255.0};
        p.imageIndices = {0, 1, 2, 3};
        p.correct = {1, 1, 0, 0, 1, 0, 0, 0};
        p.accuracy = {0.5, 0.25};
        a.pgd.push_back(p);
        p.correct = {1, 1, 1, 1, 0, 0, 0, 0};
        p.accuracy = {1, 0};
        b.pgd.push_back(p);
        // Human results without a raw CSV: no annotators (empty datasets).
        for (BehaviourData* d : {&a, &b}) {
            HumanResult& h = d->human;
            h.present = true;
            h.source = "counts.npy";
            h.crossEntropy = 1.5;
            h.confusionModel.assign(100, 1);
            h.confusionHuman.assign(100, 2.0);
            for (int i = 0; i < 30; ++i) {
                h.humanMajority.push_back(labels[static_cast<std::size_t>(i)]);
                h.humanAccuracy.push_back(i % 3 == 0 ? 0.5f : 0.95f);
                h.crossEntropyPerImage.push_back(d == &a ? 1.0 + 0.01 * i : 1.1 + 0.01 * i);
            }
        }
        writeBehaviourFile(dir + "/a.h5", a);
        writeBehaviourFile(dir + "/b.h5", b);
        QVERIFY(hasBehaviour(dir + "/a.h5"));
        const BehaviourData ra = readBehaviour(dir + "/a.h5");
        QCOMPARE(ra.labels, a.labels);
        QCOMPARE(ra.correct, a.correct);
        QCOMPARE(ra.probs, a.probs);
        QCOMPARE(ra.classes, 2);
        QCOMPARE(ra.calibration.ece, a.calibration.ece);
        QCOMPARE(ra.pgd.size(), std::size_t(1));
        QCOMPARE(ra.pgd[0].correct, a.pgd[0].correct);
        QVERIFY(ra.human.present && !ra.corruption.present);
        QVERIFY(ra.human.kappaPerAnnotator.empty() && ra.human.annotatorIds.empty());
        QCOMPARE(ra.human.humanAccuracy, a.human.humanAccuracy);
        QCOMPARE(ra.human.confusionHuman, a.human.confusionHuman);
        QCOMPARE(ra.human.crossEntropy, 1.5);
        {
            H5File f(dir + "/a.h5", H5File::Mode::Read);
            QVERIFY(f.dims("/behaviour/calibration/ece").empty()); // a scalar dataset, shape []
            QCOMPARE(f.attrString("/behaviour", "model"), std::string("resnet18_cifar10"));
        }

        const BehaviourComparison c = compareBehaviour({dir + "/a.h5", dir + "/b.h5"}, {"A", "B"}, 500, 3);
        QCOMPARE(c.rows.front().measure, std::string("accuracy (clean)"));
        const stats::TestResult t = stats::mcNemar(5, 10);
        QCOMPARE(c.rows.front().statistic, t.statistic);
        QCOMPARE(c.rows.front().p, t.pValue);
        QCOMPARE(c.rows.front().test, std::string("McNemar exact"));
        QVERIFY(std::fabs(c.rows.front().diff - (25.0 - 20.0) / 30.0) < 1e-12);
        QVERIFY(c.rows.front().ci.low <= c.rows.front().diff && c.rows.front().diff <= c.rows.front().ci.high);
        int pgdRows = 0;
        for (const auto& r : c.rows)
            if (r.measure.rfind("PGD linf", 0) == 0) {
                ++pgdRows;
                QCOMPARE(r.n, std::int64_t(4));
            }
        QCOMPARE(pgdRows, 2);
        const auto ce = std::find_if(
            c.rows.begin(), c.rows.end(), [](const BehaviourComparisonRow& r) { return r.measure == "CIFAR-10H cross-entropy"; });
        QVERIFY(ce != c.rows.end());
        QVERIFY(std::fabs(ce->diff - 0.1) < 1e-12);
        QVERIFY(std::fabs(ce->ci.low - 0.1) < 1e-12 && std::fabs(ce->ci.high - 0.1) < 1e-12); // a constant difference
        const auto hardRow = std::find_if(c.rows.begin(), c.rows.end(),
            [](const BehaviourComparisonRow& r) { return r.measure.rfind("accuracy on human-hard", 0) == 0; });
        QVERIFY(hardRow != c.rows.end());
        QCOMPARE(hardRow->n, std::int64_t(10));
        const std::string text = formatBehaviourComparison(c, "text");
        QVERIFY_CONTAINS(text, "McNemar exact");
        QVERIFY_CONTAINS(text, "PGD linf eps 2/255");
        QVERIFY_CONTAINS(formatBehaviourComparison(c, "csv"), "Measure,A,B,");

        // Different images: refused with one line.
        auto shorter = labels;
        shorter.pop_back();
        auto sc = cb;
        sc.pop_back();
        writeBehaviourFile(dir + "/short.h5", syntheticBehaviour(shorter, sc));
        QVERIFY_CONTAINS(errorOf([&] { compareBehaviour({dir + "/a.h5", dir + "/short.h5"}); }), "on 30 images");
        auto other = labels;
        other[7] = 1 - other[7];
        writeBehaviourFile(dir + "/other.h5", syntheticBehaviour(other, cb));
        QVERIFY_CONTAINS(errorOf([&] {
            compareBehaviour({dir + "/a.h5", dir + "/other.h5"});
        }),
            "labels differ first at image 7");
        QVERIFY_CONTAINS(errorOf([&] { compareBehaviour({dir + "/a.h5"}); }), "compares two files");
        // A file without /behaviour.
        {
            H5File f(dir + "/plain.h5", H5File::Mode::CreateAtomic);
            f.writeI64("/labels", {1}, {0});
            f.commit();
        }
        QVERIFY(!hasBehaviour(dir + "/plain.h5"));
        QVERIFY_CONTAINS(errorOf([&] { readBehaviour(dir + "/plain.h5"); }), "no /behaviour group");

        // The CLI's compare branch prints the same table.
        std::string out;
        QCOMPARE(
            testutil::run(
                std::string(REPALIGN_CLI) + " compare " + dir + "/a.h5 " + dir + "/b.h5 --metric behaviour --labels A,B", &out),
            0);
        QVERIFY_CONTAINS(out, "accuracy (clean)");
        QVERIFY_CONTAINS(out, "McNemar exact");
        QVERIFY(
            testutil::run(std::string(REPALIGN_CLI) + " compare " + dir + "/a.h5 " + dir + "/other.h5 --metric behaviour", &out)
            != 0);
        QVERIFY_CONTAINS(out, "different images");
    }

    void cifar10cFolderRefusesBadInput()
    {
        const std::string dir = testutil::tempDir("behave-c");
        QVERIFY_CONTAINS(errorOf([&] { scanCifar10C(dir + "/none"); }), "does not exist");
        QVERIFY_CONTAINS(errorOf([&] { scanCifar10C(dir); }), "no labels.npy");
        writeI64(dir + "/labels.npy", {7}, std::vector<std::int64_t>(7, 1));
        QVERIFY_CONTAINS(errorOf([&] { scanCifar10C(dir); }), "5 severities x N images");
        writeI64(dir + "/labels.npy", {10}, std::vector<std::int64_t>(10, 1));
        QVERIFY_CONTAINS(errorOf([&] { scanCifar10C(dir); }), "no corruption files");
        std::vector<double> f(10 * 4 * 4 * 3, 0.5);
        writeF64(dir + "/fog.npy", {10, 4, 4, 3}, f);
        std::vector<std::uint8_t> u(9 * 4 * 4 * 3, 7);
        writeNpy(dir + "/snow.npy", "|u1", {9, 4, 4, 3}, u.data(), u.size());
        const Cifar10CFolder folder = scanCifar10C(dir);
        QCOMPARE(folder.names, (std::vector<std::string> {"fog", "snow"}));
        QCOMPARE(folder.perSeverity, std::int64_t(2));
        QVERIFY_CONTAINS(errorOf([&] { loadCifar10C(folder, "fog"); }), "are uint8");
        QVERIFY_CONTAINS(errorOf([&] { loadCifar10C(folder, "snow"); }), "has 9 images but labels.npy has 10 labels");
        QVERIFY_CONTAINS(errorOf([&] { loadCifar10C(folder, "frost"); }), "no corruption frost");
    }

    void behaveEndToEnd()
    {
        // The PGD fixture's model and images; CIFAR-10H-format files and a CIFAR-10-C folder
        // written here for those 100 images.
        const std::string dir = testutil::tempDir("behave-e2e");
        const std::string ckpt = formulaResnetCheckpoint(dir + "/model.pt");
        const auto expected = readExpected(kData + "pgd_expected.txt");
        const std::int64_t n = std::stoll(expected.at("images")[0]);
        std::vector<std::int64_t> labels;
        for (const auto& v : expected.at("labels"))
            labels.push_back(std::stoll(v));
        QCOMPARE(static_cast<std::int64_t>(labels.size()), n);
        const auto pixels = imagePixels(n);
        QVERIFY(QDir().mkpath(QString::fromStdString(dir + "/cifar")));
        writeCifarBatch(dir + "/cifar/test_batch.bin", pixels, labels);

        // Human labels: counts, every image's true label most often chosen but image i % 4 == 0 hard.
        std::vector<std::int64_t> counts(static_cast<std::size_t>(n) * 10, 0);
        for (std::int64_t i = 0; i < n; ++i) {
            counts[static_cast<std::size_t>(i * 10 + labels[static_cast<std::size_t>(i)])] = i % 4 == 0 ? 30 : 50;
            counts[static_cast<std::size_t>(i * 10 + (labels[static_cast<std::size_t>(i)] + 1) % 10)] = i % 4 == 0 ? 20 : 1;
        }
        writeI64(dir + "/counts.npy", {n, 10}, counts);
        std::string csv = "annotator_id,trial_index,is_attn_check,true_label,true_category,chosen_label,chosen_category,"
                          "correct_guess,cifar10_test_set_idx,image_filename,reaction_time,time_elapsed\n";
        for (std::int64_t i = 0; i < n; ++i) {
            const std::int64_t a = i % 5, l = labels[static_cast<std::size_t>(i)];
            const std::int64_t chosen = i % 7 == 0 ? (l + 1) % 10 : l;
            csv += std::to_string(a) + "," + std::to_string(i / 5) + ",0," + std::to_string(l) + ",deer," + std::to_string(chosen)
                + ",deer," + (chosen == l ? "1" : "0") + "," + std::to_string(i) + ",\"deer_" + std::to_string(i)
                + ".png\",812,1000\n";
            if (i % 10 == 0)
                csv += std::to_string(a) + ",99,1,3,cat,3,cat,1,-99999,\"cat_attn.png\",500,1000\n";
        }
        testutil::writeText(dir + "/raw.csv", csv);

        // CIFAR-10-C of the first NC = 20 images (any N, not only 10,000): "dim" severity s scales
        // the pixels by (6 - s) / 6, "shift" severity s shows image (i + s) mod NC (every third image one of another class);
        // labels.npy (uint8, as published) repeats the clean labels per severity. The same 5 NC images also as a CIFAR-10 batch,
        // evaluated plainly below.
        const std::int64_t nc = 20;
        const std::vector<std::int64_t> labelsC(labels.begin(), labels.begin() + nc);
        QVERIFY(QDir().mkpath(QString::fromStdString(dir + "/c")));
        std::vector<std::uint8_t> labels5;
        for (int s = 0; s < 5; ++s)
            for (std::int64_t l : labelsC)
                labels5.push_back(static_cast<std::uint8_t>(l));
        writeNpy(dir + "/c/labels.npy", "|u1", {5 * nc}, labels5.data(), labels5.size());
        // Every third "shift" image is one the model gives another class (a wrong answer there).
        const std::int64_t other
            = std::find_if(labels.begin(), labels.end(), [&](std::int64_t l) { return l != labels[0]; }) - labels.begin();
        QVERIFY(other < n && std::count(labelsC.begin(), labelsC.end(), labels[0]) == nc);
        std::map<std::string, std::vector<std::uint8_t>> corr;
        for (const std::string name : {"dim", "shift"}) {
            std::vector<std::uint8_t> v(static_cast<std::size_t>(5 * nc) * 3072);
            for (int s = 1; s <= 5; ++s)
                for (std::int64_t i = 0; i < nc; ++i)
                    for (std::size_t p = 0; p < 3072; ++p) {
                        const std::size_t dst = static_cast<std::size_t>((s - 1) * nc + i) * 3072 + p;
                        if (name == "dim")
                            v[dst] = static_cast<std::uint8_t>(pixels[static_cast<std::size_t>(i) * 3072 + p] * (6 - s) / 6);
                        else
                            v[dst] = pixels[static_cast<std::size_t>(i % 3 == 0 ? other : (i + s) % nc) * 3072 + p];
                    }
            writeNpy(dir + "/c/" + name + ".npy", "|u1", {5 * nc, 32, 32, 3}, v.data(), v.size());
            corr[name] = v;
        }

        const std::string cli = REPALIGN_CLI;
        std::string out;
        // PGD on the first M = 50 of the fixture's images (linf 2/255 and l2 0.25: the test's time).
        const std::int64_t m = 50;
        const std::string cmd = cli + " behave --checkpoint " + ckpt + " --data cifar10:" + dir + "/cifar --human " + dir
            + "/counts.npy --human-raw " + dir + "/raw.csv --pgd linf:2 --pgd l2:0.25 --pgd-steps " + expected.at("steps")[0]
            + " --pgd-step-fraction " + expected.at("step_fraction")[0] + " --pgd-random-start off --pgd-images "
            + std::to_string(m) + " --batch-size 25 --quiet --out " + dir + "/base.h5";
        QVERIFY2(testutil::run(cmd, &out) == 0, out.c_str());
        QVERIFY_CONTAINS(out, "PGD linf");
        const BehaviourData d = readBehaviour(dir + "/base.h5");
        QCOMPARE(d.images, n);
        QCOMPARE(d.model, std::string("resnet18_cifar10"));
        QCOMPARE(d.precision, std::string("fp32"));
        QCOMPARE(d.labels, labels);
        // The labels are PyTorch's predictions: the clean accuracy is 1.
        QCOMPARE(d.accuracy, 1.0);

        // PGD against PyTorch: robust accuracy within 1 percentage point per eps.
        QCOMPARE(d.pgd.size(), std::size_t(2));
        int checked = 0;
        std::istringstream in(testutil::readText(kData + "pgd_expected.txt"));
        std::string line;
        while (std::getline(in, line)) {
            const auto w = splitWs(line);
            if (w.size() != 4 || (w[0] != "linf" && w[0] != "l2"))
                continue;
            const PgdCurve& c = d.pgd[w[0] == "linf" ? 0 : 1];
            QCOMPARE(c.norm, w[0]);
            QCOMPARE(static_cast<std::int64_t>(c.imageIndices.size()), m);
            const double eps = w[0] == "linf" ? std::stod(w[1]) / 255.0 : std::stod(w[1]);
            std::size_t e = 0;
            while (e < c.eps.size() && std::fabs(c.eps[e] - eps) > 1e-12)
                ++e;
            if (e == c.eps.size())
                continue; // an eps of the fixture this run leaves out
            double want = 0; // PyTorch's robust accuracy on the same first M images
            int same = 0;
            for (std::int64_t i = 0; i < m; ++i) {
                const bool torchOk = w[3][static_cast<std::size_t>(i)] == '1';
                want += torchOk ? 1.0 / static_cast<double>(m) : 0.0;
                same += (c.correct[e * static_cast<std::size_t>(m) + static_cast<std::size_t>(i)] != 0) == torchOk;
            }
            qInfo("PGD %s eps %s: ours %.4f, PyTorch %.4f, %d of %lld images agree", w[0].c_str(), w[1].c_str(), c.accuracy[e],
                want, same, static_cast<long long>(m));
            QVERIFY2(std::fabs(c.accuracy[e] - want) <= 0.01 + 1e-9, line.c_str());
            ++checked;
        }
        QCOMPARE(checked, 2);
        QCOMPARE(d.pgd[0].steps, std::stoi(expected.at("steps")[0]));
        QVERIFY(!d.pgd[0].randomStart);

        // Human part: the file's per-image facts follow from the counts and the predictions.
        QVERIFY(d.human.present);
        std::int64_t hard = 0;
        double agree = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            const auto u = static_cast<std::size_t>(i);
            QCOMPARE(d.human.humanMajority[u], labels[u]);
            const float acc = i % 4 == 0 ? 30.0f / 50.0f : 50.0f / 51.0f;
            QVERIFY(std::fabs(d.human.humanAccuracy[u] - acc) < 1e-6);
            hard += i % 4 == 0;
            agree += d.predictions[u] == labels[u];
        }
        QCOMPARE(d.human.hardImages, hard);
        QCOMPARE(d.human.agreement, agree / static_cast<double>(n));
        // The model is always right, so each annotator's kappa is 0 (c_obs = p_h = c_exp); the 5
        // annotators each err on some image (i % 7 == 0), so none is undefined.
        QCOMPARE(d.human.annotatorIds, (std::vector<std::int64_t> {0, 1, 2, 3, 4}));
        for (double k : d.human.kappaPerAnnotator)
            QVERIFY(std::fabs(k) < 1e-12);
        std::int64_t diagonal = 0;
        for (int k = 0; k < 10; ++k) {
            diagonal += d.human.confusionModel[static_cast<std::size_t>(k * 11)];
            QCOMPARE(d.human.confusionModel[static_cast<std::size_t>(k * 11)],
                static_cast<std::int64_t>(std::count(labels.begin(), labels.end(), k)));
        }
        QCOMPARE(diagonal, n);

        // CIFAR-10-C on the first NC images, against a plain evaluation of the same 5 NC images.
        QVERIFY2(testutil::run(cli + " behave --checkpoint " + ckpt + " --data cifar10:" + dir + "/cifar --max-images "
                         + std::to_string(nc) + " --corruptions " + dir + "/c --quiet --out " + dir + "/corrupt.h5",
                     &out)
                == 0,
            out.c_str());
        const BehaviourData dc = readBehaviour(dir + "/corrupt.h5");
        QCOMPARE(dc.images, nc);
        QVERIFY(dc.corruption.present && !dc.human.present && dc.pgd.empty());
        QCOMPARE(dc.corruption.names, (std::vector<std::string> {"dim", "shift"}));
        QVERIFY(QDir().mkpath(QString::fromStdString(dir + "/plain")));
        double meanAcc = 0;
        for (const auto& [name, v] : corr) {
            std::vector<std::int64_t> l5;
            for (int s = 0; s < 5; ++s)
                l5.insert(l5.end(), labelsC.begin(), labelsC.end());
            writeCifarBatch(dir + "/plain/test_batch.bin", v, l5);
            QVERIFY2(testutil::run(cli + " behave --checkpoint " + ckpt + " --data cifar10:" + dir + "/plain --quiet --out " + dir
                             + "/plain-" + name + ".h5",
                         &out)
                    == 0,
                out.c_str());
            const BehaviourData plain = readBehaviour(dir + "/plain-" + name + ".h5");
            const std::size_t ci = name == "dim" ? 0 : 1;
            for (int s = 0; s < 5; ++s) {
                double acc = 0;
                for (std::int64_t i = 0; i < nc; ++i) {
                    const std::size_t k = static_cast<std::size_t>(s * nc + i);
                    QCOMPARE(dc.corruption.correct[ci * 5 * static_cast<std::size_t>(nc) + k], plain.correct[k]);
                    acc += plain.correct[k];
                }
                QCOMPARE(dc.corruption.accuracy[ci * 5 + static_cast<std::size_t>(s)], acc / static_cast<double>(nc));
                meanAcc += acc / static_cast<double>(nc) / 10.0;
            }
        }
        QVERIFY(std::fabs(dc.corruption.meanAccuracy - meanAcc) < 1e-12);
        // CE against a reference: the same model's file as its own reference gives CE = relative CE = 1
        // for "shift" (its errors over the reference's), and the reference is named.
        QVERIFY2(testutil::run(cli + " behave --checkpoint " + ckpt + " --data cifar10:" + dir + "/cifar --max-images "
                         + std::to_string(nc) + " --corruptions " + dir + "/c --corruption-names shift --reference " + dir
                         + "/corrupt.h5 --quiet --out " + dir + "/ce.h5",
                     &out)
                == 0,
            out.c_str());
        const BehaviourData dr = readBehaviour(dir + "/ce.h5");
        QVERIFY(dr.corruption.hasReference);
        QCOMPARE(dr.corruption.reference, dir + "/corrupt.h5");
        QCOMPARE(dr.corruption.names, (std::vector<std::string> {"shift"}));
        QVERIFY(std::fabs(dr.corruption.ce.at(0) - 1.0) < 1e-12 && std::fabs(dr.corruption.mce - 1.0) < 1e-12);
        QVERIFY(std::fabs(dr.corruption.relativeCe.at(0) - 1.0) < 1e-12 && std::fabs(dr.corruption.relativeMce - 1.0) < 1e-12);
        // The images of another class in "shift" are wrong answers: 7 of 20 per severity.
        QCOMPARE(std::count(dc.corruption.correct.begin() + 5 * nc, dc.corruption.correct.end(), 0), std::ptrdiff_t(5 * 7));
        // Calibration of the file equals computeCalibration on its own probabilities (float32 stored).
        QCOMPARE(d.calibration.bins, 15);
        std::int64_t binned = 0;
        for (auto cnt : d.calibration.binCount)
            binned += cnt;
        QCOMPARE(binned, n);

        // Adding /behaviour to an existing file keeps its other contents.
        {
            H5File f(dir + "/analysis.h5", H5File::Mode::CreateAtomic);
            f.writeI64("/ii/units", {2}, {3, 4});
            f.commit();
        }
        QVERIFY2(testutil::run(cli + " behave --checkpoint " + ckpt + " --data cifar10:" + dir
                         + "/cifar --max-images 10 --quiet --out " + dir + "/analysis.h5",
                     &out)
                == 0,
            out.c_str());
        QVERIFY_CONTAINS(out, "added to");
        QCOMPARE(readBehaviour(dir + "/analysis.h5").images, std::int64_t(10));
        QCOMPARE(H5File(dir + "/analysis.h5", H5File::Mode::Read).readI64("/ii/units"), (std::vector<std::int64_t> {3, 4}));

        // One-line refusals from the CLI.
        auto refused = [&](const std::string& args, const std::string& part) {
            std::string o;
            const int rc = testutil::run(cli + " behave --checkpoint " + ckpt + " --quiet --out " + dir + "/x.h5 " + args, &o);
            QVERIFY2(rc != 0, (args + ": " + o).c_str());
            QVERIFY_CONTAINS(o, part);
            QVERIFY2(o.find("terminate") == std::string::npos && o.find("Aborted") == std::string::npos, o.c_str());
            QVERIFY(!QFile::exists(QString::fromStdString(dir + "/x.h5")));
        };
        refused("--data shapes:20 --human " + dir + "/counts.npy", "CIFAR-10H applies to CIFAR-10 test images only");
        refused("--data cifar10:" + dir + "/cifar --max-images 50 --human " + dir + "/counts.npy",
            "has 100 rows but 50 images were evaluated");
        refused("--data cifar10:" + dir + "/cifar --pgd l3:1", "unknown norm 'l3' (valid: linf, l2)");
        refused("--data cifar10:" + dir + "/cifar --precision fp8", "--precision");
        refused("--data cifar10:" + dir + "/cifar --precision fp16", "CUDA");
        refused("--data cifar10:" + dir + "/cifar --pgd linf:-1", "negative");
        refused("--data cifar10:" + dir + "/cifar --human " + kData + "metrics_raw.csv", "metrics_raw.csv");
        refused("--data cifar10:" + dir + "/cifar --corruptions " + dir + "/c", "holds 20 images per severity but 100 images");
        labels5.assign(labels5.size(), 3);
        writeNpy(dir + "/c/labels.npy", "|u1", {5 * nc}, labels5.data(), labels5.size());
        refused("--data cifar10:" + dir + "/cifar --max-images 20 --corruptions " + dir + "/c",
            "the folder was not made from these images");
    }
};

QTEST_APPLESS_MAIN(TestBehaviour)
#include "test_behaviour.moc"
