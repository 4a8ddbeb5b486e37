#include "train/session.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "common/version.h"
#include "train/distributed.h"
#include "train/schedule.h"
#include "train/step_progress.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace repalign {

namespace {

std::string fmtValue(const char* f, double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

bool gradientsFinite(const Optimizer::NamedParams& params)
{
    std::vector<torch::Tensor> flags;
    for (const auto& [n, p] : params)
        if (p.grad().defined())
            flags.push_back(torch::isfinite(p.grad()).all());
    return flags.empty() || torch::stack(flags).all().item<bool>();
}

/// The first floating-point tensor of @p tensors holding NaN or Inf, empty when none does.
std::string firstNonFinite(const std::map<std::string, torch::Tensor>& tensors)
{
    for (const auto& [name, t] : tensors)
        if (t.defined() && t.is_floating_point() && !torch::isfinite(t).all().item<bool>())
            return name;
    return {};
}

double initialBest(const BestRule& rule)
{
    switch (rule.slot) {
    case BestRule::Slot::ValLoss:
        return std::numeric_limits<double>::infinity();
    case BestRule::Slot::ValAcc:
        return -1;
    case BestRule::Slot::Scalar:
        return rule.initial;
    }
    return rule.initial;
}

} // namespace

SessionSpec sessionSpec(const std::string& kind, const std::string& runDir, bool resume, const std::string& model, int epochs,
    std::int64_t stepsPerEpoch, int batchSize, std::uint64_t seed, const ScheduleConfig& schedule, double baseLr)
{
    SessionSpec s;
    s.kind = kind;
    s.phase = kind;
    s.runDir = runDir;
    s.resume = resume;
    s.model = model;
    s.epochs = epochs;
    s.stepsPerEpoch = stepsPerEpoch;
    s.batchSize = batchSize;
    s.seed = seed;
    s.schedule = schedule;
    s.baseLr = baseLr;
    return s;
}

BestRule bestLossRule(bool save)
{
    return {RunLayout::kBestLossCheckpoint, "loss", /*higherIsBetter=*/false, save, BestRule::Slot::ValLoss, {}, 0, {}};
}

BestRule bestAccRule(bool save)
{
    return {RunLayout::kBestAccCheckpoint, "acc", /*higherIsBetter=*/true, save, BestRule::Slot::ValAcc, {}, 0, {}};
}

LoaderOptions trainLoaderOptions(int batchSize, std::uint64_t seed, int workers)
{
    LoaderOptions o;
    o.batchSize = batchSize;
    o.shuffle = true;
    o.augment = true;
    o.seed = seed;
    o.workers = std::min(workers, std::max(1, hardwareThreads()));
    // Data-parallel: this rank's shard of each epoch (DistributedSampler), batch_size per rank.
    o.shardRank = Distributed::instance().rank();
    o.shardCount = Distributed::instance().worldSize();
    return o;
}

std::int64_t stepsPerEpoch(const BatchLoader& loader, std::int64_t maxSteps)
{
    const std::int64_t n = loader.batchesPerEpoch();
    return maxSteps > 0 ? std::min(n, maxSteps) : n;
}

std::string runYamlText(const std::string& configYaml, const std::string& kind)
{
    return configYaml + "\nrun:\n  kind: " + kind + "\n  created: \"" + isoTimestamp() + "\"\n  versions:\n"
        + libraryVersionsYaml(4);
}

void TrainingSession::checkRunDir(const std::string& runDir, bool resume)
{
    // Data-parallel runs: rank 0 owns the folder; the others only read last.pt.
    if (!Distributed::instance().writer()) {
        const std::string lastPath = RunLayout(runDir).lastCheckpoint();
        if (resume && !fileExists(lastPath))
            throw Error("cannot resume: " + lastPath + " does not exist (rank " + std::to_string(Distributed::instance().rank())
                + " reads it; the run directory must be on a file system all ranks share)");
        return;
    }
    // A job at work in the folder comes first: its files say nothing yet.
    if (isDirectory(runDir)) {
        RunLock probe(runDir);
    }
    checkRunFiles(runDir, resume);
}

void TrainingSession::checkRunFiles(const std::string& runDir, bool resume)
{
    const RunLayout layout(runDir);
    const std::string lastPath = layout.lastCheckpoint();
    if (resume && !fileExists(lastPath))
        throw Error("cannot resume: " + lastPath + " does not exist");
    if (!resume && fileExists(layout.metrics()))
        throw Error("run directory " + runDir + " already holds a run; use --resume to continue it or choose a new --out");
}

TrainingSession::TrainingSession(
    SessionSpec spec, SessionTask& task, Optimizer& optimizer, Optimizer::NamedParams params, ProgressSink& sink)
    : m_spec(std::move(spec))
    , m_task(task)
    , m_optimizer(optimizer)
    , m_params(std::move(params))
    , m_sink(sink)
{
    Distributed& dist = Distributed::instance();
    m_writer = dist.writer();
    if (m_writer) {
        // The lock first: what follows reads and writes the folder as its only user.
        m_lock = std::make_unique<RunLock>(m_spec.runDir);
        checkRunFiles(m_spec.runDir, m_spec.resume);
        for (const std::string& dir : {m_spec.runDir, RunLayout(m_spec.runDir).checkpoints()})
            for (const std::string& removed : removeOrphanedTempFiles(dir))
                m_sink.log(LogLevel::Notice, "removed " + removed + " (left by a process that is gone)");
        m_run = std::make_unique<RunDir>(m_spec.runDir);
    }
    m_totalSteps = m_spec.stepsPerEpoch * m_spec.epochs;
    m_sums.assign(m_spec.sums.size(), 0.0);
    for (const BestRule& rule : m_spec.best) {
        m_best.push_back(initialBest(rule));
        m_bestEpoch.push_back(0);
    }
    if (m_spec.resume) {
        const std::string lastPath = RunLayout(m_spec.runDir).lastCheckpoint();
        Checkpoint ck = loadCheckpoint(lastPath);
        m_task.restore(ck, lastPath);
        m_optimizer.loadState(ck.optimizerState, ck.optimizerStep);
        restore(ck);
        if (m_writer)
            recreateBestCheckpoints(ck);
        if (!alreadyFinished() && m_writer) {
            m_run->truncateMetrics(m_globalStep);
            m_run->log("resumed at epoch " + std::to_string(m_startEpoch + 1) + ", step " + std::to_string(m_globalStep)
                + (dist.active() ? " with " + std::to_string(dist.worldSize()) + " ranks" : std::string()));
            m_sink.log(LogLevel::Info,
                "resuming at epoch " + std::to_string(m_startEpoch + 1) + " step " + std::to_string(m_globalStep));
        }
    }
    if (dist.active()) {
        // DDP's start: every rank holds rank 0's weights and buffers; gradients are averaged
        // in buckets from here on.
        std::vector<torch::Tensor> state;
        for (const auto& [n, p] : m_params)
            state.push_back(p);
        for (const auto& b : m_task.modelBuffers())
            state.push_back(b);
        dist.broadcast(state);
        std::vector<torch::Tensor> params;
        for (const auto& [n, p] : m_params)
            params.push_back(p);
        m_reducer = std::make_unique<GradientReducer>(dist, params);
        const char* check = std::getenv("REPALIGN_DIST_CHECK");
        m_checkRanks = check && std::string(check) == "1";
        if (m_writer)
            m_sink.log(LogLevel::Info,
                "data-parallel: " + std::to_string(dist.worldSize()) + " ranks (" + dist.backend() + "), "
                    + std::to_string(m_reducer->bucketCount()) + " gradient buckets, batch " + std::to_string(m_spec.batchSize)
                    + " per rank");
    }
}

TrainingSession::~TrainingSession() = default;

void TrainingSession::checkRanksAgree()
{
    // Test builds (REPALIGN_DIST_CHECK=1): weights bitwise equal on every rank, and with
    // synchronised BatchNorm its statistics too (per-rank ones differ until the next step's
    // broadcast from rank 0, as in DDP).
    std::vector<torch::Tensor> all;
    for (const auto& [n, p] : m_params)
        all.push_back(p);
    if (m_spec.syncBatchNorm)
        for (const auto& b : m_task.modelBuffers())
            all.push_back(b);
    const auto hashes = Distributed::instance().allGather(static_cast<std::int64_t>(tensorsHash(all)));
    for (std::size_t r = 1; r < hashes.size(); ++r)
        if (hashes[r] != hashes[0])
            throw Error(
                "parameters differ between rank 0 and rank " + std::to_string(r) + " after step " + std::to_string(m_globalStep));
    ++m_rankChecks;
}

double TrainingSession::best(const std::string& file) const
{
    for (std::size_t i = 0; i < m_spec.best.size(); ++i)
        if (m_spec.best[i].file == file)
            return m_best[i];
    throw Error("no best-checkpoint rule writes " + file);
}

int TrainingSession::bestEpoch(const std::string& file) const
{
    for (std::size_t i = 0; i < m_spec.best.size(); ++i)
        if (m_spec.best[i].file == file)
            return m_bestEpoch[i];
    throw Error("no best-checkpoint rule writes " + file);
}

bool TrainingSession::alreadyFinished() const
{
    return m_spec.resume && m_startEpoch >= m_spec.epochs && m_startBatch == 0;
}

void TrainingSession::begin(const std::string& runYaml, const std::string& startedLine)
{
    if (!m_writer)
        return;
    m_run->writeRunYaml(runYaml);
    m_run->log(startedLine);
}

void TrainingSession::restore(const Checkpoint& ck)
{
    auto scalar = [&ck](const std::string& key, double fallback) {
        auto it = ck.scalars.find(key);
        return it == ck.scalars.end() ? fallback : it->second;
    };
    m_startEpoch = static_cast<int>(ck.epoch);
    m_globalStep = ck.globalStep;
    m_startBatch = static_cast<std::int64_t>(scalar("epoch_batch", 0));
    for (std::size_t i = 0; i < m_spec.sums.size(); ++i)
        m_sums[i] = scalar(m_spec.sums[i].checkpointKey, 0);
    m_seen = scalar("epoch_seen", 0);
    // Another world size than the checkpoint's: a mid-epoch position maps to the batch that
    // starts at the same share of the epoch, and the schedule follows the epoch position.
    const int world = Distributed::instance().worldSize();
    const int ckWorld = static_cast<int>(scalar("world_size", 1));
    if (ckWorld != world) {
        m_worldChanged = true;
        m_startBatch = m_startBatch * ckWorld / world;
    }
    if (!m_writer) {
        // The epoch sums so far are rank 0's to carry: they are all-reduced at the epoch's end.
        std::fill(m_sums.begin(), m_sums.end(), 0.0);
        m_seen = 0;
    }
    if (m_spec.recordLossScale) {
        m_lossScale = scalar("loss_scale", m_lossScale);
        m_goodSteps = static_cast<std::int64_t>(scalar("good_steps", 0));
    }
    for (std::size_t i = 0; i < m_spec.best.size(); ++i) {
        const BestRule& rule = m_spec.best[i];
        m_best[i] = rule.slot == BestRule::Slot::ValLoss ? ck.bestValLoss
            : rule.slot == BestRule::Slot::ValAcc        ? ck.bestValAcc
                                                         : scalar(rule.scalarKey, rule.initial);
        if (!rule.epochKey.empty())
            m_bestEpoch[i] = static_cast<int>(scalar(rule.epochKey, 0));
    }
}

void TrainingSession::recreateBestCheckpoints(const Checkpoint& last)
{
    // A process killed between the checkpoint writes of an epoch (before best-* were written
    // first) lost a best-* file that last.pt's records name: last.pt is that checkpoint when
    // its epoch is the best one.
    if (last.scalars.count("epoch_batch") && last.scalars.at("epoch_batch") != 0)
        return;
    std::vector<MetricRow> rows;
    bool rowsRead = false;
    for (std::size_t i = 0; i < m_spec.best.size(); ++i) {
        const BestRule& rule = m_spec.best[i];
        const std::string path = m_run->checkpointPath(rule.file);
        if (!rule.save || m_best[i] == initialBest(rule) || fileExists(path))
            continue;
        bool lastIsBest = false;
        if (!rule.epochKey.empty()) {
            lastIsBest = m_bestEpoch[i] == last.epoch;
        } else {
            if (!rowsRead) {
                rows = MetricsReader(m_run->metricsPath()).poll();
                rowsRead = true;
            }
            for (const MetricRow& row : rows)
                if (row.step == last.globalStep && row.split == "val" && row.name == rule.value)
                    lastIsBest = fmtValue("%.9g", row.value) == fmtValue("%.9g", m_best[i]);
        }
        if (lastIsBest) {
            const std::vector<char> bytes = readFileBytes(m_run->layout().lastCheckpoint());
            writeFileAtomic(path, bytes.data(), bytes.size());
            m_run->log("re-created checkpoints/" + rule.file + " from last.pt (epoch " + std::to_string(last.epoch) + ")");
            m_sink.log(LogLevel::Notice, "re-created " + path + " from last.pt, which holds the best epoch");
        } else {
            m_sink.log(LogLevel::Warning,
                path
                    + " is missing and its epoch's weights are gone; it is written again when an "
                      "epoch beats the recorded best");
        }
    }
}

Checkpoint TrainingSession::checkpoint(std::int64_t epochsDone, std::int64_t batchInEpoch) const
{
    Checkpoint ck;
    ck.model = m_spec.model;
    ck.epoch = epochsDone;
    ck.globalStep = m_globalStep;
    ck.optimizerType = m_optimizer.type();
    ck.optimizerStep = m_optimizer.stepCount();
    ck.optimizerState = m_optimizer.state();
    ck.seed = m_spec.seed;
    ck.scalars["epoch_batch"] = static_cast<double>(batchInEpoch);
    for (std::size_t i = 0; i < m_spec.sums.size(); ++i)
        ck.scalars[m_spec.sums[i].checkpointKey] = m_sums[i];
    ck.scalars["epoch_seen"] = m_seen;
    if (Distributed::instance().active())
        ck.scalars["world_size"] = Distributed::instance().worldSize();
    if (m_spec.recordLossScale) {
        ck.scalars["loss_scale"] = m_lossScale;
        ck.scalars["good_steps"] = static_cast<double>(m_goodSteps);
    }
    for (std::size_t i = 0; i < m_spec.best.size(); ++i) {
        const BestRule& rule = m_spec.best[i];
        if (rule.slot == BestRule::Slot::ValLoss)
            ck.bestValLoss = m_best[i];
        else if (rule.slot == BestRule::Slot::ValAcc)
            ck.bestValAcc = m_best[i];
        else
            ck.scalars[rule.scalarKey] = m_best[i];
        if (!rule.epochKey.empty())
            ck.scalars[rule.epochKey] = m_bestEpoch[i];
    }
    m_task.save(ck);
    return ck;
}

std::map<std::string, std::string> TrainingSession::statusExtra(int epoch) const
{
    std::map<std::string, std::string> extra {{"epoch", std::to_string(epoch)}, {"epochs", std::to_string(m_spec.epochs)},
        {"step", std::to_string(m_globalStep)}, {"steps", std::to_string(m_totalSteps)}, {"kind", jsonQuote(m_spec.kind)},
        {"model", jsonQuote(m_spec.model)}};
    if (Distributed::instance().active())
        extra["world_size"] = std::to_string(Distributed::instance().worldSize());
    return extra;
}

double TrainingSession::fraction() const
{
    return m_totalSteps ? double(m_globalStep) / double(m_totalSteps) : 0;
}

bool TrainingSession::optimizerStep(const StepOutput& out, double lr, const std::function<bool()>& beforeUpdate)
{
    // Data-parallel: the gradients are averaged over the ranks in buckets that start while
    // backward runs (GradientReducer); every rank then applies the same update.
    auto backward = [this](const torch::Tensor& loss) {
        if (m_reducer)
            m_reducer->prepare();
        loss.backward();
        if (m_reducer) {
            m_reducer->finish();
            m_commSeconds += m_reducer->lastWaitSeconds();
            ++m_commSteps;
        }
    };
    if (m_spec.precision == "fp16") {
        // Dynamic loss scaling (torch.cuda.amp.GradScaler's rule): skip the update and halve
        // the scale on overflow, double it after 2000 good steps.
        backward(out.loss * m_lossScale);
        if (!gradientsFinite(m_params)) {
            m_lossScale /= 2;
            m_goodSteps = 0;
            if (m_writer)
                m_run->log("fp16 overflow at step " + std::to_string(m_globalStep + 1) + "; loss scale now "
                    + std::to_string(m_lossScale));
            return false;
        }
        for (auto& [n, p] : m_params)
            if (p.grad().defined())
                p.mutable_grad().div_(m_lossScale);
        if (!beforeUpdate())
            return false;
        m_optimizer.step(lr);
        if (++m_goodSteps % 2000 == 0)
            m_lossScale *= 2;
        return true;
    }
    backward(out.loss);
    if (!beforeUpdate())
        return false;
    m_optimizer.step(lr);
    return true;
}

std::string TrainingSession::nonFiniteParameter() const
{
    std::vector<torch::Tensor> flags;
    flags.reserve(m_params.size());
    torch::NoGradGuard noGrad;
    for (const auto& [n, p] : m_params)
        flags.push_back(torch::isfinite(p).all());
    if (flags.empty() || torch::stack(flags).all().item<bool>())
        return {};
    for (std::size_t i = 0; i < flags.size(); ++i)
        if (!flags[i].item<bool>())
            return m_params[i].first;
    return {};
}

std::string TrainingSession::keptCheckpoint() const
{
    const std::string last = RunLayout(m_spec.runDir).lastCheckpoint();
    if (fileExists(last))
        return "kept " + last + " (the last good state)";
    return "no checkpoint kept";
}

SessionOutcome TrainingSession::outcome(JobStatus status, int epochsDone, const std::string& message) const
{
    SessionOutcome o;
    o.status = status;
    o.runDir = m_spec.runDir;
    o.message = message;
    o.epochsDone = epochsDone;
    o.steps = m_globalStep;
    o.ranEpochs = true;
    for (std::size_t i = 0; i < m_spec.best.size(); ++i) {
        o.best[m_spec.best[i].file] = m_best[i];
        o.bestEpoch[m_spec.best[i].file] = m_bestEpoch[i];
    }
    return o;
}

SessionOutcome TrainingSession::diverged(int epoch, const std::string& what)
{
    const std::string msg = what + "; " + keptCheckpoint();
    if (m_writer) {
        m_run->log("diverged: " + msg);
        m_run->writeStatus(RunState::Diverged, fraction(), msg, statusExtra(epoch + 1));
    }
    m_sink.log(LogLevel::Error, "diverged: " + msg);
    return outcome(JobStatus::Diverged, epoch, msg);
}

SessionOutcome TrainingSession::cancelled(int epoch, std::int64_t batch, const CancelToken& cancel)
{
    // Data-parallel ranks cancel together (they agree on it each step); a rank that was not
    // signalled itself says where the cancel came from.
    const std::string reason = cancel.cancelled() && cancel.reason() ? cancel.reason() : "cancelled on another rank";
    std::string where = batch >= m_spec.stepsPerEpoch ? "during validation of epoch " + std::to_string(epoch + 1)
                                                      : "at epoch " + std::to_string(epoch + 1);
    where += " step " + std::to_string(m_globalStep);
    std::string kept = "last.pt holds this state";
    Distributed& dist = Distributed::instance();
    std::vector<double> sums = m_sums;
    sums.push_back(m_seen);
    if (dist.active() && batch < m_spec.stepsPerEpoch)
        dist.allReduceSum(sums); // the checkpoint's epoch sums cover every rank
    if (m_spec.saveLast) {
        const std::vector<double> own = m_sums;
        const double ownSeen = m_seen;
        std::copy(sums.begin(), sums.end() - 1, m_sums.begin());
        m_seen = sums.back();
        Checkpoint ck = checkpoint(epoch, batch);
        m_sums = own;
        m_seen = ownSeen;
        const std::string bad = firstNonFinite(ck.stateDict);
        if (!bad.empty())
            kept = "not saved: " + bad + " is not finite; " + keptCheckpoint();
        else if (m_writer)
            saveCheckpoint(m_run->layout().lastCheckpoint(), ck);
    } else {
        kept = keptCheckpoint();
    }
    if (m_writer) {
        m_run->writeStatus(RunState::Cancelled, fraction(), reason + " " + where, statusExtra(epoch + 1));
        m_run->log(reason + " " + where + "; " + kept);
    }
    return outcome(JobStatus::Cancelled, epoch, reason + " " + where + "; resume with --resume");
}

SessionOutcome TrainingSession::failed(int epoch, const std::string& reason)
{
    if (m_writer) {
        // Best effort: the failure may be the disk itself.
        try {
            m_run->log("failed: " + reason);
        } catch (const std::exception&) {
        }
        try {
            m_run->writeStatus(RunState::Failed, fraction(), reason, statusExtra(epoch + 1));
        } catch (const std::exception& e) {
            m_sink.log(LogLevel::Error, std::string("cannot record the failure in status.json: ") + e.what());
        }
    }
    m_sink.log(LogLevel::Error, "failed: " + reason);
    return outcome(JobStatus::Failed, epoch, reason);
}

std::optional<SessionOutcome> TrainingSession::trainStep(
    const Batch& batch, int epoch, std::int64_t b, std::uint64_t seedStream, StepProgress& pace, const CancelToken& cancel)
{
    Distributed& dist = Distributed::instance();
    const std::int64_t scheduleStep = m_worldChanged ? std::int64_t(epoch) * m_spec.stepsPerEpoch + b : m_globalStep;
    const double lr = learningRate(m_spec.schedule, scheduleStep, m_spec.stepsPerEpoch, m_spec.baseLr);
    // Dropout draws depend on the step only, so a resumed run draws the same masks.
    torch::manual_seed(mixSeed(m_spec.seed, seedStream, static_cast<std::uint64_t>(m_globalStep)));
    m_optimizer.zeroGrad();
    if (dist.active() && !m_spec.syncBatchNorm)
        dist.broadcast(m_task.modelBuffers()); // DDP's broadcast_buffers
    const auto stepStart = std::chrono::steady_clock::now();
    const StepOutput out = m_task.step(batch, lr);
    if (!dist.active() && !std::isfinite(out.lossValue))
        return diverged(epoch,
            "loss became " + std::string(std::isnan(out.lossValue) ? "NaN" : "Inf") + " at step "
                + std::to_string(m_globalStep + 1) + " (lr " + std::to_string(lr) + ")");
    double meanLoss = out.lossValue;
    bool anyCancel = false;
    const bool updated = optimizerStep(out, lr, [&] {
        if (!dist.active())
            return true;
        // One small all-reduce per step: the mean loss (a NaN on any rank ends all
        // of them) and whether any rank was cancelled.
        std::vector<double> v {out.lossValue, cancel.cancelled() ? 1.0 : 0.0};
        dist.allReduceSum(v);
        meanLoss = v[0] / dist.worldSize();
        anyCancel = v[1] > 0;
        return std::isfinite(meanLoss) && !anyCancel;
    });
    if (!updated && !std::isfinite(meanLoss))
        return diverged(epoch,
            "loss became " + std::string(std::isnan(meanLoss) ? "NaN" : "Inf") + " at step " + std::to_string(m_globalStep + 1)
                + " (lr " + std::to_string(lr) + ", mean over " + std::to_string(dist.worldSize()) + " ranks)");
    if (!updated && anyCancel)
        return cancelled(epoch, b, cancel);
    m_stepSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - stepStart).count();
    ++m_globalStep;
    if (m_checkRanks)
        checkRanksAgree();
    const std::string bad = nonFiniteParameter();
    if (!bad.empty())
        return diverged(epoch,
            "parameter " + bad + " became NaN/Inf at step " + std::to_string(m_globalStep) + " (lr " + std::to_string(lr) + ")");
    for (std::size_t i = 0; i < m_sums.size() && i < out.sums.size(); ++i)
        m_sums[i] += out.sums[i];
    m_seen += out.count;
    if (!m_writer)
        return std::nullopt;
    const double epochPos = epoch + double(b + 1) / double(m_spec.stepsPerEpoch);
    const double now = wallClockSeconds();
    for (const NamedMetric& m : out.rows)
        m_run->appendMetric({m_globalStep, epochPos, now, m.split, m.name, m.value});
    m_run->appendMetric({m_globalStep, epochPos, now, "train", "lr", lr});

