#include "common/error.h"
#include "interpret/interpretability_index.h"
#include "interpret/lpips_net.h"

#include <algorithm>
#include <chrono>

namespace repalign {

IIValues computeII(const LpipsNet& net, const ImageDataset& data, const std::vector<std::int64_t>& meiIndices, std::int64_t units,
    int k, int resize, IIDiagonal diagonal, ProgressSink& sink, const CancelToken& cancel, int batch)
{
    torch::NoGradGuard noGrad;
    if (k < 2)
        throw Error("the Interpretability Index needs k >= 2 images per unit (got k = " + std::to_string(k) + ")");
    if (meiIndices.size() != static_cast<std::size_t>(units) * k)
        throw Error("MEI index table has " + std::to_string(meiIndices.size())
            + " entries, expected units*k = " + std::to_string(units * k));
    for (auto i : meiIndices)
        if (i < 0 || i >= data.count)
            throw Error(
                "MEI index " + std::to_string(i) + " is outside the data set (0.." + std::to_string(data.count - 1) + ")");

    using Clock = std::chrono::steady_clock;
    auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
    const auto t0 = Clock::now();
    // 1. distinct images, features computed once each
    std::vector<std::int64_t> distinct(meiIndices);
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    const std::int64_t m = static_cast<std::int64_t>(distinct.size());
    std::array<std::vector<torch::Tensor>, 5> parts;
    std::vector<std::uint8_t> buf;
    for (std::int64_t s = 0; s < m; s += batch) {
        cancel.check();
        const std::int64_t e = std::min<std::int64_t>(m, s + batch);
        buf.resize(static_cast<std::size_t>(e - s) * data.imageBytes());
        for (std::int64_t i = s; i < e; ++i)
            std::copy_n(data.image(distinct[static_cast<std::size_t>(i)]), data.imageBytes(),
                buf.data() + static_cast<std::size_t>(i - s) * data.imageBytes());
        const auto f = net.features(lpipsPrepare(buf.data(), e - s, data.height, data.width, resize));
        for (int l = 0; l < 5; ++l)
            parts[l].push_back(f[l]);
        ProgressEvent ev;
        ev.phase = "lpips features";
        ev.done = e;
        ev.total = m;
        ev.fraction = static_cast<double>(e) / static_cast<double>(m);
        sink.progress(ev);
    }
    std::array<torch::Tensor, 5> feats;
    for (int l = 0; l < 5; ++l)
        feats[l] = torch::cat(parts[l], 0);
    parts = {};
    const double featureSeconds = since(t0);
    const auto t1 = Clock::now();

    // 2. every unordered pair of each unit, as positions into the cache; units share images,
    //    so each distinct pair is measured once
    const int pairsPerUnit = k * (k - 1) / 2;
    std::vector<std::int64_t> unitPairKey(static_cast<std::size_t>(units) * pairsPerUnit);
    auto pos = [&](std::int64_t idx) {
        return static_cast<std::int64_t>(std::lower_bound(distinct.begin(), distinct.end(), idx) - distinct.begin());
    };
    {
        std::size_t q = 0;
        for (std::int64_t u = 0; u < units; ++u)
            for (int i = 0; i < k; ++i)
                for (int j = i + 1; j < k; ++j) {
                    const std::int64_t a = pos(meiIndices[static_cast<std::size_t>(u * k + i)]);
                    const std::int64_t b = pos(meiIndices[static_cast<std::size_t>(u * k + j)]);
                    // the distance is symmetric up to rounding; measure it in one fixed order
                    unitPairKey[q++] = std::min(a, b) * m + std::max(a, b);
                }
    }
    std::vector<std::int64_t> keys(unitPairKey);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::vector<std::int64_t> ia(keys.size()), ib(keys.size());
    for (std::size_t q = 0; q < keys.size(); ++q) {
        ia[q] = keys[q] / m;
        ib[q] = keys[q] % m;
    }
    cancel.check();
    const auto d = net.pairDistances(feats, torch::tensor(ia, torch::kLong), torch::tensor(ib, torch::kLong))
                       .to(torch::kCPU, torch::kFloat32)
                       .contiguous();
    const auto total = d.sum(1).contiguous(); // float32, as the reference sums its layers
    const float* dp = d.data_ptr<float>();
    const float* tp = total.data_ptr<float>();
    auto pairIndex = [&](std::size_t q) {
        return static_cast<std::int64_t>(std::lower_bound(keys.begin(), keys.end(), unitPairKey[q]) - keys.begin());
    };

    const double pairSeconds = since(t1);
    const auto t2 = Clock::now();

    // 3. per-unit averages
    IIValues out;
    out.featureSeconds = featureSeconds;
    out.pairSeconds = pairSeconds;
    out.distinctImages = m;
    out.distinctPairs = static_cast<std::int64_t>(keys.size());
    out.lpips.resize(static_cast<std::size_t>(units));
    out.perLayer.resize(static_cast<std::size_t>(units));
    out.pairs.assign(static_cast<std::size_t>(units) * k * k, 0.0f);
    out.color.resize(static_cast<std::size_t>(units));
    out.label.resize(static_cast<std::size_t>(units));
    std::vector<double> mat(static_cast<std::size_t>(k) * k);
    std::array<std::vector<double>, 5> layerMat;
    for (auto& lm : layerMat)
        lm.assign(static_cast<std::size_t>(k) * k, 0.0);
    std::vector<std::uint8_t> imgs(static_cast<std::size_t>(k) * data.imageBytes());
    std::vector<std::int64_t> labels(static_cast<std::size_t>(k));
    std::size_t q = 0;
    for (std::int64_t u = 0; u < units; ++u) {
        std::fill(mat.begin(), mat.end(), 0.0);
        for (auto& lm : layerMat)
            std::fill(lm.begin(), lm.end(), 0.0);
        for (int i = 0; i < k; ++i)
            for (int j = i + 1; j < k; ++j, ++q) {
                const std::int64_t p = pairIndex(q);
                mat[i * k + j] = mat[j * k + i] = tp[p];
                out.pairs[static_cast<std::size_t>(u * k * k + i * k + j)] = tp[p];
                out.pairs[static_cast<std::size_t>(u * k * k + j * k + i)] = tp[p];
                for (int l = 0; l < 5; ++l)
                    layerMat[l][i * k + j] = layerMat[l][j * k + i] = dp[p * 5 + l];
            }
        out.lpips[u] = static_cast<float>(pairMean(mat, k, diagonal));
        for (int l = 0; l < 5; ++l)
            out.perLayer[u][l] = static_cast<float>(pairMean(layerMat[l], k, diagonal));
        for (int i = 0; i < k; ++i) {
            const std::int64_t idx = meiIndices[static_cast<std::size_t>(u * k + i)];
            std::copy_n(data.image(idx), data.imageBytes(), imgs.data() + static_cast<std::size_t>(i) * data.imageBytes());
            labels[i] = data.labels.empty() ? -1 : data.labels[static_cast<std::size_t>(idx)];
        }
        out.color[u] = static_cast<float>(iiColor(imgs.data(), k, static_cast<std::int64_t>(data.height) * data.width, diagonal));
        out.label[u] = static_cast<float>(iiLabel(labels.data(), k, diagonal));
    }
    out.unitSeconds = since(t2);
    return out;
}

} // namespace repalign
