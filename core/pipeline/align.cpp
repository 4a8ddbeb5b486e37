#include "pipeline/align.h"
#include "common/device.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "common/version.h"
#include "data/loader.h"
#include "data/nsd_bundle.h"
#include "interpret/alignment.h"
#include "io/h5.h"
#include "io/h5_group.h"
#include "run/checkpoint.h"
#include "train/predictivity.h"
#include "train/predictivity_internal.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace repalign {

namespace {

std::string join(const std::vector<std::string>& v)
{
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : ",") + x;
    return s;
}

std::vector<std::string> split(const std::string& s)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

std::vector<float> gatherRows(const std::vector<float>& all, std::int64_t width, const std::vector<std::int64_t>& idx)
{
    std::vector<float> out(idx.size() * static_cast<std::size_t>(width));
    for (std::size_t i = 0; i < idx.size(); ++i)
        std::copy_n(all.data() + idx[i] * width, width, out.data() + i * static_cast<std::size_t>(width));
    return out;
}

} // namespace

std::vector<std::string> alignmentScoreNames()
{
    return {"r_median", "normalized_median", "rsa", "cka"};
}

const std::vector<double>& AlignmentScores::score(const std::string& name) const
{
    if (name == "r_median")
        return rMedian;
    if (name == "normalized_median")
        return normalizedMedian;
    if (name == "rsa")
        return rsa;
    if (name == "cka")
        return cka;
    throw Error("alignment score '" + name + "' is not valid (valid: " + joinChoices(alignmentScoreNames()) + ")");
}

