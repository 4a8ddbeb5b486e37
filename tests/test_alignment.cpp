// Brain alignment at every layer: CKA (unbiased HSIC) against the U-statistic summed over every
// quadruple of distinct images, RSA against per-pair Pearson loops and ranks by counting, the
// split-half ceiling, the sparse random projection against a dense product, and `align` end to
// end (file layout, the ridge score equal to the existing probe's, the CLI).
#include "common/error.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "data/virtual_cortex.h"
#include "interpret/alignment.h"
#include "io/h5.h"
#include "models/nets.h"
#include "pipeline/align.h"
#include "run/checkpoint.h"
#include "testutil.h"
#include "train/predictivity.h"

#include <QtTest>

#include <cmath>

using namespace repalign;

namespace {

std::vector<float> randomMatrix(std::int64_t n, std::int64_t d, std::uint64_t seed)
{
    Rng rng(seed);
    std::vector<float> x(static_cast<std::size_t>(n * d));
    for (auto& v : x)
        v = static_cast<float>(rng.uniform(-1.0, 1.0));
    return x;
}

/// Linear Gram matrix of the column-centred rows, by explicit loops.
std::vector<double> gram(const std::vector<float>& x, std::int64_t n, std::int64_t d)
{
    std::vector<double> mean(static_cast<std::size_t>(d), 0.0);
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t k = 0; k < d; ++k)
            mean[static_cast<std::size_t>(k)] += x[static_cast<std::size_t>(i * d + k)] / static_cast<double>(n);
    std::vector<double> g(static_cast<std::size_t>(n * n));
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < n; ++j) {
            double s = 0;
            for (std::int64_t k = 0; k < d; ++k)
                s += (x[static_cast<std::size_t>(i * d + k)] - mean[static_cast<std::size_t>(k)])
                    * (x[static_cast<std::size_t>(j * d + k)] - mean[static_cast<std::size_t>(k)]);
            g[static_cast<std::size_t>(i * n + j)] = s;
        }
    return g;
}

/// HSIC as the U-statistic of Song et al. (2012), Theorem 2: the mean over ordered quadruples of
/// distinct indices of k_ij l_ij + k_ij l_qr - 2 k_ij l_iq.
double hsicQuadruples(const std::vector<double>& k, const std::vector<double>& l, std::int64_t n)
{
    auto K = [&](std::int64_t a, std::int64_t b) { return k[static_cast<std::size_t>(a * n + b)]; };
    auto L = [&](std::int64_t a, std::int64_t b) { return l[static_cast<std::size_t>(a * n + b)]; };
    double sum = 0;
    std::int64_t count = 0;
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < n; ++j)
            for (std::int64_t q = 0; q < n; ++q)
                for (std::int64_t r = 0; r < n; ++r) {
                    if (i == j || i == q || i == r || j == q || j == r || q == r)
                        continue;
                    sum += K(i, j) * L(i, j) + K(i, j) * L(q, r) - 2 * K(i, j) * L(i, q);
                    ++count;
                }
    return sum / static_cast<double>(count);
}

double pearsonLoop(const float* a, const float* b, std::int64_t d)
{
    double ma = 0, mb = 0;
    for (std::int64_t k = 0; k < d; ++k) {
        ma += a[k];
        mb += b[k];
    }
    ma /= static_cast<double>(d);
    mb /= static_cast<double>(d);
    double ab = 0, aa = 0, bb = 0;
    for (std::int64_t k = 0; k < d; ++k) {
        ab += (a[k] - ma) * (b[k] - mb);
        aa += (a[k] - ma) * (a[k] - ma);
        bb += (b[k] - mb) * (b[k] - mb);
    }
    return ab / std::sqrt(aa * bb);
}

