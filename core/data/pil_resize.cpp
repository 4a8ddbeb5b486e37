#include "data/pil_resize.h"
#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <tuple>

namespace repalign {

namespace {

/// Pillow's 8-bit path: 8 bits of result plus two of headroom leave 22 fractional bits.
constexpr int kPrecisionBits = 32 - 8 - 2;

double bilinearFilter(double x)
{
    if (x < 0.0)
        x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

double boxFilter(double x)
{
    return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0;
}

/// One axis's taps: output pixel i reads input pixels first[i] .. first[i] + count[i] - 1 with
/// the fixed-point weights at weights[i * ksize].
struct Taps {
    int ksize = 0;
    std::vector<int> first, count;
    std::vector<std::int32_t> weights;
};

/// Pillow's precompute_coeffs (box = the whole axis) followed by normalize_coeffs_8bpc.
Taps precompute(int inSize, int outSize, PilFilter filterKind)
{
    const bool box = filterKind == PilFilter::Box;
    double (*const filter)(double) = box ? boxFilter : bilinearFilter;
    const double support0 = box ? 0.5 : 1.0; // the filter's support
    // Pillow computes the box extent in float, then the scale in double.
    const float in0 = 0.0f, in1 = static_cast<float>(inSize);
    const double scale = static_cast<double>(in1 - in0) / outSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = support0 * filterScale;
    Taps t;
    t.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
    t.first.resize(static_cast<std::size_t>(outSize));
    t.count.resize(static_cast<std::size_t>(outSize));
    t.weights.assign(static_cast<std::size_t>(outSize) * t.ksize, 0);
    std::vector<double> k(static_cast<std::size_t>(t.ksize));
    for (int xx = 0; xx < outSize; ++xx) {
        const double center = in0 + (xx + 0.5) * scale;
        const double ss = 1.0 / filterScale;
        // (int) truncates toward zero, as in Pillow (center - support + 0.5 can be negative).
        int xmin = static_cast<int>(center - support + 0.5);
        if (xmin < 0)
            xmin = 0;
        int xmax = static_cast<int>(center + support + 0.5);
        if (xmax > inSize)
            xmax = inSize;
        xmax -= xmin;
        double ww = 0.0;
        for (int x = 0; x < xmax; ++x) {
            const double w = filter((x + xmin - center + 0.5) * ss);
            k[static_cast<std::size_t>(x)] = w;
            ww += w;
        }
        std::int32_t* kk = t.weights.data() + static_cast<std::size_t>(xx) * t.ksize;
        for (int x = 0; x < xmax; ++x) {
            double w = k[static_cast<std::size_t>(x)];
            if (ww != 0.0)
                w /= ww;
            kk[x] = w < 0 ? static_cast<std::int32_t>(-0.5 + w * (1 << kPrecisionBits))
                          : static_cast<std::int32_t>(0.5 + w * (1 << kPrecisionBits));
        }
        t.first[static_cast<std::size_t>(xx)] = xmin;
        t.count[static_cast<std::size_t>(xx)] = xmax;
    }
    return t;
}

/// precompute, kept per thread for the (filter, sizes) seen: a dataset resizes between the same
/// few sizes again and again (pixelate, the NSD stimuli). Bounded: cleared past 64 entries.
const Taps& cachedTaps(int inSize, int outSize, PilFilter filter)
{
    thread_local std::map<std::tuple<int, int, int>, Taps> cache;
    const std::tuple<int, int, int> key {inSize, outSize, static_cast<int>(filter)};
    auto it = cache.find(key);
    if (it == cache.end()) {
        if (cache.size() >= 64)
            cache.clear();
        it = cache.emplace(key, precompute(inSize, outSize, filter)).first;
    }
    return it->second;
}

/// Pillow's clip8: the 22-bit fixed-point sum back to 0..255 (an arithmetic shift, then a clamp).
inline std::uint8_t clip8(std::int32_t v)
{
    const std::int32_t s = v >> kPrecisionBits;
    return static_cast<std::uint8_t>(s < 0 ? 0 : (s > 255 ? 255 : s));
}

} // namespace

std::vector<std::uint8_t> pilResize(const std::uint8_t* rgb, int height, int width, int outHeight, int outWidth, PilFilter filter)
{
    if (height <= 0 || width <= 0 || outHeight <= 0 || outWidth <= 0)
        throw Error("resize: sizes must be positive (image " + std::to_string(height) + "x" + std::to_string(width) + " to "
            + std::to_string(outHeight) + "x" + std::to_string(outWidth) + ")");
    const std::size_t inBytes = static_cast<std::size_t>(height) * width * 3;
    const bool horizontal = outWidth != width;
    const bool vertical = outHeight != height;
    if (!horizontal && !vertical)
        return std::vector<std::uint8_t>(rgb, rgb + inBytes);

    // Only the rows the vertical pass reads go through the horizontal pass (as Pillow).
    const Taps* vt = vertical ? &cachedTaps(height, outHeight, filter) : nullptr;
    const int rowFirst = vertical ? vt->first.front() : 0;
    const int rowLast = vertical ? vt->first.back() + vt->count.back() : height;

    std::vector<std::uint8_t> temp;
    const std::uint8_t* src = rgb;
    int srcFirstRow = 0;
    if (horizontal) {
        const Taps& ht = cachedTaps(width, outWidth, filter);
        const int rows = rowLast - rowFirst;
        temp.resize(static_cast<std::size_t>(rows) * outWidth * 3);
        for (int yy = 0; yy < rows; ++yy) {
            const std::uint8_t* in = rgb + static_cast<std::size_t>(yy + rowFirst) * width * 3;
            std::uint8_t* out = temp.data() + static_cast<std::size_t>(yy) * outWidth * 3;
            for (int xx = 0; xx < outWidth; ++xx) {
                const std::int32_t* k = ht.weights.data() + static_cast<std::size_t>(xx) * ht.ksize;
                const int xmin = ht.first[static_cast<std::size_t>(xx)];
                const int n = ht.count[static_cast<std::size_t>(xx)];
                std::int32_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0;
                for (int x = 0; x < n; ++x) {
                    const std::uint8_t* p = in + static_cast<std::size_t>(x + xmin) * 3;
                    s0 += p[0] * k[x];
                    s1 += p[1] * k[x];
                    s2 += p[2] * k[x];
                }
                out[xx * 3 + 0] = clip8(s0);
                out[xx * 3 + 1] = clip8(s1);
                out[xx * 3 + 2] = clip8(s2);
            }
        }
        src = temp.data();
        srcFirstRow = rowFirst;
    }
    if (!vertical)
        return temp;
    std::vector<std::uint8_t> out(static_cast<std::size_t>(outHeight) * outWidth * 3);
    const std::size_t rowBytes = static_cast<std::size_t>(outWidth) * 3;
    for (int yy = 0; yy < outHeight; ++yy) {
        const std::int32_t* k = vt->weights.data() + static_cast<std::size_t>(yy) * vt->ksize;
        const int ymin = vt->first[static_cast<std::size_t>(yy)] - srcFirstRow;
        const int n = vt->count[static_cast<std::size_t>(yy)];
        std::uint8_t* o = out.data() + static_cast<std::size_t>(yy) * rowBytes;
        for (std::size_t c = 0; c < rowBytes; ++c) {
            std::int32_t s = 1 << (kPrecisionBits - 1);
            for (int y = 0; y < n; ++y)
                s += src[static_cast<std::size_t>(y + ymin) * rowBytes + c] * k[y];
            o[c] = clip8(s);
        }
    }
    return out;
}

std::vector<std::uint8_t> pilResizeBilinear(const std::uint8_t* rgb, int height, int width, int outHeight, int outWidth)
{
    return pilResize(rgb, height, width, outHeight, outWidth, PilFilter::Bilinear);
}

std::pair<int, int> torchvisionResizeShape(int height, int width, int size)
{
    if (height <= 0 || width <= 0 || size <= 0)
        throw Error("resize: sizes must be positive (image " + std::to_string(height) + "x" + std::to_string(width) + ", size "
            + std::to_string(size) + ")");
    const bool widthShort = width <= height;
    const int shortSide = widthShort ? width : height;
    const int longSide = widthShort ? height : width;
    // Python: int(size * long / short), a true division truncated toward zero.
    const int newLong = static_cast<int>(static_cast<double>(static_cast<std::int64_t>(size) * longSide) / shortSide);
    return widthShort ? std::make_pair(newLong, size) : std::make_pair(size, newLong);
}

} // namespace repalign
