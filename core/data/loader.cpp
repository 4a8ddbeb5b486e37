#include "data/loader.h"
#include "common/error.h"
#include "common/rng.h"
#include "data/pil_resize.h"

#include <cstring>
#include <numeric>

namespace repalign {

void applyTransform(const TransformConfig& t, const std::uint8_t* image, int height, int width, bool augment,
    std::uint64_t sampleSeed, float* out)
{
    // Resize first (as torchvision's Resize before RandomCrop), on uint8, with Pillow's
    // bilinear resample: what Resize does to the reference's PIL images.
    std::vector<std::uint8_t> resized;
    const std::uint8_t* src = image;
    int h = height, w = width;
    if (t.resize > 0 && (height != t.resize || width != t.resize)) {
        resized = pilResizeBilinear(image, height, width, t.resize, t.resize);
        src = resized.data();
        h = w = t.resize;
    }
    const int side = t.cropSize > 0 ? t.cropSize : h;
    const int sideW = t.cropSize > 0 ? t.cropSize : w;
    // torchvision RandomCrop(size, padding): zero-pad, then a uniform offset in [0, H+2p-size].
    // Without augmentation (eval), a crop is taken from the centre of the padded image.
    int oy = 0, ox = 0;
    bool flip = false;
    if (t.cropSize > 0) {
        const int rangeY = h + 2 * t.padding - side, rangeX = w + 2 * t.padding - sideW;
        if (rangeY < 0 || rangeX < 0)
            throw Error("random_crop size " + std::to_string(t.cropSize) + " is larger than the padded image ("
                + std::to_string(h) + "x" + std::to_string(w) + " + padding " + std::to_string(t.padding) + ")");
        if (augment) {
            Rng rng(sampleSeed);
            oy = static_cast<int>(rng.below(static_cast<std::uint64_t>(rangeY) + 1));
            ox = static_cast<int>(rng.below(static_cast<std::uint64_t>(rangeX) + 1));
        } else {
            oy = rangeY / 2;
            ox = rangeX / 2;
        }
        oy -= t.padding;
        ox -= t.padding;
    }
    if (augment && t.horizontalFlip) {
        Rng rng(sampleSeed ^ 0x5bd1e995ull);
        flip = rng.uniform() < 0.5;
    }
    float scale[3], shift[3];
    for (int c = 0; c < 3; ++c) {
        scale[c] = static_cast<float>(1.0 / (255.0 * t.std[c]));
        shift[c] = static_cast<float>(-t.mean[c] / t.std[c]);
    }
    const std::size_t plane = static_cast<std::size_t>(side) * sideW;
    for (int y = 0; y < side; ++y) {
        const int sy = y + oy;
        for (int x = 0; x < sideW; ++x) {
            const int sx = (flip ? (sideW - 1 - x) : x) + ox;
            const std::size_t o = static_cast<std::size_t>(y) * sideW + x;
            if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
                for (int c = 0; c < 3; ++c)
                    out[c * plane + o] = shift[c]; // zero padding, normalised
            } else {
                const std::uint8_t* px = src + (static_cast<std::size_t>(sy) * w + sx) * 3;
                for (int c = 0; c < 3; ++c)
                    out[c * plane + o] = px[c] * scale[c] + shift[c];
            }
        }
    }
}

torch::Tensor transformAll(const ImageDataset& data, const TransformConfig& t)
{
    const int side = t.outputSide(data.height);
    torch::Tensor out = torch::empty({data.count, 3, side, side}, torch::kFloat32);
    float* p = out.data_ptr<float>();
    const std::size_t per = static_cast<std::size_t>(3) * side * side;
    at::parallel_for(0, data.count, 64, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i)
            applyTransform(t, data.image(i), data.height, data.width, false, 0, p + static_cast<std::size_t>(i) * per);
    });
    return out;
}

BatchLoader::BatchLoader(const ImageDataset& data, TransformConfig transform, LoaderOptions options)
    : m_data(data)
    , m_transform(std::move(transform))
    , m_opt(options)
{
    if (m_data.count == 0)
        throw Error("data set " + m_data.source + " is empty");
    if (m_opt.batchSize <= 0)
        throw Error("batch size must be positive, got " + std::to_string(m_opt.batchSize));
    m_side = m_transform.outputSide(m_data.height);
}

BatchLoader::~BatchLoader()
{
    stopWorkers();
}

std::vector<std::int64_t> distributedShard(const std::vector<std::int64_t>& order, int rank, int count, bool pad)
{
    if (count <= 1)
        return order;
    std::vector<std::int64_t> padded = order;
    const std::size_t n = order.size(), w = static_cast<std::size_t>(count);
    if (pad && n > 0)
        for (std::size_t i = 0; padded.size() % w != 0; ++i)
            padded.push_back(order[i % n]);
    std::vector<std::int64_t> out;
    for (std::size_t i = static_cast<std::size_t>(rank); i < padded.size(); i += w)
        out.push_back(padded[i]);
    return out;
}

