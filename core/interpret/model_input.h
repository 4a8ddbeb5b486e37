#pragma once
// Core-internal (LibTorch): showing a synthesised image to a model at its input size.
#include <torch/torch.h>

namespace repalign {

/// [B,3,H,W] images in [0, 1] -> [B,3,side,side], differentiable: bilinear with half-pixel
/// centres (align_corners false), antialiased when shrinking. Upsampling this way is Pillow's
/// bilinear Resize, which eval and analyze apply to dataset images for a model of another input
/// size (pth::fitModelInputSize), up to Pillow's 8-bit rounding. @p side <= 0 or equal to the
/// image's side returns @p images unchanged.
torch::Tensor resizeToModelInput(const torch::Tensor& images, int side);

} // namespace repalign
