#include "interpret/analysis.h"

#include "common/device.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/precision.h"
#include "common/version.h"
#include "interpret/activations.h"
#include "interpret/lpips_net.h"
#include "interpret/mei.h"
#include "interpret/stats.h"
#include "io/h5.h"
#include "run/checkpoint.h"
#include "run/pth_checkpoint.h"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace repalign {

namespace {
/// Maps a phase's own 0..1 fraction into [lo, hi] of the whole job.
class PhaseSink : public ProgressSink {
public:
    PhaseSink(ProgressSink& inner, double lo, double hi)
        : m_inner(inner)
        , m_lo(lo)
        , m_hi(hi)
    {
    }
    void progress(const ProgressEvent& e) override
    {
        ProgressEvent s = e;
        s.fraction = m_lo + (m_hi - m_lo) * std::clamp(e.fraction, 0.0, 1.0);
        m_inner.progress(s);
    }
    void log(LogLevel level, const std::string& message) override { m_inner.log(level, message); }

private:
    ProgressSink& m_inner;
    double m_lo, m_hi;
};

void phase(ProgressSink& sink, const std::string& name, double fraction)
{
    ProgressEvent e;
    e.phase = name;
    e.fraction = fraction;
    sink.progress(e);
}

std::string areaFromCheckpoint(const Checkpoint& ck)
{
    // a tuned model carries one readout per area as readout.<AREA>.weight
    std::string areas;
    for (const auto& kv : ck.extraTensors) {
        const std::string& n = kv.first;
        const std::string suffix = ".weight";
        if (n.rfind("readout.", 0) == 0 && n.size() > 8 + suffix.size()
            && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
            areas += (areas.empty() ? "" : "+") + n.substr(8, n.size() - 8 - suffix.size());
    }
    return areas;
}

/// The cheap option checks, before any long work.
void checkOptions(const AnalyzeOptions& o)
{
    if (o.out.empty())
        throw Error("analyze: no output file given (--out A.h5)");
    if (o.checkpoint.empty())
        throw Error("analyze: no checkpoint given (--checkpoint FILE)");
    if (o.data.empty())
        throw Error("analyze: no data given (--data SPEC; kinds: " + joinChoices(dataSpecKinds()) + ")");
    requireAggregation(o.aggregation);
    if (o.k < 2)
        throw Error("analyze: k = " + std::to_string(o.k) + " is too small; the Interpretability Index needs k >= 2");
    checkLpipsResize(o.lpipsResize, "analyze: --lpips-resize");
    if (o.batchSize < 1 || o.batchSize > 65536)
        throw Error("analyze: --batch-size " + std::to_string(o.batchSize) + " is out of range (valid: 1..65536)");
    if (o.maxImages < 0)
        throw Error(
            "analyze: --max-images " + std::to_string(o.maxImages) + " is out of range (valid: 0 = all, or a positive count)");
}

/// The checkpoint's model on @p device in eval mode; Error listing the taps when it has no --layer.
TapNet loadModel(const Checkpoint& ck, const AnalyzeOptions& o, torch::Device device)
{
    TapNet model = modelFromCheckpoint(ck, o.model, o.checkpoint);
    if (!model->hasTap(o.layer))
        throw Error(
            "model " + model->architecture() + " has no tap '" + o.layer + "' (taps: " + joinChoices(model->tapNames()) + ")");
    model->to(device);
    model->eval();
    return model;
}

/// The split's first --max-images images, checked against --lpips-resize 0 and k.
ImageDataset loadImages(const AnalyzeOptions& o, Split split)
{
    ImageDataset data = loadDataset(o.data, split);
    if (o.maxImages > 0 && o.maxImages < data.count) {
        std::vector<std::int64_t> first(static_cast<std::size_t>(o.maxImages));
        for (std::int64_t i = 0; i < o.maxImages; ++i)
            first[static_cast<std::size_t>(i)] = i;
        data = data.subset(first);
    }
    if (o.lpipsResize == 0)
        checkLpipsInputSize(data.height, data.width, "analyze: --lpips-resize 0 keeps the MEIs at the image size, which");
    if (o.k > data.count)
        throw Error("analyze: k = " + std::to_string(o.k) + " is larger than the " + std::to_string(data.count) + " images of "
            + o.data + " (" + o.split + ")");
    return data;
}

/// Logs the seconds since the previous lap (or the job's start) with what was done.
class LapTimer {
public:
    LapTimer(ProgressSink& sink, std::chrono::steady_clock::time_point start)
        : m_sink(sink)
        , m_last(start)
    {
    }
    void operator()(const std::string& what)
    {
        const auto now = std::chrono::steady_clock::now();
        char buf[96];
        std::snprintf(buf, sizeof buf, "%s: %.2f s", what.c_str(), std::chrono::duration<double>(now - m_last).count());
        m_sink.log(LogLevel::Info, buf);
        m_last = now;
    }

private:
    ProgressSink& m_sink;
    std::chrono::steady_clock::time_point m_last;
};

/// k images per unit selected by activation: dataset indices and activations [U*k].
struct Selection {
    std::vector<std::int64_t> indices;
    std::vector<float> activations;
};

struct Measured {
    ActivationResult result;
    std::int64_t units = 0;
    Selection top; ///< the MEIs, descending
    bool hasBottom = false;
    Selection bottom; ///< with --bottom-k: the least exciting, ascending
};

/// The loaded checkpoint, model and images.
struct Loaded {
    const Checkpoint& ck;
    TapNetImpl& model;
    torch::Device device;
    const ImageDataset& data;
};

/// Activations and streaming MEIs (and bottom images), in one batched pass.
Measured measureActivations(const AnalyzeOptions& o, const Loaded& in, ProgressSink& sink, const CancelToken& cancel)
{
    ActivationOptions ao;
    ao.layer = o.layer;
    ao.aggregation = o.aggregation;
    ao.batchSize = o.batchSize;
    ao.precision = o.precision;
    ao.transform = referenceEvalTransform();
    for (const std::string& note : pth::fitEvalTransform(in.ck, in.model.architecture(), in.data.height, ao.transform))
        sink.log(LogLevel::Info, o.checkpoint + ": " + note);
    std::unique_ptr<StreamingTopK> top, bottom;
    PhaseSink actSink(sink, 0.02, 0.7);
    Measured m;
    m.result
        = collectActivations(in.model, in.device, in.data, ao, actSink, cancel, [&](const torch::Tensor& a, std::int64_t first) {
              if (!top) {
                  top = std::make_unique<StreamingTopK>(a.size(1), o.k, true);
                  if (o.bottomK)
                      bottom = std::make_unique<StreamingTopK>(a.size(1), o.k, false);
              }
              top->add(a.data_ptr<float>(), a.size(0), first);
              if (bottom)
                  bottom->add(a.data_ptr<float>(), a.size(0), first);
          });
    m.units = m.result.activations.size(1);
    top->result(m.top.indices, m.top.activations);
    m.hasBottom = bottom != nullptr;
    if (bottom)
        bottom->result(m.bottom.indices, m.bottom.activations);
    return m;
}

std::string iiTimings(const IIValues& ii)
{
    char parts[256];
    std::snprintf(parts, sizeof parts, "%lld distinct MEIs, %lld pairs; features %.2f s, pair distances %.2f s, per unit %.2f s",
        static_cast<long long>(ii.distinctImages), static_cast<long long>(ii.distinctPairs), ii.featureSeconds, ii.pairSeconds,
        ii.unitSeconds);
    return parts;
}

/// What the analysis file records.
struct AnalysisOutput {
    const AnalyzeOptions& o;
    const ImageDataset& data;
    Split split;
    std::string model; ///< architecture
    std::string tunedArea;
    const LpipsWeightsSource& weights;
    const Measured& act;
    const IIValues& ii;
};

double accuracyOf(const AnalysisOutput& out)
{
    return out.data.labels.empty() ? std::nan("") : static_cast<double>(out.act.result.correct) / out.data.count;
}

/// Writes a selection as PREFIX{indices,activations,images,labels} ([U,k], images [U,k,H,W,3];
/// label -1 without labels).
void writeSelection(H5File& f, const std::string& prefix, const Selection& s, const AnalysisOutput& out)
{
    const ImageDataset& data = out.data;
    const auto U = static_cast<std::uint64_t>(out.act.units), K = static_cast<std::uint64_t>(out.o.k);
    const auto H = static_cast<std::uint64_t>(data.height), W = static_cast<std::uint64_t>(data.width);
    std::vector<std::uint8_t> images(static_cast<std::size_t>(U * K) * data.imageBytes());
    std::vector<std::int64_t> labels(static_cast<std::size_t>(U * K));
    for (std::size_t i = 0; i < s.indices.size(); ++i) {
        std::copy_n(data.image(s.indices[i]), data.imageBytes(), images.data() + i * data.imageBytes());
        labels[i] = data.labels.empty() ? -1 : data.labels[static_cast<std::size_t>(s.indices[i])];
    }
    f.writeI64(prefix + "indices", {U, K}, s.indices);
    f.writeF32(prefix + "activations", {U, K}, s.activations);
    f.write(prefix + "images", H5Type::UInt8, {U, K, H, W, 3}, images.data(), /*chunkRows=*/8);
    f.writeI64(prefix + "labels", {U, K}, labels);
}

void writeIndex(H5File& f, const AnalysisOutput& out)
{
    const IIValues& ii = out.ii;
    const std::int64_t units = out.act.units;
    const auto U = static_cast<std::uint64_t>(units), K = static_cast<std::uint64_t>(out.o.k);
    f.writeF32("/ii/lpips", {U}, ii.lpips);
    std::vector<float> perLayer(static_cast<std::size_t>(units) * 5);
    for (std::int64_t u = 0; u < units; ++u)
        for (int l = 0; l < 5; ++l)
            perLayer[static_cast<std::size_t>(u * 5 + l)] = ii.perLayer[static_cast<std::size_t>(u)][l];
    f.writeF32("/ii/lpips_per_layer", {U, 5}, perLayer);
    f.writeF32("/ii/lpips_pairs", {U, K, K}, ii.pairs);
    f.writeF32("/ii/color", {U}, ii.color);
    f.writeF32("/ii/label", {U}, ii.label);
}

void writeAttributes(H5File& f, const AnalysisOutput& out)
{
    const AnalyzeOptions& o = out.o;
    f.setAttr("/", "model", out.model);
    f.setAttr("/", "checkpoint", o.checkpoint);
    f.setAttr("/", "layer", o.layer);
    f.setAttr("/", "aggregation", o.aggregation);
    f.setAttr("/", "k", static_cast<std::int64_t>(o.k));
    f.setAttr("/", "data", o.data);
    f.setAttr("/", "split", std::string(splitName(out.split)));
    f.setAttr("/", "accuracy", accuracyOf(out));
    f.setAttr("/", "ii_diagonal", std::string(iiDiagonalName(o.iiDiagonal)));
    f.setAttr("/", "lpips_weights", out.weights.description);
    f.setAttr("/", "lpips_calibrated", static_cast<std::int64_t>(out.weights.calibrated() ? 1 : 0));
    f.setAttr("/", "lpips_resize", static_cast<std::int64_t>(o.lpipsResize));
    f.setAttr("/", "units", static_cast<std::int64_t>(out.act.units));
    f.setAttr("/", "precision", o.precision);
    f.setAttr("/", "images", static_cast<std::int64_t>(out.data.count));
    f.setAttr("/", "tuned_area", out.tunedArea);
    f.setAttr("/", "program", std::string("repalign ") + programVersion());
    f.setAttr("/", "created", isoTimestamp());
}

/// Writes the analysis file atomically (layout in analysis.h).
void writeAnalysis(const AnalysisOutput& out, const CancelToken& cancel)
{
    const std::string& path = out.o.out;
    const std::string parent = path.find('/') == std::string::npos ? "" : path.substr(0, path.find_last_of('/'));
    if (!parent.empty() && !isDirectory(parent))
        makeDirs(parent);
    H5File f(path, H5File::Mode::CreateAtomic);
    const auto N = static_cast<std::uint64_t>(out.data.count), U = static_cast<std::uint64_t>(out.act.units);
    f.write("/activations", H5Type::Float32, {N, U}, out.act.result.activations.data_ptr<float>());
    if (!out.data.labels.empty())
        f.writeI64("/labels", {N}, out.data.labels);
    writeSelection(f, "/mei/", out.act.top, out);
    if (out.act.hasBottom) // the k least exciting images too (psych plan's minimal references), as /mei/images
        writeSelection(f, "/mei/bottom_", out.act.bottom, out);
    writeIndex(f, out);
    writeAttributes(f, out);
    cancel.check(); // a cancel now still leaves no file: the destructor drops the temporary
    f.commit();
}

AnalyzeResult summarise(const AnalysisOutput& out)
{
    AnalyzeResult r;
    r.out = out.o.out;
    r.model = out.model;
    r.images = out.data.count;
    r.units = out.act.units;
    r.k = out.o.k;
    r.accuracy = accuracyOf(out);
    const std::vector<double> lp(out.ii.lpips.begin(), out.ii.lpips.end());
    r.iiLpipsMean = stats::mean(lp);
    r.iiLpipsStd = stats::sampleStd(lp);
    r.iiColorMean = stats::mean(std::vector<double>(out.ii.color.begin(), out.ii.color.end()));
    r.iiLabelMean = stats::mean(std::vector<double>(out.ii.label.begin(), out.ii.label.end()));
    r.lpipsCalibrated = out.weights.calibrated();
    r.lpipsWeights = out.weights.description;
    return r;
}

} // namespace

AnalyzeJob::AnalyzeJob(AnalyzeOptions options)
    : m_options(std::move(options))
{
}

AnalyzeResult AnalyzeJob::run(ProgressSink& sink, const CancelToken& cancel)
{
    const auto t0 = std::chrono::steady_clock::now();
    const AnalyzeOptions& o = m_options;
    // --- validate everything cheap before any long work
    checkOptions(o);
    const Split split = parseSplit(o.split);
    const LpipsWeightsSource weightsSource = locateLpipsWeights(o.lpipsWeights);
    const torch::Device device = resolveDevice(o.device);
    checkPrecision(o.precision, o.device, "analyze: --precision");
    configureThreads(o.threads);
    torch::NoGradGuard noGrad;

    phase(sink, "load", 0.0);
    const Checkpoint ck = loadCheckpoint(o.checkpoint, o.checkpointKey);
    TapNet model = loadModel(ck, o, device);
    const ImageDataset data = loadImages(o, split);
    LapTimer lap(sink, t0);
    lap("checkpoint, model and data loaded");
    const LpipsWeights weights = loadLpipsWeights(weightsSource);
    const LpipsNet lpips(weights, device);
    if (!weightsSource.calibrated())
        sink.log(
            LogLevel::Warning, "LPIPS weights " + weightsSource.description + " are random: II-LPIPS values are uncalibrated");
    lap("LPIPS weights ready");
    cancel.check();

    const Measured act = measureActivations(o, {ck, *model, device, data}, sink, cancel);
    lap("activations and MEIs (" + std::to_string(data.count) + " images)");
    // --- Interpretability Index
    PhaseSink iiSink(sink, 0.7, 0.97);
    const IIValues ii = computeII(lpips, data, act.top.indices, act.units, o.k, o.lpipsResize, o.iiDiagonal, iiSink, cancel);
    lap("Interpretability Index (" + iiTimings(ii) + ")");
    cancel.check();

    phase(sink, "write", 0.97);
    const AnalysisOutput out {o, data, split, model->architecture(), o.tunedArea.empty() ? areaFromCheckpoint(ck) : o.tunedArea,
        weightsSource, act, ii};
    writeAnalysis(out, cancel);
    lap("analysis written");

    AnalyzeResult r = summarise(out);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    phase(sink, "done", 1.0);
    return r;
}

// ---------------------------------------------------------------------------------------

std::vector<std::string> requiredAnalysisDatasets()
{
    return {"/activations", "/mei/indices", "/mei/activations", "/mei/images", "/mei/labels", "/ii/lpips", "/ii/lpips_per_layer",
        "/ii/color", "/ii/label"};
}

AnalysisFile::AnalysisFile(const std::string& p)
    : path(p)
{
    if (!fileExists(p))
        throw Error("analysis file '" + p + "' does not exist");
    H5File f(p, H5File::Mode::Read);
    std::vector<std::string> missing;
    for (const auto& d : requiredAnalysisDatasets())
        if (!f.exists(d))
            missing.push_back(d);
    for (const char* a : {"model", "layer", "k", "accuracy", "ii_diagonal", "lpips_weights"})
        if (!f.hasAttr("/", a))
            missing.push_back(std::string("attribute ") + a);
    if (!missing.empty())
        throw Error(p + ": not a complete RepAlign analysis file (older or other program?): missing " + joinChoices(missing));
    auto str = [&](const char* key) { return f.hasAttr("/", key) ? f.attrString("/", key) : std::string(); };
    model = str("model");
    checkpoint = str("checkpoint");
    layer = str("layer");
    aggregation = str("aggregation");
    data = str("data");
    split = str("split");
    lpipsWeights = str("lpips_weights");
    tunedArea = str("tuned_area");
    iiDiagonal = str("ii_diagonal");
    lpipsCalibrated
        = f.hasAttr("/", "lpips_calibrated") ? f.attrDouble("/", "lpips_calibrated") != 0 : lpipsWeights.rfind("random:", 0) != 0;
    accuracy = f.attrDouble("/", "accuracy");
    k = static_cast<int>(f.attrDouble("/", "k"));

    const auto ad = f.dims("/activations");
    const auto md = f.dims("/mei/indices");
    const auto id = f.dims("/mei/images");
    if (ad.size() != 2 || md.size() != 2 || id.size() != 5 || md[1] != static_cast<std::uint64_t>(k) || md[0] != ad[1]
        || id[0] != md[0] || id[1] != md[1] || id[4] != 3)
        throw Error(p
            + ": inconsistent analysis shapes (activations [N,U], mei/indices [U,k], mei/images [U,k,H,W,3] "
              "with k = "
            + std::to_string(k) + ")");
    images = static_cast<std::int64_t>(ad[0]);
    units = static_cast<std::int64_t>(ad[1]);
    imageHeight = static_cast<int>(id[2]);
    imageWidth = static_cast<int>(id[3]);
    iiLpips = f.readF32("/ii/lpips");
    iiColor = f.readF32("/ii/color");
    iiLabel = f.readF32("/ii/label");
    const auto pl = f.readF32("/ii/lpips_per_layer");
    meiIndices = f.readI64("/mei/indices");
    meiActivations = f.readF32("/mei/activations");
    meiLabels = f.readI64("/mei/labels");
    const auto U = static_cast<std::size_t>(units);
    if (iiLpips.size() != U || iiColor.size() != U || iiLabel.size() != U || pl.size() != U * 5)
        throw Error(p + ": /ii datasets do not hold one value per unit (" + std::to_string(units) + " units)");
    iiLpipsPerLayer.resize(U);
    for (std::size_t u = 0; u < U; ++u)
        for (int l = 0; l < 5; ++l)
            iiLpipsPerLayer[u][l] = pl[u * 5 + l];
    hasBottom = f.exists("/mei/bottom_indices") && f.exists("/mei/bottom_activations");
    if (hasBottom) {
        bottomIndices = f.readI64("/mei/bottom_indices");
        bottomActivations = f.readF32("/mei/bottom_activations");
    }
    hasPairs = f.exists("/ii/lpips_pairs");
}

const std::vector<float>& AnalysisFile::metric(const std::string& name) const
{
    if (name == "lpips")
        return iiLpips;
    if (name == "color")
        return iiColor;
    if (name == "label")
        return iiLabel;
    throw Error("unknown metric '" + name + "' (valid: lpips, color, label)");
}

namespace {
void checkUnit(const AnalysisFile& a, std::int64_t unit)
{
    if (unit < 0 || unit >= a.units)
        throw Error(a.path + ": unit " + std::to_string(unit) + " out of range (0.." + std::to_string(a.units - 1) + ")");
}
} // namespace

std::vector<std::vector<std::uint8_t>> AnalysisFile::meiImages(std::int64_t unit) const
{
    checkUnit(*this, unit);
    H5File f(path, H5File::Mode::Read);
    const std::size_t bytes = static_cast<std::size_t>(imageHeight) * imageWidth * 3;
    std::vector<std::uint8_t> all(bytes * k);
    f.readRows("/mei/images", H5Type::UInt8, static_cast<std::uint64_t>(unit), 1, all.data());
    std::vector<std::vector<std::uint8_t>> out(static_cast<std::size_t>(k));
    for (int i = 0; i < k; ++i)
        out[i].assign(
            all.begin() + static_cast<std::ptrdiff_t>(i * bytes), all.begin() + static_cast<std::ptrdiff_t>((i + 1) * bytes));
    return out;
}

std::vector<float> AnalysisFile::lpipsPairs(std::int64_t unit) const
{
    checkUnit(*this, unit);
    if (!hasPairs)
        throw Error(path + ": no /ii/lpips_pairs dataset (written by an older analysis); re-run analyze");
    H5File f(path, H5File::Mode::Read);
    std::vector<float> m(static_cast<std::size_t>(k) * k);
    f.readRows("/ii/lpips_pairs", H5Type::Float32, static_cast<std::uint64_t>(unit), 1, m.data());
    return m;
}

std::vector<float> AnalysisFile::unitActivations(std::int64_t unit) const
{
    checkUnit(*this, unit);
    H5File f(path, H5File::Mode::Read);
    std::vector<float> v(static_cast<std::size_t>(images));
    f.readSlab("/activations", H5Type::Float32, {0, static_cast<std::uint64_t>(unit)}, {static_cast<std::uint64_t>(images), 1},
        v.data());
    return v;
}

} // namespace repalign
