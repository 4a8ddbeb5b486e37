// LPIPS (AlexNet, v0.1): the pieces of the formula, the random:SEED weights, distances against
// an independent PyTorch implementation (tests/data/interpret/gen_reference.py), weight files
// (zip and legacy torch.save), the weight look-up and the `lpips` command.
#include "common/error.h"
#include "common/fsutil.h"
#include "interpret/lpips_net.h"
#include "run/checkpoint.h"
#include "testutil.h"

#include <QtTest>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

using namespace repalign;

namespace {
const std::string kData = std::string(REPALIGN_TEST_DATA) + "/interpret";

struct PairRef {
    std::string a, b;
    int resize;
    double total;
    std::array<double, 5> layers;
};

struct LpipsRef {
    std::map<std::string, double> weights;
    std::vector<PairRef> pairs;
    double iiFull = 0, iiPairs = 0;
};

LpipsRef loadRef()
{
    LpipsRef r;
    std::ifstream in(kData + "/lpips_reference.txt");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string kind;
        ls >> kind;
        if (kind == "weight") {
            std::string name;
            ls >> name;
            ls >> r.weights[name];
        } else if (kind == "pair") {
            PairRef p;
            std::string ab;
            ls >> ab >> p.resize >> p.total;
            p.a = ab.substr(0, 1);
            p.b = ab.substr(1, 1);
            for (auto& v : p.layers)
                ls >> v;
            r.pairs.push_back(p);
        } else if (kind == "ii_full_matrix_mean") {
            ls >> r.iiFull;
        } else if (kind == "ii_pairs_mean") {
            ls >> r.iiPairs;
        }
    }
    return r;
}

// The test images img_a..d.png, rebuilt from gen_reference.py's formula (uint8 HWC RGB).
struct Image {
    std::vector<std::uint8_t> pixels;
    const std::uint8_t* data() const { return pixels.data(); }
};
Image loadRgb(const std::string& name)
{
    const int n = name[0] - 'a';
    Image img;
    img.pixels.resize(32 * 32 * 3);
    for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x)
            for (int c = 0; c < 3; ++c)
                img.pixels[(y * 32 + x) * 3 + c] = static_cast<std::uint8_t>(
                    (x * (3 + n) + y * (5 + 2 * n) + c * 40 + n * 17 + ((x * y) % (7 + n)) * 9) % 256);
    return img;
}

bool closeRel(double a, double b, double rel)
{
    return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)) || a == b;
}
} // namespace