    ProgressEvent ev;
    ev.phase = m_spec.phase;
    ev.epoch = epoch + 1;
    ev.epochs = m_spec.epochs;
    ev.done = b + 1;
    ev.total = m_spec.stepsPerEpoch;
    ev.loss = m_sums[static_cast<std::size_t>(m_spec.runningLossSum)] / m_seen;
    if (m_spec.runningAccSum >= 0)
        ev.accuracy = m_sums[static_cast<std::size_t>(m_spec.runningAccSum)] / m_seen;
    pace.fill(ev, m_globalStep);
    m_sink.progress(ev);
    if (pace.statusDue())
        m_run->writeStatus(RunState::Running, ev.fraction,
            "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(m_spec.epochs), statusExtra(epoch + 1));
    return std::nullopt;
}

std::optional<SessionOutcome> TrainingSession::endEpoch(
    int epoch, const std::string& lastPath, StepProgress& pace, const CancelToken& cancel)
{
    Distributed& dist = Distributed::instance();
    if (m_writer) {
        ProgressEvent vev;
        vev.phase = "val";
        vev.epoch = epoch + 1;
        vev.epochs = m_spec.epochs;
        vev.fraction = fraction();
        m_sink.progress(vev);
    }
    // The epoch's sums over all ranks (a no-op with one process).
    std::vector<double> totals = m_sums;
    totals.push_back(m_seen);
    dist.allReduceSum(totals);
    std::vector<double> means;
    for (std::size_t i = 0; i < m_sums.size(); ++i)
        means.push_back(totals[i] / std::max(1.0, totals.back()));
    EpochReport report;
    try {
        report = m_task.validate(epoch, means, cancel);
    } catch (const Cancelled&) {
        // The epoch's training is done: keep it, validation reruns after a resume.
        return cancelled(epoch, m_spec.stepsPerEpoch, cancel);
    }
    if (m_writer) {
        const double now = wallClockSeconds();
        const double ep = double(epoch + 1);
        for (std::size_t i = 0; i < means.size(); ++i)
            m_run->appendMetric({m_globalStep, ep, now, "train", m_spec.sums[i].metric, means[i]});
        for (const NamedMetric& m : report.rows)
            m_run->appendMetric({m_globalStep, ep, now, m.split, m.name, m.value});
        m_run->log(report.line);
        m_sink.log(LogLevel::Info, report.line);
    }
    if (!std::isfinite(report.valLoss))
        return diverged(epoch,
            "validation loss became " + std::string(std::isnan(report.valLoss) ? "NaN" : "Inf") + " after epoch "
                + std::to_string(epoch + 1));

    std::fill(m_sums.begin(), m_sums.end(), 0.0);
    m_seen = 0;
    std::vector<std::size_t> better;
    for (std::size_t i = 0; i < m_spec.best.size(); ++i) {
        const BestRule& rule = m_spec.best[i];
        auto it = report.values.find(rule.value);
        if (it == report.values.end())
            continue;
        if (rule.higherIsBetter ? it->second > m_best[i] : it->second < m_best[i]) {
            m_best[i] = it->second;
            m_bestEpoch[i] = epoch + 1;
            better.push_back(i);
        }
    }
    for (std::size_t i : better)
        m_task.improved(m_spec.best[i], epoch + 1, report);
    const Checkpoint ck = checkpoint(epoch + 1, 0);
    const std::string bad = firstNonFinite(ck.stateDict);
    if (!bad.empty())
        return diverged(epoch, bad + " is NaN/Inf after epoch " + std::to_string(epoch + 1));
    if (m_writer) {
        // best-* before last.pt: a process killed in between resumes from the previous
        // last.pt and writes this epoch's files again.
        for (std::size_t i : better)
            if (m_spec.best[i].save)
                saveCheckpoint(m_run->checkpointPath(m_spec.best[i].file), ck);
        if (m_spec.saveLast)
            saveCheckpoint(lastPath, ck);
        m_run->writeStatus(RunState::Running, fraction(), report.line, statusExtra(epoch + 1));
    }
    pace.statusWritten();
    return std::nullopt;
}

SessionOutcome TrainingSession::finish(
    const std::function<std::string()>& finishedLine, const std::function<std::map<std::string, std::string>()>& finishedExtra)
{
    Distributed& dist = Distributed::instance();
    // Every rank is done before rank 0 reports the run finished (and its store goes).
    dist.barrier();
    const std::string msg = finishedLine();
    if (dist.active() && m_writer) {
        char share[200];
        std::snprintf(share, sizeof share,
            "data-parallel: %d ranks, gradient all-reduce waited %.3f s per step (%.1f%% of the step)", dist.worldSize(),
            m_commSteps ? m_commSeconds / double(m_commSteps) : 0.0,
            m_stepSeconds > 0 ? 100.0 * m_commSeconds / m_stepSeconds : 0.0);
        m_run->log(share);
        if (m_checkRanks)
            m_run->log(std::string(m_spec.syncBatchNorm ? "parameters and buffers" : "parameters") + " bitwise identical on all "
                + std::to_string(dist.worldSize()) + " ranks after each of " + std::to_string(m_rankChecks) + " steps");
    }
    std::map<std::string, std::string> extra = statusExtra(m_spec.epochs);
    for (auto& [k, v] : finishedExtra())
        extra[k] = v;
    if (m_writer) {
        m_run->writeStatus(RunState::Finished, 1.0, msg, extra);
        m_run->log(std::string(toString(RunState::Finished)) + ": " + msg);
    }
    return outcome(JobStatus::Finished, m_spec.epochs, msg);
}

SessionOutcome TrainingSession::run(BatchLoader& loader, const CancelToken& cancel,
    const std::function<std::string()>& finishedLine, const std::function<std::map<std::string, std::string>()>& finishedExtra)
{
    if (alreadyFinished()) {
        SessionOutcome o = outcome(JobStatus::Finished, m_startEpoch,
            "the run already finished its " + std::to_string(m_spec.epochs) + " epochs; nothing to resume");
        o.ranEpochs = false;
        m_sink.log(LogLevel::Notice, o.message);
        return o;
    }
    Distributed& dist = Distributed::instance();
    const std::string lastPath = RunLayout(m_spec.runDir).lastCheckpoint();
    int epoch = m_startEpoch;
    try {
        if (m_writer)
            m_run->writeStatus(
                RunState::Running, fraction(), m_spec.kind == "tune" ? "tuning" : "training", statusExtra(m_startEpoch));
        StepProgress pace(m_totalSteps, m_spec.batchSize * dist.worldSize(), m_globalStep);
        // Each rank draws its own dropout masks (still a function of the step).
        const std::uint64_t seedStream = dist.active()
            ? mixSeed(m_spec.stepSeedStream, 0x7a2cull, static_cast<std::uint64_t>(dist.rank()))
            : m_spec.stepSeedStream;
        for (; epoch < m_spec.epochs; ++epoch) {
            const std::int64_t first = (epoch == m_startEpoch) ? m_startBatch : 0;
            if (epoch != m_startEpoch) {
                std::fill(m_sums.begin(), m_sums.end(), 0.0);
                m_seen = 0;
            }
            loader.start(epoch, first, m_spec.stepsPerEpoch);
            Batch batch;
            for (std::int64_t b = first; b < m_spec.stepsPerEpoch; ++b) {
                // Data-parallel ranks agree on a cancel at the step's all-reduce instead.
                if (cancel.cancelled() && !dist.active())
                    return cancelled(epoch, b, cancel);
                if (!loader.next(batch))
                    break;
                if (auto ended = trainStep(batch, epoch, b, seedStream, pace, cancel))
                    return *ended;
            }
            if (auto ended = endEpoch(epoch, lastPath, pace, cancel))
                return *ended;
        }
        return finish(finishedLine, finishedExtra);
    } catch (const std::exception& e) {
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        if (dist.active()) {
            // A collective that failed names the rank that is gone; a failure of this rank's
            // own is left for the others to name.
            if (isCollectiveFailure(e))
                what = dist.explainFailure(what);
            else
                dist.reportFailure(what);
        }
        return failed(std::min(epoch, m_spec.epochs - 1), what);
    }
}

} // namespace repalign
