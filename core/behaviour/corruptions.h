#pragma once
/// @file corruptions.h
/// CIFAR-10-C (Hendrycks & Dietterich 2019): the 19 corruptions and 5 severities of
/// ImageNet-C/create_c/make_cifar_c.py (github:hendrycks/robustness), computed natively, and
/// the job that writes the published layout (<name>.npy uint8 [5N,H,W,3], labels.npy uint8 [5N]).
/// Torch-free public header.
#include "common/progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign::behaviour {

/// The 19 CIFAR-10-C corruptions in make_cifar_c.py's order (the published file stems).
const std::vector<std::string>& corruptionNames();
/// True for the corruptions without randomness (brightness, contrast, saturate, defocus_blur,
/// gaussian_blur, zoom_blur, pixelate, jpeg_compression): the seed does not change them.
bool isDeterministicCorruption(const std::string& name);
/// Throws Error naming @p name and listing the valid ones when it is not a corruption.
void checkCorruptionName(const std::string& name);

/// One image (uint8 RGB, row-major HxWx3) -> corrupted image of the same size, as make_cifar_c.py.
/// Random corruptions draw from a generator seeded by @p seed alone (callers mix in the
/// corruption, severity and image index). Throws Error for an unknown name / severity outside
/// 1..5 / frost without frostDir.
std::vector<std::uint8_t> corruptImage(const std::string& name, int severity, const std::uint8_t* rgb, int height, int width,
    std::uint64_t seed, const std::string& frostDir = {});

/// The seed corruptImage gets for image @p index of @p name at @p severity in a run seeded @p seed.
std::uint64_t corruptionImageSeed(std::uint64_t seed, const std::string& name, int severity, std::int64_t index);

struct CorruptOptions {
    std::string data; ///< data spec, as everywhere ("cifar10:DIR", "shapes", "fashion-mnist:DIR", ...)
    std::string split = "val";
    /// Writes <outDir>/<name>.npy uint8 [5N,H,W,3] (severity-major), labels.npy (uint8 [5N], as
    /// published) and corrupt.yaml (recipe, seed).
    std::string outDir;
    /// Empty = all 19 (frost then needs frostDir: refused with one line naming --frost-dir).
    std::vector<std::string> corruptions;
    std::vector<int> severities = {1, 2, 3, 4, 5};
    std::uint64_t seed = 0;
    std::string frostDir;
    std::int64_t maxImages = -1;
    int threads = 0; ///< 0 = all cores
};

/// Writes the corrupted data set. Each corruption's file is written to a temp file and renamed,
/// so a cancel keeps the finished ones (listed in the log) and leaves no partial file.
/// Bad options throw Error before any work.
JobStatus runCorrupt(const CorruptOptions& options, ProgressSink& sink, const CancelToken& cancel);

} // namespace repalign::behaviour
