// The 19 CIFAR-10-C corruptions of ImageNet-C/create_c/make_cifar_c.py (github:hendrycks/robustness,
// Hendrycks & Dietterich 2019), step by step as the script computes them: the same float widths
// (float64 where numpy promotes, float32 where the script casts), scipy.ndimage's Gaussian filter
// and order-1 zoom / map_coordinates with their boundary modes, skimage's rgb2hsv/hsv2rgb, Pillow's
// BOX resample and JPEG settings, the OpenCV calls the script makes (through OpenCV itself), and
// ImageMagick's motion blur (corruptions_magick.cpp). np.uint8(...) truncates toward zero.
#include "behaviour/corruptions.h"
#include "behaviour/corruptions_magick.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "common/text.h"
#include "common/version.h"
#include "data/dataset.h"
#include "data/image_file.h"
#include "data/pil_resize.h"
#include "io/npy.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <jpeglib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csetjmp>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace repalign::behaviour {

namespace {

const std::vector<std::string> kNames = {"gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur",
    "motion_blur", "zoom_blur", "snow", "frost", "fog", "brightness", "contrast", "elastic_transform", "pixelate",
    "jpeg_compression", "speckle_noise", "gaussian_blur", "spatter", "saturate"};

const std::vector<std::string> kDeterministic
    = {"brightness", "contrast", "saturate", "defocus_blur", "gaussian_blur", "zoom_blur", "pixelate", "jpeg_compression"};

// ---------------------------------------------------------------- random numbers (numpy's recipes)

class Random {
public:
    /// The seed is hashed into the counter's start, so nearby seeds give unrelated streams.
    explicit Random(std::uint64_t seed)
        : m_rng(mixSeed(seed, 0x636f7272757074ull))
    {
    }
    /// Uniform in [0, 1) with 53 bits.
    double uniform() { return m_rng.uniform(); }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// numpy's randint(lo, hi): uniform integer in [lo, hi).
    std::int64_t randint(std::int64_t lo, std::int64_t hi)
    {
        return lo + static_cast<std::int64_t>(m_rng.below(static_cast<std::uint64_t>(hi - lo)));
    }
    /// Standard normal (Marsaglia's polar method, as numpy's legacy gauss).
    double normal()
    {
        if (m_hasGauss) {
            m_hasGauss = false;
            return m_gauss;
        }
        double x1, x2, r2;
        do {
            x1 = 2.0 * uniform() - 1.0;
            x2 = 2.0 * uniform() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        const double f = std::sqrt(-2.0 * std::log(r2) / r2);
        m_gauss = f * x1;
        m_hasGauss = true;
        return f * x2;
    }
    double normal(double loc, double scale) { return loc + scale * normal(); }
    /// numpy's random_poisson: multiplication for lam < 10, PTRS (Hoermann 1993) above.
    std::int64_t poisson(double lam)
    {
        if (lam <= 0.0)
            return 0;
        if (lam < 10.0) {
            const double enlam = std::exp(-lam);
            std::int64_t x = 0;
            double prod = 1.0;
            while (true) {
                prod *= uniform();
                if (prod > enlam)
                    x += 1;
                else
                    return x;
            }
        }
        const double slam = std::sqrt(lam), loglam = std::log(lam);
        const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
        const double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
        while (true) {
            const double u = uniform() - 0.5, v = uniform();
            const double us = 0.5 - std::fabs(u);
            const auto k = static_cast<std::int64_t>(std::floor((2 * a / us + b) * u + lam + 0.43));
            if (us >= 0.07 && v <= vr)
                return k;
            if (k < 0 || (us < 0.013 && v > us))
                continue;
            if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b)
                <= -lam + static_cast<double>(k) * loglam - std::lgamma(static_cast<double>(k) + 1.0))
                return k;
        }
    }

private:
    Rng m_rng;
    bool m_hasGauss = false;
    double m_gauss = 0.0;
};

// ---------------------------------------------------------------- helpers

/// np.uint8(v) for v already clipped to [0, 255]: truncation toward zero; NaN gives 0 (as on x86).
inline std::uint8_t toU8(double v)
{
    if (!(v == v))
        return 0;
    return static_cast<std::uint8_t>(static_cast<std::int32_t>(v));
}
/// astype(np.uint8) of a value that may lie outside [0, 256): C's conversion through int32, as numpy on x86.
inline std::uint8_t wrapU8(double v)
{
    if (!(v == v))
        return 0;
    return static_cast<std::uint8_t>(static_cast<std::int32_t>(v) & 0xFF);
}
inline double clip01(double v)
{
    return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
}
template <class T> inline T clip(T v, T lo, T hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

enum class Boundary { Nearest, Reflect };

/// scipy.ndimage's index extension: 'nearest' (a a | a b c | c c) and 'reflect' (b a | a b c | c b).
inline int extendIndex(int i, int n, Boundary mode)
{
    if (i >= 0 && i < n)
        return i;
    if (mode == Boundary::Nearest)
        return i < 0 ? 0 : n - 1;
    if (n == 1)
        return 0;
    const int period = 2 * n;
    int m = i % period;
    if (m < 0)
        m += period;
    return m < n ? m : period - 1 - m;
}

/// scipy.ndimage.gaussian_filter1d's weights: radius int(truncate * sigma + 0.5), normalised.
std::vector<double> gaussianKernel(double sigma, double truncate)
{
    const int radius = static_cast<int>(truncate * sigma + 0.5);
    std::vector<double> w(static_cast<std::size_t>(2 * radius + 1));
    const double sigma2 = sigma * sigma;
    double sum = 0.0;
    for (int x = -radius; x <= radius; ++x) {
        const double v = std::exp(-0.5 / sigma2 * static_cast<double>(x) * x);
        w[static_cast<std::size_t>(x + radius)] = v;
        sum += v;
    }
    for (double& v : w)
        v /= sum;
    return w;
}

/// scipy.ndimage.gaussian_filter over the two spatial axes (axis 0 then axis 1) of an
/// H x W x C array stored as T; a channel axis gets sigma 0 (skimage's multichannel) and is not
/// filtered. Each pass accumulates in double with scipy's symmetric-kernel sum and stores T.
template <class T>
void gaussianFilter(std::vector<T>& a, int h, int w, int ch, double sigma, Boundary mode, double truncate = 4.0)
{
    if (sigma <= 1e-15)
        return;
    const std::vector<double> k = gaussianKernel(sigma, truncate);
    const int r = static_cast<int>(k.size() / 2);
    const double* fw = k.data() + r;
    std::vector<double> line;
    std::vector<T> out(a.size());
    auto pass = [&](int len, int lines, auto index) {
        line.assign(static_cast<std::size_t>(len + 2 * r), 0.0);
        for (int l = 0; l < lines; ++l) {
            for (int i = -r; i < len + r; ++i)
                line[static_cast<std::size_t>(i + r)] = static_cast<double>(a[index(l, extendIndex(i, len, mode))]);
            for (int i = 0; i < len; ++i) {
                const double* p = line.data() + i + r;
                double tmp = p[0] * fw[0];
                for (int j = -r; j < 0; ++j)
                    tmp += (p[j] + p[-j]) * fw[j];
                out[index(l, i)] = static_cast<T>(tmp);
            }
        }
        a.swap(out);
    };
    // axis 0 (rows): lines are (column, channel) pairs
    pass(h, w * ch, [&](int l, int i) { return (static_cast<std::size_t>(i) * w + l / ch) * ch + l % ch; });
    // axis 1 (columns): lines are (row, channel) pairs
    pass(w, h * ch, [&](int l, int i) { return (static_cast<std::size_t>(l / ch) * w + i) * ch + l % ch; });
}

std::vector<double> toUnit(const std::uint8_t* rgb, std::size_t n)
{
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = rgb[i] / 255.0;
    return x;
}

/// np.uint8(np.clip(x, 0, 1) * 255) of a float64 image.
std::vector<std::uint8_t> fromUnitClipped(const std::vector<double>& x)
{
    std::vector<std::uint8_t> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        out[i] = toU8(clip01(x[i]) * 255.0);
    return out;
}

/// The same for a float32 image (np.clip(x, 0, 1) * 255 stays float32).
std::vector<std::uint8_t> fromUnitClipped(const std::vector<float>& x)
{
    std::vector<std::uint8_t> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const float v = clip(x[i], 0.0f, 1.0f) * 255.0f;
        out[i] = toU8(static_cast<double>(v));
    }
    return out;
}

