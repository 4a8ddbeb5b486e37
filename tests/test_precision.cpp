// Mixed precision (common/precision.h, common/autocast.h): the one validation of the
// precision keys and options, and agreement of bf16 (CPU autocast) with fp32 for training and
// analysis. The bounds are stated here and in the README ("Precision"):
//   training:  val accuracy after the same steps within kTrainAccuracyBound (absolute)
//   analysis:  activations' relative error ||a_bf16 - a_fp32|| / ||a_fp32|| <= kActivationRelError,
//              top-k MEI overlap (shared images / all U*k) >= kMeiOverlapShare,
//              accuracy within kAnalysisAccuracyBound (absolute)
//   visualize: the objective of the stored images within kVisualizeRelError of fp32's (relative)
#include "common/allocator.h"
#include "common/autocast.h"
#include "common/error.h"
#include "common/precision.h"
#include "interpret/analysis.h"
#include "interpret/visualize.h"
#include "io/h5.h"
#include "models/nets.h"
#include "run/analyze_config.h"
#include "run/config.h"
#include "run/tune_config.h"
#include "testcheckpoint.h"
#include "testutil.h"
#include "train/trainer.h"

#include <ATen/autocast_mode.h>
#include <QtTest>

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

using namespace repalign;

namespace {

constexpr double kTrainAccuracyBound = 0.15;
constexpr double kActivationRelError = 0.25;
constexpr double kMeiOverlapShare = 0.6;
constexpr double kAnalysisAccuracyBound = 0.05;
constexpr double kVisualizeRelError = 0.3;

TrainConfig tinyConfig(const std::string& precision)
{
    std::ostringstream y;
    y << "system: {device: cpu, num_workers: 1, threads: 2}\n"
      << "dataset: shapes\n"
      << "data: {train: 'shapes:128:1', val: 'shapes:64:2'}\n"
      // 16 px: a quarter of the arithmetic (bf16 without native support is several times slower)
      << "train_transforms: {resize: 16, random_crop: {}, horizontal_flip: False,"
         " norm_mean: [0.4914, 0.4822, 0.4465], norm_std: [0.2470, 0.2435, 0.2616]}\n"
      << "val_transforms: {resize: 16, random_crop: {}, horizontal_flip: False,"
         " norm_mean: [0.4914, 0.4822, 0.4465], norm_std: [0.2470, 0.2435, 0.2616]}\n"
      << "model: resnet18_cifar10\n"
      << "optimization: {epochs: 1, batch_size: 16, max_steps_per_epoch: 4, optimizer: sgd, precision: " << precision
      << ", optimizer_params: {lr: 0.02, momentum: 0.9}, lr_scheduling: constant}\n"
      << "seed: 5\n";
    return parseTrainConfig(y.str(), "precision.yaml");
}

void expectError(const std::function<void()>& f, const std::string& needle)
{
    try {
        f();
    } catch (const Error& e) {
        const std::string m = e.what();
        QVERIFY2(m.find(needle) != std::string::npos, m.c_str());
        QVERIFY2(m.find('\n') == std::string::npos, m.c_str());
        return;
    }
    QFAIL(("no error (expected one containing '" + needle + "')").c_str());
}

} // namespace

class TestPrecision : public QObject {
    Q_OBJECT
    std::string m_dir;
    std::string m_trained; ///< the fp32-trained checkpoint

private Q_SLOTS:
    void initTestCase() { m_dir = testutil::tempDir("precision"); }

    /// configureAllocator: a large tensor comes from the heap (no mmap to fault in and unmap
    /// per batch) and its memory stays in the process after it is freed.
    void tensorMemoryStaysInTheHeap()
    {
        const std::string state = configureAllocator();
        if (state.rfind("glibc malloc: one arena", 0) != 0)
            QSKIP(("the tuned heap is not in force here (" + state + "): an environment malloc setting wins").c_str());
        QCOMPARE(configureAllocator(), state); // idempotent
        constexpr std::size_t kBytes = std::size_t(256) << 20;
        const struct mallinfo2 before = mallinfo2();
        {
            torch::Tensor big = torch::ones({static_cast<std::int64_t>(kBytes / sizeof(float))});
            const struct mallinfo2 during = mallinfo2();
            QCOMPARE(during.hblkhd, before.hblkhd); // not an mmap'ed chunk
            QVERIFY(during.uordblks >= before.uordblks + kBytes);
            QCOMPARE(big.sum().item<double>(), static_cast<double>(kBytes / sizeof(float)));
        }
        const struct mallinfo2 after = mallinfo2();
        QVERIFY2(after.arena >= kBytes, "the freed tensor's memory was handed back to the kernel");
        QVERIFY(after.uordblks < before.uordblks + kBytes);
    }

