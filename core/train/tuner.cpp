#include "train/tuner.h"
#include "common/device.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "common/version.h"
#include "data/loader.h"
#include "data/nsd_bundle.h"
#include "io/h5.h"
#include "train/checkpoint.h"
#include "train/optim.h"
#include "train/predictivity.h"
#include "train/predictivity_internal.h"
#include "train/project.h"
#include "train/rundir.h"
#include "train/schedule.h"
#include "train/step_progress.h"

#include <chrono>
#include <cmath>
#include <sstream>

namespace repalign {

namespace {

/// KL(student || teacher) as the reference computes it: KLDivLoss(log_target=True,
/// reduction='batchmean') on (log_softmax(student), log_softmax(teacher)), i.e.
/// sum(exp(t) * (t - s)) / B.
torch::Tensor kdTerm(const torch::Tensor& studentLogits, const torch::Tensor& teacherLogits)
{
    const torch::Tensor s = torch::log_softmax(studentLogits, 1);
    const torch::Tensor t = torch::log_softmax(teacherLogits, 1);
    return (t.exp() * (t - s)).sum() / static_cast<double>(studentLogits.size(0));
}

struct Readouts {
    std::vector<std::string> rois;
    std::vector<torch::nn::Linear> layers;
    std::string activation;

    std::vector<torch::Tensor> forward(const torch::Tensor& features) const
    {
        std::vector<torch::Tensor> out;
        for (auto l : layers) {
            torch::Tensor y = l->forward(features);
            out.push_back(activation == "elu1" ? torch::elu(y) + 1.0 : y);
        }
        return out;
    }
};

struct EpochSums {
    double pred = 0, kd = 0, total = 0, seen = 0;
};

struct ValOutcome {
    double pred = 0, kd = 0, total = 0;
    double acc = -1;
    std::vector<PredictivityStats> stats;
};

std::string runYaml(const TuneConfig& cfg)
{
    std::ostringstream o;
    o << tuneConfigToYaml(cfg) << "\nrun:\n  kind: tune\n  created: \"" << isoTimestamp() << "\"\n  versions:\n"
      << libraryVersionsYaml(4);
    return o.str();
}

std::string fmt(const char* f, double a)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, f, a);
    return buf;
}

} // namespace

LwfLoss lwfLoss(const std::vector<float>& pred, const std::vector<float>& target, const std::vector<float>& studentLogits,
    const std::vector<float>& teacherLogits, std::int64_t batch, std::int64_t classes, double alpha)
{
    if (batch <= 0 || classes <= 0 || pred.size() != target.size() || pred.empty()
        || studentLogits.size() != static_cast<std::size_t>(batch * classes) || teacherLogits.size() != studentLogits.size())
        throw Error("lwfLoss: sizes disagree (pred " + std::to_string(pred.size()) + ", target " + std::to_string(target.size())
            + ", logits " + std::to_string(studentLogits.size()) + "/" + std::to_string(teacherLogits.size())
            + " for B=" + std::to_string(batch) + ", C=" + std::to_string(classes) + ")");
    torch::NoGradGuard noGrad;
    auto t = [](const std::vector<float>& v, std::vector<std::int64_t> shape) {
        return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).clone();
    };
    const std::int64_t nv = static_cast<std::int64_t>(pred.size()) / batch;
    LwfLoss l;
    l.pred = torch::mse_loss(t(pred, {batch, nv}), t(target, {batch, nv})).item<double>();
    l.kd = kdTerm(t(studentLogits, {batch, classes}), t(teacherLogits, {batch, classes})).item<double>();
    l.total = l.pred + alpha * l.kd;
    return l;
}

TuneJob::TuneJob(TuneConfig config, std::string runDir, bool resume)
    : m_config(std::move(config))
    , m_runDir(std::move(runDir))
    , m_resume(resume)
{
}

