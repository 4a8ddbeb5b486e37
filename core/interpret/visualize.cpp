#include "interpret/visualize.h"
#include "common/autocast.h"
#include "common/device.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/precision.h"
#include "common/rng.h"
#include "common/version.h"
#include "interpret/model_input.h"
#include "io/h5.h"
#include "io/h5_group.h"
#include "models/registry.h"
#include "run/checkpoint.h"
#include "run/config.h"

#include <hdf5.h>
#include <torch/torch.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

namespace repalign {

std::vector<std::string> visualizeObjectives()
{
    return {"unit", "channel", "voxel"};
}

std::vector<std::int64_t> parseIndexList(const std::string& text, const std::string& what)
{
    std::vector<std::int64_t> out;
    auto bad = [&] { return Error(what + " '" + text + "' is not a list of indices (e.g. 0-9,12,20-23)"); };
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t comma = text.find(',', pos);
        const std::string part = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (part.empty())
            throw bad();
        auto number = [&](const std::string& s) {
            if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 12)
                throw bad();
            return static_cast<std::int64_t>(std::stoll(s));
        };
        const std::size_t dash = part.find('-');
        if (dash == std::string::npos) {
            out.push_back(number(part));
        } else {
            const std::int64_t lo = number(part.substr(0, dash)), hi = number(part.substr(dash + 1));
            if (hi < lo || hi - lo > 1000000)
                throw bad();
            for (std::int64_t i = lo; i <= hi; ++i)
                out.push_back(i);
        }
        if (comma == std::string::npos)
            break;
        pos = comma + 1;
    }
    if (out.empty())
        throw bad();
    return out;
}

torch::Tensor resizeToModelInput(const torch::Tensor& images, int side)
{
    if (side <= 0 || (images.size(2) == side && images.size(3) == side))
        return images;
    namespace F = torch::nn::functional;
    return F::interpolate(images,
        F::InterpolateFuncOptions()
            .size(std::vector<std::int64_t> {side, side})
            .mode(torch::kBilinear)
            .align_corners(false)
            .antialias(images.size(2) > side || images.size(3) > side));
}

namespace {

constexpr double kMagic = 4.0; // Lucent's fft_image divides the image by this

// Lucid's square root of the ImageNet colour correlation matrix, columns normalised to at
// most unit norm.
torch::Tensor colorCorrelationNormalized()
{
    const float c[3][3] = {{0.26f, 0.09f, 0.02f}, {0.27f, 0.00f, -0.05f}, {0.27f, -0.09f, 0.03f}};
    double maxNorm = 0;
    for (int j = 0; j < 3; ++j)
        maxNorm = std::max(maxNorm, std::sqrt(double(c[0][j]) * c[0][j] + double(c[1][j]) * c[1][j] + double(c[2][j]) * c[2][j]));
    torch::Tensor m = torch::empty({3, 3}, torch::kFloat32);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            m[i][j] = static_cast<float>(c[i][j] / maxNorm);
    return m;
}

/// sqrt(fx^2 + fy^2) for an rfft2 of an h x w image (numpy's fftfreq layout), as Lucent's
/// rfft2d_freqs.
torch::Tensor rfftFreqs(int h, int w)
{
    const int wf = w / 2 + (w % 2 == 1 ? 2 : 1);
    auto fftfreq = [](int n, int i) { return (i < (n + 1) / 2 ? i : i - n) / static_cast<double>(n); };
    torch::Tensor f = torch::empty({h, wf}, torch::kFloat32);
    auto a = f.accessor<float, 2>();
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < wf; ++x) {
            const double fy = fftfreq(h, y), fx = fftfreq(w, x);
            a[y][x] = static_cast<float>(std::sqrt(fx * fx + fy * fy));
        }
    return f;
}

/// Normal deviates by Box-Muller from the counter-based generator.
void fillNormal(float* out, std::int64_t n, std::uint64_t seed, double sd)
{
    Rng rng(seed);
    for (std::int64_t i = 0; i < n; i += 2) {
        const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        out[i] = static_cast<float>(sd * r * std::cos(2 * M_PI * u2));
        if (i + 1 < n)
            out[i + 1] = static_cast<float>(sd * r * std::sin(2 * M_PI * u2));
    }
}

