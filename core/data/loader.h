#pragma once
// Core-internal (LibTorch): transforms and the batched, prefetching loader.
#include "data/dataset.h"
#include "run/config.h"

#include <torch/torch.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace repalign {

/// Applies @p t to one uint8 HWC image and writes float CHW into @p out (side from
/// t.outputSide). @p augment enables the random parts (crop position, flip), drawn from
/// @p sampleSeed so the result depends only on (seed, epoch, index).
void applyTransform(const TransformConfig& t, const std::uint8_t* image, int height, int width, bool augment,
    std::uint64_t sampleSeed, float* out);

/// A whole set of images as one normalised float tensor [N,3,S,S] (no augmentation).
torch::Tensor transformAll(const ImageDataset& data, const TransformConfig& t);

struct Batch {
    torch::Tensor images; ///< float [B,3,S,S]
    torch::Tensor labels; ///< int64 [B]
    std::vector<std::int64_t> indices; ///< dataset indices in this batch
};

struct LoaderOptions {
    int batchSize = 128;
    bool shuffle = true;
    bool augment = true;
    bool dropLast = false; ///< the last partial batch is kept by default
    int workers = 2; ///< threads preparing batches ahead; 0 = on the caller's thread
    std::uint64_t seed = 0;
    /// Data-parallel runs: this rank's shard of each epoch's order (DistributedSampler's
    /// contract: the same global order on every rank, rank r takes positions r, r+W, ...).
    int shardRank = 0;
    int shardCount = 1; ///< W, the world size; 1 = the whole order
    bool padShards = true; ///< repeat the order's start so every shard has ceil(N/W) items (training)
};

/// Rank @p rank's part of @p order split over @p count ranks: positions rank, rank+count, ...
/// of the order, padded first with its start to a multiple of @p count when @p pad (then every
/// rank has ceil(N/count) items, as torch's DistributedSampler), else the remainder is left
/// to the first ranks (validation: each index exactly once).
std::vector<std::int64_t> distributedShard(const std::vector<std::int64_t>& order, int rank, int count, bool pad);

/// Streams batches of a dataset in a seeded order. Batch b of epoch e is the same whatever
/// the worker count, so a run resumed at (e, b) sees exactly the data it would have seen.
class BatchLoader {
public:
    BatchLoader(const ImageDataset& data, TransformConfig transform, LoaderOptions options);
    ~BatchLoader();
    BatchLoader(const BatchLoader&) = delete;
    BatchLoader& operator=(const BatchLoader&) = delete;

    std::int64_t batchesPerEpoch() const;
    /// Starts epoch @p epoch (0-based) at batch @p firstBatch; prefetching begins.
    void start(int epoch, std::int64_t firstBatch = 0, std::int64_t lastBatch = -1);
    /// The next batch in order; false at the end of the epoch.
    bool next(Batch& out);
    /// The dataset order of epoch @p epoch (all ranks: the global order).
    std::vector<std::int64_t> order(int epoch) const;
    /// This rank's items of epoch @p epoch (order() itself without sharding).
    std::vector<std::int64_t> shardOrder(int epoch) const;
    /// Items per epoch on this rank.
    std::int64_t itemsPerEpoch() const;

private:
    Batch make(std::int64_t batch) const;
    void stopWorkers();
    void workerLoop();

    const ImageDataset& m_data;
    TransformConfig m_transform;
    LoaderOptions m_opt;
    int m_side;
    std::vector<std::int64_t> m_order;
    int m_epoch = 0;
    std::int64_t m_nextToMake = 0, m_nextToGive = 0, m_end = 0;
    std::map<std::int64_t, Batch> m_ready;
    std::vector<std::thread> m_threads;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_stop = false;
    std::exception_ptr m_error;
};

} // namespace repalign