TuneResult TuneJob::run(ProgressSink& sink, const CancelToken& cancel)
{
    const TuneConfig& cfg = m_config;
    // ------------------------------------------------------------ checks before any work
    const torch::Device device = resolveDevice(cfg.device);
    const int threads = configureThreads(cfg.threads);
    const std::string lastPath = m_runDir + "/checkpoints/last.pt";
    if (m_resume && !fileExists(lastPath))
        throw Error("cannot resume: " + lastPath + " does not exist");
    if (!m_resume && fileExists(m_runDir + "/metrics.csv"))
        throw Error("run directory " + m_runDir + " already holds a run; use --resume to continue it or choose a new --out");
    for (const auto& n : cfg.notices)
        sink.log(LogLevel::Notice, n);

    NsdBundle bundle = readBundle(cfg.bundle, cfg.rois);
    dropNonFiniteVoxels(bundle, cfg.strictBundle, sink); // as nsd info and predictivity
    const std::vector<std::int64_t> trainIdx = bundle.indices(BundleSplit::Train);
    const std::vector<std::int64_t> valIdx = bundle.indices(BundleSplit::Val);
    if (trainIdx.empty())
        throw Error(cfg.bundle + ": /split has no train images (0)");
    if (valIdx.size() < 2)
        throw Error(cfg.bundle + ": /split has " + std::to_string(valIdx.size())
            + " val images; tuning needs at least 2 to report predictivity (re-import with --val-fraction)");

    const Checkpoint baseCkpt = loadCheckpoint(cfg.baseCheckpoint, cfg.baseKey);
    TapNet teacher = modelFromCheckpoint(baseCkpt, cfg.baseModel, cfg.baseCheckpoint);
    TapNet student = modelFromCheckpoint(baseCkpt, cfg.baseModel, cfg.baseCheckpoint);
    requireTap(*student, cfg.tap, cfg.baseCheckpoint);
    const std::string arch = student->architecture();

    // Feature size and class count from one dummy image.
    std::int64_t featureDim = 0, numClasses = 0;
    const int side = cfg.trainTransforms.outputSide(cfg.trainTransforms.resize > 0 ? cfg.trainTransforms.resize : bundle.height);
    {
        torch::NoGradGuard noGrad;
        teacher->eval();
        std::map<std::string, torch::Tensor> taps;
        const torch::Tensor logits
            = teacher->forwardTaps(torch::zeros({1, 3, side, side}), {cfg.tap}, taps, /*fullForward=*/true);
        featureDim = poolTap(taps.at(cfg.tap), cfg.pooling).size(1);
        numClasses = logits.size(1);
    }

    // Classification validation set (the reference reports CIFAR-10 accuracy every epoch).
    ImageDataset clsVal;
    std::string clsSpec = cfg.classificationVal;
    if (clsSpec == "auto") {
        // The data the base run was validated on (its run.yaml), else CIFAR-10 where found.
        try {
            clsSpec = baseRunValidationData(cfg.baseCheckpoint, baseCkpt.config);
            if (clsSpec.empty())
                clsSpec = resolveCifar10Spec();
            else
                sink.log(LogLevel::Info, "classification_val: auto uses " + clsSpec + ", the data the base run was validated on");
        } catch (const Error&) {
            clsSpec = "none";
            sink.log(LogLevel::Notice,
                "classification_val: auto found neither the base run's validation data (its run.yaml) nor CIFAR-10; "
                "per-epoch accuracy is skipped (set classification_val to a data spec)");
        }
    }
    if (clsSpec != "none") {
        clsVal = loadDataset(clsSpec, Split::Test);
        if (cfg.classificationMaxImages > 0 && clsVal.count > cfg.classificationMaxImages) {
            std::vector<std::int64_t> idx(static_cast<std::size_t>(cfg.classificationMaxImages));
            for (std::size_t i = 0; i < idx.size(); ++i)
                idx[i] = static_cast<std::int64_t>(i);
            clsVal = clsVal.subset(idx);
        }
        if (clsVal.numClasses() > numClasses)
            throw Error(cfg.origin + ": classification_val " + clsSpec + " has " + std::to_string(clsVal.numClasses())
                + " classes, the base model " + std::to_string(numClasses));
    }

    // ------------------------------------------------------------ setup
    RunDir run(m_runDir);
    TuneResult result;
    result.runDir = m_runDir;

    teacher->to(device);
    teacher->eval();
    for (auto& p : teacher->parameters())
        p.set_requires_grad(false);
    student->to(device);
    if (cfg.freezeBackbone) {
        for (auto& p : student->parameters())
            p.set_requires_grad(false);
        student->eval();
    } else {
        student->train();
    }

    torch::manual_seed(cfg.seed);
    Readouts readouts;
    readouts.activation = cfg.activation;
    for (const auto& roi : bundle.rois) {
        readouts.rois.push_back(roi.name);
        torch::nn::Linear l(featureDim, roi.voxels);
        l->to(device);
        readouts.layers.push_back(l);
    }
    Optimizer::NamedParams params;
    if (!cfg.freezeBackbone)
        for (const auto& p : student->named_parameters())
            params.emplace_back(p.key(), p.value());
    for (std::size_t r = 0; r < readouts.layers.size(); ++r) {
        params.emplace_back("readout." + readouts.rois[r] + ".weight", readouts.layers[r]->weight);
        params.emplace_back("readout." + readouts.rois[r] + ".bias", readouts.layers[r]->bias);
    }
    Optimizer optimizer(cfg.optimizer, params);

    // Responses per ROI, gathered by bundle index so batch indices find their targets.
    const ImageDataset trainImages = bundle.images(trainIdx);
    std::vector<torch::Tensor> trainTargets, valTargets;
    for (const auto& roi : bundle.rois) {
        const torch::Tensor all
            = torch::from_blob(const_cast<float*>(roi.responses.data()), {bundle.count, roi.voxels}, torch::kFloat32);
        trainTargets.push_back(all.index_select(0, torch::tensor(trainIdx, torch::kInt64)).contiguous());
        valTargets.push_back(all.index_select(0, torch::tensor(valIdx, torch::kInt64)).contiguous());
    }
    const torch::Tensor valImages = transformAll(bundle.images(valIdx), cfg.valTransforms);
    torch::Tensor clsImages, clsLabels;
    if (clsVal.count > 0) {
        clsImages = transformAll(clsVal, cfg.valTransforms);
        clsLabels = torch::tensor(clsVal.labels, torch::kInt64);
    }

    LoaderOptions lo;
    lo.batchSize = cfg.batchSize;
    lo.shuffle = true;
    lo.augment = true;
    lo.seed = cfg.seed;
    lo.workers = std::min(cfg.numWorkers, std::max(1, hardwareThreads()));
    BatchLoader loader(trainImages, cfg.trainTransforms, lo);
    std::int64_t stepsPerEpoch = loader.batchesPerEpoch();
    if (cfg.maxStepsPerEpoch > 0)
        stepsPerEpoch = std::min(stepsPerEpoch, cfg.maxStepsPerEpoch);
    const std::int64_t totalSteps = stepsPerEpoch * cfg.epochs;

    int startEpoch = 0;
    std::int64_t startBatch = 0, globalStep = 0;
    double bestValLoss = std::numeric_limits<double>::infinity(), bestValAcc = -1, bestR = -2;
    int bestEpoch = 0;
    EpochSums sums;
    if (m_resume) {
        Checkpoint ck = loadCheckpoint(lastPath);
        if (ck.model != arch)
            throw Error(lastPath + " holds a " + ck.model + ", the base checkpoint a " + arch);
        loadStateDict(*student, ck.stateDict, true);
        torch::NoGradGuard noGrad;
        for (std::size_t r = 0; r < readouts.layers.size(); ++r) {
            const std::string w = "readout." + readouts.rois[r] + ".weight", b = "readout." + readouts.rois[r] + ".bias";
            if (!ck.extraTensors.count(w) || !ck.extraTensors.count(b)
                || !ck.extraTensors[w].sizes().equals(readouts.layers[r]->weight.sizes()))
                throw Error(lastPath + ": no readout for ROI " + readouts.rois[r]
                    + " of the configured shape; resume with the same config");
            readouts.layers[r]->weight.copy_(ck.extraTensors[w]);
            readouts.layers[r]->bias.copy_(ck.extraTensors[b]);
        }
        optimizer.loadState(ck.optimizerState, ck.optimizerStep);
        startEpoch = static_cast<int>(ck.epoch);
        globalStep = ck.globalStep;
        bestValLoss = ck.bestValLoss;
        bestValAcc = ck.bestValAcc;
        bestR = ck.scalars.count("best_mean_r_median") ? ck.scalars["best_mean_r_median"] : -2;
        bestEpoch = static_cast<int>(ck.scalars["best_epoch"]);
        startBatch = static_cast<std::int64_t>(ck.scalars["epoch_batch"]);
        sums
            = {ck.scalars["epoch_pred_sum"], ck.scalars["epoch_kd_sum"], ck.scalars["epoch_total_sum"], ck.scalars["epoch_seen"]};
        if (startEpoch >= cfg.epochs && startBatch == 0) {
            result.state = "finished";
            result.steps = globalStep;
            result.epochsDone = startEpoch;
            result.bestEpoch = bestEpoch;
            result.message = "the run already finished its " + std::to_string(cfg.epochs) + " epochs; nothing to resume";
            sink.log(LogLevel::Notice, result.message);
            return result;
        }
        run.truncateMetrics(globalStep);
        run.log("resumed at epoch " + std::to_string(startEpoch + 1) + ", step " + std::to_string(globalStep));
        sink.log(LogLevel::Info, "resuming at epoch " + std::to_string(startEpoch + 1) + " step " + std::to_string(globalStep));
    } else {
        run.writeRunYaml(runYaml(cfg));
        run.log("started: tune " + arch + " (" + cfg.baseCheckpoint + ") on " + cfg.bundle + " ROIs " + joinChoices(cfg.rois)
            + ", " + std::to_string(trainIdx.size()) + " train / " + std::to_string(valIdx.size()) + " val images, readout "
            + std::to_string(featureDim) + " features, alpha " + std::to_string(cfg.alpha) + ", device " + cfg.device + ", "
            + std::to_string(threads) + " threads");
    }

    auto makeCheckpoint = [&](std::int64_t epochsDone, std::int64_t batchInEpoch) {
        Checkpoint ck;
        ck.model = arch;
        for (auto& [n, t] : student->stateDict())
            ck.stateDict[n] = t;
        for (std::size_t r = 0; r < readouts.layers.size(); ++r) {
            ck.extraTensors["readout." + readouts.rois[r] + ".weight"] = readouts.layers[r]->weight.detach();
            ck.extraTensors["readout." + readouts.rois[r] + ".bias"] = readouts.layers[r]->bias.detach();
        }
        ck.epoch = epochsDone;
        ck.globalStep = globalStep;
        ck.optimizerType = optimizer.type();
        ck.optimizerStep = optimizer.stepCount();
        ck.optimizerState = optimizer.state();
        ck.bestValLoss = bestValLoss;
        ck.bestValAcc = bestValAcc;
        ck.seed = cfg.seed;
        ck.scalars["epoch_batch"] = static_cast<double>(batchInEpoch);
        ck.scalars["epoch_pred_sum"] = sums.pred;
        ck.scalars["epoch_kd_sum"] = sums.kd;
        ck.scalars["epoch_total_sum"] = sums.total;
        ck.scalars["epoch_seen"] = sums.seen;
        ck.scalars["best_mean_r_median"] = bestR;
        ck.scalars["best_epoch"] = bestEpoch;
        ck.scalars["alpha"] = cfg.alpha;
        ck.scalars["readout_features"] = static_cast<double>(featureDim);
        ck.config = tuneConfigToYaml(cfg);
        return ck;
    };
    auto statusExtra = [&](int epoch) {
        return std::map<std::string, std::string> {{"epoch", std::to_string(epoch)}, {"epochs", std::to_string(cfg.epochs)},
            {"step", std::to_string(globalStep)}, {"steps", std::to_string(totalSteps)}, {"kind", "\"tune\""},
            {"model", jsonQuote(arch)}};
    };
    auto finishCancelled = [&](int epoch, std::int64_t batch) {
        saveCheckpoint(lastPath, makeCheckpoint(epoch, batch));
        run.writeStatus("cancelled", totalSteps ? double(globalStep) / double(totalSteps) : 0,
            "cancelled at epoch " + std::to_string(epoch + 1) + " step " + std::to_string(globalStep), statusExtra(epoch + 1));
        run.log("cancelled at step " + std::to_string(globalStep) + "; last.pt holds this state");
        result.state = "cancelled";
        result.steps = globalStep;
        result.epochsDone = epoch;
        result.message = "cancelled; resume with --resume";
        return result;
    };

    // One pass over the val split (and the classification set), student in eval mode.
    const torch::Tensor valTeacherLogits = [&] {
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> parts;
        for (std::int64_t lo2 = 0; lo2 < valImages.size(0); lo2 += cfg.batchSize)
            parts.push_back(teacher->forward(valImages.slice(0, lo2, lo2 + cfg.batchSize).to(device)).to(torch::kCPU));
        return torch::cat(parts);
    }();
    auto validate = [&]() {
        torch::NoGradGuard noGrad;
        const bool wasTraining = student->is_training();
        student->eval();
        ValOutcome v;
        std::vector<std::vector<torch::Tensor>> preds(readouts.layers.size());
        double predSum = 0, kdSum = 0;
        const std::int64_t n = valImages.size(0);
        for (std::int64_t a = 0; a < n; a += cfg.batchSize) {
            cancel.check();
            const std::int64_t b = std::min(n, a + cfg.batchSize);
            std::map<std::string, torch::Tensor> taps;
            const torch::Tensor logits = student->forwardTaps(valImages.slice(0, a, b).to(device), {cfg.tap}, taps, true);
            const auto outs = readouts.forward(poolTap(taps.at(cfg.tap), cfg.pooling));
            double pl = 0;
            for (std::size_t r = 0; r < outs.size(); ++r) {
                pl += torch::mse_loss(outs[r], valTargets[r].slice(0, a, b).to(device)).item<double>();
                preds[r].push_back(outs[r].to(torch::kCPU));
            }
            predSum += pl / static_cast<double>(outs.size()) * static_cast<double>(b - a);
            kdSum += kdTerm(logits, valTeacherLogits.slice(0, a, b).to(device)).item<double>() * static_cast<double>(b - a);
        }
        v.pred = predSum / static_cast<double>(n);
        v.kd = kdSum / static_cast<double>(n);
        v.total = v.pred + cfg.alpha * v.kd;
        for (std::size_t r = 0; r < preds.size(); ++r) {
            const torch::Tensor p = torch::cat(preds[r]).contiguous();
            const auto& roi = bundle.rois[r];
            v.stats.push_back(predictivityStats(p.data_ptr<float>(), valTargets[r].data_ptr<float>(), n, roi.voxels,
                roi.noiseCeiling.empty() ? nullptr : roi.noiseCeiling.data()));
        }
        if (clsImages.defined()) {
            double correct = 0;
            for (std::int64_t a = 0; a < clsImages.size(0); a += 256) {
                cancel.check();
                const torch::Tensor logits = student->forward(clsImages.slice(0, a, a + 256).to(device));
                correct += logits.argmax(1).to(torch::kCPU).eq(clsLabels.slice(0, a, a + 256)).sum().item<double>();
            }
            v.acc = correct / static_cast<double>(clsImages.size(0));
        }
        student->train(wasTraining);
        return v;
    };
    auto writeBestPredictivity = [&](const ValOutcome& v, int epoch) {
        H5File f(m_runDir + "/predictivity.h5", H5File::Mode::CreateAtomic);
        for (std::size_t r = 0; r < v.stats.size(); ++r) {
            const auto& roi = bundle.rois[r];
            const auto nv = static_cast<std::uint64_t>(roi.voxels);
            f.writeF32("/r/" + roi.name, {nv}, v.stats[r].r);
            if (v.stats[r].hasCeiling) {
                f.writeF32("/normalized/" + roi.name, {nv}, v.stats[r].normalized);
                f.writeF32("/noise_ceiling/" + roi.name, {nv}, roi.noiseCeiling);
            }
        }
        f.setAttr("/", "epoch", static_cast<std::int64_t>(epoch));
        f.setAttr("/", "model", arch);
        f.setAttr("/", "bundle", cfg.bundle);
        f.setAttr("/", "split", std::string("val"));
        f.setAttr("/", "layer", cfg.tap);
        f.commit();
    };

    run.writeStatus("running", totalSteps ? double(globalStep) / double(totalSteps) : 0, "tuning", statusExtra(startEpoch));
    StepProgress pace(totalSteps, cfg.batchSize, globalStep);
    ValOutcome lastVal;
    const bool useTeacher = cfg.alpha > 0 && !cfg.freezeBackbone;

    for (int epoch = startEpoch; epoch < cfg.epochs; ++epoch) {
        const std::int64_t first = (epoch == startEpoch) ? startBatch : 0;
        if (epoch != startEpoch)
            sums = {};
        loader.start(epoch, first, stepsPerEpoch);
        Batch batch;
        for (std::int64_t b = first; b < stepsPerEpoch; ++b) {
            if (cancel.cancelled())
                return finishCancelled(epoch, b);
            if (!loader.next(batch))
                break;
            const double lr = learningRate(cfg.schedule, globalStep, stepsPerEpoch, cfg.optimizer.lr);
            torch::manual_seed(mixSeed(cfg.seed, 0x70e, static_cast<std::uint64_t>(globalStep)));
            const torch::Tensor x = batch.images.to(device);
            const torch::Tensor rows = torch::tensor(batch.indices, torch::kInt64);
            optimizer.zeroGrad();
            std::map<std::string, torch::Tensor> taps;
            torch::Tensor logits, features;
            if (cfg.freezeBackbone) {
                torch::NoGradGuard noGrad;
                logits = student->forwardTaps(x, {cfg.tap}, taps, /*fullForward=*/false);
                features = poolTap(taps.at(cfg.tap), cfg.pooling);
            } else {
                logits = student->forwardTaps(x, {cfg.tap}, taps, /*fullForward=*/useTeacher);
                features = poolTap(taps.at(cfg.tap), cfg.pooling);
            }
            const auto outs = readouts.forward(features);
            torch::Tensor predLoss = torch::zeros({}, x.options());
            for (std::size_t r = 0; r < outs.size(); ++r)
                predLoss = predLoss + torch::mse_loss(outs[r], trainTargets[r].index_select(0, rows).to(device));
            predLoss = predLoss / static_cast<double>(outs.size());
            torch::Tensor kd = torch::zeros({}, x.options());
            if (useTeacher) {
                torch::Tensor teacherLogits;
                {
                    // Inference mode skips autograd's bookkeeping entirely (cheaper than
                    // no-grad); the clone makes the logits usable next to the student's graph.
                    c10::InferenceMode inference;
                    teacherLogits = teacher->forward(x);
                }
                kd = kdTerm(logits, teacherLogits.clone());
            }
            const torch::Tensor loss = predLoss + cfg.alpha * kd;
            const double lossValue = loss.item<double>();
            if (!std::isfinite(lossValue)) {
                const std::string msg = "loss became " + std::string(std::isnan(lossValue) ? "NaN" : "Inf") + " at step "
                    + std::to_string(globalStep + 1) + " (lr " + std::to_string(lr) + "); last good checkpoint kept";
                run.log("diverged: " + msg);
                run.writeStatus("diverged", double(globalStep) / double(totalSteps), msg, statusExtra(epoch + 1));
                sink.log(LogLevel::Error, "diverged: " + msg);
                result.state = "diverged";
                result.steps = globalStep;
                result.epochsDone = epoch;
                result.message = msg;
                return result;
            }
            loss.backward();
            optimizer.step(lr);
            ++globalStep;
            const double n = static_cast<double>(x.size(0));
            const double pv = predLoss.item<double>(), kv = kd.item<double>();
            sums.pred += pv * n;
            sums.kd += kv * n;
            sums.total += lossValue * n;
            sums.seen += n;
            const double epochPos = epoch + double(b + 1) / double(stepsPerEpoch);
            const double now = wallClockSeconds();
            run.appendMetric({globalStep, epochPos, now, "train", "loss", lossValue});
            run.appendMetric({globalStep, epochPos, now, "train", "pred_loss", pv});
            run.appendMetric({globalStep, epochPos, now, "train", "kd_loss", kv});
            run.appendMetric({globalStep, epochPos, now, "train", "lr", lr});

            ProgressEvent ev;
            ev.phase = "tune";
            ev.epoch = epoch + 1;
            ev.epochs = cfg.epochs;
            ev.done = b + 1;
            ev.total = stepsPerEpoch;
            ev.loss = sums.total / sums.seen;
            pace.fill(ev, globalStep);
            sink.progress(ev);
            if (pace.statusDue())
                run.writeStatus("running", ev.fraction, "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(cfg.epochs),
                    statusExtra(epoch + 1));
        }

        ProgressEvent vev;
        vev.phase = "val";
        vev.epoch = epoch + 1;
        vev.epochs = cfg.epochs;
        vev.fraction = double(globalStep) / double(totalSteps);
        sink.progress(vev);
        try {
            lastVal = validate();
        } catch (const Cancelled&) {
            return finishCancelled(epoch, stepsPerEpoch);
        }
        const double now = wallClockSeconds();
        const double ep = double(epoch + 1);
        const double seen = std::max(1.0, sums.seen);
        run.appendMetric({globalStep, ep, now, "train", "epoch_pred_loss", sums.pred / seen});
        run.appendMetric({globalStep, ep, now, "train", "epoch_kd_loss", sums.kd / seen});
        run.appendMetric({globalStep, ep, now, "train", "epoch_loss", sums.total / seen});
        run.appendMetric({globalStep, ep, now, "val", "pred_loss", lastVal.pred});
        run.appendMetric({globalStep, ep, now, "val", "kd_loss", lastVal.kd});
        run.appendMetric({globalStep, ep, now, "val", "loss", lastVal.total});
        if (lastVal.acc >= 0)
            run.appendMetric({globalStep, ep, now, "val", "acc", lastVal.acc});
        std::string line = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(cfg.epochs) + ": train loss "
            + fmt("%.4f", sums.total / seen) + " (pred " + fmt("%.4f", sums.pred / seen) + ", kd " + fmt("%.4f", sums.kd / seen)
            + ") | val pred " + fmt("%.4f", lastVal.pred) + ", kd " + fmt("%.4f", lastVal.kd);
        if (lastVal.acc >= 0)
            line += ", acc " + fmt("%.4f", lastVal.acc);
        double meanMedian = 0;
        for (std::size_t r = 0; r < lastVal.stats.size(); ++r) {
            const auto& s = lastVal.stats[r];
            const std::string& name = readouts.rois[r];
            run.appendMetric({globalStep, ep, now, "val", name + ".r_median", s.rMedian});
            run.appendMetric({globalStep, ep, now, "val", name + ".r_mean", s.rMean});
            if (s.hasCeiling) {
                run.appendMetric({globalStep, ep, now, "val", name + ".nc_median", s.normalizedMedian});
                run.appendMetric({globalStep, ep, now, "val", name + ".nc_mean", s.normalizedMean});
            }
            line += " | " + name + " r " + fmt("%.3f", s.rMedian)
                + (s.hasCeiling ? " (r²/ceiling " + fmt("%.3f", s.normalizedMedian) + ")" : "");
            meanMedian += s.rMedian / static_cast<double>(lastVal.stats.size());
        }
        run.log(line);
        sink.log(LogLevel::Info, line);

        result.lastTrainLoss = sums.total / seen;
        sums = {};
        const bool betterLoss = lastVal.total < bestValLoss;
        const bool betterAcc = lastVal.acc >= 0 && lastVal.acc > bestValAcc;
        const bool betterR = meanMedian > bestR;
        if (betterLoss)
            bestValLoss = lastVal.total;
        if (betterAcc)
            bestValAcc = lastVal.acc;
        if (betterR) {
            bestR = meanMedian;
            bestEpoch = epoch + 1;
            writeBestPredictivity(lastVal, epoch + 1);
            result.best.clear();
            for (std::size_t r = 0; r < lastVal.stats.size(); ++r)
                result.best.push_back({readouts.rois[r], lastVal.stats[r].rMedian, lastVal.stats[r].rMean,
                    lastVal.stats[r].hasCeiling ? lastVal.stats[r].normalizedMedian : -1.0});
        }
        const Checkpoint ck = makeCheckpoint(epoch + 1, 0);
        saveCheckpoint(lastPath, ck);
        if (betterLoss)
            saveCheckpoint(m_runDir + "/checkpoints/best_loss.pt", ck);
        if (betterAcc)
            saveCheckpoint(m_runDir + "/checkpoints/best_acc.pt", ck);
        if (betterR)
            saveCheckpoint(m_runDir + "/checkpoints/best_r.pt", ck);
        run.writeStatus("running", double(globalStep) / double(totalSteps), line, statusExtra(epoch + 1));
        pace.statusWritten();
    }

    result.state = "finished";
    result.steps = globalStep;
    result.epochsDone = cfg.epochs;
    result.lastValPredLoss = lastVal.pred;
    result.lastValKdLoss = lastVal.kd;
    result.lastValAcc = lastVal.acc;
    result.bestEpoch = bestEpoch;
    for (std::size_t r = 0; r < lastVal.stats.size(); ++r)
        result.last.push_back({readouts.rois[r], lastVal.stats[r].rMedian, lastVal.stats[r].rMean,
            lastVal.stats[r].hasCeiling ? lastVal.stats[r].normalizedMedian : -1.0});
    std::string msg = "finished: val pred loss " + fmt("%.4f", lastVal.pred);
    for (const auto& r : result.last)
        msg += ", " + r.roi + " r median " + fmt("%.3f", r.rMedian);
    if (lastVal.acc >= 0)
        msg += ", acc " + fmt("%.4f", lastVal.acc);
    msg += " (best epoch " + std::to_string(bestEpoch) + ")";
    result.message = msg;
    auto extra = statusExtra(cfg.epochs);
    extra["best_epoch"] = std::to_string(bestEpoch);
    run.writeStatus("finished", 1.0, msg, extra);
    run.log(msg);
    return result;
}

} // namespace repalign