/// Ranks by counting: 1 + (number smaller) + (number of other equal values) / 2.
std::vector<double> ranksByCounting(const std::vector<double>& v)
{
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        double less = 0, equal = 0;
        for (std::size_t j = 0; j < v.size(); ++j) {
            less += v[j] < v[i] ? 1 : 0;
            equal += (j != i && v[j] == v[i]) ? 1 : 0;
        }
        r[i] = 1 + less + equal / 2;
    }
    return r;
}

double pearsonVec(const std::vector<double>& a, const std::vector<double>& b)
{
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= static_cast<double>(a.size());
    mb /= static_cast<double>(b.size());
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ab += (a[i] - ma) * (b[i] - mb);
        aa += (a[i] - ma) * (a[i] - ma);
        bb += (b[i] - mb) * (b[i] - mb);
    }
    return ab / std::sqrt(aa * bb);
}

double rsaByLoops(const std::vector<float>& x, std::int64_t p, const std::vector<float>& y, std::int64_t q, std::int64_t n)
{
    std::vector<double> dx, dy;
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = i + 1; j < n; ++j) {
            dx.push_back(1 - pearsonLoop(x.data() + i * p, x.data() + j * p, p));
            dy.push_back(1 - pearsonLoop(y.data() + i * q, y.data() + j * q, q));
        }
    return pearsonVec(ranksByCounting(dx), ranksByCounting(dy));
}

std::string saveModel(const std::string& path, std::uint64_t seed)
{
    torch::manual_seed(seed);
    TapNet m = createModel("resnet18_cifar10");
    Checkpoint ck;
    ck.model = "resnet18_cifar10";
    for (auto& [k, v] : m->stateDict())
        ck.stateDict[k] = v.detach().clone();
    saveCheckpoint(path, ck);
    return path;
}

} // namespace

class TestAlignment : public QObject {
    Q_OBJECT
    std::string m_dir;

private Q_SLOTS:
    void initTestCase() { m_dir = testutil::tempDir("alignment"); }

    void ckaMatchesQuadrupleSum()
    {
        for (std::int64_t n : {6, 9}) {
            const std::int64_t p = 5, q = 3;
            const std::vector<float> x = randomMatrix(n, p, 1 + static_cast<std::uint64_t>(n));
            std::vector<float> y = randomMatrix(n, q, 100 + static_cast<std::uint64_t>(n));
            for (std::int64_t i = 0; i < n; ++i) // y shares some structure with x
                y[static_cast<std::size_t>(i * q)] += x[static_cast<std::size_t>(i * p)];
            const std::vector<double> k = gram(x, n, p), l = gram(y, n, q);
            const double hkl = hsicQuadruples(k, l, n), hkk = hsicQuadruples(k, k, n), hll = hsicQuadruples(l, l, n);
            QVERIFY2(std::abs(hsicUnbiased(k, l, n) - hkl) <= 1e-10 * std::max(1.0, std::abs(hkl)),
                qPrintable(QStringLiteral("%1 vs %2").arg(hsicUnbiased(k, l, n)).arg(hkl)));
            const double expected = hkl / std::sqrt(hkk * hll);
            const double cka = ckaLinearUnbiased(x.data(), p, y.data(), q, n);
            QVERIFY2(std::abs(cka - expected) <= 1e-6, qPrintable(QStringLiteral("%1 vs %2").arg(cka).arg(expected)));
            // the same representation (rotated and scaled) has CKA 1
            std::vector<float> x2(x.size());
            for (std::int64_t i = 0; i < n; ++i)
                for (std::int64_t c = 0; c < p; ++c)
                    x2[static_cast<std::size_t>(i * p + c)] = 3.0f * x[static_cast<std::size_t>(i * p + (p - 1 - c))] + 1.0f;
            QVERIFY(std::abs(ckaLinearUnbiased(x.data(), p, x2.data(), p, n) - 1.0) <= 1e-6);
        }
        QVERIFY_THROWS_EXCEPTION(Error, hsicUnbiased(std::vector<double>(9), std::vector<double>(9), 3));
    }

