#include "train/trainer.h"
#include "common/device.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "common/version.h"
#include "data/loader.h"
#include "io/h5.h"
#include "train/checkpoint.h"
#include "train/optim.h"
#include "train/rundir.h"
#include "train/schedule.h"
#include "train/step_progress.h"

#include <ATen/autocast_mode.h>

#include <chrono>
#include <cmath>
#include <sstream>

namespace repalign {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

/// Running sums over an epoch's training steps (saved in checkpoints for mid-epoch resumes).
struct EpochSums {
    double loss = 0;
    double correct = 0;
    double seen = 0;
};

struct ValResult {
    double loss = 0, acc = 0;
};

ValResult validate(TapNetImpl& model, BatchLoader& loader, const torch::Device& device, const CancelToken& cancel)
{
    torch::NoGradGuard noGrad;
    model.eval();
    loader.start(0);
    Batch b;
    double loss = 0, correct = 0, n = 0;
    while (loader.next(b)) {
        cancel.check();
        auto x = b.images.to(device), y = b.labels.to(device);
        auto logits = model.forward(x);
        loss += torch::nn::functional::cross_entropy(logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)).item<double>();
        correct += logits.argmax(1).eq(y).sum().item<double>();
        n += static_cast<double>(y.size(0));
    }
    model.train();
    return {loss / std::max(1.0, n), correct / std::max(1.0, n)};
}

std::string runYaml(const TrainConfig& cfg)
{
    std::ostringstream o;
    o << trainConfigToYaml(cfg) << "\nrun:\n  kind: train\n  created: \"" << isoTimestamp() << "\"\n  versions:\n"
      << libraryVersionsYaml(4);
    return o.str();
}

void checkPrecision(const TrainConfig& cfg, const torch::Device& device)
{
    if (cfg.precision != "fp32" && !device.is_cuda())
        throw Error(cfg.origin + ": key 'optimization.precision' = " + cfg.precision +
                    " needs a CUDA device (autocast); on cpu use fp32");
}

/// Turns CUDA autocast on for a forward pass (bf16/fp16 mixed precision) and off again.
class AutocastScope {
public:
    explicit AutocastScope(const std::string& precision) : m_on(precision != "fp32")
    {
        if (!m_on)
            return;
        at::autocast::set_autocast_gpu_dtype(precision == "bf16" ? at::kBFloat16 : at::kHalf);
        at::autocast::set_enabled(true);
    }
    ~AutocastScope()
    {
        if (!m_on)
            return;
        at::autocast::set_enabled(false);
        at::autocast::clear_cache();
    }

private:
    bool m_on;
};

bool gradientsFinite(const Optimizer::NamedParams& params)
{
    std::vector<torch::Tensor> flags;
    for (const auto& [n, p] : params)
        if (p.grad().defined())
            flags.push_back(torch::isfinite(p.grad()).all());
    return flags.empty() || torch::stack(flags).all().item<bool>();
}

} // namespace

TrainJob::TrainJob(TrainConfig config, std::string runDir, bool resume)
    : m_config(std::move(config)), m_runDir(std::move(runDir)), m_resume(resume)
{
}

