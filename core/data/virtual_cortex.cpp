#include "data/virtual_cortex.h"
#include "common/error.h"
#include "common/rng.h"
#include "data/nsd_import.h"

#include <torch/torch.h>

#include <cmath>

namespace repalign {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kSide = 32; // the hidden model sees every image at 32x32

double gaussian(Rng& rng)
{
    // Box-Muller; u1 in (0,1] so the log is finite.
    const double u1 = 1.0 - rng.uniform();
    const double u2 = rng.uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

std::uint64_t roiTag(const std::string& roi)
{
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : roi)
        h = (h ^ c) * 1099511628211ull;
    return h;
}

/// Images as float [N,3,32,32] in [0,1].
torch::Tensor imagesAt32(const ImageDataset& images)
{
    const std::int64_t n = images.count;
    torch::Tensor out = torch::empty({n, kSide, kSide, 3}, torch::kUInt8);
    auto* dst = out.data_ptr<std::uint8_t>();
    for (std::int64_t i = 0; i < n; ++i) {
        std::uint8_t* d = dst + i * kSide * kSide * 3;
        if (images.height == kSide && images.width == kSide)
            std::copy_n(images.image(i), images.imageBytes(), d);
        else
            resizeImageRgb(images.image(i), images.height, images.width, kSide, d);
    }
    return out.permute({0, 3, 1, 2}).to(torch::kFloat32).div(255.0).contiguous();
}

/// Quadrature Gabor pairs: [2*orientations*scales, 1, K, K] (even filters first, then odd),
/// channel c = scale * orientations + orientation.
torch::Tensor gaborBank(int orientations, const std::vector<double>& wavelengths, int k)
{
    const int nf = orientations * static_cast<int>(wavelengths.size());
    torch::Tensor bank = torch::zeros({2 * nf, 1, k, k});
    auto a = bank.accessor<float, 4>();
    const int half = k / 2;
    for (std::size_t s = 0; s < wavelengths.size(); ++s) {
        const double lambda = wavelengths[s];
        const double sigma = 0.5 * lambda;
        for (int o = 0; o < orientations; ++o) {
            const double theta = kPi * o / orientations;
            const int c = static_cast<int>(s) * orientations + o;
            double meanEven = 0, normE = 0, normO = 0;
            for (int y = -half; y <= half; ++y)
                for (int x = -half; x <= half; ++x) {
                    const double xr = x * std::cos(theta) + y * std::sin(theta);
                    const double yr = -x * std::sin(theta) + y * std::cos(theta);
                    const double env = std::exp(-(xr * xr + yr * yr) / (2 * sigma * sigma));
                    a[c][0][y + half][x + half] = static_cast<float>(env * std::cos(2 * kPi * xr / lambda));
                    a[nf + c][0][y + half][x + half] = static_cast<float>(env * std::sin(2 * kPi * xr / lambda));
                    meanEven += env * std::cos(2 * kPi * xr / lambda);
                }
            meanEven /= k * k;
            // Zero-mean even filters (no response to uniform light), unit L2 norm.
            for (int y = 0; y < k; ++y)
                for (int x = 0; x < k; ++x) {
                    a[c][0][y][x] -= static_cast<float>(meanEven);
                    normE += a[c][0][y][x] * a[c][0][y][x];
                    normO += a[nf + c][0][y][x] * a[nf + c][0][y][x];
                }
            for (int y = 0; y < k; ++y)
                for (int x = 0; x < k; ++x) {
                    a[c][0][y][x] /= static_cast<float>(std::sqrt(normE));
                    a[nf + c][0][y][x] /= static_cast<float>(std::sqrt(normO));
                }
        }
    }
    return bank;
}

/// Gabor energy maps [N, orientations*scales, 32, 32] of the luminance.
torch::Tensor gaborEnergy(const torch::Tensor& rgb, int orientations, const std::vector<double>& wavelengths)
{
    const torch::Tensor gray = rgb.mean(1, /*keepdim=*/true) - 0.5;
    const int k = 15;
    const torch::Tensor bank = gaborBank(orientations, wavelengths, k);
    const torch::Tensor resp = torch::conv2d(gray, bank, torch::Tensor(), 1, k / 2);
    const int nf = orientations * static_cast<int>(wavelengths.size());
    const torch::Tensor even = resp.narrow(1, 0, nf), odd = resp.narrow(1, nf, nf);
    return torch::sqrt(even * even + odd * odd + 1e-8);
}

torch::Tensor blur(const torch::Tensor& maps, double sigma)
{
    const int k = 2 * static_cast<int>(std::ceil(2 * sigma)) + 1;
    torch::Tensor g = torch::arange(k, torch::kFloat32) - (k / 2);
    g = torch::exp(-(g * g) / (2 * sigma * sigma));
    g = g / g.sum();
    const std::int64_t c = maps.size(1);
    const torch::Tensor kx = g.view({1, 1, 1, k}).repeat({c, 1, 1, 1});
    const torch::Tensor ky = g.view({1, 1, k, 1}).repeat({c, 1, 1, 1});
    namespace F = torch::nn::functional;
    torch::Tensor x = F::conv2d(torch::replication_pad2d(maps, {k / 2, k / 2, 0, 0}), kx, F::Conv2dFuncOptions().groups(c));
    return F::conv2d(torch::replication_pad2d(x, {0, 0, k / 2, k / 2}), ky, F::Conv2dFuncOptions().groups(c));
}

/// Pools maps [N,C,S,S] with one Gaussian window per voxel: weights [V,S*S] -> [N,C,V].
torch::Tensor poolRf(const torch::Tensor& maps, const torch::Tensor& windows)
{
    const std::int64_t n = maps.size(0), c = maps.size(1), s = maps.size(2);
    return torch::matmul(maps.reshape({n, c, s * s}), windows.t());
}

torch::Tensor rfWindows(int voxels, int side, double sigmaLo, double sigmaHi, std::uint64_t seed)
{
    torch::Tensor w = torch::zeros({voxels, side * side});
    auto a = w.accessor<float, 2>();
    for (int v = 0; v < voxels; ++v) {
        Rng rng(mixSeed(seed, 0xF1E1D, static_cast<std::uint64_t>(v)));
        const double cx = rng.uniform(side * 0.2, side * 0.8), cy = rng.uniform(side * 0.2, side * 0.8);
        const double sg = rng.uniform(sigmaLo, sigmaHi);
        double total = 0;
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x) {
                const double g = std::exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * sg * sg));
                a[v][y * side + x] = static_cast<float>(g);
                total += g;
            }
        for (int i = 0; i < side * side; ++i)
            a[v][i] /= static_cast<float>(total);
    }
    return w;
}