namespace {

/// "align: <option> <value> is out of range (valid: lo..hi)" unless lo <= value <= hi.
void requireInRange(const char* option, std::int64_t value, std::int64_t lo, std::int64_t hi)
{
    if (value < lo || value > hi)
        throw Error(std::string("align: ") + option + " " + std::to_string(value)
            + " is out of range (valid: " + std::to_string(lo) + ".." + std::to_string(hi) + ")");
}

/// The checks of the options that need no file.
void checkAlignOptions(const AlignOptions& o)
{
    if (o.checkpoints.empty() || o.checkpoints.size() > 2)
        throw Error("align: give one checkpoint, or two (baseline and tuned) for a before/after profile (got "
            + std::to_string(o.checkpoints.size()) + ")");
    if (!o.labels.empty() && o.labels.size() != o.checkpoints.size())
        throw Error(
            "align: " + std::to_string(o.labels.size()) + " labels for " + std::to_string(o.checkpoints.size()) + " checkpoints");
    if (o.bundle.empty())
        throw Error("align: no bundle given (--bundle B.h5)");
    requireInRange("--max-features", o.maxFeatures, 16, 1000000);
    requireInRange("--folds", o.folds, 2, 100);
    if (o.imageSize < 8 || o.imageSize > 1024)
        throw Error("align: image size " + std::to_string(o.imageSize) + " is out of range (8..1024)");
    requireInRange("--batch-size", o.batchSize, 1, 65536);
    if (!o.out.empty()) {
        const std::string parent = std::filesystem::path(o.out).parent_path().string();
        if (!parent.empty() && !isDirectory(parent))
            throw Error("align: the folder of " + o.out + " does not exist");
    }
}

/// The bundle (with its trials, for the RSA ceiling) and the rows the probe fits and scores on.
struct AlignBundle {
    NsdBundle bundle;
    std::vector<std::int64_t> trainIdx, valIdx;
};

AlignBundle loadAlignBundle(const AlignOptions& o, ProgressSink& sink)
{
    AlignBundle a;
    a.bundle = readBundle(o.bundle, o.rois, /*withTrials=*/true);
    dropNonFiniteVoxels(a.bundle, o.strict, sink);
    a.trainIdx = a.bundle.indices(BundleSplit::Train);
    a.valIdx = a.bundle.indices(BundleSplit::Val);
    if (a.trainIdx.size() < 4)
        throw Error(o.bundle + ": /split has " + std::to_string(a.trainIdx.size()) + " train images; the probe needs at least 4");
    if (a.valIdx.size() < 4)
        throw Error(o.bundle + ": /split has " + std::to_string(a.valIdx.size())
            + " val images; RSA and CKA need at least 4 (re-import with --val-fraction)");
    if (o.maxTrain > 0 && static_cast<std::int64_t>(a.trainIdx.size()) > o.maxTrain)
        a.trainIdx.resize(static_cast<std::size_t>(o.maxTrain));
    return a;
}

/// The name of checkpoint @p m in the scores: its label, baseline/tuned for a pair, else its file stem.
std::string modelLabel(const AlignOptions& o, std::size_t m)
{
    if (!o.labels.empty())
        return o.labels[m];
    if (o.checkpoints.size() == 2)
        return m == 0 ? "baseline" : "tuned";
    return std::filesystem::path(o.checkpoints[m]).stem().string();
}

/// The models in eval mode on @p device, their checkpoints and names recorded in @p s; a model
/// without the first one's layers fails here, before any long work.
std::vector<TapNet> loadAlignModels(const AlignOptions& o, const torch::Device& device, AlignmentScores& s)
{
    std::vector<TapNet> models;
    for (std::size_t m = 0; m < o.checkpoints.size(); ++m) {
        const Checkpoint ck = loadCheckpoint(o.checkpoints[m], o.checkpointKey);
        TapNet model = modelFromCheckpoint(ck, o.model, o.checkpoints[m]);
        model->to(device);
        model->eval();
        if (m > 0 && model->tapNames() != models.front()->tapNames())
            throw Error("align: " + o.checkpoints[m] + " (" + model->architecture() + ") does not have the layers of "
                + o.checkpoints[0] + " (" + models.front()->architecture() + ")");
        models.push_back(model);
        s.checkpoints.push_back(o.checkpoints[m]);
        s.models.push_back(modelLabel(o, m));
    }
    return models;
}

/// The layers (checked against the first model's taps), ROIs and run description of @p s, and
/// its score arrays sized M x L x R and filled with NaN (a cell never scored stays NaN).
void describeScores(const AlignOptions& o, const TapNet& first, const AlignBundle& data, AlignmentScores& s)
{
    if (o.layers.empty() || (o.layers.size() == 1 && o.layers.front() == "all"))
        s.layers = first->tapNames();
    else
        for (const auto& l : o.layers) {
            requireTap(*first, l, "align: --layers");
            s.layers.push_back(l);
        }
    for (const auto& roi : data.bundle.rois)
        s.rois.push_back(roi.name);
    s.bundle = o.bundle;
    s.maxFeatures = o.maxFeatures;
    s.trainImages = static_cast<std::int64_t>(data.trainIdx.size());
    s.valImages = static_cast<std::int64_t>(data.valIdx.size());
    s.projection = "layers with more than " + std::to_string(o.maxFeatures)
        + " flattened features are reduced by a sparse random projection (Li et al. 2006; density 1/sqrt(d), entries "
          "+-sqrt(1/(density*k))) to "
        + std::to_string(o.maxFeatures) + " dimensions, seeded by seed and layer index; the same matrix for every model";
    const std::size_t M = s.checkpoints.size(), L = s.layers.size(), R = s.rois.size();
    const double nan = std::nan("");
    s.rMedian.assign(M * L * R, nan);
    s.normalizedMedian.assign(M * L * R, nan);
    s.ridgeAlpha.assign(M * L * R, nan);
    s.rsa.assign(M * L * R, nan);
    s.cka.assign(M * L * R, nan);
    s.features.assign(M * L, 0);
    s.featuresOriginal.assign(M * L, 0);
    s.rsaCeiling.assign(R, nan);
}

/// Per ROI, the responses of the train and val images ([N,V] row-major), gathered once.
struct RoiTargets {
    std::vector<std::vector<float>> train, val;
};

/// The ROIs' responses, and into @p s the split-half RSA ceiling of each ROI with repeats.
RoiTargets roiTargets(const AlignBundle& data, AlignmentScores& s)
{
    const std::size_t R = data.bundle.rois.size();
    RoiTargets y;
    y.train.resize(R);
    y.val.resize(R);
    for (std::size_t r = 0; r < R; ++r) {
        const RoiResponses& roi = data.bundle.rois[r];
        y.train[r] = gatherRows(roi.responses, roi.voxels, data.trainIdx);
        y.val[r] = gatherRows(roi.responses, roi.voxels, data.valIdx);
        if (roi.repeats >= 2 && !roi.trials.empty()) {
            const std::vector<float> trials = gatherRows(roi.trials, roi.repeats * roi.voxels, data.valIdx);
            s.rsaCeiling[r]
                = rsaSplitHalfCeiling(trials.data(), static_cast<std::int64_t>(data.valIdx.size()), roi.repeats, roi.voxels)
                      .ceiling;
        }
    }
    return y;
}

/// One layer's flattened features, batch by batch, projected as they come when the layer is
/// large, so memory stays at images x max_features. The projection is made on the first batch
/// (seeded by seed and layer index) and reused for every later call, so the train and val
/// images of a layer share it.
class LayerFeatures {
public:
    LayerFeatures(
        const AlignOptions& o, const TapNet& model, const torch::Device& device, const std::string& layer, std::size_t layerIndex)
        : m_o(o)
        , m_model(model)
        , m_device(device)
        , m_layer(layer)
        , m_layerIndex(layerIndex)
    {
    }

