// The Interpretability Index: pair conventions on hand-made cases, the streaming top-k
// against a full sort, and `analyze` end to end (file layout, MEIs, accuracy, II values
// recomputed naively, errors, cancellation, the CLI and `compare`).
#include "common/error.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "interpret/analysis.h"
#include "interpret/comparison.h"
#include "interpret/interpretability_index.h"
#include "interpret/lpips_net.h"
#include "interpret/mei.h"
#include "io/h5.h"
#include "models/nets.h"
#include "run/checkpoint.h"
#include "testutil.h"
#include "train/trainer.h"

#include <QtTest>

#include <cmath>
#include <filesystem>

using namespace repalign;

namespace {
std::string saveModel(const std::string& dir, const std::string& name, std::uint64_t seed)
{
    torch::manual_seed(seed);
    TapNet m = createModel("resnet18_cifar10");
    Checkpoint ck;
    ck.model = "resnet18_cifar10";
    for (auto& [k, v] : m->stateDict())
        ck.stateDict[k] = v.detach().clone();
    const std::string path = dir + "/" + name;
    saveCheckpoint(path, ck);
    return path;
}

AnalyzeOptions baseOptions(const std::string& ckpt, const std::string& out)
{
    AnalyzeOptions o;
    o.checkpoint = ckpt;
    o.data = "shapes:96:5";
    o.split = "test";
    o.lpipsWeights = "random:0";
    o.threads = 2;
    o.batchSize = 40; // several batches, last one partial
    o.out = out;
    return o;
}

class CancelOnActivations : public ProgressSink {
public:
    explicit CancelOnActivations(CancelToken& t)
        : m_token(t)
    {
    }
    void progress(const ProgressEvent& e) override
    {
        if (e.phase == "activations")
            m_token.cancel();
    }

private:
    CancelToken& m_token;
};
} // namespace

