#pragma once
/// @file pil_resize.h
/// Pillow's bilinear and box resample (Image.resize(size, Image.BILINEAR / Image.BOX) on a
/// uint8 RGB image), bit for bit: bilinear is what torchvision's Resize does to a PIL image, and
/// so what the reference does to every NSD stimulus and to CIFAR-10 for the 224-pixel models;
/// box is what CIFAR-10-C's pixelate does.
#include <cstdint>
#include <utility>
#include <vector>

namespace repalign {

/// Resizes a uint8 HWC RGB image of @p height x @p width to @p outHeight x @p outWidth as
/// Pillow's ImagingResample with the BILINEAR filter: separable, the horizontal pass first
/// (its uint8 result feeds the vertical pass), the triangle filter's support widened by the
/// scale factor when shrinking (antialiasing), per-pixel weights normalised to sum 1, then
/// held as 22-bit fixed point with Pillow's rounding and clipping. Equal sizes copy.
/// Throws Error for non-positive sizes.
std::vector<std::uint8_t> pilResizeBilinear(const std::uint8_t* rgb, int height, int width, int outHeight, int outWidth);

/// Pillow's resample filters this file reproduces.
enum class PilFilter { Bilinear, Box };

/// pilResizeBilinear with the filter chosen: Box is Pillow's BOX (support 0.5, weight 1 on
/// (-0.5, 0.5]), otherwise the same passes, fixed point and rounding. The taps are cached per
/// thread for the sizes seen. Throws Error for non-positive sizes.
std::vector<std::uint8_t> pilResize(
    const std::uint8_t* rgb, int height, int width, int outHeight, int outWidth, PilFilter filter);

/// The output size (height, width) of torchvision's Resize(@p size) on a PIL image of
/// @p height x @p width: the shorter side becomes @p size, the longer int(size * long / short).
std::pair<int, int> torchvisionResizeShape(int height, int width, int size);

} // namespace repalign
