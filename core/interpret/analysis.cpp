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
    const Split split = parseSplit(o.split);
    const LpipsWeightsSource weightsSource = locateLpipsWeights(o.lpipsWeights);
    const torch::Device device = resolveDevice(o.device);
    checkPrecision(o.precision, o.device, "analyze: --precision");
    configureThreads(o.threads);
    torch::NoGradGuard noGrad;

    phase(sink, "load", 0.0);
    Checkpoint ck = loadCheckpoint(o.checkpoint, o.checkpointKey);
    TapNet model = modelFromCheckpoint(ck, o.model, o.checkpoint);
    if (!model->hasTap(o.layer))
        throw Error(
            "model " + model->architecture() + " has no tap '" + o.layer + "' (taps: " + joinChoices(model->tapNames()) + ")");
    model->to(device);
    model->eval();
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
    auto lap = [&, last = t0](const std::string& what) mutable {
        const auto now = std::chrono::steady_clock::now();
        char buf[96];
        std::snprintf(buf, sizeof buf, "%s: %.2f s", what.c_str(), std::chrono::duration<double>(now - last).count());
        sink.log(LogLevel::Info, buf);
        last = now;
    };
    lap("checkpoint, model and data loaded");
    const LpipsWeights weights = loadLpipsWeights(weightsSource);
    const LpipsNet lpips(weights, device);
    if (!weightsSource.calibrated())
        sink.log(
            LogLevel::Warning, "LPIPS weights " + weightsSource.description + " are random: II-LPIPS values are uncalibrated");
    lap("LPIPS weights ready");
    cancel.check();

    // --- activations and streaming MEIs, in one batched pass
    ActivationOptions ao;
    ao.layer = o.layer;
    ao.aggregation = o.aggregation;
    ao.batchSize = o.batchSize;
    ao.precision = o.precision;
    ao.transform = referenceEvalTransform();
    for (const std::string& note : pth::fitEvalTransform(ck, model->architecture(), data.height, ao.transform))
        sink.log(LogLevel::Info, o.checkpoint + ": " + note);
    std::unique_ptr<StreamingTopK> top, bottom;
    PhaseSink actSink(sink, 0.02, 0.7);
    const ActivationResult act
        = collectActivations(*model, device, data, ao, actSink, cancel, [&](const torch::Tensor& a, std::int64_t first) {
              if (!top) {
                  top = std::make_unique<StreamingTopK>(a.size(1), o.k, true);
                  if (o.bottomK)
                      bottom = std::make_unique<StreamingTopK>(a.size(1), o.k, false);
              }
              top->add(a.data_ptr<float>(), a.size(0), first);
              if (bottom)
                  bottom->add(a.data_ptr<float>(), a.size(0), first);
          });
    const std::int64_t units = act.activations.size(1);
    std::vector<std::int64_t> meiIdx, botIdx;
    std::vector<float> meiAct, botAct;
    top->result(meiIdx, meiAct);
    if (bottom)
        bottom->result(botIdx, botAct);

    lap("activations and MEIs (" + std::to_string(data.count) + " images)");
    // --- Interpretability Index
    PhaseSink iiSink(sink, 0.7, 0.97);
    const IIValues ii = computeII(lpips, data, meiIdx, units, o.k, o.lpipsResize, o.iiDiagonal, iiSink, cancel);
    char iiParts[256];
    std::snprintf(iiParts, sizeof iiParts,
        "%lld distinct MEIs, %lld pairs; features %.2f s, pair distances %.2f s, per unit %.2f s",
        static_cast<long long>(ii.distinctImages), static_cast<long long>(ii.distinctPairs), ii.featureSeconds, ii.pairSeconds,
        ii.unitSeconds);
    lap(std::string("Interpretability Index (") + iiParts + ")");
    cancel.check();

    // --- write atomically
    phase(sink, "write", 0.97);
    const int k = o.k;
    std::vector<std::uint8_t> images(static_cast<std::size_t>(units) * k * data.imageBytes());
    std::vector<std::int64_t> meiLabels(static_cast<std::size_t>(units) * k);
    for (std::size_t i = 0; i < meiIdx.size(); ++i) {
        std::copy_n(data.image(meiIdx[i]), data.imageBytes(), images.data() + i * data.imageBytes());
        meiLabels[i] = data.labels.empty() ? -1 : data.labels[static_cast<std::size_t>(meiIdx[i])];
    }
    const auto U = static_cast<std::uint64_t>(units), K = static_cast<std::uint64_t>(k);
    const auto N = static_cast<std::uint64_t>(data.count);
    const auto H = static_cast<std::uint64_t>(data.height), W = static_cast<std::uint64_t>(data.width);
    {
        const std::string parent = o.out.find('/') == std::string::npos ? "" : o.out.substr(0, o.out.find_last_of('/'));
        if (!parent.empty() && !isDirectory(parent))
            makeDirs(parent);
        H5File f(o.out, H5File::Mode::CreateAtomic);
        f.write("/activations", H5Type::Float32, {N, U}, act.activations.data_ptr<float>());
        if (!data.labels.empty())
            f.writeI64("/labels", {N}, data.labels);
        f.writeI64("/mei/indices", {U, K}, meiIdx);
        f.writeF32("/mei/activations", {U, K}, meiAct);
        f.write("/mei/images", H5Type::UInt8, {U, K, H, W, 3}, images.data(), /*chunkRows=*/8);
        f.writeI64("/mei/labels", {U, K}, meiLabels);
        if (bottom) {
            // the k least exciting images too (psych plan's minimal references), as /mei/images
            std::vector<std::uint8_t> botImages(static_cast<std::size_t>(units) * k * data.imageBytes());
            std::vector<std::int64_t> botLabels(static_cast<std::size_t>(units) * k);
            for (std::size_t i = 0; i < botIdx.size(); ++i) {
                std::copy_n(data.image(botIdx[i]), data.imageBytes(), botImages.data() + i * data.imageBytes());
                botLabels[i] = data.labels.empty() ? -1 : data.labels[static_cast<std::size_t>(botIdx[i])];
            }
            f.writeI64("/mei/bottom_indices", {U, K}, botIdx);
            f.writeF32("/mei/bottom_activations", {U, K}, botAct);
            f.write("/mei/bottom_images", H5Type::UInt8, {U, K, H, W, 3}, botImages.data(), /*chunkRows=*/8);
            f.writeI64("/mei/bottom_labels", {U, K}, botLabels);
        }
        f.writeF32("/ii/lpips", {U}, ii.lpips);
        std::vector<float> perLayer(static_cast<std::size_t>(units) * 5);
        for (std::int64_t u = 0; u < units; ++u)
            for (int l = 0; l < 5; ++l)
                perLayer[static_cast<std::size_t>(u * 5 + l)] = ii.perLayer[static_cast<std::size_t>(u)][l];
        f.writeF32("/ii/lpips_per_layer", {U, 5}, perLayer);
        f.writeF32("/ii/lpips_pairs", {U, K, K}, ii.pairs);
        f.writeF32("/ii/color", {U}, ii.color);
        f.writeF32("/ii/label", {U}, ii.label);
        const double accuracy = data.labels.empty() ? std::nan("") : static_cast<double>(act.correct) / data.count;
        f.setAttr("/", "model", model->architecture());
        f.setAttr("/", "checkpoint", o.checkpoint);
        f.setAttr("/", "layer", o.layer);
        f.setAttr("/", "aggregation", o.aggregation);
        f.setAttr("/", "k", static_cast<std::int64_t>(k));
        f.setAttr("/", "data", o.data);
        f.setAttr("/", "split", std::string(splitName(split)));
        f.setAttr("/", "accuracy", accuracy);
        f.setAttr("/", "ii_diagonal", std::string(iiDiagonalName(o.iiDiagonal)));
        f.setAttr("/", "lpips_weights", weightsSource.description);
        f.setAttr("/", "lpips_calibrated", static_cast<std::int64_t>(weightsSource.calibrated() ? 1 : 0));
        f.setAttr("/", "lpips_resize", static_cast<std::int64_t>(o.lpipsResize));
        f.setAttr("/", "units", static_cast<std::int64_t>(units));
        f.setAttr("/", "precision", o.precision);
        f.setAttr("/", "images", static_cast<std::int64_t>(data.count));
        f.setAttr("/", "tuned_area", o.tunedArea.empty() ? areaFromCheckpoint(ck) : o.tunedArea);
        f.setAttr("/", "program", std::string("repalign ") + programVersion());
        f.setAttr("/", "created", isoTimestamp());
        cancel.check(); // a cancel now still leaves no file: the destructor drops the temporary
        f.commit();
    }
    lap("analysis written");

    AnalyzeResult r;
    r.out = o.out;
    r.model = model->architecture();
    r.images = data.count;
    r.units = units;
    r.k = k;
    r.accuracy = data.labels.empty() ? std::nan("") : static_cast<double>(act.correct) / data.count;
    const std::vector<double> lp(ii.lpips.begin(), ii.lpips.end());
    r.iiLpipsMean = stats::mean(lp);
    r.iiLpipsStd = stats::sampleStd(lp);
    r.iiColorMean = stats::mean(std::vector<double>(ii.color.begin(), ii.color.end()));
    r.iiLabelMean = stats::mean(std::vector<double>(ii.label.begin(), ii.label.end()));
    r.lpipsCalibrated = weightsSource.calibrated();
    r.lpipsWeights = weightsSource.description;
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
