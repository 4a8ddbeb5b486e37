#include "train/trainer.h"
#include "common/autocast.h"
#include "common/device.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/precision.h"
#include "common/rng.h"
#include "common/version.h"
#include "data/loader.h"
#include "io/h5.h"
#include "run/checkpoint.h"
#include "run/pth_checkpoint.h"
#include "train/distributed.h"
#include "train/optim.h"
#include "train/session.h"

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

struct ValResult {
    double loss = 0, acc = 0;
};

ValResult validateClassifier(TapNetImpl& model, BatchLoader& loader, const torch::Device& device, const CancelToken& cancel)
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
        loss += torch::nn::functional::cross_entropy(
            logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
        correct += logits.argmax(1).eq(y).sum().item<double>();
        n += static_cast<double>(y.size(0));
    }
    model.train();
    // Data-parallel: each rank validated its shard; the sums cover the whole split.
    std::vector<double> sums {loss, correct, n};
    Distributed::instance().allReduceSum(sums);
    loss = sums[0];
    correct = sums[1];
    n = sums[2];
    return {loss / std::max(1.0, n), correct / std::max(1.0, n)};
}

void checkTrainPrecision(const TrainConfig& cfg)
{
    checkPrecision(cfg.precision, cfg.device, cfg.origin + ": key 'optimization.precision'");
}

/// Baseline classification: the model's step (cross-entropy on a batch) and its validation
/// (loss and accuracy on the val split), for the TrainingSession.
class ClassifierTask : public SessionTask {
public:
    ClassifierTask(const TrainConfig& cfg, TapNet& model, BatchLoader& valLoader, const torch::Device& device)
        : m_cfg(cfg)
        , m_model(model)
        , m_valLoader(valLoader)
        , m_device(device)
    {
    }

    void restore(const Checkpoint& ck, const std::string& path) override
    {
        if (ck.model != m_cfg.model)
            throw Error(path + " holds a " + ck.model + ", the config asks for " + m_cfg.model);
        loadStateDict(*m_model, ck.stateDict, true);
    }

    void save(Checkpoint& ck) const override
    {
        for (auto& [n, t] : m_model->stateDict())
            ck.stateDict[n] = t;
        ck.config = trainConfigToYaml(m_cfg);
    }

    StepOutput step(const Batch& batch, double /*lr*/) override
    {
        auto x = batch.images.to(m_device), y = batch.labels.to(m_device);
        torch::Tensor logits;
        {
            AutocastScope autocast(m_cfg.precision, m_device);
            logits = m_model->forward(x);
        }
        StepOutput out;
        out.loss = torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), y);
        out.lossValue = out.loss.item<double>();
        out.count = static_cast<double>(y.size(0));
        out.sums = {out.lossValue * out.count, logits.detach().argmax(1).eq(y).sum().item<double>()};
        out.rows = {{"train", "loss", out.lossValue}};
        return out;
    }

    EpochReport validate(int epoch, const std::vector<double>& train, const CancelToken& cancel) override
    {
        m_last = validateClassifier(*m_model, m_valLoader, m_device, cancel);
        EpochReport r;
        r.valLoss = m_last.loss;
        r.rows = {{"val", "loss", m_last.loss}, {"val", "acc", m_last.acc}};
        r.values = {{"loss", m_last.loss}, {"acc", m_last.acc}};
        char line[256];
        std::snprintf(line, sizeof line, "epoch %d/%d: train loss %.4f acc %.4f | val loss %.4f acc %.4f", epoch + 1,
            m_cfg.epochs, train[0], train[1], m_last.loss, m_last.acc);
        r.line = line;
        return r;
    }

    std::vector<torch::Tensor> modelBuffers() const override { return m_model->buffers(); }

    const ValResult& last() const { return m_last; }

private:
    const TrainConfig& m_cfg;
    TapNet& m_model;
    BatchLoader& m_valLoader;
    torch::Device m_device;
    ValResult m_last {};
};

SessionSpec trainSessionSpec(const TrainConfig& cfg, const std::string& runDir, bool resume, std::int64_t epochSteps)
{
    SessionSpec s = sessionSpec(
        "train", runDir, resume, cfg.model, cfg.epochs, epochSteps, cfg.batchSize, cfg.seed, cfg.schedule, cfg.optimizer.lr);
    s.stepSeedStream = 0xd40u;
    s.precision = cfg.precision;
    s.recordLossScale = true;
    s.saveLast = cfg.checkpoints.saveLast;
    s.sums = {{"epoch_loss_sum", "epoch_loss"}, {"epoch_correct", "epoch_acc"}};
    s.runningLossSum = 0;
    s.runningAccSum = 1;
    s.best = {bestLossRule(cfg.checkpoints.saveBestLoss), bestAccRule(cfg.checkpoints.saveBestAcc)};
    s.syncBatchNorm = cfg.distributed.syncBatchNorm;
    return s;
}

} // namespace