    void validationIsOneLine()
    {
        QCOMPARE(precisionNames(), (std::vector<std::string> {"fp32", "bf16", "fp16"}));
        requirePrecisionName("bf16", "x");
        checkPrecision("bf16", "cpu", "x");
        checkPrecision("fp32", "cpu", "x");
        checkPrecision("fp16", "cuda:0", "x"); // the name is valid; resolveDevice checks CUDA itself
        expectError([] { requirePrecisionName("half", "analyze: --precision"); },
            "analyze: --precision = 'half' is not valid (valid: fp32, bf16, fp16; fp16 needs a CUDA device)");
        expectError([] { checkPrecision("fp16", "cpu", "k"); }, "k = 'fp16' needs a CUDA device");
        // the config keys of train, tune and analyze go through it
        expectError([] { parseAnalyzeConfig("checkpoint: c.pt\ndata: shapes:8\nprecision: fp16\n", "a.yaml"); },
            "a.yaml: key 'precision' = 'fp16' needs a CUDA device");
        expectError([] { parseAnalyzeConfig("checkpoint: c.pt\ndata: shapes:8\nprecision: fp64\n", "a.yaml"); },
            "valid: fp32, bf16, fp16");
        const AnalyzeOptions a = parseAnalyzeConfig("checkpoint: c.pt\ndata: shapes:8\nprecision: bf16\n", "a.yaml");
        QCOMPARE(a.precision, std::string("bf16"));
        QCOMPARE(parseAnalyzeConfig(analyzeConfigToYaml(a), "back.yaml").precision, std::string("bf16"));
        QCOMPARE(parseAnalyzeConfig("checkpoint: c.pt\ndata: shapes:8\n", "a.yaml").precision, std::string("fp32"));
        const TuneConfig t
            = parseTuneConfig("base: {checkpoint: b.pt}\nbundle: x.h5\noptimization: {precision: bf16}\n", "t.yaml");
        QCOMPARE(t.precision, std::string("bf16"));
        QCOMPARE(parseTuneConfig(tuneConfigToYaml(t), "back.yaml").precision, std::string("bf16"));
        QCOMPARE(parseTuneConfig("base: {checkpoint: b.pt}\nbundle: x.h5\n", "t.yaml").precision, std::string("fp32"));
        expectError([] { parseTuneConfig("base: {checkpoint: b.pt}\nbundle: x.h5\noptimization: {precision: x}\n", "t.yaml"); },
            "optimization.precision");
        QCOMPARE(tinyConfig("bf16").precision, std::string("bf16"));
        QVERIFY(!cpuBf16Description().empty());
    }

    void autocastScopeComputesInBf16AndRestores()
    {
        const torch::Tensor a = torch::randn({8, 16}), b = torch::randn({16, 4});
        QVERIFY(!at::autocast::is_cpu_enabled());
        {
            AutocastScope scope("bf16", torch::Device(torch::kCPU));
            QVERIFY(scope.active());
            QCOMPARE(torch::mm(a, b).scalar_type(), torch::kBFloat16);
        }
        QVERIFY(!at::autocast::is_cpu_enabled());
        QCOMPARE(torch::mm(a, b).scalar_type(), torch::kFloat32);
        {
            AutocastScope scope("fp32", torch::Device(torch::kCPU));
            QVERIFY(!scope.active());
            QCOMPARE(torch::mm(a, b).scalar_type(), torch::kFloat32);
        }
        QVERIFY_THROWS_EXCEPTION(Error, AutocastScope("fp16", torch::Device(torch::kCPU)));
    }

    void trainingAgrees()
    {
        CancelToken c;
        NullSink none;
        const TrainResult f = TrainJob(tinyConfig("fp32"), m_dir + "/fp32").run(none, c);
        const TrainResult b = TrainJob(tinyConfig("bf16"), m_dir + "/bf16").run(none, c);
        QCOMPARE(f.status, JobStatus::Finished);
        QCOMPARE(b.status, JobStatus::Finished);
        qInfo("val accuracy fp32 %.4f bf16 %.4f; val loss fp32 %.4f bf16 %.4f", f.lastValAcc, b.lastValAcc, f.lastValLoss,
            b.lastValLoss);
        QVERIFY(std::isfinite(b.lastValLoss));
        QVERIFY2(std::fabs(f.lastValAcc - b.lastValAcc) <= kTrainAccuracyBound,
            (std::to_string(f.lastValAcc) + " vs " + std::to_string(b.lastValAcc)).c_str());
        const Checkpoint cb = loadCheckpoint(m_dir + "/bf16/checkpoints/last.pt");
        QCOMPARE(cb.stateDict.begin()->second.scalar_type(), torch::kFloat32); // master weights stay fp32
        m_trained = m_dir + "/fp32/checkpoints/last.pt";
        QVERIFY(loadTrainConfig(m_dir + "/bf16/run.yaml").precision == "bf16");
    }

