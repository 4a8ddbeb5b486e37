#pragma once
// Core-internal (LibTorch): the LPIPS v0.1 network (AlexNet features + learned 1x1 weights)
// and the cached-feature pairwise distances the Interpretability Index uses.
#include "common/progress.h"
#include "data/dataset.h"
#include "interpret/analysis.h"
#include "interpret/lpips.h"

#include <torch/torch.h>

#include <array>
#include <map>
#include <string>

namespace repalign {

/// Channels of AlexNet's relu1..relu5.
inline constexpr std::array<int, 5> kLpipsChannels {{64, 192, 384, 256, 256}};
/// v0.1 scaling layer: (x - shift) / scale.
inline constexpr std::array<float, 3> kLpipsShift {{-0.030f, -0.088f, -0.188f}};
inline constexpr std::array<float, 3> kLpipsScale {{0.458f, 0.448f, 0.450f}};

/// Weights of the network, CPU float32: AlexNet features.{0,3,6,8,10}.{weight,bias} and the
/// five 1x1 weights lin0..lin4 ([1,C,1,1], non-negative).
struct LpipsWeights {
    std::map<std::string, torch::Tensor> alexnet;
    std::array<torch::Tensor, 5> lin;
    LpipsWeightsSource source;
};

/// Loads the weights @p source names (reads both .pth files, or draws random:SEED weights
/// from the counter-based generator). Throws Error naming a file with missing/odd entries.
LpipsWeights loadLpipsWeights(const LpipsWeightsSource& source);

/// The deterministic random:SEED weights: every value comes from repalign::Rng seeded with
/// mixSeed(seed, tensor number) (tensor numbers 0..9 = features.{0,3,6,8,10}.{weight,bias},
/// 10..14 = lin0..lin4), drawn in row-major order: u = Rng::uniform();
/// conv weight (2u-1)*sqrt(6/fan_in), conv bias (2u-1)*0.1, lin weight u*2/C.
LpipsWeights randomLpipsWeights(std::uint64_t seed);

/// Unit-normalises a feature map over channels: x / (sqrt(sum_c x^2) + 1e-10).
torch::Tensor lpipsNormalize(const torch::Tensor& x);

/// Per-layer distance from two normalised feature maps [B,C,H,W] and a lin weight [1,C,1,1]:
/// spatial mean of sum_c w_c (a-b)^2, giving [B].
torch::Tensor lpipsLayerDistance(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& lin);

class LpipsNet {
public:
    LpipsNet(const LpipsWeights& weights, torch::Device device);

    /// Normalised features at relu1..relu5 for inputs in [-1, 1] ([B,3,H,W], any device).
    std::array<torch::Tensor, 5> features(const torch::Tensor& x) const;
    /// Per-layer distances [B,5] between two batches in [-1, 1].
    torch::Tensor forward(const torch::Tensor& x0, const torch::Tensor& x1) const;
    /// Per-layer distances [P,5] between cached features rows @p ia and @p ib (int64 [P]): one
    /// fused pass on the CPU, batched tensor operations in chunks of @p chunk pairs elsewhere.
    torch::Tensor pairDistances(const std::array<torch::Tensor, 5>& feats, const torch::Tensor& ia, const torch::Tensor& ib,
        std::int64_t chunk = 512) const;

    torch::Device device() const { return m_device; }
    const LpipsWeightsSource& source() const { return m_source; }

private:
    torch::Device m_device;
    std::array<torch::Tensor, 5> m_convW, m_convB, m_lin;
    torch::Tensor m_shift, m_scale;
    LpipsWeightsSource m_source;
};

/// uint8 HWC RGB images [N,H,W,3] -> float [N,3,S,S] in [-1, 1]; resized to @p side
/// bilinearly (half-pixel centres, no antialias) when side > 0 and differs.
torch::Tensor lpipsPrepare(const std::uint8_t* images, std::int64_t count, int height, int width, int side);

/// The Interpretability Index of every unit.
struct IIValues {
    std::vector<float> lpips; ///< [U]
    std::vector<std::array<float, 5>> perLayer; ///< [U]
    std::vector<float> pairs; ///< [U*k*k] symmetric total LPIPS, zero diagonal
    std::vector<float> color, label; ///< [U]
    std::int64_t distinctImages = 0; ///< images whose features were computed
    std::int64_t distinctPairs = 0; ///< image pairs whose distance was computed
    double featureSeconds = 0, pairSeconds = 0, unitSeconds = 0; ///< where the time went (for the job's log)
};

/// Computes II-LPIPS (with per-layer parts and the pair matrices), II-color and II-label for
/// @p units units whose k MEIs are @p meiIndices ([U*k], into @p data). Each distinct image's
/// normalised features are computed once (batches of @p batch, resized to @p resize), then
/// all pair distances come from the cache in batched tensor operations on the net's device.
IIValues computeII(const LpipsNet& net, const ImageDataset& data, const std::vector<std::int64_t>& meiIndices, std::int64_t units,
    int k, int resize, IIDiagonal diagonal, ProgressSink& sink, const CancelToken& cancel, int batch = 128);

} // namespace repalign
