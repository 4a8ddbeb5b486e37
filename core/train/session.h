#pragma once
// Core-internal (LibTorch): one epoch/step training session, shared by baseline training
// (trainer.cpp) and neural fine-tuning (tuner.cpp).
//
// The session owns everything that is the same for every kind of training: the run-directory
// lock, resume, the step loop with cancel, the optimizer step (loss scaling for fp16; this is
// where a data-parallel all-reduce of the gradients belongs), non-finite detection ->
// diverged, metrics rows, status.json, checkpoint selection (last and best-by-metric, best-*
// written before last.pt), progress and ETA, and the end-of-run summary. A job supplies only
// what is its own through a SessionTask: its step's forward pass, its validation and its part
// of the checkpoint, in the style of the PyTorch C++ examples' train() / test().
#include "common/progress.h"
#include "data/loader.h"
#include "run/checkpoint.h"
#include "run/config.h"
#include "run/job.h"
#include "run/rundir.h"
#include "train/optim.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace repalign {

class StepProgress;

class GradientReducer;

/// A metric row's split, name and value (step, epoch and time are the session's).
struct NamedMetric {
    std::string split;
    std::string name;
    double value = 0;
};

/// What one training step's forward pass gives back.
struct StepOutput {
    torch::Tensor loss; ///< scalar to minimise (the session runs backward on it)
    double lossValue = 0; ///< loss.item()
    double count = 0; ///< images in the batch (the epoch sums' weight)
    std::vector<double> sums; ///< additions to the epoch sums, in SessionSpec::sums order
    std::vector<NamedMetric> rows; ///< per-step metric rows ("train", "loss", ...); "lr" follows
};

/// What a validation gives back after an epoch.
struct EpochReport {
    double valLoss = 0; ///< must be finite, else the run diverged
    std::vector<NamedMetric> rows; ///< val metric rows, after the train epoch rows
    std::map<std::string, double> values; ///< what the best-* rules compare ("loss", "acc", ...)
    std::string line; ///< the epoch's log line
};

/// A running sum kept over an epoch's steps (saved in checkpoints for mid-epoch resumes) and
/// written as a train metric (sum / images) at the end of the epoch.
struct EpochSum {
    std::string checkpointKey; ///< scalars key in the checkpoint, e.g. "epoch_loss_sum"
    std::string metric; ///< train metric written per epoch, e.g. "epoch_loss"
};

/// Keeps checkpoints/<file> for the epoch with the best value of a validation number.
struct BestRule {
    enum class Slot { ValLoss, ValAcc, Scalar }; ///< where the best value is recorded in checkpoints
    std::string file; ///< "best_acc.pt"
    std::string value; ///< key of EpochReport::values, and the val metric row it comes from
    bool higherIsBetter = true;
    bool save = true; ///< write the file (the best value is tracked either way)
    Slot slot = Slot::Scalar;
    std::string scalarKey; ///< Slot::Scalar: checkpoint scalars key of the best value
    double initial = 0; ///< Slot::Scalar: the value before any epoch
    std::string epochKey; ///< checkpoint scalars key of the best epoch (1-based), empty = none
};

struct SessionSpec {
    std::string kind; ///< "train" | "tune": status.json kind, log texts
    std::string phase; ///< progress phase of the steps ("train", "tune")
    std::string runDir;
    bool resume = false;
    std::string model; ///< architecture recorded in checkpoints and status.json
    int epochs = 1;
    std::int64_t stepsPerEpoch = 1;
    int batchSize = 1;
    std::uint64_t seed = 0;
    std::uint64_t stepSeedStream = 0; ///< torch is seeded from (seed, stream, step) before each step
    ScheduleConfig schedule;
    double baseLr = 0; ///< the optimizer's lr (constant schedules)
    std::string precision = "fp32"; ///< fp16 adds dynamic loss scaling
    bool recordLossScale = false; ///< checkpoints carry loss_scale/good_steps
    bool saveLast = true;
    std::vector<EpochSum> sums; ///< the epoch sums, in checkpoint and metric order
    int runningLossSum = 0; ///< index into sums shown as the running loss
    int runningAccSum = -1; ///< index into sums shown as the running accuracy, -1 = none
    std::vector<BestRule> best;
    bool syncBatchNorm = false; ///< data-parallel: BN statistics are synchronised (no per-step buffer broadcast)
};

