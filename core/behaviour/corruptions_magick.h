#pragma once
// Core-internal: ImageMagick's motion blur (MagickMotionBlurImage, as make_cifar_c.py calls it
// through Wand) on a uint8 RGB image. Kept in its own translation unit so that only it is built
// with Magick++'s include paths and defines.
#include <cstdint>
#include <vector>

namespace repalign::behaviour {

/// The image read by ImageMagick (8-bit RGB into its Q16 pixels, as from the script's PNG),
/// motionBlurImage(radius, sigma, angle), back to 8 bits as its PNG writer does. Thread-safe.
std::vector<std::uint8_t> magickMotionBlur(
    const std::uint8_t* rgb, int height, int width, double radius, double sigma, double angle);

} // namespace repalign::behaviour