/// One axis of scipy.ndimage.zoom(order=1, grid_mode=False): output index k reads input
/// coordinate k * (in - 1) / (out - 1) linearly between floor and floor + 1 (clamped).
struct ZoomAxis {
    std::vector<int> i0, i1;
    std::vector<double> t;
};
ZoomAxis zoomAxis(int in, int out)
{
    const double z = out > 1 ? static_cast<double>(in - 1) / (out - 1) : 1.0;
    ZoomAxis a;
    for (int k = 0; k < out; ++k) {
        double cc = static_cast<double>(k) * z;
        if (cc > in - 1)
            cc = in - 1;
        const int f = static_cast<int>(std::floor(cc));
        a.i0.push_back(f);
        a.i1.push_back(f + 1 < in ? f + 1 : in - 1);
        a.t.push_back(cc - f);
    }
    return a;
}

/// The script's clipped_zoom on an H x W x C array of T: the centre crop of ceil(H / z)
/// (rows and columns: the script uses the height for both; CIFAR is square), zoomed with
/// scipy's order-1 zoom (output round(crop * z)), then the centre H x W trimmed.
template <class T> std::vector<T> clippedZoom(const std::vector<T>& img, int h, int w, int ch, double z)
{
    const int chH = static_cast<int>(std::ceil(h / z));
    const int chW = static_cast<int>(std::ceil(w / z));
    const int top = (h - chH) / 2, left = (w - chW) / 2;
    const int outH = static_cast<int>(std::nearbyint(chH * z)), outW = static_cast<int>(std::nearbyint(chW * z));
    const ZoomAxis ay = zoomAxis(chH, outH), ax = zoomAxis(chW, outW);
    const int trimTop = (outH - h) / 2, trimLeft = (outW - w) / 2;
    std::vector<T> out(static_cast<std::size_t>(h) * w * ch);
    auto at = [&](int y, int x, int c) {
        return static_cast<double>(img[(static_cast<std::size_t>(y + top) * w + (x + left)) * ch + c]);
    };
    for (int y = 0; y < h; ++y) {
        const int yy = y + trimTop;
        const int y0 = ay.i0[static_cast<std::size_t>(yy)], y1 = ay.i1[static_cast<std::size_t>(yy)];
        const double ty = ay.t[static_cast<std::size_t>(yy)];
        for (int x = 0; x < w; ++x) {
            const int xx = x + trimLeft;
            const int x0 = ax.i0[static_cast<std::size_t>(xx)], x1 = ax.i1[static_cast<std::size_t>(xx)];
            const double tx = ax.t[static_cast<std::size_t>(xx)];
            for (int c = 0; c < ch; ++c) {
                const double v = (1.0 - ty) * ((1.0 - tx) * at(y0, x0, c) + tx * at(y0, x1, c))
                    + ty * ((1.0 - tx) * at(y1, x0, c) + tx * at(y1, x1, c));
                out[(static_cast<std::size_t>(y) * w + x) * ch + c] = static_cast<T>(v);
            }
        }
    }
    return out;
}

/// numpy's float remainder (np.remainder / %): the result takes the sign of the divisor.
inline double pyMod(double a, double b)
{
    double mod = std::fmod(a, b);
    if (mod != 0.0) {
        if ((b < 0) != (mod < 0))
            mod += b;
    } else {
        mod = std::copysign(0.0, b);
    }
    return mod;
}

/// skimage.color.rgb2hsv (0.19) on one pixel.
std::array<double, 3> rgb2hsv(double r, double g, double b)
{
    const double v = std::max(r, std::max(g, b));
    const double delta = v - std::min(r, std::min(g, b));
    double s = delta / v;
    if (delta == 0.0 || !(s == s))
        s = 0.0;
    double h = 0.0;
    if (r == v)
        h = (g - b) / delta;
    if (g == v)
        h = 2.0 + (b - r) / delta;
    if (b == v)
        h = 4.0 + (r - g) / delta;
    h = pyMod(h / 6.0, 1.0);
    if (delta == 0.0 || !(h == h))
        h = 0.0;
    return {h, s, v};
}

/// skimage.color.hsv2rgb (0.19) on one pixel.
std::array<double, 3> hsv2rgb(double h, double s, double v)
{
    const double hi = std::floor(h * 6.0);
    const double f = h * 6.0 - hi;
    const double p = v * (1.0 - s);
    const double q = v * (1.0 - f * s);
    const double t = v * (1.0 - (1.0 - f) * s);
    switch (static_cast<std::uint8_t>(static_cast<int>(hi)) % 6) {
    case 0:
        return {v, t, p};
    case 1:
        return {q, v, p};
    case 2:
        return {p, v, t};
    case 3:
        return {p, q, v};
    case 4:
        return {t, p, v};
    default:
        return {v, p, q};
    }
}

// ---------------------------------------------------------------- JPEG through libjpeg (Pillow's settings)

struct JpegErr {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
};
extern "C" void jpegErrorExit(j_common_ptr cinfo)
{
    auto* err = reinterpret_cast<JpegErr*>(cinfo->err);
    std::longjmp(err->jump, 1);
}

