// Neural tuning: the config's reference defaults, the LwF loss against the formula, the ridge
// probe on synthetic linear data, and a short tuning run on the virtual cortex that raises V4
// predictivity above the frozen-feature start.
#include "common/error.h"
#include "common/rng.h"
#include "data/nsd_bundle.h"
#include "data/virtual_cortex.h"
#include "io/h5.h"
#include "models/nets.h"
#include "run/checkpoint.h"
#include "run/rundir.h"
#include "run/tune_config.h"
#include "testcheckpoint.h"
#include "testutil.h"
#include "train/predictivity.h"
#include "train/tuner.h"

#include <QtTest>

#include <cmath>
#include <filesystem>

using namespace repalign;

namespace {

void expectError(const std::function<void()>& f, const std::string& needle)
{
    try {
        f();
    } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
        return;
    }
    QFAIL(("no error; expected one mentioning " + needle).c_str());
}

double gaussian(Rng& rng)
{
    const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

/// A random-init ResNet-18 saved as an ordinary checkpoint (the tuning base in these tests).
std::string baseCheckpoint(const std::string& dir)
{
    return testutil::saveRandomInitCheckpoint(dir + "/base.pt");
}

std::string tuneYaml(const std::string& base, const std::string& bundle, const std::string& extra,
    const std::string& rois = "[V4]", const std::string& cls = "\"shapes:32:5\"")
{
    return "base:\n  checkpoint: " + base + "\nbundle: " + bundle + "\nrois: " + rois + "\nclassification_val: " + cls
        + "\nsystem:\n  num_workers: 1\n" + extra;
}

} // namespace

