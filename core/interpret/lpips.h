#pragma once
/// @file lpips.h
/// LPIPS (AlexNet, v0.1) without LibTorch types: where the weights come from, and the
/// distance between two image files (`repalign-cli lpips`). The network is in lpips_net.h.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

/// Where LPIPS weights come from.
struct LpipsWeightsSource {
    bool random = false; ///< random:SEED (uncalibrated)
    std::uint64_t seed = 0;
    std::string alexnetPath; ///< torchvision alexnet-owt-7be5be79.pth (or compatible)
    std::string linPath; ///< lpips weights/v0.1/alex.pth
    /// The value recorded in outputs: "alexnet-owt-7be5be79.pth sha256:..; alex.pth sha256:.."
    /// or "random:SEED". Filled by describe().
    std::string description;
    bool calibrated() const { return !random; }
};

/// File names of the official weights.
inline const char* kAlexnetWeightsFile = "alexnet-owt-7be5be79.pth";
inline const char* kLpipsLinWeightsFile = "alex.pth";

/// Resolves a weights spec, in this order:
///  1. @p spec naming the two files ("A.pth,B.pth" in any order; the one whose file name
///     starts with "alexnet" is the torchvision file) or a folder holding them (also searched:
///     its weights/v0.1/ and hub/checkpoints/ subfolders);
///  2. when @p spec is empty: $TORCH_HOME/hub/checkpoints, ~/.cache/torch/hub/checkpoints
///     and the lpips package folders of the Python site-packages found on this system;
///  3. "random:SEED", only when asked for explicitly.
/// Throws Error listing every place it looked and how to get the files.
LpipsWeightsSource locateLpipsWeights(const std::string& spec);
/// The automatic search places (step 2), in order, for messages and the GUI.
std::vector<std::string> lpipsSearchPlaces();
/// sha256 of a file as lower-case hex.
std::string sha256File(const std::string& path);

/// The smallest square input LPIPS's AlexNet takes: conv1 (kernel 11, stride 4, padding 2)
/// and two 3x3 stride-2 max-pools leave 1 pixel at 31 px and nothing below.
constexpr int kLpipsMinSide = 31;
/// The largest resize side accepted (a 4096x4096 pair needs about 1.5 GB in conv1).
constexpr int kLpipsMaxSide = 4096;

/// Throws Error "OPTION N is out of range (valid: 0 = as is, or 31..4096 ...)" unless @p side is
/// 0 (no resize) or within kLpipsMinSide..kLpipsMaxSide. @p option names it ("--resize").
void checkLpipsResize(int side, const std::string& option);
/// Throws Error naming @p what when a height x width input is smaller than kLpipsMinSide.
void checkLpipsInputSize(std::int64_t height, std::int64_t width, const std::string& what);

struct LpipsOptions {
    std::string weights; ///< spec as for locateLpipsWeights
    int resize = 0; ///< square side to resize to first (bilinear, half-pixel, no antialias); 0 = none
    std::string device = "cpu";
    int threads = 0;
};

struct LpipsValue {
    double distance = 0;
    std::array<double, 5> layers {}; ///< relu1..relu5 parts
    bool calibrated = false;
    std::string weights; ///< description of the weights used
};

/// LPIPS between two image files (PNG/JPEG/...; RGB). Images must have equal sizes after
/// the optional resize; throws Error naming the file otherwise.
LpipsValue lpipsBetweenFiles(const std::string& a, const std::string& b, const LpipsOptions& options);

/// LPIPS between two uint8 HWC RGB images of the same size (for tests and tools).
LpipsValue lpipsBetweenImages(const std::uint8_t* a, const std::uint8_t* b, int height, int width, const LpipsOptions& options);

} // namespace repalign
