#pragma once
// The small analyses the psychophysics tests share (test_psych, test_psych_browser): two
// analysis files in the documented layout (docs/ARCHITECTURE.md) over shapes:120:3's test
// split, with designed activations (distinct per column; model 1's unit 5 constant).
#include "common/progress.h"
#include "data/dataset.h"
#include "io/h5.h"
#include "run/dataspec.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace psychfixture {

using namespace repalign;

inline const char* kData = "shapes:120:3";

inline double activationOf(int model, std::int64_t image, std::int64_t unit)
{
    // distinct values per column (no ties), different per model; unit 5 of model 1 is constant
    if (model == 1 && unit == 5)
        return 0.0;
    return std::sin(0.37 * static_cast<double>((image + 1) * (unit + 2 + 3 * model))) + 1e-4 * static_cast<double>(image);
}

/// An analysis file in the documented layout (docs/ARCHITECTURE.md), over kData's test split.
inline void writeAnalysis(const std::string& path, int model, std::int64_t units, int k)
{
    const ImageDataset d = loadDataset(kData, Split::Test);
    const std::int64_t N = d.count;
    std::vector<float> act(static_cast<std::size_t>(N * units));
    for (std::int64_t i = 0; i < N; ++i)
        for (std::int64_t u = 0; u < units; ++u)
            act[static_cast<std::size_t>(i * units + u)] = static_cast<float>(activationOf(model, i, u));
    std::vector<std::int64_t> idx, labels;
    std::vector<float> topAct;
    std::vector<std::uint8_t> images;
    for (std::int64_t u = 0; u < units; ++u) {
        std::vector<std::int64_t> order(static_cast<std::size_t>(N));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
            return act[static_cast<std::size_t>(a * units + u)] > act[static_cast<std::size_t>(b * units + u)];
        });
        for (int j = 0; j < k; ++j) {
            idx.push_back(order[static_cast<std::size_t>(j)]);
            topAct.push_back(act[static_cast<std::size_t>(order[static_cast<std::size_t>(j)] * units + u)]);
            labels.push_back(d.labels[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])]);
            images.insert(images.end(), d.image(order[static_cast<std::size_t>(j)]),
                d.image(order[static_cast<std::size_t>(j)]) + d.imageBytes());
        }
    }
    std::vector<float> lp(static_cast<std::size_t>(units)), co(static_cast<std::size_t>(units)),
        la(static_cast<std::size_t>(units));
    std::vector<float> perLayer(static_cast<std::size_t>(units * 5));
    for (std::int64_t u = 0; u < units; ++u) {
        lp[static_cast<std::size_t>(u)] = 0.1f + 0.05f * static_cast<float>(u) + 0.01f * static_cast<float>(model);
        co[static_cast<std::size_t>(u)] = 40.0f - 3.0f * static_cast<float>(u);
        la[static_cast<std::size_t>(u)] = 0.5f;
        for (int l = 0; l < 5; ++l)
            perLayer[static_cast<std::size_t>(u * 5 + l)] = lp[static_cast<std::size_t>(u)] / 5;
    }
    const auto U = static_cast<std::uint64_t>(units), K = static_cast<std::uint64_t>(k);
    H5File f(path, H5File::Mode::CreateAtomic);
    f.writeF32("/activations", {static_cast<std::uint64_t>(N), U}, act);
    f.writeI64("/labels", {static_cast<std::uint64_t>(N)}, d.labels);
    f.writeI64("/mei/indices", {U, K}, idx);
    f.writeF32("/mei/activations", {U, K}, topAct);
    f.write("/mei/images", H5Type::UInt8, {U, K, 32, 32, 3}, images.data());
    f.writeI64("/mei/labels", {U, K}, labels);
    f.writeF32("/ii/lpips", {U}, lp);
    f.writeF32("/ii/lpips_per_layer", {U, 5}, perLayer);
    f.writeF32("/ii/color", {U}, co);
    f.writeF32("/ii/label", {U}, la);
    f.setAttr("/", "model", std::string(model == 0 ? "resnet18" : "resnet18-tuned"));
    f.setAttr("/", "checkpoint", std::string(model == 0 ? "base.pt" : "tuned.pt"));
    f.setAttr("/", "layer", std::string("layer4"));
    f.setAttr("/", "aggregation", std::string("mean"));
    f.setAttr("/", "k", static_cast<std::int64_t>(k));
    f.setAttr("/", "data", std::string(kData));
    f.setAttr("/", "split", std::string("test"));
    f.setAttr("/", "accuracy", 0.5);
    f.setAttr("/", "ii_diagonal", std::string("exclude"));
    f.setAttr("/", "lpips_weights", std::string("random:1"));
    f.commit();
}

} // namespace psychfixture
