#pragma once
/// @file mei.h
/// Streaming top-k selection of each unit's maximally (or minimally) exciting images, with
/// O(units * k) state whatever the number of images.
#include <cstdint>
#include <vector>

namespace repalign {

/// Keeps, per unit, the k best (image index, activation) pairs seen so far. Order: larger
/// activation first (smaller when @p largest is false); equal activations go to the lower
/// dataset index. NaN ranks below every number.
class StreamingTopK {
public:
    StreamingTopK(std::int64_t units, int k, bool largest = true);

    /// Adds @p rows images: @p values is row-major [rows, units]; image r has dataset index
    /// @p firstIndex + r. Rows must arrive in increasing dataset index.
    void add(const float* values, std::int64_t rows, std::int64_t firstIndex);
    /// Adds rows with explicit dataset indices (any order).
    void add(const float* values, std::int64_t rows, const std::int64_t* indices);

    std::int64_t units() const { return m_units; }
    int k() const { return m_k; }
    std::int64_t seen() const { return m_seen; }

    /// The selection, best first: indices and values [units * k] row-major. Throws Error
    /// when fewer than k images were added.
    void result(std::vector<std::int64_t>& indices, std::vector<float>& values) const;

private:
    bool better(float a, std::int64_t ia, float b, std::int64_t ib) const;
    void offer(std::int64_t unit, float value, std::int64_t index);

    std::int64_t m_units;
    int m_k;
    bool m_largest;
    std::int64_t m_seen = 0;
    // per unit a heap of k entries whose root is the worst kept entry
    std::vector<float> m_values;
    std::vector<std::int64_t> m_indices;
    std::vector<int> m_size;
};

/// The same selection by a full sort of every unit's column (the naive reference).
void topKBySort(const float* values, std::int64_t rows, std::int64_t units, int k, bool largest,
    std::vector<std::int64_t>& indices, std::vector<float>& outValues);

} // namespace repalign