struct Target {
    TapNet model;
    torch::Device device {torch::kCPU};
    std::string architecture;
    std::string tap;
    std::string objective;
    std::string roi, readoutSource, pooling = "flatten", activation = "none";
    torch::Tensor weight, bias; ///< voxel readout on the device ([V,F], [V])
    torch::Tensor mean, std; ///< [1,3,1,1] normalisation
    std::int64_t count = 0; ///< units / channels / voxels available
    int inputSide = 0; ///< the model's input size (modelInputSize); 0 = as given
    std::string precision = "fp32";
    bool residentWeights = false; ///< weights converted by useResidentCpuWeights: no autocast
};

torch::Tensor poolFeatures(const torch::Tensor& tap, const std::string& pooling)
{
    // The tuner's pooling (train/predictivity: poolTap), repeated here because interpret/
    // does not include train/.
    if (tap.dim() <= 2)
        return tap.reshape({tap.size(0), -1});
    return pooling == "mean" ? tap.flatten(2).mean(2) : tap.flatten(1);
}

/// Objective per batch element: element b is scored for unit idx[b]. The images are shown to
/// the model at its input size (resizeToModelInput), under the job's precision.
torch::Tensor objectiveOf(Target& t, const torch::Tensor& images01, const torch::Tensor& idx)
{
    std::map<std::string, torch::Tensor> taps;
    const torch::Tensor input = (resizeToModelInput(images01, t.inputSide) - t.mean) / t.std;
    if (t.residentWeights) {
        t.model->forwardTaps(residentInput(input, t.precision), {t.tap}, taps, /*fullForward=*/false);
    } else {
        AutocastScope autocast(t.precision, t.device);
        t.model->forwardTaps(input, {t.tap}, taps, /*fullForward=*/false);
    }
    const torch::Tensor out = taps.at(t.tap).to(torch::kFloat32);
    if (t.objective == "voxel") {
        const torch::Tensor f = poolFeatures(out, t.pooling);
        torch::Tensor y = (f * t.weight.index_select(0, idx)).sum(1) + t.bias.index_select(0, idx);
        return t.activation == "elu1" ? torch::elu(y) + 1.0 : y;
    }
    torch::Tensor perUnit;
    if (out.dim() == 4)
        perUnit = t.objective == "channel" ? out.flatten(2).mean(2) : out.select(2, out.size(2) / 2).select(2, out.size(3) / 2);
    else
        perUnit = out.reshape({out.size(0), -1});
    return perUnit.gather(1, idx.unsqueeze(1)).squeeze(1);
}

std::string yamlString(const YAML::Node& root, const char* a, const char* b = nullptr)
{
    try {
        YAML::Node n = root[a];
        if (b && n && n.IsMap())
            n = n[b];
        else if (b)
            return {};
        return n && n.IsScalar() ? n.as<std::string>() : std::string();
    } catch (const YAML::Exception&) {
        return {};
    }
}