/// The parts of a spec every job sets the same way; the job adds its sums and best rules.
SessionSpec sessionSpec(const std::string& kind, const std::string& runDir, bool resume, const std::string& model, int epochs,
    std::int64_t stepsPerEpoch, int batchSize, std::uint64_t seed, const ScheduleConfig& schedule, double baseLr);
/// best_loss.pt (lowest val loss, recorded as best_val_loss) and best_acc.pt (highest val
/// accuracy, best_val_acc).
BestRule bestLossRule(bool save = true);
BestRule bestAccRule(bool save = true);

/// The training loader: shuffled, augmented, seeded, @p workers capped at the cores.
LoaderOptions trainLoaderOptions(int batchSize, std::uint64_t seed, int workers);
/// The loader's batches per epoch, capped at @p maxSteps when that is positive.
std::int64_t stepsPerEpoch(const BatchLoader& loader, std::int64_t maxSteps);
/// run.yaml: the config's YAML, then the run block (kind, creation time, library versions).
std::string runYamlText(const std::string& configYaml, const std::string& kind);

/// A job's own part of a session.
class SessionTask {
public:
    virtual ~SessionTask() = default;
    /// Puts the job's state from a resume checkpoint back (weights, optimizer, readouts).
    virtual void restore(const Checkpoint& ck, const std::string& path) = 0;
    /// Adds the job's part to a checkpoint: weights, extra tensors, its own scalars, config.
    virtual void save(Checkpoint& ck) const = 0;
    /// The forward pass and loss of one step on @p batch (gradients are zeroed before).
    virtual StepOutput step(const Batch& batch, double lr) = 0;
    /// Validation after an epoch; @p trainMeans are the epoch sums / images, in spec order.
    /// May throw Cancelled.
    virtual EpochReport validate(int epoch, const std::vector<double>& trainMeans, const CancelToken& cancel) = 0;
    /// Called when best rule @p rule improved at @p epoch (1-based), before checkpoints are written.
    virtual void improved(const BestRule& /*rule*/, int /*epoch*/, const EpochReport& /*report*/) { }
    /// The trained model's buffers (BatchNorm running statistics): data-parallel runs
    /// broadcast them from rank 0 at the start and before each step, as DDP does.
    virtual std::vector<torch::Tensor> modelBuffers() const { return {}; }
};

/// How a session ended, with the numbers a job reports.
struct SessionOutcome : SessionResult {
    bool ranEpochs = false; ///< false when a resume found the run already finished
    std::map<std::string, double> best; ///< best value per rule file
    std::map<std::string, int> bestEpoch; ///< best epoch per rule file with an epochKey
};

class TrainingSession {
public:
    /// The checks a job makes before any work (and the session again under the lock): a
    /// resume needs checkpoints/last.pt, a new run an empty folder.
    static void checkRunDir(const std::string& runDir, bool resume);

    /// Locks the run directory (Error naming the holder when another job has it), refuses a
    /// new run in a folder that holds one, removes orphaned temporary files, and on resume
    /// restores the session's state and the task's (Error for a checkpoint that does not fit).
    TrainingSession(SessionSpec spec, SessionTask& task, Optimizer& optimizer, Optimizer::NamedParams params, ProgressSink& sink);
    ~TrainingSession();
    TrainingSession(const TrainingSession&) = delete;
    TrainingSession& operator=(const TrainingSession&) = delete;