/// x.save(BytesIO, 'JPEG', quality=q) then PILImage.open: libjpeg's defaults after
/// jpeg_set_quality(q, TRUE) (4:2:0, islow DCT, standard tables), decoded to RGB with libjpeg's
/// defaults (islow IDCT, fancy upsampling).
std::vector<std::uint8_t> jpegRoundTrip(const std::uint8_t* rgb, int h, int w, int quality)
{
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    {
        jpeg_compress_struct cinfo {};
        JpegErr err {};
        cinfo.err = jpeg_std_error(&err.pub);
        err.pub.error_exit = jpegErrorExit;
        if (setjmp(err.jump)) {
            jpeg_destroy_compress(&cinfo);
            std::free(buffer);
            throw Error("jpeg_compression: libjpeg could not encode the image");
        }
        jpeg_create_compress(&cinfo);
        jpeg_mem_dest(&cinfo, &buffer, &size);
        cinfo.image_width = static_cast<JDIMENSION>(w);
        cinfo.image_height = static_cast<JDIMENSION>(h);
        cinfo.input_components = 3;
        cinfo.in_color_space = JCS_RGB;
        jpeg_set_defaults(&cinfo);
        jpeg_set_quality(&cinfo, quality, TRUE);
        cinfo.optimize_coding = FALSE;
        jpeg_start_compress(&cinfo, TRUE);
        while (cinfo.next_scanline < cinfo.image_height) {
            JSAMPROW row = const_cast<JSAMPROW>(rgb + static_cast<std::size_t>(cinfo.next_scanline) * w * 3);
            jpeg_write_scanlines(&cinfo, &row, 1);
        }
        jpeg_finish_compress(&cinfo);
        jpeg_destroy_compress(&cinfo);
    }
    std::vector<std::uint8_t> out(static_cast<std::size_t>(h) * w * 3);
    {
        jpeg_decompress_struct dinfo {};
        JpegErr err {};
        dinfo.err = jpeg_std_error(&err.pub);
        err.pub.error_exit = jpegErrorExit;
        if (setjmp(err.jump)) {
            jpeg_destroy_decompress(&dinfo);
            std::free(buffer);
            throw Error("jpeg_compression: libjpeg could not decode the image");
        }
        jpeg_create_decompress(&dinfo);
        jpeg_mem_src(&dinfo, buffer, size);
        jpeg_read_header(&dinfo, TRUE);
        dinfo.out_color_space = JCS_RGB;
        jpeg_start_decompress(&dinfo);
        while (dinfo.output_scanline < dinfo.output_height) {
            JSAMPROW row = out.data() + static_cast<std::size_t>(dinfo.output_scanline) * w * 3;
            jpeg_read_scanlines(&dinfo, &row, 1);
        }
        jpeg_finish_decompress(&dinfo);
        jpeg_destroy_decompress(&dinfo);
    }
    std::free(buffer);
    return out;
}

// ---------------------------------------------------------------- frost images

const std::vector<std::string> kFrostFiles = {"frost1.png", "frost2.png", "frost3.png", "frost4.jpg", "frost5.jpg", "frost6.jpg"};

/// cv2.imread(file) then cv2.resize(frost, (0, 0), fx=0.2, fy=0.2), cached per folder.
const std::vector<cv::Mat>& frostImages(const std::string& dir)
{
    static std::mutex mutex;
    static std::map<std::string, std::vector<cv::Mat>> cache;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(dir);
    if (it != cache.end())
        return it->second;
    std::vector<cv::Mat> images;
    // make_cifar_c.py draws np.random.randint(5): frost1 .. frost5 (frost6 is never used).
    for (std::size_t i = 0; i < 5; ++i) {
        const std::string path = dir + "/" + kFrostFiles[i];
        if (!fileExists(path))
            throw Error("--frost-dir " + dir + ": " + kFrostFiles[i]
                + " is missing (frost needs frost1.png, frost2.png, frost3.png, frost4.jpg, frost5.jpg from "
                  "ImageNet-C/create_c of github:hendrycks/robustness)");
        const cv::Mat img = readImageFile(path, cv::IMREAD_COLOR);
        cv::Mat small;
        cv::resize(img, small, cv::Size(0, 0), 0.2, 0.2);
        images.push_back(small);
    }
    return cache.emplace(dir, std::move(images)).first->second;
}

// ---------------------------------------------------------------- plasma fractal (fog)

/// The script's plasma_fractal (diamond-square), numpy's roll semantics, values in [0, 1].
std::vector<double> plasmaFractal(int mapsize, double wibbledecay, Random& rnd)
{
    std::vector<double> m(static_cast<std::size_t>(mapsize) * mapsize, 0.0);
    auto at = [&](int r, int c) -> double& { return m[static_cast<std::size_t>(r) * mapsize + c]; };
    int step = mapsize;
    double wibble = 100.0;
    while (step >= 2) {
        const int half = step / 2, n = mapsize / step;
        // fillsquares: corners (n x n) summed with their roll(-1) along rows then columns
        std::vector<double> sq(static_cast<std::size_t>(n) * n);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                const int i1 = (i + 1) % n, j1 = (j + 1) % n;
                sq[static_cast<std::size_t>(i) * n + j]
                    = (at(i * step, j * step) + at(i1 * step, j * step)) + (at(i * step, j1 * step) + at(i1 * step, j1 * step));
            }
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j)
                at(i * step + half, j * step + half)
                    = sq[static_cast<std::size_t>(i) * n + j] / 4 + wibble * rnd.uniform(-wibble, wibble);
        // filldiamonds
        std::vector<double> dr(static_cast<std::size_t>(n) * n), ul(static_cast<std::size_t>(n) * n);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                dr[static_cast<std::size_t>(i) * n + j] = at(i * step + half, j * step + half);
                ul[static_cast<std::size_t>(i) * n + j] = at(i * step, j * step);
            }
        auto D = [&](int i, int j) { return dr[static_cast<std::size_t>((i + n) % n) * n + (j + n) % n]; };
        auto U = [&](int i, int j) { return ul[static_cast<std::size_t>((i + n) % n) * n + (j + n) % n]; };
        std::vector<double> lt(static_cast<std::size_t>(n) * n), tt(static_cast<std::size_t>(n) * n);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                lt[static_cast<std::size_t>(i) * n + j] = (D(i, j) + D(i - 1, j)) + (U(i, j) + U(i, j + 1));
                tt[static_cast<std::size_t>(i) * n + j] = (D(i, j) + D(i, j - 1)) + (U(i, j) + U(i + 1, j));
            }
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j)
                at(i * step, j * step + half)
                    = lt[static_cast<std::size_t>(i) * n + j] / 4 + wibble * rnd.uniform(-wibble, wibble);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j)
                at(i * step + half, j * step)
                    = tt[static_cast<std::size_t>(i) * n + j] / 4 + wibble * rnd.uniform(-wibble, wibble);
        step /= 2;
        wibble /= wibbledecay;
    }
    const double lo = *std::min_element(m.begin(), m.end());
    for (double& v : m)
        v -= lo;
    const double hi = *std::max_element(m.begin(), m.end());
    for (double& v : m)
        v /= hi;
    return m;
}

// ---------------------------------------------------------------- the corruptions

using Bytes = std::vector<std::uint8_t>;

struct Image {
    const std::uint8_t* rgb;
    int h, w;
    std::size_t n() const { return static_cast<std::size_t>(h) * w * 3; }
};

Bytes gaussianNoise(const Image& im, int s, Random& rnd)
{
    const double c = std::array<double, 5> {0.04, 0.06, .08, .09, .10}[s - 1];
    std::vector<double> x = toUnit(im.rgb, im.n());
    for (double& v : x)
        v = v + rnd.normal() * c;
    return fromUnitClipped(x);
}

Bytes shotNoise(const Image& im, int s, Random& rnd)
{
    const double c = std::array<double, 5> {500, 250, 100, 75, 50}[s - 1];
    std::vector<double> x = toUnit(im.rgb, im.n());
    for (double& v : x)
        v = static_cast<double>(rnd.poisson(v * c)) / c;
    return fromUnitClipped(x);
}

Bytes impulseNoise(const Image& im, int s, Random& rnd)
{
    // skimage.util.random_noise(mode='s&p', amount=c, salt_vs_pepper=0.5): each element is
    // flipped with probability c, to 1 (salt) or 0 (pepper) with equal odds.
    const double c = std::array<double, 5> {.01, .02, .03, .05, .07}[s - 1];
    std::vector<double> x = toUnit(im.rgb, im.n());
    std::vector<char> flipped(x.size());
    for (char& f : flipped)
        f = rnd.uniform() < c;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const bool salted = rnd.uniform() < 0.5;
        if (flipped[i])
            x[i] = salted ? 1.0 : 0.0;
    }
    return fromUnitClipped(x);
}

