#include "interpret/mei.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace repalign {

namespace {
struct Entry {
    float value;
    std::int64_t index;
};

// Strict "a ranks before b": larger (or smaller) value first, NaN last, lower index on ties.
inline bool ranksBefore(bool largest, float a, std::int64_t ia, float b, std::int64_t ib)
{
    const bool an = std::isnan(a), bn = std::isnan(b);
    if (an != bn)
        return bn;
    if (!an && a != b)
        return largest ? a > b : a < b;
    return ia < ib;
}
} // namespace

StreamingTopK::StreamingTopK(std::int64_t units, int k, bool largest)
    : m_units(units)
    , m_k(k)
    , m_largest(largest)
{
    if (units <= 0)
        throw Error("top-k selection: unit count must be positive (got " + std::to_string(units) + ")");
    if (k <= 0)
        throw Error("top-k selection: k must be at least 1 (got " + std::to_string(k) + ")");
    m_values.resize(static_cast<std::size_t>(units) * k);
    m_indices.resize(static_cast<std::size_t>(units) * k);
    m_size.assign(static_cast<std::size_t>(units), 0);
}

bool StreamingTopK::better(float a, std::int64_t ia, float b, std::int64_t ib) const
{
    return ranksBefore(m_largest, a, ia, b, ib);
}

void StreamingTopK::offer(std::int64_t unit, float value, std::int64_t index)
{
    // Per unit a binary heap (root = the worst kept entry) over two parallel arrays.
    float* v = m_values.data() + unit * m_k;
    std::int64_t* ix = m_indices.data() + unit * m_k;
    int& n = m_size[static_cast<std::size_t>(unit)];
    auto worse = [&](int p, int q) { return better(v[q], ix[q], v[p], ix[p]); }; // p ranks after q
    auto swap = [&](int p, int q) {
        std::swap(v[p], v[q]);
        std::swap(ix[p], ix[q]);
    };
    if (n < m_k) {
        int c = n++;
        v[c] = value;
        ix[c] = index;
        while (c > 0) {
            const int parent = (c - 1) / 2;
            if (!worse(c, parent))
                break;
            swap(c, parent);
            c = parent;
        }
        return;
    }
    if (!better(value, index, v[0], ix[0]))
        return;
    v[0] = value;
    ix[0] = index;
    int c = 0;
    for (;;) {
        const int l = 2 * c + 1, r = l + 1;
        int w = c;
        if (l < n && worse(l, w))
            w = l;
        if (r < n && worse(r, w))
            w = r;
        if (w == c)
            break;
        swap(c, w);
        c = w;
    }
}

void StreamingTopK::add(const float* values, std::int64_t rows, std::int64_t firstIndex)
{
    for (std::int64_t r = 0; r < rows; ++r) {
        const float* row = values + r * m_units;
        for (std::int64_t u = 0; u < m_units; ++u)
            offer(u, row[u], firstIndex + r);
    }
    m_seen += rows;
}

void StreamingTopK::add(const float* values, std::int64_t rows, const std::int64_t* indices)
{
    for (std::int64_t r = 0; r < rows; ++r) {
        const float* row = values + r * m_units;
        for (std::int64_t u = 0; u < m_units; ++u)
            offer(u, row[u], indices[r]);
    }
    m_seen += rows;
}

void StreamingTopK::result(std::vector<std::int64_t>& indices, std::vector<float>& values) const
{
    if (m_seen < m_k)
        throw Error(
            "top-k selection: k = " + std::to_string(m_k) + " is larger than the " + std::to_string(m_seen) + " images seen");
    indices.resize(static_cast<std::size_t>(m_units) * m_k);
    values.resize(indices.size());
    std::vector<int> order(static_cast<std::size_t>(m_k));
    for (std::int64_t u = 0; u < m_units; ++u) {
        const float* v = m_values.data() + u * m_k;
        const std::int64_t* ix = m_indices.data() + u * m_k;
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int a, int b) { return better(v[a], ix[a], v[b], ix[b]); });
        for (int j = 0; j < m_k; ++j) {
            indices[u * m_k + j] = ix[order[j]];
            values[u * m_k + j] = v[order[j]];
        }
    }
}

void topKBySort(const float* values, std::int64_t rows, std::int64_t units, int k, bool largest,
    std::vector<std::int64_t>& indices, std::vector<float>& outValues)
{
    if (k > rows)
        throw Error("top-k selection: k = " + std::to_string(k) + " is larger than the " + std::to_string(rows) + " images");
    indices.resize(static_cast<std::size_t>(units) * k);
    outValues.resize(indices.size());
    std::vector<std::int64_t> order(static_cast<std::size_t>(rows));
    for (std::int64_t u = 0; u < units; ++u) {
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
            return ranksBefore(largest, values[a * units + u], a, values[b * units + u], b);
        });
        for (int j = 0; j < k; ++j) {
            indices[u * k + j] = order[j];
            outValues[u * k + j] = values[order[j] * units + u];
        }
    }
}

} // namespace repalign
