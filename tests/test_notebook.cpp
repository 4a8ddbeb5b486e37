// The reference notebook's tuned checkpoint ({student_state_dict (backbone + neural_predict),
// teacher_state_dict, optimizer, epoch, hist}), written by PyTorch
// (tests/data/pth/make_notebook_ckpt.py): eval/analyze take its backbone, predictivity and
// tune --resume-from its readout, pth ls shows its structure.
#include "common/error.h"
#include "data/loader.h"
#include "data/nsd_bundle.h"
#include "io/npy.h"
#include "models/nets.h"
#include "run/checkpoint.h"
#include "run/pth_checkpoint.h"
#include "testutil.h"
#include "train/predictivity.h"
#include "train/tuner.h"

#include <QtTest>

#include <cmath>

using namespace repalign;

namespace {

const std::string kDir = std::string(REPALIGN_TEST_DATA) + "/pth/notebook_tuned/";
const std::string kCkpt = kDir + "notebook_tuned.pt";

ImageDataset images()
{
    const NpyArray a = readNpy(kDir + "images.npy");
    ImageDataset ds;
    ds.count = a.shape[0];
    ds.height = static_cast<int>(a.shape[1]);
    ds.width = static_cast<int>(a.shape[2]);
    ds.pixels.assign(a.data.begin(), a.data.end());
    ds.labels.assign(static_cast<std::size_t>(ds.count), 0);
    ds.classes = {"x"};
    return ds;
}

/// A bundle of the fixture's images whose ROI responses are the readout PyTorch computed (plus
/// @p extraVoxels columns of noise): the first 4 images train, the rest val.
std::string writeReadoutBundle(const std::string& dir, int extraVoxels = 0)
{
    const ImageDataset ds = images();
    const NpyArray pred = readNpy(kDir + "readout.npy");
    const std::vector<float> p = pred.toFloats();
    const std::int64_t n = ds.count, v = pred.shape[1] + extraVoxels;
    NsdBundle b;
    b.count = n;
    b.height = ds.height;
    b.width = ds.width;
    b.stimuli = ds.pixels;
    b.source = "test";
    for (std::int64_t i = 0; i < n; ++i) {
        b.stimulusIds.push_back(i);
        b.split.push_back(static_cast<std::uint8_t>(i < 4 ? BundleSplit::Train : BundleSplit::Val));
    }
    RoiResponses roi;
    roi.name = "V4";
    roi.voxels = v;
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < v; ++j)
            roi.responses.push_back(j < pred.shape[1] ? p[static_cast<std::size_t>(i * pred.shape[1] + j)]
                                                      : static_cast<float>(std::sin(3.0 * i + j)));
    b.rois.push_back(roi);
    const std::string path = dir + "/readout" + std::to_string(extraVoxels) + ".h5";
    writeBundle(path, b);
    return path;
}

} // namespace

