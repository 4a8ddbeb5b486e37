#pragma once
// Core-internal (LibTorch): a Checkpoint from a file PyTorch wrote (torch.save of a state
// dict or of a training script's checkpoint dict), read with the pth reader.
#include "run/checkpoint.h"

#include <string>

namespace repalign::pth {

/// Fills Checkpoint::stateDict from the state dict under @p key (or found automatically, see
/// stateDictFrom), source "pytorch", and, when the top-level dict records them: epoch,
/// global_step/step, best_val_loss/best_loss, best_val_acc/best_acc, seed, config, the model
/// name (model/arch/architecture/model_name when it is one of modelNames()), and every other
/// top-level number in scalars. Throws Error naming the file.
Checkpoint checkpointFromTorchSave(const std::string& path, const std::string& key = {});

} // namespace repalign::pth