Target prepare(const VisualizeOptions& o)
{
    if (o.checkpoint.empty())
        throw Error("visualize: no checkpoint given (--checkpoint FILE)");
    const auto objectives = visualizeObjectives();
    if (std::find(objectives.begin(), objectives.end(), o.objective) == objectives.end())
        throw Error("visualize: objective '" + o.objective + "' is not valid (valid: " + joinChoices(objectives) + ")");
    if (o.size < 8 || o.size > 1024)
        throw Error("visualize: --size " + std::to_string(o.size) + " is out of range (valid: 8..1024)");
    Target t;
    t.device = resolveDevice(o.device);
    t.objective = o.objective;
    Checkpoint ck = loadCheckpoint(o.checkpoint, o.checkpointKey);
    t.model = modelFromCheckpoint(ck, o.model, o.checkpoint);
    t.architecture = t.model->architecture();
    t.tap = o.layer;
    t.inputSide = isModelName(t.architecture) ? modelInputSize(t.architecture) : 0;
    checkPrecision(o.precision, o.device, "visualize: --precision");
    t.precision = o.precision;

    if (o.objective == "voxel") {
        YAML::Node cfg;
        try {
            if (!ck.config.empty())
                cfg = YAML::Load(ck.config);
        } catch (const YAML::Exception&) {
            cfg = YAML::Node();
        }
        std::vector<float> w = o.readoutWeight, b = o.readoutBias;
        if (!w.empty()) {
            if (b.empty() || w.size() % b.size() != 0)
                throw Error("visualize: the readout's weights (" + std::to_string(w.size()) + " values) do not fit its "
                    + std::to_string(b.size()) + " biases");
            t.readoutSource = o.readoutSource.empty() ? "given" : o.readoutSource;
            t.roi = o.roi;
            t.pooling = o.pooling.empty() ? "flatten" : o.pooling;
            t.activation = o.readoutActivation.empty() ? "none" : o.readoutActivation;
            t.weight = torch::from_blob(
                w.data(), {static_cast<std::int64_t>(b.size()), static_cast<std::int64_t>(w.size() / b.size())}, torch::kFloat32)
                           .clone();
            t.bias = torch::from_blob(b.data(), {static_cast<std::int64_t>(b.size())}, torch::kFloat32).clone();
        } else {
            std::vector<std::string> rois;
            const std::string prefix = "readout.", suffix = ".weight";
            for (const auto& [name, tensor] : ck.extraTensors)
                if (name.size() > prefix.size() + suffix.size() && name.compare(0, prefix.size(), prefix) == 0
                    && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
                    rois.push_back(name.substr(prefix.size(), name.size() - prefix.size() - suffix.size()));
            if (rois.empty())
                throw Error("visualize: " + o.checkpoint
                    + " has no readout (it is not a tuned checkpoint); fit one with --readout ridge --bundle B");
            std::string roi = o.roi;
            if (roi.empty() && rois.size() == 1)
                roi = rois.front();
            if (std::find(rois.begin(), rois.end(), roi) == rois.end())
                throw Error(
                    "visualize: " + o.checkpoint + " has no readout for ROI '" + roi + "' (valid: " + joinChoices(rois) + ")");
            t.roi = roi;
            t.weight = ck.extraTensors.at("readout." + roi + ".weight").to(torch::kFloat32).contiguous();
            auto bi = ck.extraTensors.find("readout." + roi + ".bias");
            t.bias = bi != ck.extraTensors.end() ? bi->second.to(torch::kFloat32).reshape({-1})
                                                 : torch::zeros({t.weight.size(0)}, torch::kFloat32);
            t.readoutSource = "checkpoint";
            const std::string tap = yamlString(cfg, "tap");
            if (!tap.empty())
                t.tap = tap;
            const std::string pooling = yamlString(cfg, "readout", "pooling");
            const std::string activation = yamlString(cfg, "readout", "activation");
            t.pooling = !o.pooling.empty() ? o.pooling : pooling.empty() ? "flatten" : pooling;
            t.activation = !o.readoutActivation.empty() ? o.readoutActivation : activation.empty() ? "none" : activation;
        }
        if (t.weight.dim() != 2 || t.bias.numel() != t.weight.size(0))
            throw Error("visualize: readout for ROI '" + t.roi + "' has weights " + std::to_string(t.weight.numel())
                + " and biases " + std::to_string(t.bias.numel()) + " that do not match");
        if (t.pooling != "flatten" && t.pooling != "mean")
            throw Error("visualize: readout pooling '" + t.pooling + "' is not valid (valid: flatten, mean)");
        if (t.activation != "none" && t.activation != "elu1")
            throw Error("visualize: readout activation '" + t.activation + "' is not valid (valid: none, elu1)");
    }
    if (!t.model->hasTap(t.tap))
        throw Error("visualize: model " + t.architecture + " has no tap '" + t.tap
            + "' (taps: " + joinChoices(t.model->tapNames()) + ")");
    t.model->to(t.device);
    t.model->eval();
    for (auto& p : t.model->parameters())
        p.set_requires_grad(false);
    const TransformConfig norm = referenceEvalTransform();
    t.mean = torch::tensor({norm.mean[0], norm.mean[1], norm.mean[2]}, torch::kFloat32).view({1, 3, 1, 1}).to(t.device);
    t.std = torch::tensor({norm.std[0], norm.std[1], norm.std[2]}, torch::kFloat32).view({1, 3, 1, 1}).to(t.device);
    {
        torch::NoGradGuard noGrad;
        std::map<std::string, torch::Tensor> taps;
        t.model->forwardTaps(
            resizeToModelInput(torch::zeros({1, 3, o.size, o.size}, t.device), t.inputSide), {t.tap}, taps, false);
        const torch::Tensor out = taps.at(t.tap);
        if (o.objective == "voxel") {
            const std::int64_t f = poolFeatures(out, t.pooling).size(1);
            if (f != t.weight.size(1))
                throw Error("visualize: the readout for ROI '" + t.roi + "' reads " + std::to_string(t.weight.size(1))
                    + " features, but " + t.tap + " (" + t.pooling + ") of " + t.architecture + " at " + std::to_string(o.size)
                    + "x" + std::to_string(o.size) + " gives " + std::to_string(f) + " (check --size)");
            t.count = t.weight.size(0);
        } else {
            t.count = out.dim() == 4 ? out.size(1) : out.reshape({1, -1}).size(1);
        }
    }
    if (o.objective == "voxel") {
        t.weight = t.weight.to(t.device);
        t.bias = t.bias.to(t.device);
    }
    // on the CPU: the model's weights channels_last (and bf16 once, instead of autocast's
    // per-forward casts)
    t.residentWeights = useResidentCpuWeights(*t.model, t.precision, t.device);
    const char* noun = o.objective == "voxel" ? "voxel" : o.objective == "channel" ? "channel" : "unit";
    if (o.units.empty())
        throw Error(std::string("visualize: no ") + noun + "s given (--units / --voxels)");
    for (std::int64_t u : o.units)
        if (u < 0 || u >= t.count)
            throw Error("visualize: " + std::string(noun) + " " + std::to_string(u) + " is out of range (" + t.tap + " of "
                + t.architecture + " has " + std::to_string(t.count) + (o.objective == "voxel" ? " voxels in " + t.roi : "")
                + "; valid: 0.." + std::to_string(t.count - 1) + ")");
    return t;
}

/// The image parameterisation of one batch: parameters -> images in [0, 1].
struct Parameterization {
    bool fft = true;
    bool decorrelate = true;
    int h = 0, w = 0;
    torch::Tensor param; ///< leaf: [B,3,h,wf,2] (fft) or [B,3,h,w]
    torch::Tensor scale; ///< [1,1,h,wf,1]
    torch::Tensor color; ///< normalised colour matrix, transposed, on the device

    torch::Tensor images() const
    {
        torch::Tensor x;
        if (fft) {
            const torch::Tensor spec = torch::view_as_complex(scale * param);
            x = torch::fft::irfft2(spec, std::vector<std::int64_t> {h, w}, {-2, -1}, "ortho") / kMagic;
        } else {
            x = param;
        }
        if (decorrelate)
            x = torch::matmul(x.permute({0, 2, 3, 1}), color).permute({0, 3, 1, 2});
        return torch::sigmoid(x);
    }
};

std::uint64_t elementSeed(std::uint64_t seed, std::int64_t unit, int start)
{
    return mixSeed(seed, static_cast<std::uint64_t>(unit), static_cast<std::uint64_t>(start));
}

/// One random shift / scale / rotation per element as an affine grid (theta [B,2,3]).
torch::Tensor randomTheta(const VisualizeOptions& o, const std::vector<std::uint64_t>& seeds, int step, int size)
{
    const auto b = static_cast<std::int64_t>(seeds.size());
    torch::Tensor theta = torch::zeros({b, 2, 3}, torch::kFloat32);
    auto a = theta.accessor<float, 3>();
    for (std::int64_t i = 0; i < b; ++i) {
        Rng rng(mixSeed(seeds[static_cast<std::size_t>(i)], 1, static_cast<std::uint64_t>(step)));
        const int j = std::max(0, o.jitter);
        const double dx = static_cast<double>(rng.below(2 * j + 1)) - j;
        const double dy = static_cast<double>(rng.below(2 * j + 1)) - j;
        // Lucent: scales 1 + (i - 5) / 50, i = 0..10 (0.9..1.1); angles -10..10 and five more 0
        const double s = o.scaleMin + (o.scaleMax - o.scaleMin) * static_cast<double>(rng.below(11)) / 10.0;
        const int r = std::max(0, static_cast<int>(std::lround(o.rotateDegrees)));
        const std::int64_t pick = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(2 * r + 1 + 5)));
        const double deg = pick <= 2 * r ? static_cast<double>(pick - r) : 0.0;
        const double th = deg * M_PI / 180.0;
        // output -> input coordinates: rotate, divide by the scale, shift (normalised units)
        a[i][0][0] = static_cast<float>(std::cos(th) / s);
        a[i][0][1] = static_cast<float>(-std::sin(th) / s);
        a[i][0][2] = static_cast<float>(2.0 * dx / size);
        a[i][1][0] = static_cast<float>(std::sin(th) / s);
        a[i][1][1] = static_cast<float>(std::cos(th) / s);
        a[i][1][2] = static_cast<float>(2.0 * dy / size);
    }
    return theta;
}

