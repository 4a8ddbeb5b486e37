#include "interpret/lpips_net.h"

#include "common/error.h"
#include "common/rng.h"
#include "interpret/lpips.h"
#include "run/checkpoint.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace repalign {

namespace {
const std::array<const char*, 5> kConvNames {{"features.0", "features.3", "features.6", "features.8", "features.10"}};
const std::array<int, 5> kConvIn {{3, 64, 192, 384, 256}};
const std::array<int, 5> kConvKernel {{11, 5, 3, 3, 3}};
const std::array<int, 5> kConvStride {{4, 1, 1, 1, 1}};
const std::array<int, 5> kConvPad {{2, 2, 1, 1, 1}};

std::vector<std::int64_t> convShape(int l)
{
    return {kLpipsChannels[l], kConvIn[l], kConvKernel[l], kConvKernel[l]};
}

torch::Tensor takeTensor(std::map<std::string, torch::Tensor>& dict, const std::string& key,
    const std::vector<std::int64_t>& shape, const std::string& file)
{
    auto it = dict.find(key);
    if (it == dict.end()) {
        std::vector<std::string> keys;
        for (const auto& kv : dict)
            keys.push_back(kv.first);
        if (keys.size() > 12)
            keys.resize(12), keys.push_back("...");
        throw Error(file + ": missing tensor '" + key + "' for LPIPS (found: " + joinChoices(keys) + ")");
    }
    torch::Tensor t = it->second.to(torch::kCPU, torch::kFloat32).contiguous();
    if (t.sizes().vec() != shape) {
        std::string want, got;
        for (auto d : shape)
            want += (want.empty() ? "" : "x") + std::to_string(d);
        for (auto d : t.sizes())
            got += (got.empty() ? "" : "x") + std::to_string(d);
        throw Error(file + ": tensor '" + key + "' has shape " + got + ", LPIPS (AlexNet v0.1) needs " + want);
    }
    return t;
}

torch::Tensor randomTensor(
    std::uint64_t seed, int tensorNo, const std::vector<std::int64_t>& shape, const std::function<float(double)>& value)
{
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    std::vector<float> v(static_cast<std::size_t>(n));
    Rng rng(mixSeed(seed, static_cast<std::uint64_t>(tensorNo)));
    for (auto& x : v)
        x = value(rng.uniform());
    return torch::from_blob(v.data(), shape, torch::kFloat32).clone();
}
} // namespace

LpipsWeights randomLpipsWeights(std::uint64_t seed)
{
    LpipsWeights w;
    for (int l = 0; l < 5; ++l) {
        const double fanIn = static_cast<double>(kConvIn[l]) * kConvKernel[l] * kConvKernel[l];
        const double bound = std::sqrt(6.0 / fanIn);
        w.alexnet[std::string(kConvNames[l]) + ".weight"]
            = randomTensor(seed, 2 * l, convShape(l), [bound](double u) { return static_cast<float>((2 * u - 1) * bound); });
        w.alexnet[std::string(kConvNames[l]) + ".bias"]
            = randomTensor(seed, 2 * l + 1, {kLpipsChannels[l]}, [](double u) { return static_cast<float>((2 * u - 1) * 0.1); });
    }
    for (int l = 0; l < 5; ++l) {
        const double c = kLpipsChannels[l];
        w.lin[l]
            = randomTensor(seed, 10 + l, {1, kLpipsChannels[l], 1, 1}, [c](double u) { return static_cast<float>(u * 2.0 / c); });
    }
    w.source.random = true;
    w.source.seed = seed;
    w.source.description = "random:" + std::to_string(seed);
    return w;
}

