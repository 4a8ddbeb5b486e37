// 224-px models everywhere: predictivity, tune and visualize show 32-px images to a model of
// another input size (alexnet, resnet50: 224) at that size, as eval and analyze do
// (pth::fitModelInputSize), and visualize's differentiable resize is Pillow's bilinear Resize
// that eval and analyze apply (data/pil_resize.h) up to 8-bit rounding. alexnet is the test
// model: at 32 px its last max-pool has no input left, so a missing resize is a shape error.
#include "common/error.h"
#include "common/rng.h"
#include "data/nsd_bundle.h"
#include "data/pil_resize.h"
#include "data/virtual_cortex.h"
#include "interpret/model_input.h"
#include "interpret/visualize.h"
#include "io/h5.h"
#include "models/nets.h"
#include "run/checkpoint.h"
#include "run/config.h"
#include "run/pth_checkpoint.h"
#include "run/tune_config.h"
#include "testcheckpoint.h"
#include "testutil.h"
#include "train/predictivity.h"
#include "train/tuner.h"

#include <QtTest>

#include <cmath>

using namespace repalign;

namespace {

/// Keeps the log lines.
class LogSink : public ProgressSink {
public:
    void log(LogLevel, const std::string& message) override { lines.push_back(message); }
    bool has(const std::string& needle) const
    {
        for (const auto& l : lines)
            if (l.find(needle) != std::string::npos)
                return true;
        return false;
    }
    std::vector<std::string> lines;
};

} // namespace