    /// [images x dOut()] row-major.
    std::vector<float> operator()(const torch::Tensor& images, const CancelToken& cancel)
    {
        std::vector<float> out;
        const std::int64_t n = images.size(0);
        for (std::int64_t lo = 0; lo < n; lo += m_o.batchSize) {
            cancel.check();
            const std::int64_t hi = std::min<std::int64_t>(n, lo + m_o.batchSize);
            std::map<std::string, torch::Tensor> tapsOut;
            m_model->forwardTaps(images.slice(0, lo, hi).to(m_device), {m_layer}, tapsOut, /*fullForward=*/false);
            const torch::Tensor f = poolTap(tapsOut.at(m_layer), "flatten").to(torch::kCPU, torch::kFloat32).contiguous();
            if (m_dIn == 0) {
                m_dIn = f.size(1);
                m_dOut = std::min(m_dIn, m_o.maxFeatures);
                if (m_dIn > m_o.maxFeatures)
                    m_proj = makeSparseProjection(
                        m_dIn, m_o.maxFeatures, mixSeed(m_o.seed, static_cast<std::uint64_t>(m_layerIndex)));
            }
            if (m_dIn > m_o.maxFeatures) {
                const std::vector<float> p = applyProjection(m_proj, f.data_ptr<float>(), hi - lo);
                out.insert(out.end(), p.begin(), p.end());
            } else {
                out.insert(out.end(), f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
            }
        }
        return out;
    }

    std::int64_t dIn() const { return m_dIn; } ///< the layer's flattened size (0 before the first batch)
    std::int64_t dOut() const { return m_dOut; } ///< the feature count after projection

private:
    const AlignOptions& m_o;
    const TapNet& m_model;
    torch::Device m_device;
    std::string m_layer;
    std::size_t m_layerIndex;
    std::int64_t m_dIn = 0, m_dOut = 0;
    SparseProjection m_proj;
};

/// What the scoring of every model and layer works on.
struct AlignInputs {
    const AlignOptions& o;
    const NsdBundle& bundle;
    const RoiTargets& y;
    const torch::Tensor& trainImages;
    const torch::Tensor& valImages;
    torch::Device device;
};

/// Model @p m, layer @p l against every ROI: ridge predictivity (fit on train, scored on val),
/// RSA and CKA on the val images; one log line per ROI.
void scoreLayer(const AlignInputs& in, const TapNet& model, std::size_t m, std::size_t l, AlignmentScores& s, ProgressSink& sink,
    const CancelToken& cancel)
{
    const AlignOptions& o = in.o;
    const std::string& layer = s.layers[l];
    LayerFeatures features(o, model, in.device, layer, l);
    const std::vector<float> xTrain = features(in.trainImages, cancel);
    const std::vector<float> xVal = features(in.valImages, cancel);
    const std::int64_t nTrain = in.trainImages.size(0), nVal = in.valImages.size(0);
    const std::int64_t dIn = features.dIn(), dOut = features.dOut();
    const std::size_t L = s.layers.size();
    s.features[m * L + l] = dOut;
    s.featuresOriginal[m * L + l] = dIn;
    for (std::size_t r = 0; r < s.rois.size(); ++r) {
        cancel.check();
        const RoiResponses& roi = in.bundle.rois[r];
        const RidgeFit fit = ridgeFitCV(xTrain, nTrain, dOut, in.y.train[r], roi.voxels, o.alphas, o.folds, o.seed);
        const std::vector<float> pred = fit.predict(xVal, nVal);
        const PredictivityStats st = predictivityStats(
            pred.data(), in.y.val[r].data(), nVal, roi.voxels, roi.noiseCeiling.empty() ? nullptr : roi.noiseCeiling.data());
        const std::size_t i = s.index(m, l, r);
        s.rMedian[i] = st.rMedian;
        s.normalizedMedian[i] = st.hasCeiling ? st.normalizedMedian : std::nan("");
        s.ridgeAlpha[i] = fit.alpha;
        s.rsa[i] = rsaScore(xVal.data(), dOut, in.y.val[r].data(), roi.voxels, nVal);
        s.cka[i] = ckaLinearUnbiased(xVal.data(), dOut, in.y.val[r].data(), roi.voxels, nVal);
        char buf[256];
        std::snprintf(buf, sizeof buf, "%s %s %s: r median %.3f, RSA %.3f, CKA %.3f (%lld features%s)", s.models[m].c_str(),
            layer.c_str(), roi.name.c_str(), s.rMedian[i], s.rsa[i], s.cka[i], static_cast<long long>(dOut),
            dIn > dOut ? ", projected" : "");
        sink.log(LogLevel::Info, buf);
    }
}

/// /alignment of o.out (file layout in align.h), written through writeGroupWithProgress.
void writeAlignment(const AlignOptions& o, const AlignmentScores& s, ProgressSink& sink, const CancelToken& cancel)
{
    const std::uint64_t M = s.models.size(), L = s.layers.size(), R = s.rois.size();
    writeGroupWithProgress(
        o.out, "/alignment",
        [&](H5File& f) {
            const std::vector<std::uint64_t> mlr {M, L, R};
            auto f64 = [&](const std::string& name, const std::vector<std::uint64_t>& dims, const std::vector<double>& v) {
                f.write(name, H5Type::Float64, dims, v.data());
            };
            f64("/alignment/r_median", mlr, s.rMedian);
            f64("/alignment/normalized_median", mlr, s.normalizedMedian);
            f64("/alignment/ridge_alpha", mlr, s.ridgeAlpha);
            f64("/alignment/rsa", mlr, s.rsa);
            f64("/alignment/cka", mlr, s.cka);
            f64("/alignment/rsa_ceiling", {R}, s.rsaCeiling);
            f.writeI64("/alignment/features", {M, L}, s.features);
            f.writeI64("/alignment/features_original", {M, L}, s.featuresOriginal);
            f.setAttr("/alignment", "models", join(s.models));
            f.setAttr("/alignment", "checkpoints", join(s.checkpoints));
            f.setAttr("/alignment", "layers", join(s.layers));
            f.setAttr("/alignment", "rois", join(s.rois));
            f.setAttr("/alignment", "bundle", o.bundle);
            f.setAttr("/alignment", "pooling", std::string("flatten"));
            f.setAttr("/alignment", "image_size", static_cast<std::int64_t>(o.imageSize));
            f.setAttr("/alignment", "max_features", o.maxFeatures);
            f.setAttr("/alignment", "projection", s.projection);
            f.setAttr("/alignment", "seed", static_cast<std::int64_t>(o.seed));
            f.setAttr("/alignment", "train_images", s.trainImages);
            f.setAttr("/alignment", "val_images", s.valImages);
            f.setAttr("/alignment", "rsa_cka_split", std::string("val"));
            f.setAttr("/alignment", "rdm", std::string("1 - Pearson r between images; RSA = Spearman of the upper triangles"));
            f.setAttr("/alignment", "cka", std::string("linear, unbiased HSIC (Song et al. 2012), centred features"));
            f.setAttr("/alignment", "folds", static_cast<std::int64_t>(o.folds));
            f.setAttr("/alignment", "program", std::string("repalign ") + programVersion());
            f.setAttr("/alignment", "created", isoTimestamp());
        },
        sink, cancel);
}

} // namespace

AlignmentScores runAlignment(const AlignOptions& o, ProgressSink& sink, const CancelToken& cancel)
{
    const auto t0 = std::chrono::steady_clock::now();
    checkAlignOptions(o);
    const torch::Device device = resolveDevice(o.device);
    configureThreads(o.threads);
    torch::NoGradGuard noGrad;

    const AlignBundle data = loadAlignBundle(o, sink);
    // Load the models first: bad checkpoints and layers fail before any long work.
    AlignmentScores s;
    const std::vector<TapNet> models = loadAlignModels(o, device, s);
    describeScores(o, models.front(), data, s);
    // ROI responses of the val images and the RSA ceilings, once.
    const RoiTargets y = roiTargets(data, s);

    const TransformConfig t = bundleEvalTransform(o.imageSize);
    const torch::Tensor trainImages = transformAll(data.bundle.images(data.trainIdx), t);
    const torch::Tensor valImages = transformAll(data.bundle.images(data.valIdx), t);
    const AlignInputs in {o, data.bundle, y, trainImages, valImages, device};
    const std::size_t M = models.size(), L = s.layers.size();
    const std::size_t totalWork = M * L;
    std::size_t workDone = 0;
    for (std::size_t m = 0; m < M; ++m) {
        for (std::size_t l = 0; l < L; ++l) {
            cancel.check();
            ProgressEvent e;
            e.phase = "align " + s.models[m] + " " + s.layers[l];
            e.done = static_cast<std::int64_t>(workDone);
            e.total = static_cast<std::int64_t>(totalWork);
            e.fraction = static_cast<double>(workDone) / static_cast<double>(totalWork);
            sink.progress(e);
            scoreLayer(in, models[m], m, l, s, sink, cancel);
            ++workDone;
        }
    }
    cancel.check();
    if (!o.out.empty())
        writeAlignment(o, s, sink, cancel);
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return s;
}

AlignmentScores readAlignment(const std::string& path)
{
    if (!fileExists(path))
        throw Error("alignment file '" + path + "' does not exist");
    H5File f(path, H5File::Mode::Read);
    if (!f.exists("/alignment"))
        throw Error(path + " has no /alignment (write it with repalign-cli align --out " + path + ")");
    for (const char* name : {"/alignment/r_median", "/alignment/normalized_median", "/alignment/rsa", "/alignment/cka",
             "/alignment/rsa_ceiling", "/alignment/features"})
        f.require(name);
    AlignmentScores s;
    s.models = split(f.attrString("/alignment", "models"));
    s.checkpoints = split(f.attrString("/alignment", "checkpoints"));
    s.layers = split(f.attrString("/alignment", "layers"));
    s.rois = split(f.attrString("/alignment", "rois"));
    s.bundle = f.attrString("/alignment", "bundle");
    s.projection = f.hasAttr("/alignment", "projection") ? f.attrString("/alignment", "projection") : std::string();
    s.maxFeatures = static_cast<std::int64_t>(f.attrDouble("/alignment", "max_features"));
    s.trainImages = static_cast<std::int64_t>(f.attrDouble("/alignment", "train_images"));
    s.valImages = static_cast<std::int64_t>(f.attrDouble("/alignment", "val_images"));
    s.rMedian = f.readF64("/alignment/r_median");
    s.normalizedMedian = f.readF64("/alignment/normalized_median");
    s.ridgeAlpha = f.exists("/alignment/ridge_alpha") ? f.readF64("/alignment/ridge_alpha") : std::vector<double>();
    s.rsa = f.readF64("/alignment/rsa");
    s.cka = f.readF64("/alignment/cka");
    s.rsaCeiling = f.readF64("/alignment/rsa_ceiling");
    s.features = f.readI64("/alignment/features");
    s.featuresOriginal
        = f.exists("/alignment/features_original") ? f.readI64("/alignment/features_original") : std::vector<std::int64_t>();
    const std::size_t n = s.models.size() * s.layers.size() * s.rois.size();
    if (n == 0 || s.rMedian.size() != n || s.rsa.size() != n || s.cka.size() != n || s.normalizedMedian.size() != n
        || s.rsaCeiling.size() != s.rois.size())
        throw Error(path + ": /alignment datasets do not match its models x layers x rois attributes");
    return s;
}

} // namespace repalign