std::int64_t BatchLoader::itemsPerEpoch() const
{
    const std::int64_t n = m_data.count, w = std::max(1, m_opt.shardCount), r = m_opt.shardRank;
    if (w == 1)
        return n;
    return m_opt.padShards ? (n + w - 1) / w : n / w + (r < n % w ? 1 : 0);
}

std::int64_t BatchLoader::batchesPerEpoch() const
{
    const std::int64_t n = itemsPerEpoch(), b = m_opt.batchSize;
    return m_opt.dropLast ? n / b : (n + b - 1) / b;
}

std::vector<std::int64_t> BatchLoader::order(int epoch) const
{
    std::vector<std::int64_t> idx(static_cast<std::size_t>(m_data.count));
    std::iota(idx.begin(), idx.end(), 0);
    if (m_opt.shuffle) {
        // Fisher-Yates with the counter RNG: the order depends on (seed, epoch) only.
        Rng rng(mixSeed(m_opt.seed, 0x0dde5eedull, static_cast<std::uint64_t>(epoch)));
        for (std::size_t i = idx.size(); i > 1; --i)
            std::swap(idx[i - 1], idx[rng.below(i)]);
    }
    return idx;
}

std::vector<std::int64_t> BatchLoader::shardOrder(int epoch) const
{
    return distributedShard(order(epoch), m_opt.shardRank, m_opt.shardCount, m_opt.padShards);
}

Batch BatchLoader::make(std::int64_t batch) const
{
    const std::int64_t begin = batch * m_opt.batchSize;
    const std::int64_t end = std::min<std::int64_t>(begin + m_opt.batchSize, static_cast<std::int64_t>(m_order.size()));
    const std::int64_t n = end - begin;
    Batch b;
    b.images = torch::empty({n, 3, m_side, m_side}, torch::kFloat32);
    b.labels = torch::empty({n}, torch::kInt64);
    float* img = b.images.data_ptr<float>();
    auto* lbl = b.labels.data_ptr<std::int64_t>();
    const std::size_t per = static_cast<std::size_t>(3) * m_side * m_side;
    b.indices.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t di = m_order[static_cast<std::size_t>(begin + i)];
        b.indices[static_cast<std::size_t>(i)] = di;
        lbl[i] = m_data.labels[static_cast<std::size_t>(di)];
        const std::uint64_t seed = mixSeed(m_opt.seed, static_cast<std::uint64_t>(m_epoch), static_cast<std::uint64_t>(di));
        applyTransform(m_transform, m_data.image(di), m_data.height, m_data.width, m_opt.augment, seed,
            img + static_cast<std::size_t>(i) * per);
    }
    return b;
}

void BatchLoader::stopWorkers()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    for (auto& t : m_threads)
        t.join();
    m_threads.clear();
    m_ready.clear();
    m_stop = false;
}

void BatchLoader::start(int epoch, std::int64_t firstBatch, std::int64_t lastBatch)
{
    stopWorkers();
    m_epoch = epoch;
    m_order = shardOrder(epoch);
    m_nextToMake = m_nextToGive = std::max<std::int64_t>(0, firstBatch);
    m_end = lastBatch >= 0 ? std::min(lastBatch, batchesPerEpoch()) : batchesPerEpoch();
    m_error = nullptr;
    for (int i = 0; i < m_opt.workers; ++i)
        m_threads.emplace_back([this] { workerLoop(); });
}

void BatchLoader::workerLoop()
{
    // Keep a few batches ready ahead of the consumer, no more (bounded memory).
    const std::int64_t ahead = std::max(2, 2 * m_opt.workers);
    for (;;) {
        std::int64_t batch;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_cv.wait(lock, [&] { return m_stop || (m_nextToMake < m_end && m_nextToMake < m_nextToGive + ahead); });
            if (m_stop)
                return;
            batch = m_nextToMake++;
        }
        Batch b;
        try {
            b = make(batch);
        } catch (...) {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_error = std::current_exception();
            m_cv.notify_all();
            return;
        }
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_ready.emplace(batch, std::move(b));
        }
        m_cv.notify_all();
    }
}

bool BatchLoader::next(Batch& out)
{
    if (m_nextToGive >= m_end)
        return false;
    if (m_opt.workers <= 0) {
        out = make(m_nextToGive++);
        return true;
    }
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cv.wait(lock, [&] { return m_error || m_ready.count(m_nextToGive); });
    if (m_error)
        std::rethrow_exception(m_error);
    auto it = m_ready.find(m_nextToGive);
    out = std::move(it->second);
    m_ready.erase(it);
    ++m_nextToGive;
    lock.unlock();
    m_cv.notify_all();
    return true;
}

} // namespace repalign