torch::Tensor toUint8(const torch::Tensor& images01)
{
    // [B,3,H,W] in [0,1] -> uint8 [B,H,W,3]
    return (images01.detach().clamp(0, 1) * 255.0).round().to(torch::kUInt8).permute({0, 2, 3, 1}).contiguous().cpu();
}

torch::Tensor fromUint8(const torch::Tensor& u8, const torch::Device& device)
{
    return u8.to(device).permute({0, 3, 1, 2}).to(torch::kFloat32) / 255.0;
}

void writeSynth(H5File& f, const VisualizeOptions& o, const Target& t, const VisualizeResult& r)
{
    const auto U = static_cast<std::uint64_t>(r.units), R = static_cast<std::uint64_t>(r.starts);
    const auto S = static_cast<std::uint64_t>(r.size);
    f.write("/synth/images", H5Type::UInt8, {U, R, S, S, 3}, r.images.data(), /*chunkRows=*/8);
    f.writeF32("/synth/activations", {U, R}, r.activations);
    f.writeI64("/synth/best", {U}, r.best);
    f.writeI64("/synth/units", {U}, r.unitIndices);
    if (r.traceLength > 0)
        f.writeF32("/synth/trace", {U, R, static_cast<std::uint64_t>(r.traceLength)}, r.trace);
    f.setAttr("/synth", "objective", o.objective);
    f.setAttr("/synth", "layer", t.tap);
    f.setAttr("/synth", "roi", t.roi);
    f.setAttr("/synth", "readout", t.readoutSource);
    f.setAttr("/synth", "pooling", o.objective == "voxel" ? t.pooling : std::string());
    f.setAttr("/synth", "readout_activation", o.objective == "voxel" ? t.activation : std::string());
    f.setAttr("/synth", "model", t.architecture);
    f.setAttr("/synth", "checkpoint", o.checkpoint);
    f.setAttr("/synth", "seed", static_cast<std::int64_t>(o.seed));
    f.setAttr("/synth", "steps", static_cast<std::int64_t>(o.steps));
    f.setAttr("/synth", "lr", o.lr);
    f.setAttr("/synth", "starts", static_cast<std::int64_t>(o.starts));
    f.setAttr("/synth", "size", static_cast<std::int64_t>(o.size));
    f.setAttr("/synth", "model_input_size", static_cast<std::int64_t>(t.inputSide > 0 ? t.inputSide : o.size));
    f.setAttr("/synth", "precision", o.precision);
    f.setAttr("/synth", "parameterization", o.parameterization);
    f.setAttr("/synth", "decorrelate", static_cast<std::int64_t>(o.decorrelate ? 1 : 0));
    f.setAttr("/synth", "decay_power", o.decayPower);
    f.setAttr("/synth", "transforms", static_cast<std::int64_t>(o.transforms ? 1 : 0));
    f.setAttr("/synth", "jitter", static_cast<std::int64_t>(o.jitter));
    f.setAttr("/synth", "scales", std::to_string(o.scaleMin) + ".." + std::to_string(o.scaleMax));
    f.setAttr("/synth", "rotations", o.rotateDegrees);
    f.setAttr("/synth", "tv", o.tv);
    f.setAttr("/synth", "blur", o.blur);
    f.setAttr("/synth", "trace_every", static_cast<std::int64_t>(o.traceEvery));
    f.setAttr("/synth", "program", std::string("repalign ") + programVersion());
    f.setAttr("/synth", "created", isoTimestamp());
}

} // namespace