class TestTune : public QObject {
    Q_OBJECT
    std::string m_dir, m_base, m_bundle;

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = testutil::tempDir("tune");
        m_base = baseCheckpoint(m_dir);
        SynthOptions o;
        o.data = "shapes:200:11";
        o.rois = {"V4"};
        o.voxels = 24;
        o.noiseSd = 0.5;
        o.valFraction = 0.2;
        m_bundle = m_dir + "/vc.h5";
        NullSink sink;
        CancelToken cancel;
        synthesizeBundleFile(o, m_bundle, sink, cancel);
    }

    void configDefaultsAreTheReferenceRecipe()
    {
        const TuneConfig c = parseTuneConfig("base: {checkpoint: b.pt}\nbundle: x.h5\n", "t.yaml", {}, "/data");
        QCOMPARE(c.baseCheckpoint, std::string("/data/b.pt"));
        QCOMPARE(c.bundle, std::string("/data/x.h5"));
        QCOMPARE(c.rois, (std::vector<std::string> {"V4"}));
        QCOMPARE(c.tap, std::string("layer4"));
        QCOMPARE(c.pooling, std::string("flatten"));
        QCOMPARE(c.activation, std::string("none"));
        QVERIFY(!c.freezeBackbone);
        QCOMPARE(c.alpha, 1.0);
        QCOMPARE(c.optimizer.type, std::string("adam"));
        // The notebook's Adam has no lr: torch's 1e-3 for the first step, then the constant
        // schedule's lr_init 1e-4 (first_step_lr: reference).
        QCOMPARE(c.optimizer.lr, 1e-3);
        QCOMPARE(c.schedule.lrInit, 1e-4);
        QCOMPARE(c.schedule.firstStepLr, std::string("reference"));
        QCOMPARE(c.optimizer.weightDecay, 0.01);
        QCOMPARE(c.optimizer.beta1, 0.9);
        QCOMPARE(c.optimizer.beta2, 0.999);
        QCOMPARE(c.schedule.type, std::string("constant"));
        QCOMPARE(c.epochs, 10);
        QCOMPARE(c.batchSize, 128);
        QCOMPARE(c.trainTransforms.resize, 32);
        QCOMPARE(c.trainTransforms.cropSize, 32);
        QCOMPARE(c.trainTransforms.padding, 4);
        QVERIFY(c.trainTransforms.horizontalFlip);
        QCOMPARE(c.trainTransforms.mean[0], 0.4914);
        QCOMPARE(c.trainTransforms.std[2], 0.2616);
        QCOMPARE(c.valTransforms.resize, 32);
        QCOMPARE(c.valTransforms.cropSize, 0);
        QVERIFY(!c.valTransforms.horizontalFlip);
        // Round trip through YAML.
        const TuneConfig d = parseTuneConfig(tuneConfigToYaml(c), "rt.yaml");
        QCOMPARE(tuneConfigToYaml(d), tuneConfigToYaml(c));
        // Strictness: one line naming the key and the valid choices.
        expectError([] { parseTuneConfig("base: {checkpoint: b}\nbundle: x\nreadout: {pooling: max}\n", "t.yaml"); },
            "valid: flatten, mean");
        expectError([] { parseTuneConfig("base: {checkpoint: b}\nbundle: x\nalhpa: 1\n", "t.yaml"); }, "unknown key 'alhpa'");
        expectError([] { parseTuneConfig("bundle: x\n", "t.yaml"); }, "base.checkpoint");
        expectError([] { parseTuneConfig("base: {checkpoint: b}\nbundle: x\nalpha: -1\n", "t.yaml"); }, "alpha");
    }

    void lossEqualsFormula()
    {
        // B=2 images, V=3 voxels, C=3 classes; alpha 0.7.
        const std::vector<float> s {1.0f, -0.5f, 2.0f, 0.3f, 0.1f, -1.2f}, t {0.5f, 0.5f, 1.0f, -0.2f, 0.4f, 0.0f};
        const std::vector<float> p {0.1f, 0.2f, -0.3f, 1.0f, 0.0f, 0.5f}, y {0.0f, 0.4f, -0.1f, 0.7f, -0.2f, 0.5f};
        double mse = 0;
        for (int i = 0; i < 6; ++i)
            mse += (double(p[i]) - y[i]) * (double(p[i]) - y[i]) / 6.0;
        double kd = 0;
        for (int b = 0; b < 2; ++b) {
            double zs = 0, zt = 0;
            for (int c = 0; c < 3; ++c) {
                zs += std::exp(double(s[b * 3 + c]));
                zt += std::exp(double(t[b * 3 + c]));
            }
            for (int c = 0; c < 3; ++c) {
                const double ls = s[b * 3 + c] - std::log(zs), lt = t[b * 3 + c] - std::log(zt);
                kd += std::exp(lt) * (lt - ls) / 2.0; // batchmean: sum / B
            }
        }
        const LwfLoss l = lwfLoss(p, y, s, t, 2, 3, 0.7);
        QVERIFY(std::fabs(l.pred - mse) < 1e-6);
        QVERIFY(std::fabs(l.kd - kd) < 1e-6);
        QVERIFY(std::fabs(l.total - (mse + 0.7 * kd)) < 1e-6);
        // PyTorch's F.mse_loss + F.kl_div(log_softmax(s), log_softmax(t), log_target=True,
        // reduction='batchmean') on the same batch (computed with torch 1.13 in Python).
        QVERIFY(std::fabs(l.pred - 0.03666666895151138) < 1e-6);
        QVERIFY(std::fabs(l.kd - 0.22654487192630768) < 1e-6);
        QVERIFY(std::fabs(l.total - 0.1952480673789978) < 1e-6);
    }
    void kdIsZeroWhenStudentEqualsTeacher()
    {
        const std::vector<float> logits {3.0f, -1.0f, 0.25f, 8.0f, 2.0f, -4.0f, 0.0f, 0.0f};
        const LwfLoss l = lwfLoss({1, 2}, {1, 2}, logits, logits, 2, 4, 1.0);
        QCOMPARE(l.kd, 0.0);
        QCOMPARE(l.pred, 0.0);
        QCOMPARE(l.total, 0.0);
    }

    void ridgeRecoversLinearTruth()
    {
        const std::int64_t n = 2000, d = 20, v = 6;
        Rng rng(42);
        std::vector<float> x(n * d), w(d * v), y(n * v), signal(n * v);
        for (auto& e : x)
            e = static_cast<float>(gaussian(rng));
        for (auto& e : w)
            e = static_cast<float>(gaussian(rng) * 0.3);
        // Voxel j gets noise sd s_j, so its true r is sqrt(var(signal) / (var(signal) + s_j^2)).
        std::vector<double> noiseSd {0.1, 0.5, 1.0, 1.5, 2.0, 2.5};
        for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t j = 0; j < v; ++j) {
                double s = 0;
                for (std::int64_t k = 0; k < d; ++k)
                    s += x[i * d + k] * w[k * v + j];
                signal[i * v + j] = static_cast<float>(s);
                y[i * v + j] = static_cast<float>(s + 2.0 + noiseSd[j] * gaussian(rng));
            }
        const std::int64_t ntr = 1500, nte = n - ntr;
        const std::vector<float> xtr(x.begin(), x.begin() + ntr * d), xte(x.begin() + ntr * d, x.end());
        const std::vector<float> ytr(y.begin(), y.begin() + ntr * v), yte(y.begin() + ntr * v, y.end());
        const RidgeFit fit = ridgeFitCV(xtr, ntr, d, ytr, v, defaultRidgeAlphas(), 5, 0);
        QVERIFY2(fit.alpha <= 100, std::to_string(fit.alpha).c_str()); // little shrinkage needed at n >> d
        QCOMPARE(fit.cvScores.size(), defaultRidgeAlphas().size());
        const auto pred = fit.predict(xte, nte);
        const auto r = pearsonPerVoxel(pred.data(), yte.data(), nte, v);
        for (std::int64_t j = 0; j < v; ++j) {
            double vs = 0;
            for (std::int64_t k = 0; k < d; ++k)
                vs += double(w[k * v + j]) * w[k * v + j]; // var(x w) with unit-variance x
            const double truth = std::sqrt(vs / (vs + noiseSd[j] * noiseSd[j]));
            QVERIFY2(std::fabs(r[j] - truth) < 0.08,
                (std::to_string(j) + ": r " + std::to_string(r[j]) + " truth " + std::to_string(truth)).c_str());
        }
        // The intercept and weights are recovered.
        QVERIFY(std::fabs(fit.bias[0] - 2.0) < 0.1);
        QVERIFY(std::fabs(fit.weights[0] - w[0]) < 0.05);
        // Noise ceiling normalisation: r^2 / ceiling, negative r counted as 0.
        const std::vector<float> ceiling(v, 0.5f);
        const PredictivityStats st = predictivityStats(pred.data(), yte.data(), nte, v, ceiling.data());
        QVERIFY(st.hasCeiling);
        QVERIFY(std::fabs(st.normalized[0] - r[0] * r[0] / 0.5) < 1e-5);
        const std::vector<float> a {1, 2, 3, 4}, b {4, 3, 2, 1};
        const PredictivityStats neg = predictivityStats(a.data(), b.data(), 4, 1, ceiling.data());
        QVERIFY(std::fabs(neg.r[0] + 1.0f) < 1e-6);
        QCOMPARE(neg.normalized[0], 0.0f);
    }

    void ridgeWithMoreFeaturesThanImages()
    {
        // The probe's usual shape (8192 features, ~1000 images) goes through the n x n Gram
        // matrix; it must give the primal ridge solution (X^T X + a I)^-1 X^T y of centred data.
        const std::int64_t n = 40, d = 90, v = 3;
        torch::manual_seed(7);
        const torch::Tensor x = torch::randn({n, d}, torch::kFloat32), y = torch::randn({n, v}, torch::kFloat32);
        const std::vector<float> xv(x.data_ptr<float>(), x.data_ptr<float>() + n * d);
        const std::vector<float> yv(y.data_ptr<float>(), y.data_ptr<float>() + n * v);
        for (double alpha : {0.1, 10.0}) {
            const RidgeFit fit = ridgeFitCV(xv, n, d, yv, v, {alpha}, 5, 0);
            QCOMPARE(fit.alpha, alpha);
            const torch::Tensor xd = x.to(torch::kFloat64), yd = y.to(torch::kFloat64);
            const torch::Tensor xc = xd - xd.mean(0, true), yc = yd - yd.mean(0, true);
            const torch::Tensor want = torch::linalg_solve(
                torch::matmul(xc.t(), xc) + alpha * torch::eye(d, torch::kFloat64), torch::matmul(xc.t(), yc));
            const torch::Tensor got
                = torch::from_blob(const_cast<float*>(fit.weights.data()), {d, v}, torch::kFloat32).to(torch::kFloat64);
            const double err = (got - want).abs().max().item<double>() / want.abs().max().item<double>();
            QVERIFY2(err < 1e-5, std::to_string(err).c_str());
        }
    }

    void tuningRaisesV4Predictivity()
    {
        const std::string run = m_dir + "/run";
        const std::string cfgPath = m_dir + "/tune.yaml";
        testutil::writeText(cfgPath,
            tuneYaml(m_base, m_bundle, "optimization:\n  epochs: 2\n  batch_size: 32\n  optimizer_params: {lr: 0.001}\n"));
        const TuneConfig cfg = loadTuneConfig(cfgPath);
        NullSink sink;
        CancelToken cancel;

        ProbeOptions po;
        po.checkpoint = m_base;
        po.bundle = m_bundle;
        po.rois = {"V4"};
        QElapsedTimer timer;
        timer.start();
        const ProbeResult before = predictivityProbe(po, sink, cancel);
        qInfo("probe %lld ms", static_cast<long long>(timer.restart()));
        QCOMPARE(before.features, std::int64_t(2048));

        TuneJob job(cfg, run);
        const TuneResult r = job.run(sink, cancel);
        qInfo("tune %lld ms", static_cast<long long>(timer.restart()));
        QCOMPARE(r.status, JobStatus::Finished);
        QCOMPARE(r.epochsDone, 2);
        QVERIFY(r.lastValAcc >= 0);
        QCOMPARE(r.last.size(), std::size_t(1));

        po.checkpoint = run + "/checkpoints/last.pt";
        const ProbeResult after = predictivityProbe(po, sink, cancel);
        const double r0 = before.rois[0].val.rMedian, r1 = after.rois[0].val.rMedian;
        qInfo("V4 ridge r median: frozen base %.4f (alpha %g), tuned %.4f (alpha %g); tuned readout r %.4f", r0,
            before.rois[0].fit.alpha, r1, after.rois[0].fit.alpha, r.last[0].rMedian);
        // Two short epochs: the gain is 0.006 with OpenBLAS and 0.026 with the reference BLAS (their
        // summation orders send training down different paths); either is a clear rise.
        QVERIFY2(r1 > r0 + 0.003, (std::to_string(r0) + " -> " + std::to_string(r1)).c_str());

        // The tuned checkpoint is an ordinary classifier checkpoint plus the readout.
        const Checkpoint ck = loadCheckpoint(run + "/checkpoints/last.pt");
        QCOMPARE(ck.model, std::string("resnet18_cifar10"));
        QVERIFY(ck.extraTensors.count("readout.V4.weight"));
        QCOMPARE(ck.extraTensors.at("readout.V4.weight").sizes().vec(), (std::vector<std::int64_t> {24, 2048}));
        QCOMPARE(ck.extraTensors.at("readout.V4.bias").numel(), std::int64_t(24));
        TapNet m = modelFromCheckpoint(ck, "", "last.pt");
        QVERIFY(m != nullptr);

        // Run directory: per-epoch metrics, best-epoch per-voxel r, status.
        MetricsReader reader(run + "/metrics.csv");
        int rMedianRows = 0, accRows = 0, kdRows = 0;
        for (const auto& row : reader.poll()) {
            rMedianRows += row.split == "val" && row.name == "V4.r_median";
            accRows += row.split == "val" && row.name == "acc";
            kdRows += row.split == "val" && row.name == "kd_loss";
        }
        QCOMPARE(rMedianRows, 2);
        QCOMPARE(accRows, 2);
        QCOMPARE(kdRows, 2);
        QCOMPARE(readRunStatus(run).state, RunState::Finished);
        H5File pf(run + "/predictivity.h5", H5File::Mode::Read);
        QCOMPARE(pf.dims("/r/V4"), (std::vector<std::uint64_t> {24}));
        QVERIFY(pf.exists("/normalized/V4"));
        QCOMPARE(static_cast<int>(pf.attrDouble("/", "epoch")), r.bestEpoch);

        // The same directory again is refused; --resume of a finished run does no more steps.
        expectError([&] { TuneJob(cfg, run).run(sink, cancel); }, "already holds a run");
        const TuneResult again = TuneJob(cfg, run, true).run(sink, cancel);
        QCOMPARE(again.steps, r.steps);
    }

    void optionsAndFrozenBackbone()
    {
        // Spatial-mean readout, ELU+1 output, frozen backbone, no distillation.
        const std::string run = m_dir + "/frozen";
        const TuneConfig cfg = parseTuneConfig(tuneYaml(m_base, m_bundle,
                                                   "readout: {pooling: mean, activation: elu1, freeze_backbone: true}\nalpha: 0\n"
                                                   "optimization: {epochs: 1, batch_size: 64, max_steps_per_epoch: 2}\n",
                                                   "[V4]", "none"),
            "frozen.yaml");
        NullSink sink;
        CancelToken cancel;
        const TuneResult r = TuneJob(cfg, run).run(sink, cancel);
        QCOMPARE(r.status, JobStatus::Finished);
        QCOMPARE(r.lastValKdLoss, 0.0); // the frozen student is the teacher
        QCOMPARE(r.lastValAcc, -1.0);
        const Checkpoint ck = loadCheckpoint(run + "/checkpoints/last.pt");
        QCOMPARE(ck.extraTensors.at("readout.V4.weight").size(1), std::int64_t(512));
        const Checkpoint base = loadCheckpoint(m_base);
        QVERIFY(torch::equal(ck.stateDict.at("layer4.1.conv2.weight"), base.stateDict.at("layer4.1.conv2.weight")));
        QVERIFY(torch::equal(ck.stateDict.at("bn1.running_mean"), base.stateDict.at("bn1.running_mean")));
    }

    void autoAccuracyDataIsTheBaseRunsValidationData()
    {
        // A base checkpoint inside a run whose baseline was validated on other data than
        // CIFAR-10 (which is not found here): `classification_val: auto` uses that data.
        qputenv("REPALIGN_DATA", QByteArray::fromStdString(m_dir + "/no-cifar-here"));
        const std::string baseRun = m_dir + "/baseline-run";
        std::filesystem::create_directories(baseRun + "/checkpoints");
        std::filesystem::copy_file(
            m_base, baseRun + "/checkpoints/best_acc.pt", std::filesystem::copy_options::overwrite_existing);
        testutil::writeText(baseRun + "/run.yaml",
            "dataset: shapes\ndata:\n  train: \"shapes:64:3\"\n  val: \"shapes:24:6\"\n"
            "model: resnet18_cifar10\nrun:\n  kind: train\n");
        const std::string run = m_dir + "/auto-accuracy";
        const TuneConfig cfg
            = parseTuneConfig(tuneYaml(baseRun + "/checkpoints/best_acc.pt", m_bundle,
                                  "optimization: {epochs: 1, batch_size: 64, max_steps_per_epoch: 1}\n", "[V4]", "auto"),
                "auto.yaml");
        struct Lines : ProgressSink {
            std::string text;
            void log(LogLevel, const std::string& m) override { text += m + "\n"; }
        } sink;
        CancelToken cancel;
        const TuneResult r = TuneJob(cfg, run).run(sink, cancel);
        qunsetenv("REPALIGN_DATA");
        QCOMPARE(readRunStatus(run).state, RunState::Finished);
        QVERIFY2(r.lastValAcc >= 0, sink.text.c_str()); // measured, not skipped
        QVERIFY2(sink.text.find("classification_val: auto uses shapes:24:6") != std::string::npos, sink.text.c_str());
    }

    /// Rehearsal: one step from the same state and batch with and without it. The LwF terms are
    /// equal and the loss differs by exactly weight x the cross-entropy logged beside it.
    void rehearsalAddsWeightedCrossEntropy()
    {
        NullSink sink;
        CancelToken cancel;
        const std::string extra = "optimization: {epochs: 1, batch_size: 16, max_steps_per_epoch: 1}\n";
        const TuneConfig plain = parseTuneConfig(tuneYaml(m_base, m_bundle, extra, "[V4]", "none"), "plain.yaml");
        const TuneConfig reh
            = parseTuneConfig(tuneYaml(m_base, m_bundle,
                                  extra + "rehearsal: {data: \"shapes:64:2\", weight: 0.7, batch_size: 8}\n", "[V4]", "none"),
                "reh.yaml");
        QVERIFY(!plain.rehearsal.enabled());
        QVERIFY(reh.rehearsal.enabled());
        QCOMPARE(reh.rehearsal.data, std::string("shapes:64:2"));
        QCOMPARE(reh.rehearsal.weight, 0.7);
        QCOMPARE(reh.rehearsal.batchSize, 8);
        const TuneConfig back = parseTuneConfig(tuneConfigToYaml(reh), "back.yaml");
        QCOMPARE(back.rehearsal.data, reh.rehearsal.data);
        QCOMPARE(back.rehearsal.weight, reh.rehearsal.weight);
        QCOMPARE(back.rehearsal.batchSize, reh.rehearsal.batchSize);
        QVERIFY(tuneConfigToYaml(plain).find("rehearsal") == std::string::npos);

        auto firstStep = [&](const TuneConfig& cfg, const std::string& run) -> std::map<std::string, double> {
            if (TuneJob(cfg, run).run(sink, cancel).status != JobStatus::Finished)
                return {};
            std::map<std::string, double> v;
            MetricsReader reader(run + "/metrics.csv");
            for (const auto& row : reader.poll())
                if (row.split == "train" && !v.count(row.name))
                    v[row.name] = row.value;
            return v;
        };
        const auto a = firstStep(plain, m_dir + "/plain");
        const auto b = firstStep(reh, m_dir + "/rehearsal");
        QVERIFY(a.count("loss") && b.count("loss")); // both runs finished and logged
        QVERIFY(!a.count("rehearsal_loss"));
        QVERIFY(b.count("rehearsal_loss"));
        const double ce = b.at("rehearsal_loss");
        QVERIFY2(ce > 0 && std::isfinite(ce), std::to_string(ce).c_str());
        QCOMPARE(b.at("pred_loss"), a.at("pred_loss"));
        QCOMPARE(b.at("kd_loss"), a.at("kd_loss"));
        const double added = b.at("loss") - a.at("loss");
        QVERIFY2(std::abs(added - 0.7 * ce) <= 1e-6 * std::max(1.0, std::abs(b.at("loss"))),
            (std::to_string(added) + " vs 0.7 x " + std::to_string(ce)).c_str());

        // bad rehearsal settings are one line naming the key
        expectError([&] { parseTuneConfig(tuneYaml(m_base, m_bundle, "rehearsal: {weight: 0.5}\n"), "r.yaml"); },
            "key 'rehearsal.data' is required");
        expectError([&] { parseTuneConfig(tuneYaml(m_base, m_bundle, "rehearsal: {data: \"pets:x\", weight: 1}\n"), "r.yaml"); },
            "rehearsal.data");
        expectError([&] { parseTuneConfig(tuneYaml(m_base, m_bundle, "rehearsal: {data: \"shapes:8\", size: 1}\n"), "r.yaml"); },
            "unknown key");
        expectError(
            [&] {
                TuneJob(
                    parseTuneConfig(tuneYaml(m_base, m_bundle,
                                        extra + "readout: {freeze_backbone: true}\nrehearsal: {data: \"shapes:8\", weight: 1}\n",
                                        "[V4]", "none"),
                        "r.yaml"),
                    m_dir + "/frozen-rehearsal")
                    .run(sink, cancel);
            },
            "rehearsal needs a trainable backbone");
    }

    void badInput()
    {
        NullSink sink;
        CancelToken cancel;
        const std::string run = m_dir + "/bad";
        expectError([&] { TuneJob(parseTuneConfig(tuneYaml(m_base, m_bundle, "", "[FFA]"), "b.yaml"), run).run(sink, cancel); },
            "present: V4");
        expectError(
            [&] {
                TuneJob(parseTuneConfig(tuneYaml(m_base, m_bundle, "base_model_placeholder: 1\n"), "b.yaml"), run)
                    .run(sink, cancel);
            },
            "unknown key");
        std::string yaml = tuneYaml(m_base, m_bundle, "");
        yaml.replace(yaml.find("base:\n"), 6, "base:\n  model: vgg11_cifar10\n");
        expectError([&] { TuneJob(parseTuneConfig(yaml, "b.yaml"), run).run(sink, cancel); }, "not the requested vgg11_cifar10");
        expectError(
            [&] { TuneJob(parseTuneConfig(tuneYaml(m_base, m_bundle, "tap: layer9\n"), "b.yaml"), run).run(sink, cancel); },
            "valid:");
        QVERIFY(!QFile::exists(QString::fromStdString(run + "/metrics.csv")));
    }

    void cliErrorsAreOneLine()
    {
        if (!QFile::exists(QStringLiteral(REPALIGN_CLI)))
            QSKIP("repalign-cli not built");
        std::string out;
        QCOMPARE(testutil::run(
                     std::string(REPALIGN_CLI) + " predictivity --checkpoint " + m_base + " --bundle " + m_bundle + " --roi FFA",
                     &out),
            1);
        QVERIFY2(out.find("error: ") != std::string::npos && out.find("unknown ROI 'FFA' (present: V4)") != std::string::npos,
            out.c_str());
        const std::string cfg = m_dir + "/bad.yaml";
        testutil::writeText(cfg, tuneYaml(m_base, m_bundle, "readout: {activation: relu}\n"));
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " tune --config " + cfg + " --out " + m_dir + "/cli-bad", &out), 1);
        QVERIFY2(out.find("readout.activation") != std::string::npos && out.find("valid: none, elu1") != std::string::npos,
            out.c_str());
    }

    void divergenceEndsDiverged()
    {
        // Responses of 1e30 overflow the squared error: the first step diverges.
        NsdBundle b = readBundle(m_bundle);
        for (auto& x : b.rois[0].responses)
            x = 1e30f;
        const std::string bundle = m_dir + "/huge.h5";
        writeBundle(bundle, b);
        const std::string run = m_dir + "/diverge";
        const TuneConfig cfg = parseTuneConfig(
            tuneYaml(m_base, bundle, "optimization: {epochs: 1, batch_size: 32, max_steps_per_epoch: 2}\n", "[V4]", "none"),
            "d.yaml");
        NullSink sink;
        CancelToken cancel;
        const TuneResult r = TuneJob(cfg, run).run(sink, cancel);
        QCOMPARE(r.status, JobStatus::Diverged);
        QCOMPARE(readRunStatus(run).state, RunState::Diverged);
        QVERIFY(!QFile::exists(QString::fromStdString(run + "/checkpoints/last.pt")));
    }

    void cancelLeavesResumableState()
    {
        const std::string run = m_dir + "/cancel";
        const TuneConfig cfg = parseTuneConfig(
            tuneYaml(m_base, m_bundle, "optimization: {epochs: 1, batch_size: 32, max_steps_per_epoch: 3}\n", "[V4]", "none"),
            "c.yaml");
        NullSink sink;
        CancelToken cancel;
        cancel.cancel();
        const TuneResult r = TuneJob(cfg, run).run(sink, cancel);
        QCOMPARE(r.status, JobStatus::Cancelled);
        QCOMPARE(readRunStatus(run).state, RunState::Cancelled);
        cancel.reset();
        const TuneResult done = TuneJob(cfg, run, true).run(sink, cancel);
        QCOMPARE(done.status, JobStatus::Finished);
        QCOMPARE(done.steps, std::int64_t(3));
    }
};

QTEST_GUILESS_MAIN(TestTune)
#include "test_tune.moc"