class TestNotebook : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void backboneAndReadoutApart()
    {
        const Checkpoint ck = loadCheckpoint(kCkpt);
        QCOMPARE(ck.stateDict.size(), std::size_t(122)); // resnet18_cifar10, no neural_predict.*
        QVERIFY(!ck.stateDict.count("neural_predict.weight"));
        QCOMPARE(ck.epoch, std::int64_t(10));
        const torch::Tensor w = ck.extraTensors.at(pth::kNotebookReadoutWeight);
        const torch::Tensor b = ck.extraTensors.at(pth::kNotebookReadoutBias);
        QCOMPARE(w.sizes().vec(), (std::vector<std::int64_t> {6, 2048}));
        QCOMPARE(b.sizes().vec(), (std::vector<std::int64_t> {6}));
    }

    void backboneLogitsMatchPyTorch()
    {
        const Checkpoint ck = loadCheckpoint(kCkpt);
        TapNet net = modelFromCheckpoint(ck, "resnet18_cifar10", kCkpt);
        net->eval();
        torch::NoGradGuard noGrad;
        const torch::Tensor x = transformAll(images(), referenceEvalTransform());
        const torch::Tensor logits = net->forward(x);
        const std::vector<float> want = readNpy(kDir + "logits.npy").toFloats();
        QCOMPARE(logits.numel(), std::int64_t(want.size()));
        const float* got = logits.contiguous().data_ptr<float>();
        for (std::size_t i = 0; i < want.size(); ++i)
            QVERIFY2(std::abs(got[i] - want[i]) <= 1e-4 * std::max(1.0f, std::abs(want[i])),
                qPrintable(QStringLiteral("logit %1: %2 vs PyTorch %3").arg(i).arg(got[i]).arg(want[i])));
    }

    void predictivityUsesTheReadout()
    {
        // The responses are the readout's own predictions, so its r is 1 on every voxel; a
        // ridge fit on 4 images could not do that.
        const std::string dir = testutil::tempDir("notebook");
        ProbeOptions o;
        o.checkpoint = kCkpt;
        o.model = "resnet18_cifar10";
        o.bundle = writeReadoutBundle(dir);
        o.threads = 2;
        NullSink sink;
        CancelToken cancel;
        const ProbeResult r = predictivityProbe(o, sink, cancel);
        QCOMPARE(r.rois.size(), std::size_t(1));
        QVERIFY(r.rois[0].fromCheckpoint);
        QCOMPARE(r.rois[0].valCount, std::int64_t(6));
        QCOMPARE(r.rois[0].val.r.size(), std::size_t(6));
        for (float rv : r.rois[0].val.r)
            QVERIFY2(rv > 0.99999f, qPrintable(QString::number(rv)));

        // The readout must fit the ROI: a bundle with 2 more voxels is refused, naming both counts.
        o.bundle = writeReadoutBundle(dir, 2);
        try {
            predictivityProbe(o, sink, cancel);
            QFAIL("a readout of 6 voxels was used on an ROI of 8");
        } catch (const Error& e) {
            const std::string m = e.what();
            QVERIFY2(m.find("predicts 6 voxels") != std::string::npos && m.find("has 8") != std::string::npos, e.what());
        }
        // --readout ridge fits one instead (4 train images are enough to run).
        o.readout = "ridge";
        o.folds = 2;
        const ProbeResult ridge = predictivityProbe(o, sink, cancel);
        QVERIFY(!ridge.rois[0].fromCheckpoint);
        // The readout's features: another layer is refused with the reason.
        o.readout = "checkpoint";
        o.bundle = writeReadoutBundle(dir);
        o.layer = "layer3";
        try {
            predictivityProbe(o, sink, cancel);
            QFAIL("a layer3 readout was accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("reads 2048 features") != std::string::npos, e.what());
        }
    }

    void tuneResumesFromIt()
    {
        // Student and readout from the notebook's file, teacher from its teacher_state_dict; the
        // backbone frozen and a vanishing rate, so after one step the readout is still the
        // notebook's: val r 1 on the bundle of its own predictions.
        const std::string dir = testutil::tempDir("notebook");
        const std::string bundle = writeReadoutBundle(dir);
        const std::string yaml = "base: {checkpoint: '" + kCkpt + "', model: resnet18_cifar10, key: teacher_state_dict}\n"
            + "bundle: '" + bundle + "'\nrois: [V4]\nresume_from: '" + kCkpt + "'\n"
            + "readout: {freeze_backbone: true}\nclassification_val: none\nsystem: {threads: 2, num_workers: 0}\n"
              "optimization: {epochs: 1, batch_size: 4, max_steps_per_epoch: 1, optimizer_params: {lr: 1.0e-12}}\n";
        TuneConfig cfg = parseTuneConfig(yaml, "t.yaml");
        QCOMPARE(cfg.resumeFrom, kCkpt);
        QCOMPARE(parseTuneConfig(tuneConfigToYaml(cfg), "t2.yaml").resumeFrom, kCkpt);
        NullSink sink;
        CancelToken cancel;
        const TuneResult r = TuneJob(cfg, dir + "/run", false).run(sink, cancel);
        QCOMPARE(r.status, JobStatus::Finished);
        QCOMPARE(r.last.size(), std::size_t(1));
        QVERIFY2(r.last[0].rMedian > 0.9999, qPrintable(QString::number(r.last[0].rMedian)));
        // Against an ROI of another size the readout is refused, naming both counts.
        cfg.bundle = writeReadoutBundle(dir, 2);
        try {
            TuneJob(cfg, dir + "/run2", false).run(sink, cancel);
            QFAIL("a readout of 6 voxels started an ROI of 8");
        } catch (const Error& e) {
            const std::string m = e.what();
            QVERIFY2(m.find("predicts 6 voxels") != std::string::npos && m.find("has 8") != std::string::npos, e.what());
        }
    }

    void cliShowsAndUsesIt()
    {
        if (!QFile::exists(QStringLiteral(REPALIGN_CLI)))
            QSKIP("repalign-cli not built");
        std::string out;
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " pth ls " + kCkpt, &out), 0);
        for (const char* key : {"student_state_dict", "neural_predict.weight", "teacher_state_dict", "optimizer", "exp_avg_sq",
                 "hist", "val_r", "epoch"})
            QVERIFY2(out.find(key) != std::string::npos, key);
        const std::string dir = testutil::tempDir("notebook");
        const std::string bundle = writeReadoutBundle(dir);
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " predictivity --checkpoint " + kCkpt
                         + " --model resnet18_cifar10 --bundle " + bundle + " --threads 2",
                     &out),
            0);
        QVERIFY2(out.find("the checkpoint's readout (neural_predict)") != std::string::npos
                && out.find("val r median 1.0000") != std::string::npos,
            out.c_str());
    }
};

QTEST_GUILESS_MAIN(TestNotebook)
#include "test_notebook.moc"