VisualizeJob::VisualizeJob(VisualizeOptions options)
    : m_options(std::move(options))
{
}

namespace {

/// One-line errors for options out of range, before any work.
void checkVisualizeOptions(const VisualizeOptions& o)
{
    if (o.steps < 1 || o.steps > 100000)
        throw Error("visualize: --steps " + std::to_string(o.steps) + " is out of range (valid: 1..100000)");
    if (o.starts < 1 || o.starts > 1000)
        throw Error("visualize: --starts " + std::to_string(o.starts) + " is out of range (valid: 1..1000)");
    if (o.batchSize < 1 || o.batchSize > 65536)
        throw Error("visualize: --batch-size " + std::to_string(o.batchSize) + " is out of range (valid: 1..65536)");
    if (o.parameterization != "fft" && o.parameterization != "pixel")
        throw Error("visualize: parameterization '" + o.parameterization + "' is not valid (valid: fft, pixel)");
    if (!(o.lr > 0) || !std::isfinite(o.lr))
        throw Error("visualize: --lr " + std::to_string(o.lr) + " must be a positive number");
    if (o.tv < 0 || o.blur < 0 || !std::isfinite(o.tv) || !std::isfinite(o.blur))
        throw Error("visualize: --tv and --blur must be >= 0");
    if (o.jitter < 0 || o.jitter > o.size / 2)
        throw Error("visualize: --jitter " + std::to_string(o.jitter) + " is out of range (valid: 0.."
            + std::to_string(o.size / 2) + ")");
    if (!(o.scaleMin > 0) || o.scaleMax < o.scaleMin)
        throw Error(
            "visualize: the scale range " + std::to_string(o.scaleMin) + ".." + std::to_string(o.scaleMax) + " is not valid");
    if (o.traceEvery < 0)
        throw Error("visualize: trace_every must be >= 0");
    if (!o.out.empty()) {
        const std::string parent = std::filesystem::path(o.out).parent_path().string();
        if (!parent.empty() && !isDirectory(parent))
            throw Error("visualize: the folder of " + o.out + " does not exist");
    }
}

} // namespace