TrainResult TrainJob::run(ProgressSink& sink, const CancelToken& cancel)
{
    TrainConfig& cfg = m_config;
    // Everything that can be wrong with the input fails here, before any work or file.
    const torch::Device device = resolveDevice(cfg.device);
    checkPrecision(cfg, device);
    const int threads = configureThreads(cfg.threads);
    resolveDataSpecs(cfg);
    const std::string lastPath = m_runDir + "/checkpoints/last.pt";
    if (m_resume && !fileExists(lastPath))
        throw Error("cannot resume: " + lastPath + " does not exist");
    if (!m_resume && fileExists(m_runDir + "/metrics.csv"))
        throw Error("run directory " + m_runDir + " already holds a run; use --resume to continue it or choose a new --out");

    for (const auto& n : cfg.notices)
        sink.log(LogLevel::Notice, n);
    sink.log(LogLevel::Info, "loading " + cfg.trainSpec + " and " + cfg.valSpec);
    ImageDataset train = loadDataset(cfg.trainSpec, Split::Train);
    ImageDataset val = loadDataset(cfg.valSpec, Split::Test);
    const int numClasses = std::max(train.numClasses(), 1);
    for (auto l : train.labels)
        if (l < 0 || l >= numClasses)
            throw Error(cfg.trainSpec + ": label " + std::to_string(l) + " outside the " + std::to_string(numClasses) + " classes");

    RunDir run(m_runDir);
    TrainResult result;
    result.runDir = m_runDir;

    torch::manual_seed(cfg.seed);
    TapNet model = createModel(cfg.model, numClasses);
    model->to(device);
    model->train();
    Optimizer::NamedParams params;
    for (const auto& p : model->named_parameters())
        params.emplace_back(p.key(), p.value());
    Optimizer optimizer(cfg.optimizer, params);

    LoaderOptions trainOpt;
    trainOpt.batchSize = cfg.batchSize;
    trainOpt.shuffle = true;
    trainOpt.augment = true;
    trainOpt.seed = cfg.seed;
    trainOpt.workers = std::min(cfg.numWorkers, std::max(1, hardwareThreads()));
    BatchLoader trainLoader(train, cfg.trainTransforms, trainOpt);
    LoaderOptions valOpt = trainOpt;
    valOpt.shuffle = false;
    valOpt.augment = false;
    BatchLoader valLoader(val, cfg.valTransforms, valOpt);

    std::int64_t stepsPerEpoch = trainLoader.batchesPerEpoch();
    if (cfg.maxStepsPerEpoch > 0)
        stepsPerEpoch = std::min(stepsPerEpoch, cfg.maxStepsPerEpoch);
    const std::int64_t totalSteps = stepsPerEpoch * cfg.epochs;

    int startEpoch = 0;
    std::int64_t startBatch = 0, globalStep = 0;
    double bestValLoss = std::numeric_limits<double>::infinity(), bestValAcc = -1;
    EpochSums sums;
    double lossScale = 65536.0;
    std::int64_t goodSteps = 0;
    if (m_resume) {
        Checkpoint ck = loadCheckpoint(lastPath);
        if (ck.model != cfg.model)
            throw Error(lastPath + " holds a " + ck.model + ", the config asks for " + cfg.model);
        loadStateDict(*model, ck.stateDict, true);
        optimizer.loadState(ck.optimizerState, ck.optimizerStep);
        startEpoch = static_cast<int>(ck.epoch);
        globalStep = ck.globalStep;
        bestValLoss = ck.bestValLoss;
        bestValAcc = ck.bestValAcc;
        startBatch = static_cast<std::int64_t>(ck.scalars["epoch_batch"]);
        sums = {ck.scalars["epoch_loss_sum"], ck.scalars["epoch_correct"], ck.scalars["epoch_seen"]};
        if (ck.scalars.count("loss_scale"))
            lossScale = ck.scalars["loss_scale"];
        goodSteps = static_cast<std::int64_t>(ck.scalars["good_steps"]);
        run.truncateMetrics(globalStep);
        run.log("resumed at epoch " + std::to_string(startEpoch + 1) + ", step " + std::to_string(globalStep));
        sink.log(LogLevel::Info, "resuming at epoch " + std::to_string(startEpoch + 1) + " step " + std::to_string(globalStep));
    } else {
        run.writeRunYaml(runYaml(cfg));
        run.log("started: " + cfg.model + " on " + cfg.trainSpec + " (" + std::to_string(train.count) + " images), val " +
                cfg.valSpec + " (" + std::to_string(val.count) + "), device " + cfg.device + ", " + std::to_string(threads) + " threads");
    }

    auto makeCheckpoint = [&](std::int64_t epochsDone, std::int64_t batchInEpoch) {
        Checkpoint ck;
        ck.model = cfg.model;
        for (auto& [n, t] : model->stateDict())
            ck.stateDict[n] = t;
        ck.epoch = epochsDone;
        ck.globalStep = globalStep;
        ck.optimizerType = optimizer.type();
        ck.optimizerStep = optimizer.stepCount();
        ck.optimizerState = optimizer.state();
        ck.bestValLoss = bestValLoss;
        ck.bestValAcc = bestValAcc;
        ck.seed = cfg.seed;
        ck.scalars["epoch_batch"] = static_cast<double>(batchInEpoch);
        ck.scalars["epoch_loss_sum"] = sums.loss;
        ck.scalars["epoch_correct"] = sums.correct;
        ck.scalars["epoch_seen"] = sums.seen;
        ck.scalars["loss_scale"] = lossScale;
        ck.scalars["good_steps"] = static_cast<double>(goodSteps);
        ck.config = trainConfigToYaml(cfg);
        return ck;
    };
    auto statusExtra = [&](int epoch) {
        return std::map<std::string, std::string>{{"epoch", std::to_string(epoch)},
                                                  {"epochs", std::to_string(cfg.epochs)},
                                                  {"step", std::to_string(globalStep)},
                                                  {"steps", std::to_string(totalSteps)},
                                                  {"kind", "\"train\""},
                                                  {"model", jsonQuote(cfg.model)}};
    };

    run.writeStatus("running", totalSteps ? double(globalStep) / double(totalSteps) : 0, "training", statusExtra(startEpoch));
    StepProgress pace(totalSteps, cfg.batchSize, globalStep);
    ValResult lastVal{};

    for (int epoch = startEpoch; epoch < cfg.epochs; ++epoch) {
        const std::int64_t first = (epoch == startEpoch) ? startBatch : 0;
        if (epoch != startEpoch)
            sums = {};
        trainLoader.start(epoch, first, stepsPerEpoch);
        Batch batch;
        for (std::int64_t b = first; b < stepsPerEpoch; ++b) {
            if (cancel.cancelled()) {
                if (cfg.checkpoints.saveLast)
                    saveCheckpoint(lastPath, makeCheckpoint(epoch, b));
                run.writeStatus("cancelled", double(globalStep) / double(totalSteps), "cancelled at epoch " + std::to_string(epoch + 1) + " step " + std::to_string(globalStep), statusExtra(epoch + 1));
                run.log("cancelled at step " + std::to_string(globalStep) + "; last.pt holds this state");
                result.state = "cancelled";
                result.steps = globalStep;
                result.epochsDone = epoch;
                result.message = "cancelled; resume with --resume";
                return result;
            }
            if (!trainLoader.next(batch))
                break;
            const double lr = learningRate(cfg.schedule, globalStep, stepsPerEpoch, cfg.optimizer.lr);
            // Dropout draws depend on the step only, so a resumed run draws the same masks.
            torch::manual_seed(mixSeed(cfg.seed, 0xd40u, static_cast<std::uint64_t>(globalStep)));
            auto x = batch.images.to(device), y = batch.labels.to(device);
            optimizer.zeroGrad();
            torch::Tensor logits;
            {
                AutocastScope autocast(cfg.precision);
                logits = model->forward(x);
            }
            auto loss = torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), y);
            const double lossValue = loss.item<double>();
            if (!std::isfinite(lossValue)) {
                const std::string msg = "loss became " + std::string(std::isnan(lossValue) ? "NaN" : "Inf") + " at step " +
                                        std::to_string(globalStep + 1) + " (lr " + std::to_string(lr) + "); last good checkpoint kept";
                run.log("diverged: " + msg);
                run.writeStatus("diverged", double(globalStep) / double(totalSteps), msg, statusExtra(epoch + 1));
                sink.log(LogLevel::Error, "diverged: " + msg);
                result.state = "diverged";
                result.steps = globalStep;
                result.epochsDone = epoch;
                result.message = msg;
                return result;
            }
            if (cfg.precision == "fp16") {
                // Dynamic loss scaling (torch.cuda.amp.GradScaler's rule): skip the update and
                // halve the scale on overflow, double it after 2000 good steps.
                (loss * lossScale).backward();
                if (gradientsFinite(params)) {
                    for (auto& [n, p] : params)
                        if (p.grad().defined())
                            p.mutable_grad().div_(lossScale);
                    optimizer.step(lr);
                    if (++goodSteps % 2000 == 0)
                        lossScale *= 2;
                } else {
                    lossScale /= 2;
                    goodSteps = 0;
                    run.log("fp16 overflow at step " + std::to_string(globalStep + 1) + "; loss scale now " + std::to_string(lossScale));
                }
            } else {
                loss.backward();
                optimizer.step(lr);
            }
            ++globalStep;
            const double n = static_cast<double>(y.size(0));
            sums.loss += lossValue * n;
            sums.correct += logits.detach().argmax(1).eq(y).sum().item<double>();
            sums.seen += n;
            const double epochPos = epoch + double(b + 1) / double(stepsPerEpoch);
            const double now = wallClockSeconds();
            run.appendMetric({globalStep, epochPos, now, "train", "loss", lossValue});
            run.appendMetric({globalStep, epochPos, now, "train", "lr", lr});

            ProgressEvent ev;
            ev.phase = "train";
            ev.epoch = epoch + 1;
            ev.epochs = cfg.epochs;
            ev.done = b + 1;
            ev.total = stepsPerEpoch;
            ev.loss = sums.loss / sums.seen;
            ev.accuracy = sums.correct / sums.seen;
            pace.fill(ev, globalStep);
            sink.progress(ev);
            if (pace.statusDue())
                run.writeStatus("running", ev.fraction, "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(cfg.epochs), statusExtra(epoch + 1));
        }

        sink.progress([&] {
            ProgressEvent ev;
            ev.phase = "val";
            ev.epoch = epoch + 1;
            ev.epochs = cfg.epochs;
            ev.fraction = double(globalStep) / double(totalSteps);
            return ev;
        }());
        try {
            lastVal = validate(*model, valLoader, device, cancel);
        } catch (const Cancelled&) {
            // The epoch's training is done: keep it, validation reruns after a resume.
            if (cfg.checkpoints.saveLast)
                saveCheckpoint(lastPath, makeCheckpoint(epoch, stepsPerEpoch));
            run.writeStatus("cancelled", double(globalStep) / double(totalSteps), "cancelled during validation", statusExtra(epoch + 1));
            result.state = "cancelled";
            result.steps = globalStep;
            result.epochsDone = epoch;
            return result;
        }
        const double now = wallClockSeconds();
        const double trainLoss = sums.loss / std::max(1.0, sums.seen), trainAcc = sums.correct / std::max(1.0, sums.seen);
        run.appendMetric({globalStep, double(epoch + 1), now, "train", "epoch_loss", trainLoss});
        run.appendMetric({globalStep, double(epoch + 1), now, "train", "epoch_acc", trainAcc});
        run.appendMetric({globalStep, double(epoch + 1), now, "val", "loss", lastVal.loss});
        run.appendMetric({globalStep, double(epoch + 1), now, "val", "acc", lastVal.acc});
        char line[256];
        std::snprintf(line, sizeof line, "epoch %d/%d: train loss %.4f acc %.4f | val loss %.4f acc %.4f", epoch + 1,
                      cfg.epochs, trainLoss, trainAcc, lastVal.loss, lastVal.acc);
        run.log(line);
        sink.log(LogLevel::Info, line);

        sums = {};
        const bool betterLoss = lastVal.loss < bestValLoss;
        const bool betterAcc = lastVal.acc > bestValAcc;
        if (betterLoss)
            bestValLoss = lastVal.loss;
        if (betterAcc)
            bestValAcc = lastVal.acc;
        Checkpoint ck = makeCheckpoint(epoch + 1, 0);
        if (cfg.checkpoints.saveLast)
            saveCheckpoint(lastPath, ck);
        if (betterLoss && cfg.checkpoints.saveBestLoss)
            saveCheckpoint(m_runDir + "/checkpoints/best_loss.pt", ck);
        if (betterAcc && cfg.checkpoints.saveBestAcc)
            saveCheckpoint(m_runDir + "/checkpoints/best_acc.pt", ck);
        run.writeStatus("running", double(globalStep) / double(totalSteps), line, statusExtra(epoch + 1));
        pace.statusWritten();
    }

    result.state = "finished";
    result.steps = globalStep;
    result.epochsDone = cfg.epochs;
    result.lastValLoss = lastVal.loss;
    result.lastValAcc = lastVal.acc;
    result.bestValAcc = bestValAcc;
    char msg[160];
    std::snprintf(msg, sizeof msg, "finished: val acc %.4f (best %.4f), val loss %.4f", lastVal.acc, bestValAcc, lastVal.loss);
    result.message = msg;
    std::map<std::string, std::string> extra = statusExtra(cfg.epochs);
    extra["val_acc"] = std::to_string(lastVal.acc);
    extra["best_val_acc"] = std::to_string(bestValAcc);
    run.writeStatus("finished", 1.0, msg, extra);
    run.log(msg);
    return result;
}