    void analysisAgrees()
    {
        if (m_trained.empty())
            QSKIP("trainingAgrees did not run");
        auto analyse = [&](const std::string& precision) {
            AnalyzeOptions o;
            o.checkpoint = m_trained;
            o.data = "shapes:64:7";
            o.lpipsWeights = "random:0";
            o.threads = 2;
            o.batchSize = 32;
            o.precision = precision;
            o.out = m_dir + "/a_" + precision + ".h5";
            CancelToken c;
            NullSink none;
            AnalyzeJob(o).run(none, c);
            return AnalysisFile(o.out);
        };
        const AnalysisFile f = analyse("fp32"), b = analyse("bf16");
        QCOMPARE(H5File(b.path, H5File::Mode::Read).attrString("/", "precision"), std::string("bf16"));
        const std::vector<float> af = H5File(f.path, H5File::Mode::Read).readF32("/activations");
        const std::vector<float> ab = H5File(b.path, H5File::Mode::Read).readF32("/activations");
        QCOMPARE(af.size(), ab.size());
        double num = 0, den = 0;
        for (std::size_t i = 0; i < af.size(); ++i) {
            num += (static_cast<double>(ab[i]) - af[i]) * (static_cast<double>(ab[i]) - af[i]);
            den += static_cast<double>(af[i]) * af[i];
        }
        const double rel = std::sqrt(num / den);
        std::int64_t shared = 0;
        for (std::int64_t u = 0; u < f.units; ++u) {
            const std::set<std::int64_t> sf(f.meiIndices.begin() + u * f.k, f.meiIndices.begin() + (u + 1) * f.k);
            for (int j = 0; j < b.k; ++j)
                shared += sf.count(b.meiIndices[static_cast<std::size_t>(u * b.k + j)]);
        }
        const double overlap = static_cast<double>(shared) / static_cast<double>(f.units * f.k);
        qInfo("bf16 vs fp32: activations relative error %.4f, MEI overlap %.3f, accuracy %.4f vs %.4f", rel, overlap, b.accuracy,
            f.accuracy);
        QVERIFY2(rel > 0, "bf16 gave the fp32 numbers exactly: autocast was not on");
        QVERIFY2(rel <= kActivationRelError, std::to_string(rel).c_str());
        QVERIFY2(overlap >= kMeiOverlapShare, std::to_string(overlap).c_str());
        QVERIFY2(std::fabs(b.accuracy - f.accuracy) <= kAnalysisAccuracyBound,
            (std::to_string(f.accuracy) + " vs " + std::to_string(b.accuracy)).c_str());
    }

    void visualizeAgrees()
    {
        const std::string ck = testutil::saveRandomInitCheckpoint(m_dir + "/vis.pt", "resnet18_cifar10", 3);
        auto run = [&](const std::string& precision) {
            VisualizeOptions o;
            o.checkpoint = ck;
            o.units = {0, 1};
            o.steps = 2;
            o.traceEvery = 0;
            o.threads = 2;
            o.precision = precision;
            CancelToken c;
            NullSink none;
            return VisualizeJob(o).run(none, c);
        };
        const VisualizeResult f = run("fp32"), b = run("bf16");
        double num = 0, den = 0;
        for (std::size_t i = 0; i < f.activations.size(); ++i) {
            num += std::fabs(static_cast<double>(b.activations[i]) - f.activations[i]);
            den += std::fabs(static_cast<double>(f.activations[i]));
        }
        qInfo("visualize bf16 vs fp32: objective relative difference %.4f", num / den);
        QVERIFY2(num / den <= kVisualizeRelError, std::to_string(num / den).c_str());
        expectError(
            [&] {
                VisualizeOptions o;
                o.checkpoint = ck;
                o.units = {0};
                o.precision = "fp16";
                CancelToken c;
                NullSink none;
                VisualizeJob(o).run(none, c);
            },
            "needs a CUDA device");
    }
};

QTEST_GUILESS_MAIN(TestPrecision)
#include "test_precision.moc"
