#pragma once
/// @file trainer.h
/// Baseline classifier training as a core job (no LibTorch types here).
#include "common/progress.h"
#include "run/config.h"
#include "run/job.h"

#include <string>

namespace repalign {

struct TrainResult : SessionResult {
    double lastValLoss = 0, lastValAcc = 0; ///< after the last epoch (finished runs)
    double bestValAcc = 0;
};

/// Trains cfg.model on cfg.trainSpec, validating on cfg.valSpec each epoch (train/job.h says
/// what run() does and throws).
using TrainJob = SessionJob<TrainConfig, TrainResult>;
template <> TrainResult SessionJob<TrainConfig, TrainResult>::run(ProgressSink& sink, const CancelToken& cancel);

struct EvalOptions {
    std::string checkpoint;
    std::string model; ///< architecture when the file does not record it
    std::string data; ///< data spec
    std::string split = "test";
    std::string dumpLogits; ///< HDF5 path for /logits and /labels, empty = none
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

} // namespace repalign