LpipsWeights loadLpipsWeights(const LpipsWeightsSource& source)
{
    if (source.random)
        return randomLpipsWeights(source.seed);
    LpipsWeights w;
    w.source = source;
    // loadCheckpoint reads torch.save files (zip or legacy, bare state dicts or dicts holding
    // one) as well as the program's own checkpoints
    auto alex = loadCheckpoint(source.alexnetPath).stateDict;
    for (int l = 0; l < 5; ++l) {
        const std::string n = kConvNames[l];
        w.alexnet[n + ".weight"] = takeTensor(alex, n + ".weight", convShape(l), source.alexnetPath);
        w.alexnet[n + ".bias"] = takeTensor(alex, n + ".bias", {kLpipsChannels[l]}, source.alexnetPath);
    }
    auto lin = loadCheckpoint(source.linPath).stateDict;
    for (int l = 0; l < 5; ++l) {
        w.lin[l] = takeTensor(lin, "lin" + std::to_string(l) + ".model.1.weight", {1, kLpipsChannels[l], 1, 1}, source.linPath);
        if ((w.lin[l] < 0).any().item<bool>())
            throw Error(source.linPath + ": lin" + std::to_string(l)
                + ".model.1.weight has negative entries; LPIPS v0.1 weights are non-negative");
    }
    return w;
}

torch::Tensor lpipsNormalize(const torch::Tensor& x)
{
    auto norm = torch::sqrt(torch::sum(x * x, /*dim=*/1, /*keepdim=*/true));
    return x / (norm + 1e-10);
}

torch::Tensor lpipsLayerDistance(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& lin)
{
    auto d = a - b;
    // the lin layer (a 1x1 convolution without bias) as a weighted channel sum, then the
    // spatial average; elementwise, so no BLAS or layout conversions on the hot path
    return (d * d * lin).sum(1).mean({1, 2});
}

LpipsNet::LpipsNet(const LpipsWeights& weights, torch::Device device)
    : m_device(device)
    , m_source(weights.source)
{
    for (int l = 0; l < 5; ++l) {
        const std::string n = kConvNames[l];
        m_convW[l] = weights.alexnet.at(n + ".weight").to(device);
        m_convB[l] = weights.alexnet.at(n + ".bias").to(device);
        m_lin[l] = weights.lin[l].to(device);
    }
    m_shift = torch::tensor({kLpipsShift[0], kLpipsShift[1], kLpipsShift[2]}).view({1, 3, 1, 1}).to(device);
    m_scale = torch::tensor({kLpipsScale[0], kLpipsScale[1], kLpipsScale[2]}).view({1, 3, 1, 1}).to(device);
}

std::array<torch::Tensor, 5> LpipsNet::features(const torch::Tensor& input) const
{
    std::array<torch::Tensor, 5> out;
    if (input.dim() == 4)
        checkLpipsInputSize(input.size(2), input.size(3), "the LPIPS input");
    auto x = (input.to(m_device, torch::kFloat32) - m_shift) / m_scale;
    for (int l = 0; l < 5; ++l) {
        if (l == 1 || l == 2)
            x = torch::max_pool2d(x, /*kernel_size=*/3, /*stride=*/2);
        x = torch::relu(torch::conv2d(x, m_convW[l], m_convB[l], kConvStride[l], kConvPad[l]));
        out[l] = lpipsNormalize(x);
    }
    return out;
}

torch::Tensor LpipsNet::forward(const torch::Tensor& x0, const torch::Tensor& x1) const
{
    const auto f0 = features(x0);
    const auto f1 = features(x1);
    std::vector<torch::Tensor> parts;
    for (int l = 0; l < 5; ++l)
        parts.push_back(lpipsLayerDistance(f0[l], f1[l], m_lin[l]));
    return torch::stack(parts, 1);
}