class TestII : public QObject {
    Q_OBJECT
    std::string dir, ckptA, ckptB, analysisA;

private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(2);
        dir = testutil::tempDir("ii");
        ckptA = saveModel(dir, "a.pt", 1);
        ckptB = saveModel(dir, "b.pt", 2);
    }

    void pairConventionsByHand()
    {
        // three solid images: black, (30,40,0), (0,0,120); mean-RGB distances 50, 120, 130
        std::vector<std::uint8_t> img(3 * 4 * 3, 0);
        for (int p = 0; p < 4; ++p) {
            img[(4 + p) * 3 + 0] = 30;
            img[(4 + p) * 3 + 1] = 40;
            img[(8 + p) * 3 + 2] = 120;
        }
        QCOMPARE(iiColor(img.data(), 3, 4, IIDiagonal::Exclude), (50.0 + 120.0 + 130.0) / 3.0);
        // include: the full 3x3 matrix with its zero diagonal, reported as minus the distance
        QCOMPARE(iiColor(img.data(), 3, 4, IIDiagonal::Include), -(2 * 300.0) / 9.0);
        // labels 1,1,2: one equal pair of three; with the diagonal 3 + 2 equal entries of 9
        const std::int64_t labels[3] = {1, 1, 2};
        QCOMPARE(iiLabel(labels, 3, IIDiagonal::Exclude), 1.0 / 3.0);
        QCOMPARE(iiLabel(labels, 3, IIDiagonal::Include), 5.0 / 9.0);
        // an LPIPS pair matrix: pairs 0.2, 0.4, 0.6
        const std::vector<double> m {0, 0.2, 0.4, 0.2, 0, 0.6, 0.4, 0.6, 0};
        QCOMPARE(pairMean(m, 3, IIDiagonal::Exclude), 0.4);
        QVERIFY(std::fabs(pairMean(m, 3, IIDiagonal::Include) - 2.4 / 9.0) < 1e-15);
        QVERIFY_THROWS_EXCEPTION(Error, pairMean(m, 2, IIDiagonal::Exclude));
        QCOMPARE(parseIIDiagonal("include"), IIDiagonal::Include);
        QVERIFY_THROWS_EXCEPTION(Error, parseIIDiagonal("both"));
    }

    void streamingTopKMatchesFullSort()
    {
        Rng rng(7);
        const std::int64_t rows = 1000, units = 37;
        std::vector<float> v(static_cast<std::size_t>(rows * units));
        for (auto& x : v)
            x = static_cast<float>(std::round(rng.uniform(-3, 3) * 4) / 4); // many ties
        v[5 * units + 3] = std::nanf("");
        v[9 * units + 3] = std::nanf("");
        for (bool largest : {true, false}) {
            for (int k : {1, 5, 17}) {
                StreamingTopK s(units, k, largest);
                std::int64_t r = 0;
                while (r < rows) { // uneven batches
                    const std::int64_t b = std::min<std::int64_t>(rows - r, 1 + static_cast<std::int64_t>(rng.below(90)));
                    s.add(v.data() + r * units, b, r);
                    r += b;
                }
                std::vector<std::int64_t> si, fi;
                std::vector<float> sv, fv;
                s.result(si, sv);
                topKBySort(v.data(), rows, units, k, largest, fi, fv);
                QCOMPARE(si, fi);
                for (std::size_t i = 0; i < sv.size(); ++i)
                    QVERIFY(sv[i] == fv[i]);
                // best first, ties to the lower index
                for (std::int64_t u = 0; u < units; ++u)
                    for (int j = 1; j < k; ++j) {
                        const float a = sv[u * k + j - 1], b = sv[u * k + j];
                        QVERIFY(largest ? a >= b : a <= b);
                        if (a == b)
                            QVERIFY(si[u * k + j - 1] < si[u * k + j]);
                    }
            }
        }
        // explicit indices in any order give the same selection
        StreamingTopK s(units, 5, true);
        std::vector<std::int64_t> idx(rows);
        for (std::int64_t r = rows - 1; r >= 0; --r) {
            idx[r] = r;
            s.add(v.data() + r * units, 1, &idx[r]);
        }
        std::vector<std::int64_t> si, fi;
        std::vector<float> sv, fv;
        s.result(si, sv);
        topKBySort(v.data(), rows, units, 5, true, fi, fv);
        QCOMPARE(si, fi);
        StreamingTopK tooFew(3, 5, true);
        tooFew.add(v.data(), 2, std::int64_t(0));
        QVERIFY_THROWS_EXCEPTION(Error, tooFew.result(si, sv));
    }

    void analyzeEndToEnd()
    {
        analysisA = dir + "/out/a.h5";
        AnalyzeOptions o = baseOptions(ckptA, analysisA);
        o.bottomK = true;
        NullSink sink;
        CancelToken cancel;
        const AnalyzeResult r = AnalyzeJob(o).run(sink, cancel);
        QCOMPARE(r.units, std::int64_t(512));
        QCOMPARE(r.images, std::int64_t(96));
        QVERIFY(!r.lpipsCalibrated);

        H5File f(analysisA, H5File::Mode::Read);
        QCOMPARE(f.dims("/activations"), (std::vector<std::uint64_t> {96, 512}));
        QCOMPARE(f.dims("/mei/indices"), (std::vector<std::uint64_t> {512, 5}));
        QCOMPARE(f.dims("/mei/images"), (std::vector<std::uint64_t> {512, 5, 32, 32, 3}));
        QCOMPARE(f.dims("/ii/lpips_per_layer"), (std::vector<std::uint64_t> {512, 5}));
        QCOMPARE(f.dims("/ii/lpips_pairs"), (std::vector<std::uint64_t> {512, 5, 5}));
        QCOMPARE(f.type("/mei/images"), H5Type::UInt8);
        QCOMPARE(f.type("/mei/indices"), H5Type::Int64);
        QCOMPARE(f.attrString("/", "lpips_weights"), std::string("random:0"));
        QCOMPARE(f.attrDouble("/", "lpips_calibrated"), 0.0);
        QCOMPARE(f.attrString("/", "ii_diagonal"), std::string("exclude"));
        QCOMPARE(f.attrString("/", "layer"), std::string("layer4"));
        QCOMPARE(f.attrString("/", "aggregation"), std::string("center"));
        QCOMPARE(f.attrDouble("/", "k"), 5.0);
        QCOMPARE(f.attrString("/", "model"), std::string("resnet18_cifar10"));

        // MEIs = a full sort of the stored activations
        const auto acts = f.readF32("/activations");
        std::vector<std::int64_t> fi;
        std::vector<float> fv;
        topKBySort(acts.data(), 96, 512, 5, true, fi, fv);
        QCOMPARE(f.readI64("/mei/indices"), fi);
        QCOMPARE(f.readF32("/mei/activations"), fv);
        topKBySort(acts.data(), 96, 512, 5, false, fi, fv);
        QCOMPARE(f.readI64("/mei/bottom_indices"), fi);
        {
            // the least exciting images are stored as the MEIs are (psych plan's minimal references)
            QCOMPARE(f.dims("/mei/bottom_images"), (std::vector<std::uint64_t> {512, 5, 32, 32, 3}));
            const auto botImages = f.readU8("/mei/bottom_images");
            const auto botLabels = f.readI64("/mei/bottom_labels");
            const ImageDataset shapes = loadDataset("shapes:96:5", Split::Test);
            for (std::size_t i : {std::size_t(0), std::size_t(7), fi.size() - 1}) {
                QVERIFY(std::equal(botImages.begin() + static_cast<std::ptrdiff_t>(i * shapes.imageBytes()),
                    botImages.begin() + static_cast<std::ptrdiff_t>((i + 1) * shapes.imageBytes()), shapes.image(fi[i])));
                QCOMPARE(botLabels[i], shapes.labels[static_cast<std::size_t>(fi[i])]);
            }
        }

        // activations: the centre element [1,1] of layer4, recomputed one image at a time
        const ImageDataset data = loadDataset("shapes:96:5", Split::Test);
        torch::NoGradGuard g;
        Checkpoint ck = loadCheckpoint(ckptA);
        TapNet model = modelFromCheckpoint(ck, "", ckptA);
        model->eval();
        const float mean[3] = {0.4914f, 0.4822f, 0.4465f}, sd[3] = {0.2470f, 0.2435f, 0.2616f};
        for (std::int64_t i : {0, 57, 95}) {
            auto x = torch::from_blob(const_cast<std::uint8_t*>(data.image(i)), {1, 32, 32, 3}, torch::kUInt8)
                         .permute({0, 3, 1, 2})
                         .to(torch::kFloat32)
                         .div(255.0);
            for (int c = 0; c < 3; ++c)
                x.select(1, c).sub_(mean[c]).div_(sd[c]);
            std::map<std::string, torch::Tensor> taps;
            model->forwardTaps(x, {"layer4"}, taps);
            const auto centre = taps["layer4"].index({0, torch::indexing::Slice(), 1, 1});
            for (int u : {0, 100, 511})
                QVERIFY(std::fabs(centre[u].item<float>() - acts[i * 512 + u]) <= 1e-5f * (1 + std::fabs(acts[i * 512 + u])));
        }

        // accuracy = the trainer's evaluation of the same checkpoint
        EvalOptions eo;
        eo.checkpoint = ckptA;
        eo.data = "shapes:96:5";
        eo.split = "test";
        eo.threads = 2;
        const EvalResult ev = evaluateCheckpoint(eo, sink, cancel);
        QCOMPARE(f.attrDouble("/", "accuracy"), ev.accuracy);

        // II recomputed naively: every pair through the network, features recomputed
        const AnalysisFile a(analysisA);
        const LpipsNet net(randomLpipsWeights(0), torch::kCPU);
        for (std::int64_t u : {0, 1, 250, 511}) {
            const auto imgs = a.meiImages(u);
            QCOMPARE(imgs.size(), std::size_t(5));
            for (int i = 0; i < 5; ++i)
                QVERIFY(std::equal(imgs[i].begin(), imgs[i].end(), data.image(a.meiIndices[u * 5 + i])));
            // the ten pairs as one batch through the whole network (features recomputed per pair)
            std::vector<torch::Tensor> xi, xj;
            for (int i = 0; i < 5; ++i)
                for (int j = i + 1; j < 5; ++j) {
                    xi.push_back(lpipsPrepare(imgs[i].data(), 1, 32, 32, 64));
                    xj.push_back(lpipsPrepare(imgs[j].data(), 1, 32, 32, 64));
                }
            const auto direct = net.forward(torch::cat(xi), torch::cat(xj)).sum(1);
            double sum = 0, color = 0;
            int equal = 0;
            for (int i = 0, p = 0; i < 5; ++i)
                for (int j = i + 1; j < 5; ++j, ++p) {
                    sum += direct[p].item<float>();
                    double d2 = 0;
                    for (int c = 0; c < 3; ++c) {
                        double mi = 0, mj = 0;
                        for (int p = 0; p < 1024; ++p)
                            mi += imgs[i][p * 3 + c], mj += imgs[j][p * 3 + c];
                        d2 += (mi / 1024 - mj / 1024) * (mi / 1024 - mj / 1024);
                    }
                    color += std::sqrt(d2);
                    equal += a.meiLabels[u * 5 + i] == a.meiLabels[u * 5 + j];
                }
            QVERIFY2(std::fabs(sum / 10 - a.iiLpips[u]) <= 1e-6 * std::max(1.0, std::fabs(sum / 10)),
                qPrintable(QStringLiteral("unit %1: %2 vs %3").arg(u).arg(sum / 10, 0, 'g', 10).arg(a.iiLpips[u], 0, 'g', 10)));
            QVERIFY(std::fabs(color / 10 - a.iiColor[u]) < 1e-4);
            QCOMPARE(a.iiLabel[u], float(equal / 10.0));
            const auto pairs = a.lpipsPairs(u);
            double pm = 0;
            for (int i = 0; i < 5; ++i)
                for (int j = i + 1; j < 5; ++j) {
                    QCOMPARE(pairs[i * 5 + j], pairs[j * 5 + i]);
                    pm += pairs[i * 5 + j];
                }
            QVERIFY(std::fabs(pm / 10 - a.iiLpips[u]) < 1e-6);
        }
        const auto col = a.unitActivations(7);
        for (int i = 0; i < 96; ++i)
            QCOMPARE(col[i], acts[i * 512 + 7]);
        QVERIFY(a.hasBottom && a.hasPairs);
    }

    void includeConvention()
    {
        AnalyzeOptions o = baseOptions(ckptA, dir + "/out/a-include.h5");
        o.iiDiagonal = IIDiagonal::Include;
        NullSink sink;
        CancelToken cancel;
        AnalyzeJob(o).run(sink, cancel);
        const AnalysisFile inc(o.out), exc(analysisA);
        QCOMPARE(inc.iiDiagonal, std::string("include"));
        for (std::int64_t u = 0; u < inc.units; u += 37) {
            QVERIFY(std::fabs(inc.iiLpips[u] - exc.iiLpips[u] * 0.8f) < 1e-6f);
            QVERIFY(std::fabs(inc.iiColor[u] + exc.iiColor[u] * 0.8f) < 1e-3f);
            QVERIFY(std::fabs(inc.iiLabel[u] - (5 + 20 * exc.iiLabel[u]) / 25.0f) < 1e-6f);
        }
    }

    void badInput()
    {
        NullSink sink;
        CancelToken cancel;
        auto message = [&](AnalyzeOptions o) {
            try {
                AnalyzeJob(o).run(sink, cancel);
            } catch (const Error& e) {
                return std::string(e.what());
            }
            return std::string();
        };
        AnalyzeOptions o = baseOptions(ckptA, dir + "/bad.h5");
        o.layer = "layer9";
        std::string m = message(o);
        QVERIFY2(m.find("layer9") != std::string::npos && m.find("layer4") != std::string::npos
                && m.find("conv1") != std::string::npos,
            m.c_str());
        o = baseOptions(ckptA, dir + "/bad.h5");
        o.k = 500;
        m = message(o);
        QVERIFY2(m.find("k = 500") != std::string::npos && m.find("96") != std::string::npos, m.c_str());
        o = baseOptions(ckptA, dir + "/bad.h5");
        o.aggregation = "centre";
        m = message(o);
        QVERIFY2(m.find("center") != std::string::npos, m.c_str());
        o = baseOptions(ckptA, dir + "/bad.h5");
        o.lpipsWeights = dir + "/nowhere";
        QVERIFY(!message(o).empty());
        QVERIFY(!fileExists(dir + "/bad.h5"));

        // an analysis file from an older or other program names what is missing
        {
            H5File h(dir + "/old.h5", H5File::Mode::CreateAtomic);
            h.writeF32("/activations", {2, 3}, std::vector<float>(6, 0.f));
            h.setAttr("/", "model", std::string("resnet18_cifar10"));
            h.commit();
        }
        try {
            AnalysisFile old(dir + "/old.h5");
            QFAIL("no error for an incomplete analysis file");
        } catch (const Error& e) {
            const std::string w = e.what();
            QVERIFY2(w.find("/mei/indices") != std::string::npos && w.find("/ii/lpips") != std::string::npos
                    && w.find("lpips_weights") != std::string::npos,
                w.c_str());
        }
    }

    void cancelLeavesNoFile()
    {
        const std::string outDir = testutil::tempDir("ii-cancel");
        AnalyzeOptions o = baseOptions(ckptA, outDir + "/c.h5");
        CancelToken cancel;
        CancelOnActivations sink(cancel);
        QVERIFY_THROWS_EXCEPTION(Cancelled, AnalyzeJob(o).run(sink, cancel));
        QVERIFY(std::filesystem::is_empty(outDir));
    }

    void commandsAndCompare()
    {
        const std::string cli = REPALIGN_CLI;
        std::string out;
        const std::string b4 = dir + "/b4.h5", b3 = dir + "/b3.h5";
        int rc = testutil::run(cli + " analyze --checkpoint " + ckptB + " --data shapes:96:5 --lpips-weights random:0"
                + " --threads 2 --quiet --tuned-area V4 --out " + b4,
            &out);
        QVERIFY2(rc == 0, out.c_str());
        QVERIFY(out.find("UNCALIBRATED") != std::string::npos);
        rc = testutil::run(cli + " analyze --checkpoint " + ckptB + " --data shapes:96:5 --lpips-weights random:0"
                + " --threads 2 --quiet --layer layer3 --out " + b3,
            &out);
        QVERIFY2(rc == 0, out.c_str());
        rc = testutil::run(cli + " analyze --checkpoint " + ckptB + " --data shapes:96:5 --lpips-weights random:0 --layer fc9"
                + " --out " + dir + "/x.h5",
            &out);
        QCOMPARE(rc, 1);
        QVERIFY(out.find("error: ") != std::string::npos && out.find("layer4") != std::string::npos);

        rc = testutil::run(cli + " compare " + analysisA + " " + b4 + " --format markdown --labels Baseline,Neural-tuned", &out);
        QVERIFY2(rc == 0, out.c_str());
        QVERIFY2(out.find("| Model | Condition | Brain Area Tuned | Val Acc | II-LPIPS mean ± std |") != std::string::npos,
            out.c_str());
        QVERIFY(out.find("| ResNet-18 | Baseline | - |") != std::string::npos);
        QVERIFY(out.find("| ResNet-18 | Neural-tuned | V4 |") != std::string::npos);
        QVERIFY(out.find("Wilcoxon signed-rank W") != std::string::npos);
        QVERIFY(out.find("uncalibrated") != std::string::npos);

        // the same numbers as the library computes from the files
        const auto cmp = compareAnalyses({analysisA, b4}, "lpips", {"Baseline", "Neural-tuned"});
        const AnalysisFile fa(analysisA), fb(b4);
        std::vector<double> va(fa.iiLpips.begin(), fa.iiLpips.end()), vb(fb.iiLpips.begin(), fb.iiLpips.end());
        QCOMPARE(cmp.groups[0].mean, stats::mean(va));
        QCOMPARE(cmp.groups[1].std, stats::sampleStd(vb));
        QCOMPARE(cmp.pairs[0].welch.pValue, stats::welchT(va, vb).pValue);
        QCOMPARE(cmp.pairs[0].wilcoxon.pValue, stats::wilcoxonSignedRank(va, vb).pValue);
        QCOMPARE(cmp.anova.pValue, stats::oneWayAnova({va, vb}).pValue);
        QCOMPARE(cmp.groups[0].accuracy, fa.accuracy);

        // different layers: the paired test is skipped with the reason
        rc = testutil::run(cli + " compare " + analysisA + " " + b3 + " --metric color", &out);
        QVERIFY2(rc == 0, out.c_str());
        QVERIFY2(out.find("skipped: layers differ (layer4 vs layer3)") != std::string::npos, out.c_str());
        for (const char* fmt : {"csv", "latex", "table"}) {
            rc = testutil::run(cli + " compare " + analysisA + " " + b4 + " " + b3 + " --metric label --format " + fmt, &out);
            QVERIFY2(rc == 0, out.c_str());
            QVERIFY(out.find("ANOVA") != std::string::npos);
        }
        rc = testutil::run(cli + " compare " + analysisA + " " + dir + "/old.h5", &out);
        QCOMPARE(rc, 1);
        QVERIFY(out.find("missing") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestII)
#include "test_ii.moc"
