#pragma once
// Core-internal (LibTorch): checkpoints. The program's own checkpoints are torch.save-
// compatible zip files (torch.load in Python gives a dict) holding:
//   format "repalign-checkpoint", version 1, model, epoch, global_step, state_dict,
//   optimizer {type, step, state: {param name: {momentum_buffer | exp_avg, exp_avg_sq}}},
//   best_val_loss, best_val_acc, seed, epoch_stats (running sums for a mid-epoch resume),
//   config (the run's YAML), plus any extra tensors/dicts a job adds (e.g. readout).
#include "models/nets.h"

#include <map>
#include <string>

namespace repalign {

struct Checkpoint {
    std::string model; ///< architecture name; empty when unknown
    std::map<std::string, torch::Tensor> stateDict; ///< model weights (CPU)
    std::int64_t epoch = 0; ///< completed epochs
    std::int64_t globalStep = 0; ///< optimizer steps taken
    std::string optimizerType;
    std::int64_t optimizerStep = 0;
    std::map<std::string, std::map<std::string, torch::Tensor>> optimizerState;
    double bestValLoss = std::numeric_limits<double>::infinity();
    double bestValAcc = -1;
    std::uint64_t seed = 0;
    std::map<std::string, double> scalars; ///< running epoch sums and other numbers
    std::map<std::string, torch::Tensor> extraTensors; ///< e.g. "readout.V4.weight"
    std::string config; ///< YAML of the run
    std::string source; ///< "repalign" or "pytorch"
};

/// Writes @p ckpt atomically (temp file + rename).
void saveCheckpoint(const std::string& path, const Checkpoint& ckpt);

/// Reads a checkpoint: the program's own, or a file written by torch.save (state dict found
/// under @p key, or state_dict/model/model_state_dict/student_state_dict, or bare).
/// Throws Error naming the file.
Checkpoint loadCheckpoint(const std::string& path, const std::string& key = {});

/// Builds the model a checkpoint holds: architecture from the file, else @p modelHint
/// (error when both are missing or disagree), weights loaded strictly.
TapNet modelFromCheckpoint(const Checkpoint& ckpt, const std::string& modelHint, const std::string& path);

} // namespace repalign