namespace {
/// pairDistances on the CPU in one pass over the cached features: for each pair and layer the
/// spatial mean of sum_c w_c (a_cs - b_cs)^2, accumulated in double. The tensor form gathers
/// both rows of every pair and runs five elementwise passes over [P,C,H,W] temporaries (2.2 s
/// for 4,691 pairs at 64 px, most of it allocation and memory traffic); this reads each row
/// once per pair.
torch::Tensor pairDistancesCpu(const std::array<torch::Tensor, 5>& feats, const std::array<torch::Tensor, 5>& lin,
    const std::vector<std::int64_t>& ia, const std::vector<std::int64_t>& ib)
{
    const auto p = static_cast<std::int64_t>(ia.size());
    std::array<torch::Tensor, 5> f, w;
    for (int l = 0; l < 5; ++l) {
        f[l] = feats[l].to(torch::kFloat32).contiguous();
        w[l] = lin[l].to(torch::kFloat32).contiguous();
    }
    auto out = torch::empty({p, 5}, torch::kFloat32);
    float* o = out.data_ptr<float>();
    at::parallel_for(0, p, 16, [&](std::int64_t lo, std::int64_t hi) {
        std::vector<double> acc;
        for (int l = 0; l < 5; ++l) {
            const std::int64_t c = f[l].size(1), s = f[l].size(2) * f[l].size(3);
            const float* base = f[l].data_ptr<float>();
            const float* wl = w[l].data_ptr<float>();
            acc.resize(static_cast<std::size_t>(s));
            for (std::int64_t q = lo; q < hi; ++q) {
                const float* a = base + ia[static_cast<std::size_t>(q)] * c * s;
                const float* b = base + ib[static_cast<std::size_t>(q)] * c * s;
                std::fill(acc.begin(), acc.end(), 0.0);
                for (std::int64_t ch = 0; ch < c; ++ch) {
                    const double wc = wl[ch];
                    const float* ac = a + ch * s;
                    const float* bc = b + ch * s;
                    for (std::int64_t i = 0; i < s; ++i) {
                        const double d = static_cast<double>(ac[i]) - bc[i];
                        acc[static_cast<std::size_t>(i)] += wc * d * d;
                    }
                }
                double sum = 0;
                for (double v : acc)
                    sum += v;
                o[q * 5 + l] = static_cast<float>(sum / static_cast<double>(s));
            }
        }
    });
    return out;
}
} // namespace

torch::Tensor LpipsNet::pairDistances(
    const std::array<torch::Tensor, 5>& feats, const torch::Tensor& ia, const torch::Tensor& ib, std::int64_t chunk) const
{
    const std::int64_t p = ia.size(0);
    if (m_device.is_cpu()) {
        const auto ca = ia.to(torch::kCPU, torch::kLong).contiguous(), cb = ib.to(torch::kCPU, torch::kLong).contiguous();
        const std::vector<std::int64_t> va(ca.data_ptr<std::int64_t>(), ca.data_ptr<std::int64_t>() + p);
        const std::vector<std::int64_t> vb(cb.data_ptr<std::int64_t>(), cb.data_ptr<std::int64_t>() + p);
        for (std::int64_t q = 0; q < p; ++q)
            if (va[static_cast<std::size_t>(q)] < 0 || va[static_cast<std::size_t>(q)] >= feats[0].size(0)
                || vb[static_cast<std::size_t>(q)] < 0 || vb[static_cast<std::size_t>(q)] >= feats[0].size(0))
                throw Error("LPIPS pair " + std::to_string(q) + " names a feature row outside 0.."
                    + std::to_string(feats[0].size(0) - 1));
        return pairDistancesCpu(feats, m_lin, va, vb);
    }
    std::vector<torch::Tensor> rows;
    const auto a = ia.to(m_device, torch::kLong), b = ib.to(m_device, torch::kLong);
    for (std::int64_t s = 0; s < p; s += chunk) {
        const std::int64_t e = std::min(p, s + chunk);
        auto sa = a.slice(0, s, e), sb = b.slice(0, s, e);
        std::vector<torch::Tensor> parts;
        for (int l = 0; l < 5; ++l)
            parts.push_back(lpipsLayerDistance(feats[l].index_select(0, sa), feats[l].index_select(0, sb), m_lin[l]));
        rows.push_back(torch::stack(parts, 1));
    }
    if (rows.empty())
        return torch::zeros({0, 5}, torch::TensorOptions().device(m_device));
    return torch::cat(rows, 0);
}

torch::Tensor lpipsPrepare(const std::uint8_t* images, std::int64_t count, int height, int width, int side)
{
    auto x = torch::from_blob(const_cast<std::uint8_t*>(images), {count, height, width, 3}, torch::kUInt8)
                 .permute({0, 3, 1, 2})
                 .to(torch::kFloat32)
                 .div(255.0);
    if (side > 0 && (side != height || side != width))
        x = torch::nn::functional::interpolate(x,
            torch::nn::functional::InterpolateFuncOptions()
                .size(std::vector<std::int64_t> {side, side})
                .mode(torch::kBilinear)
                .align_corners(false));
    return (x * 2.0 - 1.0).contiguous();
}

} // namespace repalign