Bytes speckleNoise(const Image& im, int s, Random& rnd)
{
    const double c = std::array<double, 5> {.06, .1, .12, .16, .2}[s - 1];
    std::vector<double> x = toUnit(im.rgb, im.n());
    for (double& v : x)
        v = v + v * (rnd.normal() * c);
    return fromUnitClipped(x);
}

Bytes gaussianBlur(const Image& im, int s)
{
    const double c = std::array<double, 5> {.4, .6, 0.7, .8, 1}[s - 1];
    std::vector<double> x = toUnit(im.rgb, im.n());
    gaussianFilter(x, im.h, im.w, 3, c, Boundary::Nearest);
    return fromUnitClipped(x);
}

Bytes glassBlur(const Image& im, int s, Random& rnd)
{
    struct P {
        double sigma;
        int delta, iterations;
    };
    const P c = std::array<P, 5> {P {0.05, 1, 1}, P {0.25, 1, 1}, P {0.4, 1, 1}, P {0.25, 1, 2}, P {0.4, 1, 2}}[s - 1];
    std::vector<double> x = toUnit(im.rgb, im.n());
    gaussianFilter(x, im.h, im.w, 3, c.sigma, Boundary::Nearest);
    Bytes u(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        u[i] = wrapU8(x[i] * 255.0);
    // "locally shuffle pixels": the script's tuple assignment of two numpy views copies
    // x[h', w'] into x[h, w] and leaves x[h', w'] as it was; kept as the published data has it.
    for (int it = 0; it < c.iterations; ++it)
        for (int hh = im.h - c.delta; hh > c.delta; --hh)
            for (int ww = im.w - c.delta; ww > c.delta; --ww) {
                const auto dx = static_cast<int>(rnd.randint(-c.delta, c.delta));
                const auto dy = static_cast<int>(rnd.randint(-c.delta, c.delta));
                const int hp = hh + dy, wp = ww + dx;
                if (hh >= im.h || ww >= im.w)
                    continue; // (the script's 32 - delta start lies inside a 32-pixel image)
                for (int ch = 0; ch < 3; ++ch)
                    u[(static_cast<std::size_t>(hh) * im.w + ww) * 3 + ch]
                        = u[(static_cast<std::size_t>(hp) * im.w + wp) * 3 + ch];
            }
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = u[i] / 255.0;
    gaussianFilter(x, im.h, im.w, 3, c.sigma, Boundary::Nearest);
    return fromUnitClipped(x);
}

Bytes defocusBlur(const Image& im, int s)
{
    const std::array<double, 2> c
        = std::array<std::array<double, 2>, 5> {{{0.3, 0.4}, {0.4, 0.5}, {0.5, 0.6}, {1, 0.2}, {1.5, 0.1}}}[s - 1];
    // disk(radius, alias_blur): radius <= 8 -> L = -8..8 and a 3x3 Gaussian
    const double radius = c[0];
    const int half = radius <= 8 ? 8 : static_cast<int>(radius);
    const int ks = radius <= 8 ? 3 : 5;
    const int size = 2 * half + 1;
    cv::Mat disk(size, size, CV_32F);
    float sum = 0.0f;
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const double X = x - half, Y = y - half;
            const float v = (X * X + Y * Y) <= radius * radius ? 1.0f : 0.0f;
            disk.at<float>(y, x) = v;
            sum += v;
        }
    disk /= sum;
    cv::Mat kernel;
    cv::GaussianBlur(disk, kernel, cv::Size(ks, ks), c[1]);
    Bytes out(im.n());
    for (int d = 0; d < 3; ++d) {
        cv::Mat ch(im.h, im.w, CV_64F);
        for (int y = 0; y < im.h; ++y)
            for (int x = 0; x < im.w; ++x)
                ch.at<double>(y, x) = im.rgb[(static_cast<std::size_t>(y) * im.w + x) * 3 + d] / 255.0;
        cv::Mat f;
        cv::filter2D(ch, f, -1, kernel);
        for (int y = 0; y < im.h; ++y)
            for (int x = 0; x < im.w; ++x)
                out[(static_cast<std::size_t>(y) * im.w + x) * 3 + d] = toU8(clip01(f.at<double>(y, x)) * 255.0);
    }
    return out;
}

Bytes motionBlur(const Image& im, int s, Random& rnd)
{
    const std::array<double, 2> c = std::array<std::array<double, 2>, 5> {{{6, 1}, {6, 1.5}, {6, 2}, {8, 2}, {9, 2.5}}}[s - 1];
    const double angle = rnd.uniform(-45, 45);
    return magickMotionBlur(im.rgb, im.h, im.w, c[0], c[1], angle);
}

/// np.arange(1, stop, 0.01) as numpy fills it: start + i * ((start + step) - start).
std::vector<double> zoomFactors(double stop)
{
    const double start = 1.0, step = 0.01;
    const auto n = static_cast<std::size_t>(std::ceil((stop - start) / step));
    const double delta = (start + step) - start;
    std::vector<double> z(n);
    for (std::size_t i = 0; i < n; ++i)
        z[i] = i == 0 ? start : start + static_cast<double>(i) * delta;
    return z;
}

Bytes zoomBlur(const Image& im, int s)
{
    const double stop = std::array<double, 5> {1.06, 1.11, 1.16, 1.21, 1.26}[s - 1];
    const std::vector<double> factors = zoomFactors(stop);
    std::vector<float> x(im.n()), out(im.n(), 0.0f);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(im.rgb[i] / 255.0);
    for (double z : factors) {
        const std::vector<float> zz = clippedZoom(x, im.h, im.w, 3, z);
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] += zz[i];
    }
    const auto count = static_cast<float>(factors.size() + 1);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = (x[i] + out[i]) / count;
    return fromUnitClipped(x);
}

Bytes snow(const Image& im, int s, Random& rnd)
{
    const std::array<double, 7> c = std::array<std::array<double, 7>, 5> {
        {{0.1, 0.2, 1, 0.6, 8, 3, 0.95}, {0.1, 0.2, 1, 0.5, 10, 4, 0.9}, {0.15, 0.3, 1.75, 0.55, 10, 4, 0.9},
            {0.25, 0.3, 2.25, 0.6, 12, 6, 0.85}, {0.3, 0.3, 1.25, 0.65, 14, 12, 0.8}}}[s - 1];
    const int h = im.h, w = im.w;
    const std::size_t hw = static_cast<std::size_t>(h) * w;
    std::vector<float> x(im.n());
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(im.rgb[i]) / 255.0f;
    std::vector<double> layer(hw);
    for (double& v : layer)
        v = rnd.normal(c[0], c[1]);
    layer = clippedZoom(layer, h, w, 1, c[2]);
    for (double& v : layer)
        if (v < c[3])
            v = 0.0;
    // PIL 'L' image of (clip(layer, 0, 1) * 255).astype(uint8), motion-blurred by ImageMagick
    Bytes grey(hw * 3);
    for (std::size_t i = 0; i < hw; ++i)
        grey[i * 3] = grey[i * 3 + 1] = grey[i * 3 + 2] = toU8(clip01(layer[i]) * 255.0);
    const double angle = rnd.uniform(-135, -45);
    const Bytes blurred = magickMotionBlur(grey.data(), h, w, c[4], c[5], angle);
    std::vector<double> sl(hw);
    for (std::size_t i = 0; i < hw; ++i)
        sl[i] = blurred[i * 3] / 255.0;
    Bytes out(im.n());
    for (int yy = 0; yy < h; ++yy)
        for (int xx = 0; xx < w; ++xx) {
            const std::size_t p = static_cast<std::size_t>(yy) * w + xx;
            const float* px = x.data() + p * 3;
            // cv2.cvtColor(x, COLOR_RGB2GRAY) on float32
            const float grayv = 0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2];
            const float lifted = grayv * 1.5f + 0.5f;
            // np.rot90(snow_layer, k=2): the layer turned by 180 degrees
            const double rot = sl[static_cast<std::size_t>(h - 1 - yy) * w + (w - 1 - xx)];
            for (int ch = 0; ch < 3; ++ch) {
                const auto c6 = static_cast<float>(c[6]);
                const float mixed = c6 * px[ch] + (1.0f - c6) * std::max(px[ch], lifted);
                out[p * 3 + ch] = toU8(clip01(static_cast<double>(mixed) + sl[p] + rot) * 255.0);
            }
        }
    return out;
}