    bool resumed() const { return m_spec.resume; }
    int startEpoch() const { return m_startEpoch; }
    std::int64_t globalStep() const { return m_globalStep; }
    /// The best value so far of the rule writing @p file (its initial value before any epoch).
    double best(const std::string& file) const;
    /// The epoch (1-based) of that best value, for rules with an epochKey; 0 before any.
    int bestEpoch(const std::string& file) const;
    /// True when a resume found every epoch done: run() returns at once.
    bool alreadyFinished() const;
    /// Starts a new run's files: run.yaml and the first log line (not called on resume).
    void begin(const std::string& runYaml, const std::string& startedLine);

    /// Runs the remaining epochs over @p loader. Cancel, divergence and failures after the
    /// start (a full disk, ...) are outcomes, recorded in status.json and log.txt.
    /// @p finishedLine / @p finishedExtra give the end-of-run summary (the message without its
    /// state: status.json has the state beside it, the log writes "finished: <line>").
    SessionOutcome run(BatchLoader& loader, const CancelToken& cancel, const std::function<std::string()>& finishedLine,
        const std::function<std::map<std::string, std::string>()>& finishedExtra);

private:
    static void checkRunFiles(const std::string& runDir, bool resume);

    SessionSpec m_spec;
    SessionTask& m_task;
    Optimizer& m_optimizer;
    Optimizer::NamedParams m_params;
    ProgressSink& m_sink;
    std::unique_ptr<RunLock> m_lock;
    std::unique_ptr<RunDir> m_run;
    int m_startEpoch = 0;
    std::int64_t m_startBatch = 0;
    std::int64_t m_globalStep = 0;
    std::vector<double> m_sums;
    double m_seen = 0;
    std::vector<double> m_best;
    std::vector<int> m_bestEpoch;
    double m_lossScale = 65536.0;
    std::int64_t m_goodSteps = 0;
    std::int64_t m_totalSteps = 0;
    // Data-parallel runs (train/distributed.h): rank 0 alone writes the run directory.
    bool m_writer = true;
    std::unique_ptr<GradientReducer> m_reducer;
    bool m_worldChanged = false; ///< resumed at another world size: the schedule follows the epoch position
    bool m_checkRanks = false; ///< REPALIGN_DIST_CHECK: parameter hashes compared across ranks after each step
    std::int64_t m_rankChecks = 0;
    double m_commSeconds = 0, m_stepSeconds = 0;
    std::int64_t m_commSteps = 0;

    Checkpoint checkpoint(std::int64_t epochsDone, std::int64_t batchInEpoch) const;
    void restore(const Checkpoint& ck);
    void recreateBestCheckpoints(const Checkpoint& last);
    std::map<std::string, std::string> statusExtra(int epoch) const;
    double fraction() const;
    bool optimizerStep(const StepOutput& out, double lr, const std::function<bool()>& beforeUpdate);
    void checkRanksAgree();
    std::string nonFiniteParameter() const;
    SessionOutcome diverged(int epoch, const std::string& what);
    SessionOutcome cancelled(int epoch, std::int64_t batch, const CancelToken& cancel);
    SessionOutcome failed(int epoch, const std::string& reason);
    std::string keptCheckpoint() const;
    SessionOutcome outcome(JobStatus status, int epochsDone, const std::string& message) const;
    /// run() in parts. One optimisation step on @p batch (step @p b of @p epoch) with its metrics
    /// and progress; an outcome when the run ends there (diverged, cancelled).
    std::optional<SessionOutcome> trainStep(
        const Batch& batch, int epoch, std::int64_t b, std::uint64_t seedStream, StepProgress& pace, const CancelToken& cancel);
    /// The end of @p epoch: validation, the best-* checkpoints and last.pt; an outcome when the run ends there.
    std::optional<SessionOutcome> endEpoch(int epoch, const std::string& lastPath, StepProgress& pace, const CancelToken& cancel);
    /// The finished run: every rank done, the data-parallel summary, status.json and log.txt.
    SessionOutcome finish(const std::function<std::string()>& finishedLine,
        const std::function<std::map<std::string, std::string>()>& finishedExtra);
};

} // namespace repalign
