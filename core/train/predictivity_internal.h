#pragma once
// Core-internal (LibTorch): feature extraction shared by the predictivity probe and the tuner.
#include "common/progress.h"
#include "models/nets.h"
#include "run/config.h"

#include <torch/torch.h>

#include <string>

namespace repalign {

/// A tap's output as one feature vector per image: flatten (all of C*H*W) or mean (spatial
/// mean per channel). 2-D outputs pass through.
torch::Tensor poolTap(const torch::Tensor& tap, const std::string& pooling);

/// Features of @p images (normalised float [N,3,S,S] on the CPU) at @p layer, in eval mode
/// without gradients, batch by batch on @p device; returned on the CPU as float [N,F].
torch::Tensor extractFeatures(TapNetImpl& model, const torch::Tensor& images, const std::string& layer,
    const std::string& pooling, const torch::Device& device, int batchSize, ProgressSink& sink, const CancelToken& cancel,
    const std::string& phase);

/// Bundle images for evaluation: resize to @p side, then the reference CIFAR normalisation.
TransformConfig bundleEvalTransform(int side);

/// Throws Error listing the model's taps when @p layer is not one of them.
void requireTap(TapNetImpl& model, const std::string& layer, const std::string& where);

} // namespace repalign