Bytes frost(const Image& im, int s, Random& rnd, const std::string& frostDir)
{
    const std::array<double, 2> c
        = std::array<std::array<double, 2>, 5> {{{1, 0.2}, {1, 0.3}, {0.9, 0.4}, {0.85, 0.4}, {0.75, 0.45}}}[s - 1];
    const std::vector<cv::Mat>& frosts = frostImages(frostDir);
    const auto idx = static_cast<std::size_t>(rnd.randint(0, 5));
    const cv::Mat& f = frosts[idx];
    if (f.rows <= im.h || f.cols <= im.w)
        throw Error("--frost-dir " + frostDir + ": " + kFrostFiles[idx] + " scaled by 0.2 (as the recipe does) is "
            + std::to_string(f.cols) + "x" + std::to_string(f.rows) + " pixels, not larger than the " + std::to_string(im.w) + "x"
            + std::to_string(im.h) + " images it is cropped for");
    const auto y0 = static_cast<int>(rnd.randint(0, f.rows - im.h));
    const auto x0 = static_cast<int>(rnd.randint(0, f.cols - im.w));
    Bytes out(im.n());
    for (int y = 0; y < im.h; ++y)
        for (int x = 0; x < im.w; ++x) {
            const cv::Vec3b bgr = f.at<cv::Vec3b>(y0 + y, x0 + x);
            for (int ch = 0; ch < 3; ++ch) {
                const std::size_t i = (static_cast<std::size_t>(y) * im.w + x) * 3 + ch;
                const double v = c[0] * im.rgb[i] + c[1] * bgr[2 - ch];
                out[i] = toU8(clip(v, 0.0, 255.0));
            }
        }
    return out;
}

Bytes fog(const Image& im, int s, Random& rnd)
{
    const std::array<double, 2> c
        = std::array<std::array<double, 2>, 5> {{{.2, 3}, {.5, 3}, {0.75, 2.5}, {1, 2}, {1.5, 1.75}}}[s - 1];
    std::vector<double> x = toUnit(im.rgb, im.n());
    const double maxVal = *std::max_element(x.begin(), x.end());
    int mapsize = 32; // the CIFAR script's default; larger images get the next power of two
    while (mapsize < std::max(im.h, im.w))
        mapsize *= 2;
    const std::vector<double> plasma = plasmaFractal(mapsize, c[1], rnd);
    for (int y = 0; y < im.h; ++y)
        for (int xx = 0; xx < im.w; ++xx)
            for (int ch = 0; ch < 3; ++ch) {
                double& v = x[(static_cast<std::size_t>(y) * im.w + xx) * 3 + ch];
                v += c[0] * plasma[static_cast<std::size_t>(y) * mapsize + xx];
            }
    for (double& v : x)
        v = v * maxVal / (maxVal + c[0]);
    return fromUnitClipped(x);
}

Bytes brightness(const Image& im, int s)
{
    const double c = std::array<double, 5> {.05, .1, .15, .2, .3}[s - 1];
    Bytes out(im.n());
    for (std::size_t p = 0; p < im.n(); p += 3) {
        std::array<double, 3> hsv = rgb2hsv(im.rgb[p] / 255.0, im.rgb[p + 1] / 255.0, im.rgb[p + 2] / 255.0);
        hsv[2] = clip01(hsv[2] + c);
        const std::array<double, 3> rgb = hsv2rgb(hsv[0], hsv[1], hsv[2]);
        for (int ch = 0; ch < 3; ++ch)
            out[p + ch] = toU8(clip01(rgb[ch]) * 255.0);
    }
    return out;
}

Bytes saturate(const Image& im, int s)
{
    const std::array<double, 2> c
        = std::array<std::array<double, 2>, 5> {{{0.3, 0}, {0.1, 0}, {1.5, 0}, {2, 0.1}, {2.5, 0.2}}}[s - 1];
    Bytes out(im.n());
    for (std::size_t p = 0; p < im.n(); p += 3) {
        std::array<double, 3> hsv = rgb2hsv(im.rgb[p] / 255.0, im.rgb[p + 1] / 255.0, im.rgb[p + 2] / 255.0);
        hsv[1] = clip01(hsv[1] * c[0] + c[1]);
        const std::array<double, 3> rgb = hsv2rgb(hsv[0], hsv[1], hsv[2]);
        for (int ch = 0; ch < 3; ++ch)
            out[p + ch] = toU8(clip01(rgb[ch]) * 255.0);
    }
    return out;
}

Bytes contrast(const Image& im, int s)
{
    const double c = std::array<double, 5> {.75, .5, .4, .3, 0.15}[s - 1];
    std::vector<double> x = toUnit(im.rgb, im.n());
    std::array<double, 3> mean {0, 0, 0};
    for (std::size_t p = 0; p < x.size(); p += 3)
        for (int ch = 0; ch < 3; ++ch)
            mean[static_cast<std::size_t>(ch)] += x[p + ch];
    const double count = static_cast<double>(im.h) * im.w;
    for (double& m : mean)
        m /= count;
    for (std::size_t p = 0; p < x.size(); p += 3)
        for (int ch = 0; ch < 3; ++ch) {
            const double m = mean[static_cast<std::size_t>(ch)];
            x[p + ch] = (x[p + ch] - m) * c + m;
        }
    return fromUnitClipped(x);
}