torch::Tensor standardizeColumns(const torch::Tensor& x)
{
    const torch::Tensor mean = x.mean(0, true);
    const torch::Tensor sd = x.std(0, /*unbiased=*/false, true).clamp_min(1e-8);
    return (x - mean) / sd;
}

torch::Tensor v1Signal(const torch::Tensor& rgb, int voxels, std::uint64_t seed)
{
    const int orientations = 4;
    const std::vector<double> wavelengths {4.0, 8.0};
    const torch::Tensor energy = gaborEnergy(rgb, orientations, wavelengths); // [N,8,32,32]
    const torch::Tensor pooled = poolRf(energy, rfWindows(voxels, kSide, 1.5, 3.5, seed)); // [N,8,V]
    torch::Tensor out = torch::empty({rgb.size(0), voxels});
    for (int v = 0; v < voxels; ++v) {
        Rng rng(mixSeed(seed, 0xC4A2, static_cast<std::uint64_t>(v)));
        const auto c = static_cast<std::int64_t>(rng.below(orientations * wavelengths.size()));
        // Mostly one channel, a little of its orientation neighbour (broad tuning).
        const std::int64_t scale = c / orientations, o = c % orientations;
        const std::int64_t nb = scale * orientations + (o + 1) % orientations;
        const torch::Tensor drive = pooled.select(2, v).select(1, c) + 0.3 * pooled.select(2, v).select(1, nb);
        out.select(1, v).copy_(torch::relu(drive - 0.02).sqrt());
    }
    return standardizeColumns(out);
}