template <> TrainResult SessionJob<TrainConfig, TrainResult>::run(ProgressSink& sink, const CancelToken& cancel)
{
    TrainConfig& cfg = m_config;
    // Everything that can be wrong with the input fails here, before any work or file.
    torch::Device device = resolveDevice(cfg.device);
    checkTrainPrecision(cfg);
    Distributed& dist = Distributed::instance();
    dist.init(cfg.distributed, device.is_cuda());
    device = dataParallelDevice(device);
    const int threads = configureThreads(dataParallelThreads(cfg.threads));
    resolveDataSpecs(cfg);
    TrainingSession::checkRunDir(m_runDir, m_resume);

    for (const auto& n : cfg.notices)
        sink.log(LogLevel::Notice, n);
    sink.log(LogLevel::Info, "loading " + cfg.trainSpec + " and " + cfg.valSpec);
    ImageDataset train = loadDataset(cfg.trainSpec, Split::Train);
    ImageDataset val = loadDataset(cfg.valSpec, Split::Test);
    const int numClasses = std::max(train.numClasses(), 1);
    for (auto l : train.labels)
        if (l < 0 || l >= numClasses)
            throw Error(
                cfg.trainSpec + ": label " + std::to_string(l) + " outside the " + std::to_string(numClasses) + " classes");

    torch::manual_seed(cfg.seed);
    TapNet model = createModel(cfg.model, numClasses);
    model->to(device);
    model->train();
    if (dist.active() && cfg.distributed.syncBatchNorm)
        setBatchNormSync(*model, [](const torch::Tensor& t) { return Distributed::instance().allReduceSumAutograd(t); });
    Optimizer::NamedParams params;
    for (const auto& p : model->named_parameters())
        params.emplace_back(p.key(), p.value());
    Optimizer optimizer(cfg.optimizer, params);

    const LoaderOptions trainOpt = trainLoaderOptions(cfg.batchSize, cfg.seed, cfg.numWorkers);
    BatchLoader trainLoader(train, cfg.trainTransforms, trainOpt);
    LoaderOptions valOpt = trainOpt;
    valOpt.shuffle = false;
    valOpt.augment = false;
    valOpt.padShards = false; // each val image counted once over the ranks
    BatchLoader valLoader(val, cfg.valTransforms, valOpt);

    ClassifierTask task(cfg, model, valLoader, device);
    TrainingSession session(trainSessionSpec(cfg, m_runDir, m_resume, stepsPerEpoch(trainLoader, cfg.maxStepsPerEpoch)), task,
        optimizer, params, sink);
    if (!session.resumed())
        session.begin(runYamlText(trainConfigToYaml(cfg), "train"),
            "started: " + cfg.model + " on " + cfg.trainSpec + " (" + std::to_string(train.count) + " images), val " + cfg.valSpec
                + " (" + std::to_string(val.count) + "), device " + cfg.device + ", " + std::to_string(threads) + " threads"
                + (dist.active() ? ", " + std::to_string(dist.worldSize()) + " ranks (" + dist.backend() + ", batch "
                            + std::to_string(cfg.batchSize) + " per rank)"
                                 : std::string()));
    auto bestAcc = [&session] { return session.best(RunLayout::kBestAccCheckpoint); };
    const SessionOutcome o = session.run(
        trainLoader, cancel,
        [&] {
            char msg[160];
            std::snprintf(
                msg, sizeof msg, "val acc %.4f (best %.4f), val loss %.4f", task.last().acc, bestAcc(), task.last().loss);
            return std::string(msg);
        },
        [&] {
            return std::map<std::string, std::string> {
                {"val_acc", std::to_string(task.last().acc)}, {"best_val_acc", std::to_string(bestAcc())}};
        });

    TrainResult result;
    static_cast<SessionResult&>(result) = o;
    result.bestValAcc = bestAcc();
    if (o.status == JobStatus::Finished) {
        result.lastValLoss = task.last().loss;
        result.lastValAcc = task.last().acc;
    }
    return result;
}

EvalOptions::EvalOptions()
    : transform(referenceEvalTransform())
{
}

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
    TransformConfig transform = o.transform;
    for (const std::string& note : pth::fitEvalTransform(ck, model->architecture(), data.height, transform))
        sink.log(LogLevel::Info, o.checkpoint + ": " + note);
    LoaderOptions lo;
    lo.batchSize = o.batchSize;
    lo.shuffle = false;
    lo.augment = false;
    lo.workers = 1;
    BatchLoader loader(data, transform, lo);
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
        loss += torch::nn::functional::cross_entropy(
            logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
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
