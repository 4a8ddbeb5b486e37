#pragma once
// Fixtures shared by the GUI tests and benchmarks: a synthetic but complete analysis file
// (the layout in docs/ARCHITECTURE.md, written with the core's H5File) and small helpers.
#include "io/h5.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace guifixture {

struct SyntheticAnalysis {
    std::vector<float> lpips, color, label, topActivation;
};

/// Writes an analysis with @p units units, k MEIs of 32x32 each, drawn from a seeded generator.
/// Values are returned so tests check against them independently of the reader. The first
/// @p nanUnits units get a NaN II-LPIPS (a damaged file).
inline SyntheticAnalysis writeSyntheticAnalysis(
    const std::string& path, int units, int k = 5, unsigned seed = 1, bool calibrated = true, int images = 200, int nanUnits = 0)
{
    using repalign::H5File;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> uni(0.f, 1.f);
    SyntheticAnalysis out;
    const int H = 32, W = 32;
    std::vector<float> activations(static_cast<std::size_t>(images) * units);
    for (float& a : activations)
        a = uni(rng);
    std::vector<std::int64_t> idx(static_cast<std::size_t>(units) * k), labels(static_cast<std::size_t>(units) * k);
    std::vector<float> acts(static_cast<std::size_t>(units) * k);
    std::vector<std::uint8_t> pix(static_cast<std::size_t>(units) * k * H * W * 3);
    std::vector<float> perLayer(static_cast<std::size_t>(units) * 5), pairs(static_cast<std::size_t>(units) * k * k);
    for (int u = 0; u < units; ++u) {
        float top = 5.f + 3.f * uni(rng);
        for (int i = 0; i < k; ++i) {
            idx[u * k + i] = static_cast<std::int64_t>(rng() % images);
            labels[u * k + i] = static_cast<std::int64_t>(rng() % 10);
            acts[u * k + i] = top - 0.5f * i;
        }
        out.topActivation.push_back(acts[u * k]);
        const std::uint8_t r = rng() % 256, g = rng() % 256, b = rng() % 256;
        for (int i = 0; i < k; ++i)
            for (int p = 0; p < H * W; ++p) {
                std::uint8_t* px = &pix[((static_cast<std::size_t>(u) * k + i) * H * W + p) * 3];
                px[0] = static_cast<std::uint8_t>((r + p) % 256);
                px[1] = static_cast<std::uint8_t>((g + i * 40) % 256);
                px[2] = b;
            }
        float sum = 0;
        for (int l = 0; l < 5; ++l) {
            perLayer[u * 5 + l] = 0.02f + 0.1f * uni(rng);
            sum += perLayer[u * 5 + l];
        }
        out.lpips.push_back(u < nanUnits ? std::nanf("") : sum);
        out.color.push_back(100.f * uni(rng));
        out.label.push_back(uni(rng));
        for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j)
                pairs[(static_cast<std::size_t>(u) * k + i) * k + j] = i == j ? 0.f : sum * (0.8f + 0.4f * ((i + j) % 3) / 2.f);
    }
    H5File f(path, H5File::Mode::CreateAtomic);
    using U64 = std::uint64_t;
    const U64 Uu = static_cast<U64>(units), K = static_cast<U64>(k);
    f.writeF32("/activations", {static_cast<U64>(images), Uu}, activations);
    f.writeI64("/mei/indices", {Uu, K}, idx);
    f.writeF32("/mei/activations", {Uu, K}, acts);
    f.write("/mei/images", repalign::H5Type::UInt8, {Uu, K, static_cast<U64>(H), static_cast<U64>(W), 3}, pix.data(), 1);
    f.writeI64("/mei/labels", {Uu, K}, labels);
    f.writeF32("/ii/lpips", {Uu}, out.lpips);
    f.writeF32("/ii/lpips_per_layer", {Uu, 5}, perLayer);
    f.writeF32("/ii/lpips_pairs", {Uu, K, K}, pairs);
    f.writeF32("/ii/color", {Uu}, out.color);
    f.writeF32("/ii/label", {Uu}, out.label);
    f.setAttr("/", "model", std::string("resnet18_cifar10"));
    f.setAttr("/", "checkpoint", std::string("synthetic.pt"));
    f.setAttr("/", "layer", std::string("layer4"));
    f.setAttr("/", "aggregation", std::string("center"));
    f.setAttr("/", "k", static_cast<std::int64_t>(k));
    f.setAttr("/", "data", std::string("shapes:200:1"));
    f.setAttr("/", "split", std::string("test"));
    f.setAttr("/", "accuracy", 0.5);
    f.setAttr("/", "ii_diagonal", std::string("exclude"));
    f.setAttr("/", "lpips_weights", std::string(calibrated ? "weights.pth sha256:0" : "random:0"));
    f.setAttr("/", "lpips_calibrated", static_cast<std::int64_t>(calibrated ? 1 : 0));
    f.commit();
    return out;
}

} // namespace guifixture