#define CHECK_REL(actual, expected, rel)                                                                                         \
    QVERIFY2(closeRel((actual), (expected), (rel)),                                                                              \
        qPrintable(QStringLiteral("%1 = %2, expected %3")                                                                        \
                       .arg(QLatin1String(#actual))                                                                              \
                       .arg((actual), 0, 'g', 12)                                                                                \
                       .arg((expected), 0, 'g', 12)))

class TestLpips : public QObject {
    Q_OBJECT
    LpipsRef ref;

private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(2);
        ref = loadRef();
        QCOMPARE(ref.pairs.size(), std::size_t(6));
        QCOMPARE(ref.weights.size(), std::size_t(4));
    }

    void scalingConstants()
    {
        // lpips v0.1 ScalingLayer: shift [-.030, -.088, -.188], scale [.458, .448, .450]
        QCOMPARE(kLpipsShift[0], -0.030f);
        QCOMPARE(kLpipsShift[1], -0.088f);
        QCOMPARE(kLpipsShift[2], -0.188f);
        QCOMPARE(kLpipsScale[0], 0.458f);
        QCOMPARE(kLpipsScale[1], 0.448f);
        QCOMPARE(kLpipsScale[2], 0.450f);
        const std::array<int, 5> channels {{64, 192, 384, 256, 256}};
        QCOMPARE(kLpipsChannels, channels);
    }

    void normalisation()
    {
        // one location with channels (3, 4, 0) -> (0.6, 0.8, 0); an all-zero location stays 0
        auto x = torch::tensor({3.0f, 0.0f, 4.0f, 0.0f, 0.0f, 0.0f}).view({1, 3, 1, 2});
        auto n = lpipsNormalize(x);
        QCOMPARE(n[0][0][0][0].item<float>(), 3.0f / (5.0f + 1e-10f));
        QCOMPARE(n[0][1][0][0].item<float>(), 4.0f / (5.0f + 1e-10f));
        QCOMPARE(n[0][2][0][0].item<float>(), 0.0f);
        for (int c = 0; c < 3; ++c)
            QCOMPARE(n[0][c][0][1].item<float>(), 0.0f); // eps keeps 0/0 away
        // eps is added after the square root: for a tiny vector the result is not unit length
        auto t = lpipsNormalize(torch::full({1, 1, 1, 1}, 1e-10f));
        QVERIFY(std::fabs(t.item<float>() - 0.5f) < 1e-6f);
    }

    void layerDistanceByHand()
    {
        // two locations, two channels; lin weights (0.5, 2)
        //   location 0: a = (1, 0), b = (0, 1): 0.5*1 + 2*1 = 2.5
        //   location 1: a = b = (0.6, 0.8):      0
        //   spatial mean: 1.25
        auto a = torch::tensor({1.0f, 0.6f, 0.0f, 0.8f}).view({1, 2, 1, 2});
        auto b = torch::tensor({0.0f, 0.6f, 1.0f, 0.8f}).view({1, 2, 1, 2});
        auto w = torch::tensor({0.5f, 2.0f}).view({1, 2, 1, 1});
        QCOMPARE(lpipsLayerDistance(a, b, w).item<float>(), 1.25f);
        // 2x2 map, 1 channel, w = 3: diffs (1, -2, 0, 0.5) -> 3 * (1 + 4 + 0 + 0.25) / 4 = 3.9375
        auto c = torch::tensor({1.0f, -2.0f, 0.0f, 0.5f}).view({1, 1, 2, 2});
        QCOMPARE(lpipsLayerDistance(c, torch::zeros_like(c), torch::full({1, 1, 1, 1}, 3.0f)).item<float>(), 3.9375f);
    }

    void randomWeightsAreReproducible()
    {
        const auto w = randomLpipsWeights(0);
        QCOMPARE(w.alexnet.at("features.0.weight").flatten()[0].item<float>(), float(ref.weights["features.0.weight[0]"]));
        QCOMPARE(w.alexnet.at("features.0.weight").flatten()[-1].item<float>(), float(ref.weights["features.0.weight[last]"]));
        QCOMPARE(w.alexnet.at("features.10.bias")[7].item<float>(), float(ref.weights["features.10.bias[7]"]));
        QCOMPARE(w.lin[2].flatten()[100].item<float>(), float(ref.weights["lin2[100]"]));
        for (int l = 0; l < 5; ++l)
            QVERIFY(w.lin[l].min().item<float>() >= 0);
        QVERIFY(!w.source.calibrated());
        QCOMPARE(w.source.description, std::string("random:0"));
        QVERIFY(!torch::equal(randomLpipsWeights(1).lin[0], w.lin[0]));
    }

    void distancesMatchReference()
    {
        torch::NoGradGuard g;
        const LpipsNet net(randomLpipsWeights(0), torch::kCPU);
        for (const auto& p : ref.pairs) {
            const Image a = loadRgb(p.a), b = loadRgb(p.b);
            const auto d = net.forward(lpipsPrepare(a.data(), 1, 32, 32, p.resize), lpipsPrepare(b.data(), 1, 32, 32, p.resize));
            CHECK_REL(d.sum(1).item<float>(), p.total, 1e-5);
            for (int l = 0; l < 5; ++l)
                CHECK_REL(d[0][l].item<float>(), p.layers[l], 1e-5);
        }
    }

    void identityAndSymmetry()
    {
        torch::NoGradGuard g;
        const LpipsNet net(randomLpipsWeights(3), torch::kCPU);
        const Image a = loadRgb("a"), c = loadRgb("c");
        const auto xa = lpipsPrepare(a.data(), 1, 32, 32, 64), xc = lpipsPrepare(c.data(), 1, 32, 32, 64);
        QCOMPARE(net.forward(xa, xa).abs().sum().item<float>(), 0.0f);
        const float ac = net.forward(xa, xc).sum().item<float>(), ca = net.forward(xc, xa).sum().item<float>();
        QVERIFY(ac > 0);
        QCOMPARE(ac, ca);
    }

    void resizeIsBilinearHalfPixel()
    {
        // 2x2 -> 4x4 with half-pixel centres: output pixel 0 samples input coordinate -0.25,
        // clamped to 0; pixel 1 samples 0.25 -> 0.75*v0 + 0.25*v1
        std::vector<std::uint8_t> img {0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255};
        const auto x = lpipsPrepare(img.data(), 1, 2, 2, 4);
        QCOMPARE(x.sizes().vec(), (std::vector<std::int64_t> {1, 3, 4, 4}));
        QCOMPARE(x[0][0][0][0].item<float>(), -1.0f);
        QVERIFY(std::fabs(x[0][0][0][1].item<float>() - (0.25f * 2 - 1)) < 1e-6f);
        QVERIFY(std::fabs(x[0][0][0][2].item<float>() - (0.75f * 2 - 1)) < 1e-6f);
        QCOMPARE(x[0][0][0][3].item<float>(), 1.0f);
    }

    void cachedPairsEqualDirectPairs()
    {
        // the II path (features once per image, pair distances from the cache) against
        // every pair through the formula in Python: full 4x4 mean and i<j mean
        torch::NoGradGuard g;
        const LpipsNet net(randomLpipsWeights(0), torch::kCPU);
        ImageDataset data;
        data.count = 4;
        data.height = data.width = 32;
        for (const char* n : {"a", "b", "c", "d"}) {
            const Image m = loadRgb(n);
            data.pixels.insert(data.pixels.end(), m.pixels.begin(), m.pixels.end());
            data.labels.push_back(0);
        }
        NullSink sink;
        CancelToken cancel;
        const auto ex = computeII(net, data, {0, 1, 2, 3}, 1, 4, 64, IIDiagonal::Exclude, sink, cancel);
        const auto in = computeII(net, data, {0, 1, 2, 3}, 1, 4, 64, IIDiagonal::Include, sink, cancel);
        CHECK_REL(ex.lpips[0], ref.iiPairs, 1e-5);
        CHECK_REL(in.lpips[0], ref.iiFull, 1e-5);
        CHECK_REL(in.lpips[0], ex.lpips[0] * 12.0 / 16.0, 1e-6);
        QCOMPARE(ex.distinctImages, std::int64_t(4));
        // the pair matrix is symmetric with a zero diagonal and holds the reference pair a-b
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(ex.pairs[i * 4 + i], 0.0f);
            for (int j = 0; j < 4; ++j)
                QCOMPARE(ex.pairs[i * 4 + j], ex.pairs[j * 4 + i]);
        }
        CHECK_REL(ex.pairs[1], ref.pairs[0].total, 1e-5);
        float parts = 0;
        for (int l = 0; l < 5; ++l)
            parts += ex.perLayer[0][l];
        CHECK_REL(parts, ex.lpips[0], 1e-5);
    }

    void weightFiles()
    {
        // the AlexNet file as a zip torch.save dict (what the program's checkpoints are) and
        // the lin file in torch.save's legacy format (as the official alex.pth)
        const std::string dir = testutil::tempDir("lpips-weights");
        const auto w = randomLpipsWeights(0);
        Checkpoint ck;
        ck.stateDict = w.alexnet;
        saveCheckpoint(dir + "/alexnet-owt-7be5be79.pth", ck);
        {
            std::ifstream src(kData + "/alex.pth", std::ios::binary);
            std::ofstream dst(dir + "/alex.pth", std::ios::binary);
            dst << src.rdbuf();
        }
        for (const std::string& spec : {dir, dir + "/alex.pth," + dir + "/alexnet-owt-7be5be79.pth"}) {
            const auto src = locateLpipsWeights(spec);
            QVERIFY(src.calibrated());
            QCOMPARE(src.alexnetPath, dir + "/alexnet-owt-7be5be79.pth");
            QCOMPARE(src.linPath, dir + "/alex.pth");
            QVERIFY(src.description.find("alex.pth sha256:") != std::string::npos);
            const auto loaded = loadLpipsWeights(src);
            for (int l = 0; l < 5; ++l)
                QVERIFY(torch::equal(loaded.lin[l], w.lin[l]));
            QVERIFY(torch::equal(loaded.alexnet.at("features.6.weight"), w.alexnet.at("features.6.weight")));
        }
        // the automatic search finds them in $TORCH_HOME/hub/checkpoints
        const std::string th = testutil::tempDir("torch-home");
        makeDirs(th + "/hub/checkpoints");
        for (const char* n : {"alexnet-owt-7be5be79.pth", "alex.pth"}) {
            std::ifstream src(dir + "/" + n, std::ios::binary);
            std::ofstream dst(th + "/hub/checkpoints/" + n, std::ios::binary);
            dst << src.rdbuf();
        }
        const char* oldTh = std::getenv("TORCH_HOME");
        const std::string saved = oldTh ? oldTh : "";
        ::setenv("TORCH_HOME", th.c_str(), 1);
        const auto found = locateLpipsWeights("");
        if (oldTh)
            ::setenv("TORCH_HOME", saved.c_str(), 1);
        else
            ::unsetenv("TORCH_HOME");
        QCOMPARE(found.linPath, th + "/hub/checkpoints/alex.pth");
    }

    void sha256()
    {
        const std::string dir = testutil::tempDir("sha");
        testutil::writeText(dir + "/abc", "abc");
        QCOMPARE(sha256File(dir + "/abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        testutil::writeText(dir + "/empty", "");
        QCOMPARE(sha256File(dir + "/empty"), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    }

    void missingWeightsListEveryPlace()
    {
        const std::string home = testutil::tempDir("empty-home");
        const std::string th = testutil::tempDir("empty-torch-home");
        const char* oldHome = std::getenv("HOME");
        const std::string savedHome = oldHome ? oldHome : "";
        const char* oldTh = std::getenv("TORCH_HOME");
        const std::string savedTh = oldTh ? oldTh : "";
        ::setenv("HOME", home.c_str(), 1);
        ::setenv("TORCH_HOME", th.c_str(), 1);
        std::string message;
        try {
            locateLpipsWeights("");
        } catch (const Error& e) {
            message = e.what();
        }
        if (oldHome)
            ::setenv("HOME", savedHome.c_str(), 1);
        if (oldTh)
            ::setenv("TORCH_HOME", savedTh.c_str(), 1);
        else
            ::unsetenv("TORCH_HOME");
        QVERIFY2(message.find(th + "/hub/checkpoints") != std::string::npos, message.c_str());
        QVERIFY(message.find(home + "/.cache/torch/hub/checkpoints") != std::string::npos);
        QVERIFY(message.find("lpips/weights/v0.1") != std::string::npos);
        QVERIFY(message.find("pip install lpips") != std::string::npos);
        QVERIFY(message.find("random:SEED") != std::string::npos);
        QVERIFY(message.find('\n') == std::string::npos);
        QVERIFY_THROWS_EXCEPTION(Error, locateLpipsWeights("random:abc"));
        QVERIFY_THROWS_EXCEPTION(Error, locateLpipsWeights("random:-1"));
        QVERIFY_THROWS_EXCEPTION(Error, locateLpipsWeights("/nonexistent/alex.pth"));
        QCOMPARE(locateLpipsWeights("random:42").seed, std::uint64_t(42));
    }

    void command()
    {
        std::string out;
        const std::string cli = REPALIGN_CLI;
        int rc = testutil::run(
            cli + " lpips --lpips-weights random:0 --resize 64 --threads 2 " + kData + "/img_a.png " + kData + "/img_b.png",
            &out);
        QVERIFY2(rc == 0, out.c_str());
        double v = 0;
        QVERIFY(std::sscanf(out.c_str(), "lpips %lf", &v) == 1);
        CHECK_REL(v, ref.pairs[0].total, 1e-5);
        QVERIFY(out.find("UNCALIBRATED") != std::string::npos);
        QVERIFY(out.find("relu5") != std::string::npos);
        rc = testutil::run(cli + " lpips --lpips-weights random:0 " + kData + "/img_a.png /nonexistent.png", &out);
        QCOMPARE(rc, 1);
        QVERIFY(out.find("/nonexistent.png") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestLpips)
#include "test_lpips.moc"