Bytes elasticTransform(const Image& im, int s, Random& rnd)
{
    // the script's IMSIZE = 32 (CIFAR); other sizes scale with the shorter side
    const double size = std::min(im.h, im.w);
    const std::array<double, 3> c = std::array<std::array<double, 3>, 5> {
        {{size * 0, size * 0, size * 0.08}, {size * 0.05, size * 0.2, size * 0.07}, {size * 0.08, size * 0.06, size * 0.06},
            {size * 0.1, size * 0.04, size * 0.05}, {size * 0.1, size * 0.03, size * 0.03}}}[s - 1];
    const int h = im.h, w = im.w;
    cv::Mat image(h, w, CV_32FC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int ch = 0; ch < 3; ++ch)
                image.at<cv::Vec3f>(y, x)[ch]
                    = static_cast<float>(im.rgb[(static_cast<std::size_t>(y) * w + x) * 3 + ch]) / 255.0f;
    // random affine: center_square = float32(shape_size) // 2, square_size = min // 3
    const float cs0 = std::floor(static_cast<float>(h) / 2.0f), cs1 = std::floor(static_cast<float>(w) / 2.0f);
    const auto sq = static_cast<float>(std::min(h, w) / 3);
    const std::array<cv::Point2f, 3> pts1
        = {cv::Point2f(cs0 + sq, cs1 + sq), cv::Point2f(cs0 + sq, cs1 - sq), cv::Point2f(cs0 - sq, cs1 - sq)};
    std::array<cv::Point2f, 3> pts2 = pts1;
    for (cv::Point2f& p : pts2) {
        p.x += static_cast<float>(rnd.uniform(-c[2], c[2]));
        p.y += static_cast<float>(rnd.uniform(-c[2], c[2]));
    }
    const cv::Mat m = cv::getAffineTransform(pts1.data(), pts2.data());
    cv::Mat warped;
    cv::warpAffine(image, warped, m, cv::Size(w, h), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
    // dx, dy: Gaussian-smoothed uniform(-1, 1) fields ('reflect', truncate 3) times alpha, as float32
    auto field = [&]() {
        std::vector<double> f(static_cast<std::size_t>(h) * w);
        for (double& v : f)
            v = rnd.uniform(-1, 1);
        gaussianFilter(f, h, w, 1, c[1], Boundary::Reflect, 3.0);
        std::vector<float> out(f.size());
        for (std::size_t i = 0; i < f.size(); ++i)
            out[i] = static_cast<float>(f[i] * c[0]);
        return out;
    };
    const std::vector<float> dx = field();
    const std::vector<float> dy = field();
    // map_coordinates(order=1, mode='reflect'): linear between floor and floor + 1 of the
    // half-sample-symmetric extension
    Bytes out(im.n());
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const std::size_t p = static_cast<std::size_t>(y) * w + x;
            const double cy = y + static_cast<double>(dy[p]), cx = x + static_cast<double>(dx[p]);
            const double fy = std::floor(cy), fx = std::floor(cx);
            const double ty = cy - fy, tx = cx - fx;
            const int y0 = extendIndex(static_cast<int>(fy), h, Boundary::Reflect);
            const int y1 = extendIndex(static_cast<int>(fy) + 1, h, Boundary::Reflect);
            const int x0 = extendIndex(static_cast<int>(fx), w, Boundary::Reflect);
            const int x1 = extendIndex(static_cast<int>(fx) + 1, w, Boundary::Reflect);
            for (int ch = 0; ch < 3; ++ch) {
                auto at = [&](int yy, int xx) { return static_cast<double>(warped.at<cv::Vec3f>(yy, xx)[ch]); };
                const double v
                    = (1 - ty) * ((1 - tx) * at(y0, x0) + tx * at(y0, x1)) + ty * ((1 - tx) * at(y1, x0) + tx * at(y1, x1));
                const float vf = static_cast<float>(v);
                out[p * 3 + ch] = toU8(static_cast<double>(clip(vf, 0.0f, 1.0f) * 255.0f));
            }
        }
    return out;
}

Bytes pixelate(const Image& im, int s)
{
    const double c = std::array<double, 5> {0.95, 0.9, 0.85, 0.75, 0.65}[s - 1];
    const int sw = static_cast<int>(im.w * c), sh = static_cast<int>(im.h * c);
    const Bytes small = pilResize(im.rgb, im.h, im.w, sh, sw, PilFilter::Box);
    return pilResize(small.data(), sh, sw, im.h, im.w, PilFilter::Box);
}

Bytes jpegCompression(const Image& im, int s)
{
    const int q = std::array<int, 5> {80, 65, 58, 50, 40}[s - 1];
    return jpegRoundTrip(im.rgb, im.h, im.w, q);
}

Bytes spatter(const Image& im, int s, Random& rnd)
{
    const std::array<double, 6> c
        = std::array<std::array<double, 6>, 5> {{{0.62, 0.1, 0.7, 0.7, 0.5, 0}, {0.65, 0.1, 0.8, 0.7, 0.5, 0},
            {0.65, 0.3, 1, 0.69, 0.5, 0}, {0.65, 0.1, 0.7, 0.69, 0.6, 1}, {0.65, 0.1, 0.5, 0.68, 0.6, 1}}}[s - 1];
    const int h = im.h, w = im.w;
    const std::size_t hw = static_cast<std::size_t>(h) * w;
    std::vector<float> x(im.n());
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(im.rgb[i]) / 255.0f;
    std::vector<double> liquid(hw);
    for (double& v : liquid)
        v = rnd.normal(c[0], c[1]);
    gaussianFilter(liquid, h, w, 1, c[2], Boundary::Nearest);
    for (double& v : liquid)
        if (v < c[3])
            v = 0.0;
    Bytes out(im.n());
    if (c[5] == 0) {
        cv::Mat l8(h, w, CV_8U);
        for (std::size_t i = 0; i < hw; ++i)
            l8.data[i] = wrapU8(liquid[i] * 255.0);
        cv::Mat edges;
        cv::Canny(l8, edges, 50, 150);
        cv::Mat dist8 = 255 - edges;
        cv::Mat dist;
        cv::distanceTransform(dist8, dist, cv::DIST_L2, 5);
        cv::threshold(dist, dist, 20, 20, cv::THRESH_TRUNC);
        cv::Mat blurred;
        cv::blur(dist, blurred, cv::Size(3, 3));
        cv::Mat d8(h, w, CV_8U);
        for (int y = 0; y < h; ++y)
            for (int xx = 0; xx < w; ++xx)
                d8.at<std::uint8_t>(y, xx) = wrapU8(static_cast<double>(blurred.at<float>(y, xx)));
        cv::equalizeHist(d8, d8);
        const cv::Mat ker = (cv::Mat_<float>(3, 3) << -2, -1, 0, -1, 1, 1, 0, 1, 2);
        cv::Mat f8;
        cv::filter2D(d8, f8, CV_8U, ker);
        cv::Mat fb;
        cv::blur(f8, fb, cv::Size(3, 3));
        // m = liquid_uint8 * dist (float32), replicated to B, G, R plus alpha 1, divided by its max per channel
        std::vector<float> m(hw);
        float mmax = 0.0f;
        for (std::size_t i = 0; i < hw; ++i) {
            m[i] = static_cast<float>(l8.data[i]) * static_cast<float>(fb.data[i]);
            mmax = std::max(mmax, m[i]);
        }
        const std::array<float, 3> color
            = {static_cast<float>(175 / 255.), static_cast<float>(238 / 255.), static_cast<float>(238 / 255.)};
        const auto c4 = static_cast<float>(c[4]);
        for (std::size_t i = 0; i < hw; ++i) {
            const float mi = m[i] / mmax * c4; // 0 / 0 is NaN, as numpy's, and NaN gives 0 below
            for (int ch = 0; ch < 3; ++ch) {
                const float v = x[i * 3 + ch] + mi * color[static_cast<std::size_t>(ch)];
                const float cl = (v != v) ? v : clip(v, 0.0f, 1.0f);
                out[i * 3 + ch] = toU8(static_cast<double>(cl * 255.0f));
            }
        }
    } else {
        std::vector<float> m(hw);
        for (std::size_t i = 0; i < hw; ++i)
            m[i] = liquid[i] > c[3] ? 1.0f : 0.0f;
        gaussianFilter(m, h, w, 1, c[4], Boundary::Nearest);
        for (float& v : m)
            if (v < 0.8f)
                v = 0.0f;
        const std::array<float, 3> mud
            = {static_cast<float>(63 / 255.), static_cast<float>(42 / 255.), static_cast<float>(20 / 255.)};
        for (std::size_t i = 0; i < hw; ++i)
            for (int ch = 0; ch < 3; ++ch) {
                const float color = mud[static_cast<std::size_t>(ch)] * m[i];
                const float xv = x[i * 3 + ch] * (1.0f - m[i]);
                out[i * 3 + ch] = toU8(static_cast<double>(clip(xv + color, 0.0f, 1.0f) * 255.0f));
            }
    }
    return out;
}