torch::Tensor v4Signal(const torch::Tensor& rgb, int voxels, std::uint64_t seed)
{
    const int orientations = 4;
    const torch::Tensor energy = gaborEnergy(rgb, orientations, {4.0, 8.0}); // [N,8,32,32]
    const torch::Tensor e4 = energy.narrow(1, 0, orientations);
    std::vector<torch::Tensor> feats;
    // Curvature: energy of two orientations 45 degrees apart meeting at one place (corners,
    // bends), a geometric mean so both must be present.
    for (int o = 0; o < orientations; ++o)
        feats.push_back(torch::sqrt(blur(e4.narrow(1, o, 1), 1.0) * blur(e4.narrow(1, (o + 1) % orientations, 1), 1.0) + 1e-8));
    // Colour opponency: rectified R-G and B-Y contrast against the local surround.
    const torch::Tensor r = rgb.narrow(1, 0, 1), g = rgb.narrow(1, 1, 1), b = rgb.narrow(1, 2, 1);
    const torch::Tensor rg = r - g, by = b - 0.5 * (r + g);
    for (const torch::Tensor& opp : {rg, by}) {
        const torch::Tensor centre = blur(opp, 1.0), surround = blur(opp, 4.0);
        feats.push_back(torch::relu(centre - 0.5 * surround));
        feats.push_back(torch::relu(-(centre - 0.5 * surround)));
    }
    // Texture: local variance of the energy maps at each scale.
    for (int s = 0; s < 2; ++s) {
        const torch::Tensor e = energy.narrow(1, s * orientations, orientations);
        const torch::Tensor m = blur(e, 3.0);
        feats.push_back((blur(e * e, 3.0) - m * m).clamp_min(0).sum(1, true).sqrt());
    }
    const torch::Tensor maps = torch::cat(feats, 1); // [N,10,32,32]
    const std::int64_t nf = maps.size(1);
    torch::Tensor pooled = poolRf(maps, rfWindows(voxels, kSide, 4.0, 8.0, mixSeed(seed, 4))); // [N,10,V]
    // Standardise each pooled feature so the hidden weights mix comparable quantities.
    pooled = (pooled - pooled.mean(0, true)) / pooled.std(0, false, true).clamp_min(1e-8);
    torch::Tensor out = torch::empty({rgb.size(0), voxels});
    for (int v = 0; v < voxels; ++v) {
        Rng rng(mixSeed(seed, 0x7A4D, static_cast<std::uint64_t>(v)));
        torch::Tensor a = torch::zeros({nf}), c = torch::zeros({nf});
        // Each voxel prefers a few features (sparse drive) and is gated by another mix.
        for (int k = 0; k < 3; ++k)
            a[static_cast<std::int64_t>(rng.below(nf))] += static_cast<float>(gaussian(rng) + (k == 0 ? 1.5 : 0.0));
        for (int k = 0; k < 2; ++k)
            c[static_cast<std::int64_t>(rng.below(nf))] += static_cast<float>(gaussian(rng));
        const torch::Tensor f = pooled.select(2, v); // [N,10]
        const torch::Tensor u = torch::matmul(f, a), w = torch::matmul(f, c);
        out.select(1, v).copy_(torch::softplus(2.0 * u - 1.0) * (1.0 + 0.5 * torch::tanh(w)));
    }
    return standardizeColumns(out);
}

} // namespace

std::vector<std::string> virtualCortexRois()
{
    return {"V1", "V4"};
}

double virtualCortexCeiling(double noiseSd, int repeats)
{
    return 1.0 / (1.0 + noiseSd * noiseSd / std::max(1, repeats));
}

std::vector<float> virtualCortexSignal(const ImageDataset& images, const std::string& roi, int voxels, std::uint64_t seed)
{
    if (roi != "V1" && roi != "V4")
        throw Error("virtual cortex: unknown ROI '" + roi + "' (valid: " + joinChoices(virtualCortexRois()) + ")");
    if (voxels <= 0)
        throw Error("virtual cortex: voxels must be positive (got " + std::to_string(voxels) + ")");
    if (images.count < 2)
        throw Error("virtual cortex: needs at least 2 images (got " + std::to_string(images.count) + ")");
    torch::NoGradGuard noGrad;
    const torch::Tensor rgb = imagesAt32(images);
    const std::uint64_t s = mixSeed(seed, roiTag(roi));
    // Chunks keep the energy maps of large sets small, but the standardisation needs every
    // image, so compute raw signals over all images (the maps are small at 32x32).
    const torch::Tensor sig = (roi == "V1" ? v1Signal(rgb, voxels, s) : v4Signal(rgb, voxels, s)).contiguous();
    return std::vector<float>(sig.data_ptr<float>(), sig.data_ptr<float>() + sig.numel());
}