VisualizeResult VisualizeJob::run(ProgressSink& sink, const CancelToken& cancel)
{
    const auto t0 = std::chrono::steady_clock::now();
    const VisualizeOptions& o = m_options;
    checkVisualizeOptions(o);
    configureThreads(o.threads);
    Target t = prepare(o);

    const int size = o.size;
    const auto units = static_cast<std::int64_t>(o.units.size());
    const int R = o.starts;
    const std::int64_t total = units * R;
    const int traceLength = o.traceEvery > 0 ? o.steps / o.traceEvery : 0;
    const std::size_t imageBytes = static_cast<std::size_t>(size) * size * 3;
    VisualizeResult res;
    res.out = o.out;
    res.model = t.architecture;
    res.units = units;
    res.starts = R;
    res.size = size;
    res.steps = o.steps;
    res.unitIndices = o.units;
    res.images.resize(static_cast<std::size_t>(total) * imageBytes);
    res.activations.resize(static_cast<std::size_t>(total));
    res.trace.resize(static_cast<std::size_t>(total) * traceLength);
    res.traceLength = traceLength;

    const torch::Tensor color = colorCorrelationNormalized().t().contiguous().to(t.device);
    const torch::Tensor freqs = rfftFreqs(size, size);
    const int wf = static_cast<int>(freqs.size(1));
    const torch::Tensor scale
        = (1.0 / torch::clamp_min(freqs, 1.0 / size).pow(o.decayPower)).view({1, 1, size, wf, 1}).to(t.device);
    const std::int64_t batches = (total + o.batchSize - 1) / o.batchSize;
    std::int64_t stepsDone = 0;
    const std::int64_t stepsTotal = batches * o.steps;
    const auto tOpt = std::chrono::steady_clock::now();
    for (std::int64_t lo = 0; lo < total; lo += o.batchSize) {
        const std::int64_t hi = std::min<std::int64_t>(total, lo + o.batchSize);
        const std::int64_t b = hi - lo;
        std::vector<std::uint64_t> seeds;
        std::vector<std::int64_t> unitIds;
        for (std::int64_t e = lo; e < hi; ++e) {
            const std::int64_t u = o.units[static_cast<std::size_t>(e / R)];
            seeds.push_back(elementSeed(o.seed, u, static_cast<int>(e % R)));
            unitIds.push_back(u);
        }
        const torch::Tensor idx = torch::tensor(unitIds, torch::kInt64).to(t.device);
        Parameterization p;
        p.fft = o.parameterization == "fft";
        p.decorrelate = o.decorrelate;
        p.h = size;
        p.w = size;
        p.color = color;
        p.scale = scale;
        {
            const std::vector<std::int64_t> shape
                = p.fft ? std::vector<std::int64_t> {b, 3, size, wf, 2} : std::vector<std::int64_t> {b, 3, size, size};
            torch::Tensor init = torch::empty(shape, torch::kFloat32);
            const std::int64_t per = init.numel() / b;
            for (std::int64_t i = 0; i < b; ++i)
                fillNormal(init.data_ptr<float>() + i * per, per, mixSeed(seeds[static_cast<std::size_t>(i)], 0, 0), o.initSd);
            p.param = init.to(t.device).set_requires_grad(true);
        }
        torch::optim::Adam adam(std::vector<torch::Tensor> {p.param}, torch::optim::AdamOptions(o.lr));
        for (int step = 0; step < o.steps; ++step) {
            cancel.check();
            adam.zero_grad();
            torch::Tensor img = p.images();
            torch::Tensor x = img;
            if (o.transforms) {
                const torch::Tensor theta = randomTheta(o, seeds, step, size).to(t.device);
                const torch::Tensor grid = torch::nn::functional::affine_grid(theta, {b, 3, size, size}, /*align_corners=*/false);
                x = torch::nn::functional::grid_sample(img - 0.5, grid,
                        torch::nn::functional::GridSampleFuncOptions()
                            .mode(torch::kBilinear)
                            .padding_mode(torch::kZeros)
                            .align_corners(false))
                    + 0.5;
            }
            const torch::Tensor obj = objectiveOf(t, x, idx);
            torch::Tensor loss = -obj.sum();
            if (o.tv > 0) {
                const torch::Tensor dy = (img.slice(2, 1) - img.slice(2, 0, size - 1)).abs().flatten(1).mean(1);
                const torch::Tensor dx = (img.slice(3, 1) - img.slice(3, 0, size - 1)).abs().flatten(1).mean(1);
                loss = loss + o.tv * (dx + dy).sum();
            }
            if (o.blur > 0) {
                torch::Tensor blurred;
                {
                    torch::NoGradGuard noGrad;
                    blurred = torch::avg_pool2d(img, 3, 1, 1, /*ceil_mode=*/false, /*count_include_pad=*/false);
                }
                loss = loss + o.blur * (img - blurred).pow(2).flatten(1).mean(1).sum();
            }
            loss.backward();
            adam.step();
            if (traceLength > 0 && (step + 1) % o.traceEvery == 0 && (step + 1) / o.traceEvery <= traceLength) {
                const torch::Tensor v = obj.detach().to(torch::kCPU, torch::kFloat32).contiguous();
                const int ti = (step + 1) / o.traceEvery - 1;
                for (std::int64_t i = 0; i < b; ++i)
                    res.trace[static_cast<std::size_t>((lo + i) * traceLength + ti)] = v.data_ptr<float>()[i];
            }
            ++stepsDone;
            ProgressEvent e;
            e.phase = "visualize";
            e.done = stepsDone;
            e.total = stepsTotal;
            e.fraction = static_cast<double>(stepsDone) / static_cast<double>(stepsTotal);
            e.loss = -obj.detach().mean().item<double>();
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - tOpt).count();
            e.itemsPerSecond = secs > 0 ? static_cast<double>(stepsDone) / secs : 0.0;
            e.etaSeconds = e.itemsPerSecond > 0 ? static_cast<double>(stepsTotal - stepsDone) / e.itemsPerSecond : -1.0;
            sink.progress(e);
        }
        // The result is the 8-bit image as stored; its activation is scored on exactly that.
        torch::NoGradGuard noGrad;
        const torch::Tensor u8 = toUint8(p.images());
        std::memcpy(res.images.data() + static_cast<std::size_t>(lo) * imageBytes, u8.data_ptr<std::uint8_t>(),
            static_cast<std::size_t>(b) * imageBytes);
        const torch::Tensor v = objectiveOf(t, fromUint8(u8, t.device), idx).to(torch::kCPU, torch::kFloat32).contiguous();
        std::copy_n(v.data_ptr<float>(), b, res.activations.data() + lo);
    }
    const double optSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - tOpt).count();
    res.imagesPerSecond = optSeconds > 0 ? static_cast<double>(total) / optSeconds : 0.0;
    res.best.resize(static_cast<std::size_t>(units));
    for (std::int64_t u = 0; u < units; ++u) {
        int best = 0;
        for (int r = 1; r < R; ++r)
            if (res.activations[static_cast<std::size_t>(u * R + r)] > res.activations[static_cast<std::size_t>(u * R + best)])
                best = r;
        res.best[static_cast<std::size_t>(u)] = best;
    }
    cancel.check();

    if (!o.out.empty()) {
        res.appended = writeGroupWithProgress(
            o.out, "/synth", [&](H5File& f) { writeSynth(f, o, t, res); }, sink, cancel);
    }
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ProgressEvent done;
    done.phase = "done";
    done.fraction = 1.0;
    sink.progress(done);
    return res;
}