class TestInputSize : public QObject {
    Q_OBJECT
    std::string m_dir, m_alexnet, m_bundle;

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = testutil::tempDir("inputsize");
        m_alexnet = testutil::saveRandomInitCheckpoint(m_dir + "/alexnet.pt", "alexnet", 2);
        SynthOptions o;
        o.data = "shapes:50:3";
        o.rois = {"V4"};
        o.voxels = 8;
        o.valFraction = 0.2;
        m_bundle = m_dir + "/vc.h5";
        NullSink sink;
        CancelToken cancel;
        synthesizeBundleFile(o, m_bundle, sink, cancel);
        QCOMPARE(readBundle(m_bundle).height, 32);
    }

    void alexnetNeedsItsInputSize()
    {
        // the premise of the tests below: 32-px images do not pass through alexnet
        torch::NoGradGuard noGrad;
        TapNet m = createModel("alexnet");
        m->eval();
        bool failed = false;
        try {
            m->forward(torch::zeros({1, 3, 32, 32}));
        } catch (const std::exception&) {
            failed = true;
        }
        QVERIFY(failed);
        QCOMPARE(m->forward(torch::zeros({1, 3, 224, 224})).size(1), std::int64_t(10));
    }

    void fitModelInputSizeIsTheEvalRule()
    {
        TransformConfig t;
        QCOMPARE(pth::fitModelInputSize("resnet18_cifar10", 32, t), std::string());
        QCOMPARE(t.resize, -1);
        QVERIFY(pth::fitModelInputSize("alexnet", 32, t).find("resized from 32 to 224") != std::string::npos);
        QCOMPARE(t.resize, 224);
        TransformConfig given;
        given.resize = 100; // an explicit resize is the user's
        QCOMPARE(pth::fitModelInputSize("alexnet", 32, given), std::string());
        QCOMPARE(given.resize, 100);
    }

    void visualizeResizeIsPillowBilinear()
    {
        // a random 32-px image, upsampled to 224 by Pillow's rule (what eval/analyze do to the
        // dataset images) and by the differentiable resize visualize shows its images with
        Rng rng(7);
        std::vector<std::uint8_t> img(32 * 32 * 3);
        for (auto& v : img)
            v = static_cast<std::uint8_t>(rng.below(256));
        const std::vector<std::uint8_t> pil = pilResizeBilinear(img.data(), 32, 32, 224, 224);
        const torch::Tensor x
            = torch::from_blob(img.data(), {1, 32, 32, 3}, torch::kUInt8).permute({0, 3, 1, 2}).to(torch::kFloat32) / 255.0;
        const torch::Tensor r = resizeToModelInput(x, 224);
        QCOMPARE(r.size(2), std::int64_t(224));
        const torch::Tensor ours = (r * 255.0).round().clamp(0, 255).permute({0, 2, 3, 1}).contiguous().to(torch::kUInt8);
        const torch::Tensor theirs = torch::from_blob(const_cast<std::uint8_t*>(pil.data()), {1, 224, 224, 3}, torch::kUInt8);
        const int maxDiff = (ours.to(torch::kInt32) - theirs.to(torch::kInt32)).abs().max().item<int>();
        qInfo("resizeToModelInput vs Pillow bilinear 32 -> 224: max difference %d of 255", maxDiff);
        QVERIFY2(maxDiff <= 1, std::to_string(maxDiff).c_str());
        QVERIFY(resizeToModelInput(x, 32).is_same(x));
        QVERIFY(resizeToModelInput(x, 0).is_same(x));
    }

    void predictivityRunsAt224()
    {
        ProbeOptions po;
        po.checkpoint = m_alexnet;
        po.bundle = m_bundle;
        po.layer = "features.12";
        po.pooling = "mean";
        po.threads = 2;
        po.batchSize = 20;
        LogSink sink;
        CancelToken cancel;
        const ProbeResult r = predictivityProbe(po, sink, cancel);
        QCOMPARE(r.features, std::int64_t(256));
        QVERIFY(sink.has("resized from 32 to 224 px, the input size of alexnet"));
        QVERIFY(std::isfinite(r.rois.at(0).val.rMedian));
        po.imageSize = 16; // an explicit size is used as given: alexnet cannot take it
        QVERIFY_THROWS_EXCEPTION(std::exception, predictivityProbe(po, sink, cancel));
    }

    void tuneRunsAt224()
    {
        const std::string yaml = "base:\n  checkpoint: " + m_alexnet + "\nbundle: " + m_bundle
            + "\nrois: [V4]\ntap: features.12\nreadout: {pooling: mean}\nclassification_val: none\n"
              "system: {num_workers: 1, threads: 2}\n"
              "optimization: {epochs: 1, batch_size: 4, max_steps_per_epoch: 1}\n";
        const TuneConfig cfg = parseTuneConfig(yaml, "t.yaml");
        QCOMPARE(cfg.trainTransforms.resize, 32); // the reference's block, for its 32-px models
        LogSink sink;
        CancelToken cancel;
        const std::string run = m_dir + "/tune";
        const TuneResult r = TuneJob(cfg, run).run(sink, cancel);
        QCOMPARE(r.status, JobStatus::Finished);
        QVERIFY(sink.has("train_transforms: resize 32 gives 32-px images"));
        const TuneConfig saved = parseTuneConfig(loadCheckpoint(run + "/checkpoints/last.pt").config, "last.pt");
        QCOMPARE(saved.trainTransforms.resize, 224);
        QCOMPARE(saved.trainTransforms.cropSize, 224);
        QCOMPARE(saved.trainTransforms.padding, 28); // 4 px at 32 scales with the image
        QCOMPARE(saved.valTransforms.resize, 224);
    }

    void visualizeRunsAt224()
    {
        VisualizeOptions o;
        o.checkpoint = m_alexnet;
        o.layer = "features.10";
        o.units = {0, 1};
        o.steps = 1;
        o.traceEvery = 0;
        o.threads = 2;
        o.out = m_dir + "/synth.h5";
        NullSink sink;
        CancelToken cancel;
        const VisualizeResult r = VisualizeJob(o).run(sink, cancel);
        QCOMPARE(r.size, 32);
        QCOMPARE(r.images.size(), std::size_t(2 * 32 * 32 * 3));
        for (float a : r.activations)
            QVERIFY(std::isfinite(a));
        // recorded: the model saw the images at 224 px
        QCOMPARE(H5File(o.out, H5File::Mode::Read).attrDouble("/synth", "model_input_size"), 224.0);
    }
};

QTEST_GUILESS_MAIN(TestInputSize)
#include "test_input_size.moc"
