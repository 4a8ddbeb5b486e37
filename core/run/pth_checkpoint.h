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
/// top-level number in scalars. Throws Error naming the file. The reference notebook's
/// neural_predict.weight/bias go to extraTensors (kNotebookReadoutWeight/Bias), not the weights.
Checkpoint checkpointFromTorchSave(const std::string& path, const std::string& key = {});

/// extraTensors keys of the reference notebook's Linear readout (its tuned checkpoint's
/// student_state_dict holds the backbone plus neural_predict.weight [V, features] and
/// neural_predict.bias [V]): kept apart from the backbone, used as the readout by predictivity
/// and tune --resume-from.
inline constexpr const char* kNotebookReadoutWeight = "neural_predict.weight";
inline constexpr const char* kNotebookReadoutBias = "neural_predict.bias";

} // namespace repalign::pth
