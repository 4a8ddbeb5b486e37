#pragma once
/// @file project.h
/// What a project folder holds, for the Setup forms: its runs and their checkpoints, which
/// checkpoint of a run to fine-tune or analyse, and the training speed measured by earlier runs
/// (for a duration estimate). These scan folders and read files: call them off the UI thread.
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

struct ProjectCheckpoint {
    std::string run; ///< the run folder relative to the project ("baseline", "runs/tuned")
    std::string runDir; ///< absolute run folder
    std::string file; ///< "best_acc.pt"
    std::string path; ///< absolute checkpoint path
};

/// True for a folder holding run.yaml, status.json or metrics.csv.
bool isRunFolder(const std::string& dir);
/// The runs of @p projectDir (its sub-folders that are runs, and one level below, as the
/// project tree shows them), in name order.
std::vector<std::string> listProjectRuns(const std::string& projectDir);
/// Each run's checkpoints (checkpoints/*.pt, *.pth), runs in name order, each run's preferred
/// checkpoint first (see preferredCheckpoint), then the others by name.
std::vector<ProjectCheckpoint> listProjectCheckpoints(const std::string& projectDir);
/// The checkpoint of @p runDir to start from: best_acc.pt, else best_loss.pt, else last.pt,
/// else the first by name; empty when the run has none.
std::string preferredCheckpoint(const std::string& runDir);

/// What a run folder's run.yaml says (train and tune runs; empty fields when it is missing or
/// unreadable): the kind, the model (a tune run's base model), the device ("cpu" when unset) and
/// the batch size.
struct RunFacts {
    std::string kind, model, device;
    int batchSize = 0;
};
RunFacts readRunFacts(const std::string& runDir);

/// Images per second over the train `loss` rows of a run's metrics.csv (0 with fewer than two
/// rows; gaps over ten minutes, a resume, are left out); the last row's wall time in @p lastWall.
double metricsImagesPerSecond(const std::string& runDir, int batchSize, double* lastWall);

struct MeasuredSpeed {
    double imagesPerSecond = 0; ///< 0 = no measurement
    std::string run; ///< the run it was measured on
    std::string model;
    std::string device;
};
/// The measurement to trust among @p runs of @p kind (train | tune) on @p device: a run of
/// @p model beats runs of other models, then the most recent (last metrics row) wins.
MeasuredSpeed measuredSpeedOfRuns(
    const std::vector<std::string>& runs, const std::string& kind, const std::string& device, const std::string& model);
/// Training throughput (images per second, validation included) of the most recent train run
/// in @p projectDir on @p device, preferring runs of @p model: from each run's run.yaml (model,
/// device, batch size) and the step and wall-clock columns of its metrics.csv. Pauses longer
/// than ten minutes (a resume) are left out.
MeasuredSpeed measuredTrainingSpeed(const std::string& projectDir, const std::string& device, const std::string& model);

struct TrainConfig;
struct DurationEstimate {
    std::int64_t imagesPerEpoch = 0; ///< training images one epoch draws (after max_steps_per_epoch)
    std::int64_t images = 0; ///< over all epochs
    MeasuredSpeed speed; ///< imagesPerSecond 0 = no measurement on this device yet
    double seconds = -1; ///< -1 without a measurement
};
/// How long @p config would train, from the size of its training data (shapes:N, the CIFAR-10
/// batch files' sizes, 60000 for MNIST-style IDX, the files of an image folder) and the speed
/// measured by the project's runs on the same device (measuredTrainingSpeed).
DurationEstimate estimateTrainingDuration(const std::string& projectDir, const TrainConfig& config);

/// What `classification_val: auto` means for a tuning run: the data the base run was
/// validated on. Read from the run.yaml of the run @p baseCheckpoint belongs to
/// (RUN/checkpoints/FILE), else from @p recordedConfig (the YAML the checkpoint records): a
/// training run's data.val; for a tuned base, its explicit classification_val or, in turn, its
/// own base. Empty when neither says (the caller then looks for CIFAR-10).
std::string baseRunValidationData(const std::string& baseCheckpoint, const std::string& recordedConfig = {});

/// "2 h 05 min", "14 min", "40 s".
std::string formatDuration(double seconds);

} // namespace repalign