    void rsaMatchesLoops()
    {
        const std::int64_t n = 12, p = 7, q = 4;
        const std::vector<float> x = randomMatrix(n, p, 5);
        std::vector<float> y = randomMatrix(n, q, 6);
        for (std::int64_t i = 0; i < n; ++i)
            y[static_cast<std::size_t>(i * q + 1)] += 2 * x[static_cast<std::size_t>(i * p + 2)];
        const double expected = rsaByLoops(x, p, y, q, n);
        const double rsa = rsaScore(x.data(), p, y.data(), q, n);
        QVERIFY2(std::abs(rsa - expected) <= 1e-6, qPrintable(QStringLiteral("%1 vs %2").arg(rsa).arg(expected)));
        // the RDM itself
        const std::vector<double> rdm = correlationRdm(x.data(), n, p);
        for (std::int64_t i = 0; i < n; ++i) {
            QCOMPARE(rdm[static_cast<std::size_t>(i * n + i)], 0.0);
            for (std::int64_t j = 0; j < n; ++j)
                if (i != j)
                    QVERIFY(
                        std::abs(rdm[static_cast<std::size_t>(i * n + j)] - (1 - pearsonLoop(&x[i * p], &x[j * p], p))) <= 1e-6);
        }
        // Spearman with ties: average ranks
        const std::vector<double> a {1, 2, 2, 3, 5, 5, 5, 0}, b {2, 1, 4, 4, 6, 3, 7, 0};
        QVERIFY(std::abs(spearman(a, b) - pearsonVec(ranksByCounting(a), ranksByCounting(b))) <= 1e-12);
        QVERIFY(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
    }

    void splitHalfCeiling()
    {
        const std::int64_t n = 10, v = 6;
        const int repeats = 4;
        const std::vector<float> signal = randomMatrix(n, v, 9);
        std::vector<float> trials(static_cast<std::size_t>(n * repeats * v));
        Rng rng(3);
        for (std::int64_t i = 0; i < n; ++i)
            for (int r = 0; r < repeats; ++r)
                for (std::int64_t k = 0; k < v; ++k)
                    trials[static_cast<std::size_t>((i * repeats + r) * v + k)]
                        = signal[static_cast<std::size_t>(i * v + k)] + static_cast<float>(rng.uniform(-0.3, 0.3));
        // one image with a single finite repeat does not count
        for (int r = 1; r < repeats; ++r)
            for (std::int64_t k = 0; k < v; ++k)
                trials[static_cast<std::size_t>((0 * repeats + r) * v + k)] = std::nanf("");
        const RsaCeiling c = rsaSplitHalfCeiling(trials.data(), n, repeats, v);
        QCOMPARE(c.images, n - 1);
        // by hand: repeats 0,2 vs 1,3 averaged, images 1..n-1
        std::vector<float> even, odd;
        for (std::int64_t i = 1; i < n; ++i)
            for (std::int64_t k = 0; k < v; ++k) {
                auto t = [&](int r) { return trials[static_cast<std::size_t>((i * repeats + r) * v + k)]; };
                even.push_back((t(0) + t(2)) / 2);
                odd.push_back((t(1) + t(3)) / 2);
            }
        const double half = rsaByLoops(even, v, odd, v, n - 1);
        QVERIFY(std::abs(c.splitHalf - half) <= 1e-6);
        QVERIFY(std::abs(c.ceiling - 2 * half / (1 + half)) <= 1e-6);
        QVERIFY(c.ceiling > 0.5 && c.ceiling <= 1.0);
        // identical repeats: ceiling 1; too few images: NaN
        std::vector<float> same(static_cast<std::size_t>(n * 2 * v));
        for (std::int64_t i = 0; i < n; ++i)
            for (int r = 0; r < 2; ++r)
                std::copy_n(&signal[static_cast<std::size_t>(i * v)], v, &same[static_cast<std::size_t>((i * 2 + r) * v)]);
        QVERIFY(std::abs(rsaSplitHalfCeiling(same.data(), n, 2, v).ceiling - 1.0) <= 1e-9);
        QVERIFY(std::isnan(rsaSplitHalfCeiling(same.data(), 2, 2, v).ceiling));
    }

    void sparseProjection()
    {
        const std::int64_t in = 900, out = 64, n = 20;
        const SparseProjection a = makeSparseProjection(in, out, 4), b = makeSparseProjection(in, out, 4);
        QVERIFY(a.column == b.column && a.value == b.value && a.rowStart == b.rowStart);
        QVERIFY(makeSparseProjection(in, out, 5).column != a.column);
        QCOMPARE(a.density, 1.0 / 30.0);
        const double nonZero = static_cast<double>(a.column.size()) / static_cast<double>(in * out);
        QVERIFY2(std::abs(nonZero - a.density) < 0.25 * a.density, qPrintable(QString::number(nonZero)));
        // against the dense product
        std::vector<double> dense(static_cast<std::size_t>(in * out), 0.0);
        for (std::int64_t i = 0; i < in; ++i)
            for (std::int64_t e = a.rowStart[static_cast<std::size_t>(i)]; e < a.rowStart[static_cast<std::size_t>(i + 1)]; ++e) {
                QVERIFY(std::abs(std::abs(a.value[static_cast<std::size_t>(e)]) - std::sqrt(30.0 / out)) < 1e-6);
                dense[static_cast<std::size_t>(i * out + a.column[static_cast<std::size_t>(e)])]
                    = a.value[static_cast<std::size_t>(e)];
            }
        const std::vector<float> x = randomMatrix(n, in, 8);
        const std::vector<float> y = applyProjection(a, x.data(), n);
        double normIn = 0, normOut = 0;
        for (std::int64_t s = 0; s < n; ++s)
            for (std::int64_t j = 0; j < out; ++j) {
                double v = 0;
                for (std::int64_t i = 0; i < in; ++i)
                    v += x[static_cast<std::size_t>(s * in + i)] * dense[static_cast<std::size_t>(i * out + j)];
                QVERIFY(std::abs(v - y[static_cast<std::size_t>(s * out + j)]) <= 1e-4);
                normOut += v * v;
            }
        for (float v : x)
            normIn += double(v) * v;
        // squared norms are preserved in expectation
        QVERIFY2(std::abs(normOut / normIn - 1.0) < 0.2, qPrintable(QString::number(normOut / normIn)));
    }

    void alignEndToEnd()
    {
        SynthOptions so;
        so.data = "shapes:120:4";
        so.rois = {"V1", "V4"};
        so.voxels = 12;
        so.repeats = 3;
        so.noiseSd = 0.5;
        so.valFraction = 0.3;
        const std::string bundle = m_dir + "/vc.h5";
        NullSink none;
        CancelToken cancel;
        synthesizeBundleFile(so, bundle, none, cancel);
        const std::string a = saveModel(m_dir + "/a.pt", 1), b = saveModel(m_dir + "/b.pt", 2);

        AlignOptions o;
        o.checkpoints = {a, b};
        o.bundle = bundle;
        o.layers = {"conv1", "layer4"};
        o.maxFeatures = 512; // conv1 (65536) and layer4 (2048) are both projected
        o.threads = 2;
        o.seed = 3;
        o.out = m_dir + "/align.h5";
        const AlignmentScores s = runAlignment(o, none, cancel);
        QCOMPARE(s.models, (std::vector<std::string> {"baseline", "tuned"}));
        QCOMPARE(s.rois, (std::vector<std::string> {"V1", "V4"}));
        QCOMPARE(s.features, (std::vector<std::int64_t> {512, 512, 512, 512}));
        QCOMPARE(s.featuresOriginal, (std::vector<std::int64_t> {65536, 2048, 65536, 2048}));
        for (double r : s.rsaCeiling)
            QVERIFY2(std::isfinite(r) && r > 0, qPrintable(QString::number(r)));
        for (std::size_t i = 0; i < s.rsa.size(); ++i)
            QVERIFY(std::isfinite(s.rsa[i]) && std::isfinite(s.cka[i]) && std::isfinite(s.rMedian[i]));

        // the file reads back the same
        const AlignmentScores f = readAlignment(o.out);
        QCOMPARE(f.models, s.models);
        QCOMPARE(f.layers, s.layers);
        QCOMPARE(f.rsa, s.rsa);
        QCOMPARE(f.cka, s.cka);
        {
            H5File h(o.out, H5File::Mode::Read);
            QCOMPARE(h.dims("/alignment/rsa"), (std::vector<std::uint64_t> {2, 2, 2}));
            QVERIFY(h.attrString("/alignment", "projection").find("sparse random projection") != std::string::npos);
            QCOMPARE(h.attrDouble("/alignment", "max_features"), 512.0);
        }

        // without projection, the ridge score is the existing probe's, and RSA/CKA those of the
        // probe's own features
        o.checkpoints = {a};
        o.layers = {"layer4"};
        o.maxFeatures = 4096;
        o.out.clear();
        const AlignmentScores one = runAlignment(o, none, cancel);
        QCOMPARE(one.models, (std::vector<std::string> {"a"}));
        QCOMPARE(one.features, (std::vector<std::int64_t> {2048}));
        ProbeOptions p;
        p.checkpoint = a;
        p.bundle = bundle;
        p.layer = "layer4";
        p.threads = 2;
        p.seed = 3;
        const ProbeResult probe = predictivityProbe(p, none, cancel);
        for (std::size_t r = 0; r < 2; ++r) {
            QCOMPARE(probe.rois[r].roi, one.rois[r]);
            QVERIFY2(std::abs(probe.rois[r].val.rMedian - one.rMedian[r]) <= 1e-9,
                qPrintable(QStringLiteral("%1 vs %2").arg(probe.rois[r].val.rMedian).arg(one.rMedian[r])));
        }

        // adding to an existing file keeps the rest; bad input is one line
        {
            H5File h(m_dir + "/other.h5", H5File::Mode::CreateAtomic);
            h.writeF32("/activations", {1, 2}, {3, 4});
            h.commit();
        }
        o.out = m_dir + "/other.h5";
        runAlignment(o, none, cancel);
        {
            H5File h(o.out, H5File::Mode::Read);
            QCOMPARE(h.readF32("/activations"), (std::vector<float> {3, 4}));
            QVERIFY(h.exists("/alignment/cka"));
        }
        o.layers = {"layer7"};
        try {
            runAlignment(o, none, cancel);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("layer7") != std::string::npos
                    && std::string(e.what()).find("layer4") != std::string::npos,
                e.what());
        }
        o.layers = {"layer4"};
        o.rois = {"IT"};
        QVERIFY_THROWS_EXCEPTION(Error, runAlignment(o, none, cancel));
        QVERIFY_THROWS_EXCEPTION(Error, readAlignment(bundle));

        // the CLI
        std::string text;
        const int rc = testutil::run(std::string(REPALIGN_CLI) + " align --checkpoint " + a + "," + b + " --bundle " + bundle
                + " --rois V4 --layers layer3,layer4 --threads 2 --quiet --out " + m_dir + "/cli.h5",
            &text);
        QVERIFY2(rc == 0, text.c_str());
        QVERIFY2(text.find("2 models x 2 layers x 1 ROIs") != std::string::npos, text.c_str());
        QVERIFY2(text.find("RSA noise ceiling V4") != std::string::npos, text.c_str());
    }
};

QTEST_GUILESS_MAIN(TestAlignment)
#include "test_alignment.moc"