TransformConfig referenceEvalTransform()
{
    TransformConfig t;
    t.mean = {{0.4914, 0.4822, 0.4465}};
    t.std = {{0.2470, 0.2435, 0.2616}};
    return t;
}

EvalOptions::EvalOptions() : transform(referenceEvalTransform()) {}

EvalResult evaluateCheckpoint(const EvalOptions& o, ProgressSink& sink, const CancelToken& cancel)
{
    const torch::Device device = resolveDevice(o.device);
    configureThreads(o.threads);
    torch::NoGradGuard noGrad;
    Checkpoint ck = loadCheckpoint(o.checkpoint, o.checkpointKey);
    {
        // NaN/Inf weights still give an accuracy (argmax of NaN logits): say so first.
        std::vector<std::string> bad;
        for (const auto& [name, t] : ck.stateDict)
            if (t.is_floating_point() && !torch::isfinite(t).all().item<bool>())
                bad.push_back(name);
        if (!bad.empty()) {
            std::string names;
            for (std::size_t i = 0; i < bad.size() && i < 4; ++i)
                names += (i ? ", " : "") + bad[i];
            if (bad.size() > 4)
                names += " and " + std::to_string(bad.size() - 4) + " more";
            sink.log(LogLevel::Warning,
                o.checkpoint + ": " + std::to_string(bad.size()) + " of " + std::to_string(ck.stateDict.size())
                    + " tensors hold NaN/Inf values (" + names + "); the figures below come from a broken model");
        }
    }
    TapNet model = modelFromCheckpoint(ck, o.model, o.checkpoint);
    model->to(device);
    model->eval();
    ImageDataset data = loadDataset(o.data, parseSplit(o.split));
    LoaderOptions lo;
    lo.batchSize = o.batchSize;
    lo.shuffle = false;
    lo.augment = false;
    lo.workers = 1;
    BatchLoader loader(data, o.transform, lo);
    loader.start(0);
    std::vector<float> logitsAll;
    std::int64_t numClasses = 0;
    double loss = 0, correct = 0, n = 0;
    Batch b;
    std::int64_t done = 0;
    const auto t0 = Clock::now();
    while (loader.next(b)) {
        cancel.check();
        auto x = b.images.to(device), y = b.labels.to(device);
        auto logits = model->forward(x);
        loss += torch::nn::functional::cross_entropy(logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)).item<double>();
        correct += logits.argmax(1).eq(y).sum().item<double>();
        n += double(y.size(0));
        if (!o.dumpLogits.empty()) {
            auto cpu = logits.to(torch::kCPU).contiguous();
            numClasses = cpu.size(1);
            logitsAll.insert(logitsAll.end(), cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
        }
        done += y.size(0);
        ProgressEvent ev;
        ev.phase = "eval";
        ev.done = done;
        ev.total = data.count;
        ev.fraction = double(done) / double(data.count);
        ev.accuracy = correct / n;
        const double el = secondsSince(t0);
        ev.itemsPerSecond = el > 0 ? double(done) / el : 0;
        ev.etaSeconds = done ? el / double(done) * double(data.count - done) : -1;
        sink.progress(ev);
    }
    if (!o.dumpLogits.empty()) {
        H5File f(o.dumpLogits, H5File::Mode::CreateAtomic);
        f.writeF32("/logits", {static_cast<std::uint64_t>(data.count), static_cast<std::uint64_t>(numClasses)}, logitsAll);
        f.writeI64("/labels", {static_cast<std::uint64_t>(data.count)}, data.labels);
        f.setAttr("/", "checkpoint", o.checkpoint);
        f.setAttr("/", "model", model->architecture());
        f.setAttr("/", "data", o.data);
        f.setAttr("/", "split", o.split);
        f.commit();
    }
    EvalResult r;
    r.count = data.count;
    r.accuracy = correct / std::max(1.0, n);
    r.meanLoss = loss / std::max(1.0, n);
    r.model = model->architecture();
    return r;
}

} // namespace repalign
