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

AlignmentScores runAlignment(const AlignOptions& o, ProgressSink& sink, const CancelToken& cancel)
{
    const auto t0 = std::chrono::steady_clock::now();
    if (o.checkpoints.empty() || o.checkpoints.size() > 2)
        throw Error("align: give one checkpoint, or two (baseline and tuned) for a before/after profile (got "
            + std::to_string(o.checkpoints.size()) + ")");
    if (!o.labels.empty() && o.labels.size() != o.checkpoints.size())
        throw Error(
            "align: " + std::to_string(o.labels.size()) + " labels for " + std::to_string(o.checkpoints.size()) + " checkpoints");
    if (o.bundle.empty())
        throw Error("align: no bundle given (--bundle B.h5)");
    if (o.maxFeatures < 16 || o.maxFeatures > 1000000)
        throw Error("align: --max-features " + std::to_string(o.maxFeatures) + " is out of range (valid: 16..1000000)");
    if (o.folds < 2 || o.folds > 100)
        throw Error("align: --folds " + std::to_string(o.folds) + " is out of range (valid: 2..100)");
    if (o.imageSize < 8 || o.imageSize > 1024)
        throw Error("align: image size " + std::to_string(o.imageSize) + " is out of range (8..1024)");
    if (o.batchSize < 1 || o.batchSize > 65536)
        throw Error("align: --batch-size " + std::to_string(o.batchSize) + " is out of range (valid: 1..65536)");
    if (!o.out.empty()) {
        const std::string parent = std::filesystem::path(o.out).parent_path().string();
        if (!parent.empty() && !isDirectory(parent))
            throw Error("align: the folder of " + o.out + " does not exist");
    }
    const torch::Device device = resolveDevice(o.device);
    configureThreads(o.threads);
    torch::NoGradGuard noGrad;

    NsdBundle bundle = readBundle(o.bundle, o.rois, /*withTrials=*/true);
    dropNonFiniteVoxels(bundle, o.strict, sink);
    std::vector<std::int64_t> trainIdx = bundle.indices(BundleSplit::Train);
    const std::vector<std::int64_t> valIdx = bundle.indices(BundleSplit::Val);
    if (trainIdx.size() < 4)
        throw Error(o.bundle + ": /split has " + std::to_string(trainIdx.size()) + " train images; the probe needs at least 4");
    if (valIdx.size() < 4)
        throw Error(o.bundle + ": /split has " + std::to_string(valIdx.size())
            + " val images; RSA and CKA need at least 4 (re-import with --val-fraction)");
    if (o.maxTrain > 0 && static_cast<std::int64_t>(trainIdx.size()) > o.maxTrain)
        trainIdx.resize(static_cast<std::size_t>(o.maxTrain));

    // Load the models first: bad checkpoints and layers fail before any long work.
    std::vector<TapNet> models;
    AlignmentScores s;
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
        if (!o.labels.empty())
            s.models.push_back(o.labels[m]);
        else if (o.checkpoints.size() == 2)
            s.models.push_back(m == 0 ? "baseline" : "tuned");
        else
            s.models.push_back(std::filesystem::path(o.checkpoints[m]).stem().string());
    }
    const std::vector<std::string> taps = models.front()->tapNames();
    if (o.layers.empty() || (o.layers.size() == 1 && o.layers.front() == "all"))
        s.layers = taps;
    else
        for (const auto& l : o.layers) {
            requireTap(*models.front(), l, "align: --layers");
            s.layers.push_back(l);
        }
    for (const auto& roi : bundle.rois)
        s.rois.push_back(roi.name);
    s.bundle = o.bundle;
    s.maxFeatures = o.maxFeatures;
    s.trainImages = static_cast<std::int64_t>(trainIdx.size());
    s.valImages = static_cast<std::int64_t>(valIdx.size());
    s.projection = "layers with more than " + std::to_string(o.maxFeatures)
        + " flattened features are reduced by a sparse random projection (Li et al. 2006; density 1/sqrt(d), entries "
          "+-sqrt(1/(density*k))) to "
        + std::to_string(o.maxFeatures) + " dimensions, seeded by seed and layer index; the same matrix for every model";
    const std::size_t M = models.size(), L = s.layers.size(), R = s.rois.size();
    const double nan = std::nan("");
    s.rMedian.assign(M * L * R, nan);
    s.normalizedMedian.assign(M * L * R, nan);
    s.ridgeAlpha.assign(M * L * R, nan);
    s.rsa.assign(M * L * R, nan);
    s.cka.assign(M * L * R, nan);
    s.features.assign(M * L, 0);
    s.featuresOriginal.assign(M * L, 0);

    // ROI responses of the val images and the RSA ceilings, once.
    std::vector<std::vector<float>> yTrain(R), yVal(R);
    s.rsaCeiling.assign(R, nan);
    for (std::size_t r = 0; r < R; ++r) {
        const RoiResponses& roi = bundle.rois[r];
        yTrain[r] = gatherRows(roi.responses, roi.voxels, trainIdx);
        yVal[r] = gatherRows(roi.responses, roi.voxels, valIdx);
        if (roi.repeats >= 2 && !roi.trials.empty()) {
            const std::vector<float> trials = gatherRows(roi.trials, roi.repeats * roi.voxels, valIdx);
            s.rsaCeiling[r]
                = rsaSplitHalfCeiling(trials.data(), static_cast<std::int64_t>(valIdx.size()), roi.repeats, roi.voxels).ceiling;
        }
    }

    const TransformConfig t = bundleEvalTransform(o.imageSize);
    const torch::Tensor trainImages = transformAll(bundle.images(trainIdx), t);
    const torch::Tensor valImages = transformAll(bundle.images(valIdx), t);
    const std::int64_t nTrain = trainImages.size(0), nVal = valImages.size(0);
    const std::size_t totalWork = M * L;
    std::size_t workDone = 0;
    for (std::size_t m = 0; m < M; ++m) {
        for (std::size_t l = 0; l < L; ++l) {
            cancel.check();
            const std::string& layer = s.layers[l];
            ProgressEvent e;
            e.phase = "align " + s.models[m] + " " + layer;
            e.done = static_cast<std::int64_t>(workDone);
            e.total = static_cast<std::int64_t>(totalWork);
            e.fraction = static_cast<double>(workDone) / static_cast<double>(totalWork);
            sink.progress(e);
            // Features batch by batch, projected as they come when the layer is large, so memory
            // stays at images x max_features.
            std::int64_t dIn = 0, dOut = 0;
            SparseProjection proj;
            auto features = [&](const torch::Tensor& images) {
                std::vector<float> out;
                const std::int64_t n = images.size(0);
                for (std::int64_t lo = 0; lo < n; lo += o.batchSize) {
                    cancel.check();
                    const std::int64_t hi = std::min<std::int64_t>(n, lo + o.batchSize);
                    std::map<std::string, torch::Tensor> tapsOut;
                    models[m]->forwardTaps(images.slice(0, lo, hi).to(device), {layer}, tapsOut, /*fullForward=*/false);
                    const torch::Tensor f = poolTap(tapsOut.at(layer), "flatten").to(torch::kCPU, torch::kFloat32).contiguous();
                    if (dIn == 0) {
                        dIn = f.size(1);
                        dOut = std::min(dIn, o.maxFeatures);
                        if (dIn > o.maxFeatures)
                            proj = makeSparseProjection(dIn, o.maxFeatures, mixSeed(o.seed, static_cast<std::uint64_t>(l)));
                    }
                    if (dIn > o.maxFeatures) {
                        const std::vector<float> p = applyProjection(proj, f.data_ptr<float>(), hi - lo);
                        out.insert(out.end(), p.begin(), p.end());
                    } else {
                        out.insert(out.end(), f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
                    }
                }
                return out;
            };
            const std::vector<float> xTrain = features(trainImages);
            const std::vector<float> xVal = features(valImages);
            s.features[m * L + l] = dOut;
            s.featuresOriginal[m * L + l] = dIn;
            for (std::size_t r = 0; r < R; ++r) {
                cancel.check();
                const RoiResponses& roi = bundle.rois[r];
                const RidgeFit fit = ridgeFitCV(xTrain, nTrain, dOut, yTrain[r], roi.voxels, o.alphas, o.folds, o.seed);
                const std::vector<float> pred = fit.predict(xVal, nVal);
                const PredictivityStats st = predictivityStats(
                    pred.data(), yVal[r].data(), nVal, roi.voxels, roi.noiseCeiling.empty() ? nullptr : roi.noiseCeiling.data());
                const std::size_t i = s.index(m, l, r);
                s.rMedian[i] = st.rMedian;
                s.normalizedMedian[i] = st.hasCeiling ? st.normalizedMedian : nan;
                s.ridgeAlpha[i] = fit.alpha;
                s.rsa[i] = rsaScore(xVal.data(), dOut, yVal[r].data(), roi.voxels, nVal);
                s.cka[i] = ckaLinearUnbiased(xVal.data(), dOut, yVal[r].data(), roi.voxels, nVal);
                char buf[256];
                std::snprintf(buf, sizeof buf, "%s %s %s: r median %.3f, RSA %.3f, CKA %.3f (%lld features%s)",
                    s.models[m].c_str(), layer.c_str(), roi.name.c_str(), s.rMedian[i], s.rsa[i], s.cka[i],
                    static_cast<long long>(dOut), dIn > dOut ? ", projected" : "");
                sink.log(LogLevel::Info, buf);
            }
            ++workDone;
        }
    }
    cancel.check();
    if (!o.out.empty()) {
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
                f.setAttr(
                    "/alignment", "rdm", std::string("1 - Pearson r between images; RSA = Spearman of the upper triangles"));
                f.setAttr("/alignment", "cka", std::string("linear, unbiased HSIC (Song et al. 2012), centred features"));
                f.setAttr("/alignment", "folds", static_cast<std::int64_t>(o.folds));
                f.setAttr("/alignment", "program", std::string("repalign ") + programVersion());
                f.setAttr("/alignment", "created", isoTimestamp());
            },
            sink, cancel);
    }
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