std::int64_t SynthIndex::find(std::int64_t unit) const
{
    for (std::size_t i = 0; i < units.size(); ++i)
        if (units[i] == unit)
            return static_cast<std::int64_t>(i);
    return -1;
}

bool readSynthIndex(const std::string& path, SynthIndex& out)
{
    H5File f(path, H5File::Mode::Read);
    if (!groupWithDatasets(f, "/synth", {"/synth/images", "/synth/activations", "/synth/units", "/synth/best"}))
        return false;
    const std::vector<std::uint64_t> dims = f.dims("/synth/images");
    if (dims.size() != 5 || dims[4] != 3)
        throw Error(path + ": /synth/images is not [units, starts, height, width, 3]");
    out = SynthIndex();
    out.units = f.readI64("/synth/units");
    out.best = f.readI64("/synth/best");
    out.activations = f.readF32("/synth/activations");
    out.starts = static_cast<int>(dims[1]);
    out.height = static_cast<int>(dims[2]);
    out.width = static_cast<int>(dims[3]);
    if (out.units.size() != dims[0] || out.best.size() != dims[0] || out.activations.size() != dims[0] * dims[1])
        throw Error(path + ": the /synth datasets disagree in size");
    auto attr = [&](const char* key) { return f.hasAttr("/synth", key) ? f.attrString("/synth", key) : std::string(); };
    out.objective = attr("objective");
    out.layer = attr("layer");
    out.roi = attr("roi");
    out.model = attr("model");
    out.readout = attr("readout");
    return true;
}

