#pragma once
/// @file trainer.h
/// Baseline classifier training as a core job (no LibTorch types here).
#include "common/progress.h"
#include "train/config.h"

#include <string>

namespace repalign {

struct TrainResult {
    std::string state;        ///< finished | cancelled | diverged | failed
    std::string runDir;
    int epochsDone = 0;
    std::int64_t steps = 0;
    double lastValLoss = 0, lastValAcc = 0;
    double bestValAcc = 0;
    std::string message;
};

/// Trains cfg.model on cfg.trainSpec, validating on cfg.valSpec each epoch, writing the run
/// directory (DESIGN.md). With resume=true it continues from checkpoints/last.pt bit-for-bit.
class TrainJob {
public:
    TrainJob(TrainConfig config, std::string runDir, bool resume = false);
    /// Runs to the end, a cancel, or divergence; throws Error for bad input before any work.
    /// Cancel and divergence are results, not exceptions: the last good checkpoint is kept.
    TrainResult run(ProgressSink& sink, const CancelToken& cancel);

private:
    TrainConfig m_config;
    std::string m_runDir;
    bool m_resume;
};

struct EvalOptions {
    std::string checkpoint;
    std::string model;        ///< architecture when the file does not record it
    std::string data;         ///< data spec
    std::string split = "test";
    std::string dumpLogits;   ///< HDF5 path for /logits and /labels, empty = none
    std::string device = "cpu";
    int threads = 0;
    int batchSize = 256;
    std::string checkpointKey; ///< state-dict key inside a PyTorch checkpoint, empty = auto
    /// Normalisation; the reference's CIFAR-10 statistics by default.
    TransformConfig transform;
    EvalOptions();
};

struct EvalResult {
    std::int64_t count = 0;
    double accuracy = 0;
    double meanLoss = 0;
    std::string model;
};

/// Evaluates a checkpoint on a data split (eval mode, no augmentation).
EvalResult evaluateCheckpoint(const EvalOptions& options, ProgressSink& sink, const CancelToken& cancel);

/// The reference's CIFAR-10 normalisation (mean 0.4914.., std 0.2470..), no crop or flip.
TransformConfig referenceEvalTransform();

} // namespace repalign