std::uint64_t nameHash(const std::string& name)
{
    std::uint64_t h = 1469598103934665603ull; // FNV-1a
    for (char ch : name) {
        h ^= static_cast<unsigned char>(ch);
        h *= 1099511628211ull;
    }
    return h;
}

} // namespace

const std::vector<std::string>& corruptionNames()
{
    return kNames;
}

bool isDeterministicCorruption(const std::string& name)
{
    return std::find(kDeterministic.begin(), kDeterministic.end(), name) != kDeterministic.end();
}

void checkCorruptionName(const std::string& name)
{
    if (std::find(kNames.begin(), kNames.end(), name) == kNames.end())
        throw Error("--corruptions: unknown corruption '" + name + "' (valid: " + joinChoices(kNames) + ")");
}

std::uint64_t corruptionImageSeed(std::uint64_t seed, const std::string& name, int severity, std::int64_t index)
{
    return mixSeed(seed ^ nameHash(name), static_cast<std::uint64_t>(severity), static_cast<std::uint64_t>(index));
}

std::vector<std::uint8_t> corruptImage(const std::string& name, int severity, const std::uint8_t* rgb, int height, int width,
    std::uint64_t seed, const std::string& frostDir)
{
    checkCorruptionName(name);
    if (severity < 1 || severity > 5)
        throw Error("--severities: severity " + std::to_string(severity) + " is outside 1..5");
    if (height < 4 || width < 4)
        throw Error(
            name + ": images must be at least 4x4 pixels (got " + std::to_string(width) + "x" + std::to_string(height) + ")");
    if (name == "frost" && frostDir.empty())
        throw Error("frost: needs --frost-dir, the folder with the recipe's frost1.png ... frost6.jpg "
                    "(ImageNet-C/create_c of github:hendrycks/robustness)");
    const Image im {rgb, height, width};
    Random rnd(seed);
    const int s = severity;
    if (name == "gaussian_noise")
        return gaussianNoise(im, s, rnd);
    if (name == "shot_noise")
        return shotNoise(im, s, rnd);
    if (name == "impulse_noise")
        return impulseNoise(im, s, rnd);
    if (name == "defocus_blur")
        return defocusBlur(im, s);
    if (name == "glass_blur")
        return glassBlur(im, s, rnd);
    if (name == "motion_blur")
        return motionBlur(im, s, rnd);
    if (name == "zoom_blur")
        return zoomBlur(im, s);
    if (name == "snow")
        return snow(im, s, rnd);
    if (name == "frost")
        return frost(im, s, rnd, frostDir);
    if (name == "fog")
        return fog(im, s, rnd);
    if (name == "brightness")
        return brightness(im, s);
    if (name == "contrast")
        return contrast(im, s);
    if (name == "elastic_transform")
        return elasticTransform(im, s, rnd);
    if (name == "pixelate")
        return pixelate(im, s);
    if (name == "jpeg_compression")
        return jpegCompression(im, s);
    if (name == "speckle_noise")
        return speckleNoise(im, s, rnd);
    if (name == "gaussian_blur")
        return gaussianBlur(im, s);
    if (name == "spatter")
        return spatter(im, s, rnd);
    return saturate(im, s);
}

namespace {

std::string yamlList(const std::vector<std::string>& items)
{
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i)
        out += (i ? ", " : "") + items[i];
    return out + "]";
}

void writeRecipe(const CorruptOptions& o, const ImageDataset& ds, const std::vector<int>& severities,
    const std::vector<std::string>& done, const std::vector<std::string>& asked, RunState status, int threads)
{
    std::ostringstream y;
    y << "# CIFAR-10-C layout written by repalign-cli corrupt (RepAlign Workbench " << programVersion() << ")\n";
    y << "program: repalign-cli corrupt\n";
    y << "created: " << isoTimestamp() << "\n";
    y << "status: " << toString(status) << "\n";
    y << "recipe: github:hendrycks/robustness ImageNet-C/create_c/make_cifar_c.py "
         "(8190fe329f5f072a06e3a2aea02bb5dda69aed9f), Hendrycks & Dietterich 2019\n";
    y << "data: " << jsonQuote(o.data) << "\n";
    y << "split: " << splitName(parseSplit(o.split)) << "\n";
    y << "images: " << ds.count << "\n";
    y << "height: " << ds.height << "\n";
    y << "width: " << ds.width << "\n";
    std::vector<std::string> sev;
    for (int s : severities)
        sev.push_back(std::to_string(s));
    y << "severities: " << yamlList(sev) << "\n";
    y << "seed: " << o.seed << "\n";
    y << "rng: "
      << jsonQuote("one generator per image: splitmix64 counter stream seeded by "
                   "mixSeed(seed ^ fnv1a64(name), severity, image index); numpy's recipes for normal "
                   "(polar), poisson (multiplication / PTRS), uniform, randint; independent of --threads")
      << "\n";
    y << "frost_dir: " << jsonQuote(o.frostDir) << "\n";
    y << "threads: " << threads << "\n";
    y << "layout: "
      << jsonQuote("<name>.npy uint8 [severities*images, H, W, 3], severity-major; labels.npy "
                   "[severities*images] (uint8 as published)")
      << "\n";
    y << "requested: " << yamlList(asked) << "\n";
    y << "corruptions:\n";
    for (const std::string& n : done)
        y << "  - {name: " << n << ", file: " << n << ".npy, deterministic: " << (isDeterministicCorruption(n) ? "true" : "false")
          << "}\n";
    writeFileAtomic(o.outDir + "/corrupt.yaml", y.str());
}