std::vector<std::vector<std::uint8_t>> readSynthImages(const std::string& path, const SynthIndex& index, std::int64_t entry)
{
    if (entry < 0 || entry >= static_cast<std::int64_t>(index.units.size()))
        throw Error(path + ": /synth has no entry " + std::to_string(entry));
    H5File f(path, H5File::Mode::Read);
    const std::size_t bytes = static_cast<std::size_t>(index.height) * index.width * 3;
    std::vector<std::uint8_t> all(bytes * static_cast<std::size_t>(index.starts));
    f.readSlab("/synth/images", H5Type::UInt8, {static_cast<std::uint64_t>(entry), 0, 0, 0, 0},
        {1, static_cast<std::uint64_t>(index.starts), static_cast<std::uint64_t>(index.height),
            static_cast<std::uint64_t>(index.width), 3},
        all.data());
    std::vector<std::vector<std::uint8_t>> out;
    for (int r = 0; r < index.starts; ++r)
        out.emplace_back(
            all.begin() + static_cast<std::ptrdiff_t>(r * bytes), all.begin() + static_cast<std::ptrdiff_t>((r + 1) * bytes));
    return out;
}

std::vector<float> visualizeObjectiveValues(
    const VisualizeOptions& options, const std::vector<std::uint8_t>& images, int height, int width)
{
    VisualizeOptions o = options;
    o.size = height;
    if (height != width)
        throw Error("visualizeObjectiveValues: images must be square");
    const auto n = static_cast<std::int64_t>(o.units.size());
    if (images.size() != static_cast<std::size_t>(n) * height * width * 3)
        throw Error("visualizeObjectiveValues: " + std::to_string(images.size()) + " bytes for " + std::to_string(n) + " images");
    Target t = prepare(o);
    torch::NoGradGuard noGrad;
    const torch::Tensor u8
        = torch::from_blob(const_cast<std::uint8_t*>(images.data()), {n, height, width, 3}, torch::kUInt8).clone();
    const torch::Tensor v = objectiveOf(t, fromUint8(u8, t.device), torch::tensor(o.units, torch::kInt64).to(t.device))
                                .to(torch::kCPU, torch::kFloat32)
                                .contiguous();
    return std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + n);
}

} // namespace repalign
