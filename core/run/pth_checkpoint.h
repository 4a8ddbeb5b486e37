#pragma once
// Core-internal (LibTorch): a Checkpoint from a file PyTorch wrote (torch.save of a state
// dict or of a training script's checkpoint dict), read with the pth reader.
#include "run/checkpoint.h"
#include "run/config.h"

#include <string>
#include <vector>

namespace repalign::pth {

/// Fills Checkpoint::stateDict from the state dict under @p key (or found automatically, see
/// stateDictFrom), source "pytorch", and, when the top-level dict records them: epoch,
/// global_step/step, best_val_loss/best_loss, best_val_acc/best_acc, seed, config, the model
/// name (model/arch/architecture/model_name when it is one of modelNames()), and every other
/// top-level number in scalars. Throws Error naming the file. The reference notebook's
/// neural_predict.weight/bias go to extraTensors (kNotebookReadoutWeight/Bias), not the weights.
/// A checkpoint of the MadryLab robustness library ({'model': state_dict, 'epoch', ...} with
/// keys module.model.* (the weights), module.attacker.* (a second copy) and
/// module.normalizer.new_mean/new_std) becomes the bare weights, with the normaliser kept in
/// extraTensors under kNormalizerMean/kNormalizerStd and the model set to resnet50_madry when
/// the weights have its names.
Checkpoint checkpointFromTorchSave(const std::string& path, const std::string& key = {});

/// extraTensors keys of an input normaliser stored with the model (robustness checkpoints).
inline constexpr const char* kNormalizerMean = "normalizer.new_mean";
inline constexpr const char* kNormalizerStd = "normalizer.new_std";

/// When @p ckpt stores its own input normaliser, replaces @p transform's mean/std by it and
/// returns true (the model expects ToTensor's [0, 1] image normalised that way, whatever a
/// config says); otherwise leaves @p transform alone and returns false.
bool applyStoredNormalizer(const Checkpoint& ckpt, TransformConfig& transform);

/// Fits an evaluation transform (eval, analyze) to the model a checkpoint holds: its stored
/// normaliser (applyStoredNormalizer), and, when @p transform does not resize, a resize of
/// @p imageSide images to the architecture's input size (224 for alexnet/resnet50: what the
/// reference's cifar10_224 does). Returns one line per change, for the job's log.
std::vector<std::string> fitEvalTransform(
    const Checkpoint& ckpt, const std::string& architecture, int imageSide, TransformConfig& transform);

/// The resize half of fitEvalTransform, the one rule every command that feeds images to a
/// model follows (eval, analyze, predictivity, tune; visualize resizes its optimised image the
/// same way): when @p transform does not resize (resize <= 0) and @p imageSide differs from the
/// architecture's input size, sets resize to that size and returns the one-line note; else
/// returns "". Unknown architectures are left alone.
std::string fitModelInputSize(const std::string& architecture, int imageSide, TransformConfig& transform);

/// extraTensors keys of the reference notebook's Linear readout (its tuned checkpoint's
/// student_state_dict holds the backbone plus neural_predict.weight [V, features] and
/// neural_predict.bias [V]): kept apart from the backbone, used as the readout by predictivity
/// and tune --resume-from.
inline constexpr const char* kNotebookReadoutWeight = "neural_predict.weight";
inline constexpr const char* kNotebookReadoutBias = "neural_predict.bias";

} // namespace repalign::pth