NsdBundle synthesizeBundle(const ImageDataset& images, const SynthOptions& o, ProgressSink& sink, const CancelToken& cancel)
{
    if (o.rois.empty())
        throw Error("nsd synth: no ROIs given (valid: " + joinChoices(virtualCortexRois()) + ")");
    for (const auto& r : o.rois)
        if (r != "V1" && r != "V4")
            throw Error("nsd synth: unknown ROI '" + r + "' (valid: " + joinChoices(virtualCortexRois()) + ")");
    if (o.repeats < 1 || o.repeats > 100)
        throw Error("nsd synth: repeats must be 1..100 (got " + std::to_string(o.repeats) + ")");
    if (!(o.noiseSd >= 0) || !std::isfinite(o.noiseSd))
        throw Error("nsd synth: --noise-sd must be a finite number >= 0");
    if (o.voxels < 1 || o.voxels > 100000)
        throw Error("nsd synth: --voxels " + std::to_string(o.voxels) + " is out of range (valid: 1..100000)");
    NsdBundle b;
    b.count = images.count;
    b.height = images.height;
    b.width = images.width;
    b.stimuli = images.pixels;
    b.stimulusIds.resize(static_cast<std::size_t>(images.count));
    for (std::int64_t i = 0; i < images.count; ++i)
        b.stimulusIds[static_cast<std::size_t>(i)] = i;
    b.split = randomSplit(images.count, o.valFraction, o.seed);
    b.source = "synth";
    b.subject = "virtual-cortex:seed" + std::to_string(o.seed);
    b.betaVersion = "noise_sd=" + std::to_string(o.noiseSd) + ",repeats=" + std::to_string(o.repeats);
    b.origin = images.source;
    int step = 0;
    for (const auto& roi : o.rois) {
        cancel.check();
        ProgressEvent e;
        e.phase = "synth " + roi;
        e.done = step;
        e.total = static_cast<std::int64_t>(o.rois.size());
        e.fraction = static_cast<double>(step) / o.rois.size();
        sink.progress(e);
        const std::vector<float> signal = virtualCortexSignal(images, roi, o.voxels, o.seed);
        RoiResponses r;
        r.name = roi;
        r.voxels = o.voxels;
        r.repeats = o.repeats;
        const auto n = static_cast<std::size_t>(images.count), v = static_cast<std::size_t>(o.voxels),
                   R = static_cast<std::size_t>(o.repeats);
        r.trials.resize(n * R * v);
        r.responses.assign(n * v, 0.0f);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 0; k < R; ++k) {
                Rng rng(mixSeed(o.seed, roiTag(roi) ^ 0x9015E, i * R + k));
                for (std::size_t j = 0; j < v; ++j) {
                    const float x = signal[i * v + j] + static_cast<float>(o.noiseSd * gaussian(rng));
                    r.trials[(i * R + k) * v + j] = x;
                    r.responses[i * v + j] += x / static_cast<float>(R);
                }
            }
        r.noiseCeiling.assign(v, static_cast<float>(virtualCortexCeiling(o.noiseSd, o.repeats)));
        // Coordinates: a 3-D grid position per voxel, so tools that plot voxels have something.
        r.coords.resize(v * 3);
        for (std::size_t j = 0; j < v; ++j) {
            r.coords[j * 3 + 0] = static_cast<std::int32_t>(j % 8);
            r.coords[j * 3 + 1] = static_cast<std::int32_t>((j / 8) % 8);
            r.coords[j * 3 + 2] = static_cast<std::int32_t>(j / 64) + (roi == "V4" ? 10 : 0);
        }
        b.rois.push_back(std::move(r));
        ++step;
    }
    return b;
}

NsdBundle synthesizeBundleFile(const SynthOptions& o, const std::string& outPath, ProgressSink& sink, const CancelToken& cancel)
{
    if (o.maxImages < 0)
        throw Error(
            "nsd synth: --max-images " + std::to_string(o.maxImages) + " is out of range (valid: 0 = all, or a positive count)");
    if (o.voxels < 1 || o.voxels > 100000) // before loading the images
        throw Error("nsd synth: --voxels " + std::to_string(o.voxels) + " is out of range (valid: 1..100000)");
    ImageDataset images = loadDataset(o.data, parseSplit(o.split));
    if (o.maxImages > 0 && images.count > o.maxImages) {
        std::vector<std::int64_t> idx(static_cast<std::size_t>(o.maxImages));
        for (std::int64_t i = 0; i < o.maxImages; ++i)
            idx[static_cast<std::size_t>(i)] = i;
        images = images.subset(idx);
    }
    images.source = o.data;
    NsdBundle b = synthesizeBundle(images, o, sink, cancel);
    b.origin = outPath;
    cancel.check();
    writeBundle(outPath, b);
    return b;
}

} // namespace repalign
