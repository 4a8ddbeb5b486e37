#pragma once
// Core-internal: reading image files with the size checked from the header before decoding,
// so a file that claims 100000x100000 pixels gets one line naming it, not an allocation or
// OpenCV's assertion text.
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <string>

namespace repalign {

/// The most pixels an image file may have: 8192 x 8192.
constexpr std::int64_t kMaxImagePixels = 8192LL * 8192LL;

/// Width and height from the header of a PNG, JPEG, BMP, GIF or PPM/PGM file, without
/// decoding it. Returns false when the format is not one of these (or the header is cut off).
bool imageHeaderSize(const std::string& path, std::int64_t& width, std::int64_t& height);

/// cv::imread with checks: the file exists, the header's size is within kMaxImagePixels,
/// and it decodes. Throws Error naming the file (never OpenCV's text).
cv::Mat readImageFile(const std::string& path, int flags);

} // namespace repalign