/// The options' corruption names (all fifteen when none given), checked with the severities,
/// the output folder, the data spec and frost's images before any work.
std::vector<std::string> checkedCorruptions(const CorruptOptions& options)
{
    if (options.outDir.empty())
        throw Error("--out: the output folder is required");
    if (options.data.empty())
        throw Error("--data: a data spec is required (" + joinChoices(dataSpecKinds()) + ")");
    std::vector<std::string> names = options.corruptions.empty() ? kNames : options.corruptions;
    for (const std::string& n : names)
        checkCorruptionName(n);
    for (std::size_t i = 0; i < names.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (names[i] == names[j])
                throw Error("--corruptions: '" + names[i] + "' is given twice");
    const std::vector<int>& severities = options.severities;
    if (severities.empty())
        throw Error("--severities: give at least one of 1, 2, 3, 4, 5");
    for (std::size_t i = 0; i < severities.size(); ++i) {
        if (severities[i] < 1 || severities[i] > 5)
            throw Error("--severities: severity " + std::to_string(severities[i]) + " is outside 1..5");
        for (std::size_t j = 0; j < i; ++j)
            if (severities[i] == severities[j])
                throw Error("--severities: severity " + std::to_string(severities[i]) + " is given twice");
    }
    const bool wantsFrost = std::find(names.begin(), names.end(), "frost") != names.end();
    if (wantsFrost && options.frostDir.empty())
        throw Error("frost: needs --frost-dir, the folder with the recipe's frost images (frost1.png ... frost6.jpg "
                    "from ImageNet-C/create_c of github:hendrycks/robustness); or leave frost out with --corruptions");
    if (wantsFrost)
        frostImages(options.frostDir); // one line naming a missing file, before any work
    return names;
}

/// labels.npy: the labels once per severity, uint8 as the published file (int64 where a label
/// does not fit a byte).
void writeLabels(const std::string& outDir, const ImageDataset& ds, std::int64_t sevCount)
{
    const std::int64_t perCorruption = sevCount * ds.count;
    const bool small = ds.numClasses() <= 256
        && std::all_of(ds.labels.begin(), ds.labels.end(), [](std::int64_t l) { return l >= 0 && l < 256; });
    if (small) {
        std::vector<std::uint8_t> labels(static_cast<std::size_t>(perCorruption));
        for (std::int64_t s = 0; s < sevCount; ++s)
            for (std::int64_t i = 0; i < ds.count; ++i)
                labels[static_cast<std::size_t>(s * ds.count + i)]
                    = static_cast<std::uint8_t>(ds.labels[static_cast<std::size_t>(i)]);
        writeNpyU8(outDir + "/labels.npy", {perCorruption}, labels);
    } else {
        std::vector<std::int64_t> labels(static_cast<std::size_t>(perCorruption));
        for (std::int64_t s = 0; s < sevCount; ++s)
            for (std::int64_t i = 0; i < ds.count; ++i)
                labels[static_cast<std::size_t>(s * ds.count + i)] = ds.labels[static_cast<std::size_t>(i)];
        writeNpyI64(outDir + "/labels.npy", {perCorruption}, labels);
    }
}

} // namespace

JobStatus runCorrupt(const CorruptOptions& options, ProgressSink& sink, const CancelToken& cancel)
{
    // ---- everything checked before any work
    const std::vector<std::string> names = checkedCorruptions(options);
    const std::vector<int>& severities = options.severities;
    const Split split = parseSplit(options.split);
    if (options.maxImages == 0 || options.maxImages < -1)
        throw Error("--max-images: must be positive (got " + std::to_string(options.maxImages) + ")");

    if (severities != std::vector<int> {1, 2, 3, 4, 5}) {
        std::vector<std::string> sev;
        for (int v : severities)
            sev.push_back(std::to_string(v));
        sink.log(LogLevel::Notice,
            "severities " + joinChoices(sev, ",") + ": the files hold these in this order; the published layout "
                + "(and behave --corruptions) has all five, 1..5");
    }
    sink.log(LogLevel::Info, "loading " + options.data + " (" + splitName(split) + ")");
    ImageDataset ds = loadDataset(options.data, split);
    if (options.maxImages > 0 && options.maxImages < ds.count) {
        std::vector<std::int64_t> idx(static_cast<std::size_t>(options.maxImages));
        for (std::size_t i = 0; i < idx.size(); ++i)
            idx[i] = static_cast<std::int64_t>(i);
        ds = ds.subset(idx);
    }
    if (ds.count == 0)
        throw Error("--data " + options.data + ": no images in the " + splitName(split) + " split");
    makeDirs(options.outDir);
    removeOrphanedTempFiles(options.outDir);

    const auto sevCount = static_cast<std::int64_t>(severities.size());
    const std::int64_t perCorruption = sevCount * ds.count;
    const int threads = std::max(1, options.threads > 0 ? options.threads : hardwareThreads());

    writeLabels(options.outDir, ds, sevCount);

    std::vector<std::string> done;
    const double started = wallClockSeconds();
    const std::int64_t grandTotal = perCorruption * static_cast<std::int64_t>(names.size());
    for (std::size_t c = 0; c < names.size(); ++c) {
        const std::string& name = names[c];
        std::vector<std::uint8_t> out(static_cast<std::size_t>(perCorruption) * ds.imageBytes());
        std::atomic<std::int64_t> next {0}, finished {0};
        std::atomic<bool> stop {false};
        std::exception_ptr failure;
        std::mutex failureMutex;
        auto worker = [&] {
            while (!stop.load(std::memory_order_relaxed)) {
                const std::int64_t t = next.fetch_add(1);
                if (t >= perCorruption)
                    return;
                if (cancel.cancelled()) {
                    stop = true;
                    return;
                }
                const int severity = severities[static_cast<std::size_t>(t / ds.count)];
                const std::int64_t i = t % ds.count;
                try {
                    const std::vector<std::uint8_t> img = corruptImage(name, severity, ds.image(i), ds.height, ds.width,
                        corruptionImageSeed(options.seed, name, severity, i), options.frostDir);
                    std::copy(img.begin(), img.end(),
                        out.begin() + static_cast<std::ptrdiff_t>(t * static_cast<std::int64_t>(ds.imageBytes())));
                } catch (...) {
                    std::lock_guard<std::mutex> lock(failureMutex);
                    if (!failure)
                        failure = std::current_exception();
                    stop = true;
                    return;
                }
                finished.fetch_add(1);
            }
        };
        std::vector<std::thread> pool;
        for (int k = 0; k < threads; ++k)
            pool.emplace_back(worker);
        const double phaseStart = wallClockSeconds();
        auto report = [&] {
            ProgressEvent e;
            e.phase = name;
            e.done = finished.load();
            e.total = perCorruption;
            const double elapsed = wallClockSeconds() - phaseStart;
            e.itemsPerSecond = elapsed > 0 ? static_cast<double>(e.done) / elapsed : 0.0;
            const std::int64_t all = static_cast<std::int64_t>(c) * perCorruption + e.done;
            e.fraction = static_cast<double>(all) / static_cast<double>(grandTotal);
            const double total = wallClockSeconds() - started;
            if (all > 0)
                e.etaSeconds = total / static_cast<double>(all) * static_cast<double>(grandTotal - all);
            sink.progress(e);
        };
        while (finished.load() < perCorruption && !stop.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            report();
        }
        for (std::thread& t : pool)
            t.join();
        if (failure)
            std::rethrow_exception(failure);
        if (finished.load() < perCorruption) { // cancelled: this corruption's file is not written
            writeRecipe(options, ds, severities, done, names, RunState::Cancelled, threads);
            sink.log(LogLevel::Notice,
                "cancelled during " + name + "; kept the finished files: "
                    + (done.empty() ? std::string("none") : joinChoices(done)) + " (and labels.npy, corrupt.yaml)");
            return JobStatus::Cancelled;
        }
        report();
        writeNpyU8(options.outDir + "/" + name + ".npy", {perCorruption, ds.height, ds.width, 3}, out);
        done.push_back(name);
        writeRecipe(
            options, ds, severities, done, names, c + 1 == names.size() ? RunState::Finished : RunState::Running, threads);
        sink.log(LogLevel::Info,
            "wrote " + options.outDir + "/" + name + ".npy (" + std::to_string(perCorruption) + " images, "
                + fixed(wallClockSeconds() - phaseStart, 1) + " s)");
    }
    return JobStatus::Finished;
}

} // namespace repalign::behaviour
