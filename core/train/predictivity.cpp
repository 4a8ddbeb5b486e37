#include "train/predictivity.h"
#include "common/device.h"
#include "common/error.h"
#include "common/rng.h"
#include "data/loader.h"
#include "data/nsd_bundle.h"
#include "run/checkpoint.h"
#include "run/pth_checkpoint.h"
#include "train/predictivity_internal.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace repalign {

// ---------------------------------------------------------------- statistics

std::vector<float> pearsonPerVoxel(const float* pred, const float* target, std::int64_t n, std::int64_t v)
{
    std::vector<float> r(static_cast<std::size_t>(v), std::numeric_limits<float>::quiet_NaN());
    if (n < 2)
        return r;
    for (std::int64_t j = 0; j < v; ++j) {
        double mp = 0, mt = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            mp += pred[i * v + j];
            mt += target[i * v + j];
        }
        mp /= static_cast<double>(n);
        mt /= static_cast<double>(n);
        double sxy = 0, sxx = 0, syy = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            const double a = pred[i * v + j] - mp, b = target[i * v + j] - mt;
            sxy += a * b;
            sxx += a * a;
            syy += b * b;
        }
        if (sxx > 0 && syy > 0)
            r[static_cast<std::size_t>(j)] = static_cast<float>(sxy / std::sqrt(sxx * syy));
    }
    return r;
}

double finiteMedian(const std::vector<float>& values)
{
    std::vector<float> f;
    for (float x : values)
        if (std::isfinite(x))
            f.push_back(x);
    if (f.empty())
        return 0;
    std::sort(f.begin(), f.end());
    const std::size_t m = f.size() / 2;
    return f.size() % 2 ? f[m] : 0.5 * (static_cast<double>(f[m - 1]) + f[m]);
}

double finiteMean(const std::vector<float>& values)
{
    double s = 0;
    std::size_t k = 0;
    for (float x : values)
        if (std::isfinite(x)) {
            s += x;
            ++k;
        }
    return k ? s / static_cast<double>(k) : 0.0;
}

PredictivityStats predictivityStats(const float* pred, const float* target, std::int64_t n, std::int64_t v, const float* ceiling)
{
    PredictivityStats s;
    s.r = pearsonPerVoxel(pred, target, n, v);
    s.rMedian = finiteMedian(s.r);
    s.rMean = finiteMean(s.r);
    if (ceiling) {
        s.hasCeiling = true;
        s.normalized.resize(static_cast<std::size_t>(v), std::numeric_limits<float>::quiet_NaN());
        for (std::int64_t j = 0; j < v; ++j) {
            const float r = s.r[static_cast<std::size_t>(j)];
            const float c = ceiling[j];
            if (std::isfinite(r) && std::isfinite(c) && c > 0) {
                const float rp = std::max(r, 0.0f);
                s.normalized[static_cast<std::size_t>(j)] = rp * rp / c;
            }
        }
        s.normalizedMedian = finiteMedian(s.normalized);
        s.normalizedMean = finiteMean(s.normalized);
    }
    return s;
}

std::vector<double> defaultRidgeAlphas()
{
    std::vector<double> a;
    for (int e = -2; e <= 6; ++e)
        a.push_back(std::pow(10.0, e));
    return a;
}

// ---------------------------------------------------------------- ridge

namespace {

torch::Tensor columnPearson(const torch::Tensor& pred, const torch::Tensor& target)
{
    const torch::Tensor a = pred - pred.mean(0, true), b = target - target.mean(0, true);
    const torch::Tensor den = torch::sqrt((a * a).sum(0) * (b * b).sum(0));
    return torch::where(den > 0, (a * b).sum(0) / den.clamp_min(1e-300), torch::full_like(den, std::nan("")));
}

double nanMean(const torch::Tensor& t)
{
    const torch::Tensor ok = torch::isfinite(t);
    const auto k = ok.sum().item<std::int64_t>();
    return k ? torch::where(ok, t, torch::zeros_like(t)).sum().item<double>() / static_cast<double>(k) : 0.0;
}

/// Ridge for every penalty from one factorisation of the centred features Xc = U S V^T.
/// With more features than samples (the usual probe: 8192 features, about 1000 images) the
/// n x n Gram matrix Xc Xc^T = U S^2 U^T is factorised instead (the same solution; an n x n
/// eigendecomposition costs far less than the n x d SVD, see tests/bench/bench_ridge).
struct RidgeSolver {
    torch::Tensor xMean, yMean, xc, basis, scale, uTy; // all double
    bool dual = false;
    RidgeSolver(const torch::Tensor& x, const torch::Tensor& y)
    {
        xMean = x.mean(0, true);
        yMean = y.mean(0, true);
        const torch::Tensor centred = x - xMean;
        dual = x.size(1) > x.size(0);
        if (dual) {
            xc = centred;
            auto [e, u] = torch::linalg_eigh(torch::matmul(centred, centred.t()));
            scale = e.clamp_min(0); // S^2
            basis = u;
            uTy = torch::matmul(u.t(), y - yMean);
        } else {
            auto [u, sv, vh] = torch::linalg_svd(centred, /*full_matrices=*/false);
            scale = sv; // S
            basis = vh; // V^T
            uTy = torch::matmul(u.t(), y - yMean);
        }
    }
    /// Centred samples in the factor's coordinates: prediction = project(x - xMean) * coef(alpha) + yMean.
    torch::Tensor project(const torch::Tensor& centred) const
    {
        return dual ? torch::matmul(torch::matmul(centred, xc.t()), basis) : torch::matmul(centred, basis.t());
    }
    torch::Tensor coef(double alpha) const
    {
        const torch::Tensor f = dual ? 1.0 / (scale + alpha) : scale / (scale * scale + alpha);
        return f.unsqueeze(1) * uTy;
    }
    torch::Tensor weights(double alpha) const
    {
        return dual ? torch::matmul(xc.t(), torch::matmul(basis, coef(alpha))) : torch::matmul(basis.t(), coef(alpha));
    }
};

} // namespace

std::vector<float> RidgeFit::predict(const std::vector<float>& x, std::int64_t n) const
{
    torch::NoGradGuard noGrad;
    const torch::Tensor xt = torch::from_blob(const_cast<float*>(x.data()), {n, features}, torch::kFloat32).to(torch::kFloat64);
    const torch::Tensor w
        = torch::from_blob(const_cast<float*>(weights.data()), {features, voxels}, torch::kFloat32).to(torch::kFloat64);
    const torch::Tensor m
        = torch::from_blob(const_cast<float*>(featureMean.data()), {1, features}, torch::kFloat32).to(torch::kFloat64);
    const torch::Tensor b = torch::from_blob(const_cast<float*>(bias.data()), {1, voxels}, torch::kFloat32).to(torch::kFloat64);
    const torch::Tensor p = (torch::matmul(xt - m, w) + b).to(torch::kFloat32).contiguous();
    return std::vector<float>(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
}

RidgeFit ridgeFitCV(const std::vector<float>& xv, std::int64_t n, std::int64_t d, const std::vector<float>& yv, std::int64_t v,
    const std::vector<double>& alphasIn, int folds, std::uint64_t seed)
{
    if (n < 2 || d < 1 || v < 1)
        throw Error("ridge: needs at least 2 samples, 1 feature and 1 voxel (got n=" + std::to_string(n)
            + ", d=" + std::to_string(d) + ", v=" + std::to_string(v) + ")");
    if (static_cast<std::int64_t>(xv.size()) != n * d || static_cast<std::int64_t>(yv.size()) != n * v)
        throw Error("ridge: data sizes do not match n x d and n x v");
    const std::vector<double> alphas = alphasIn.empty() ? defaultRidgeAlphas() : alphasIn;
    for (double a : alphas)
        if (!(a > 0))
            throw Error("ridge: alphas must be positive (got " + std::to_string(a) + ")");
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::from_blob(const_cast<float*>(xv.data()), {n, d}, torch::kFloat32).to(torch::kFloat64);
    const torch::Tensor y = torch::from_blob(const_cast<float*>(yv.data()), {n, v}, torch::kFloat32).to(torch::kFloat64);

    RidgeFit fit;
    fit.alphas = alphas;
    fit.features = d;
    fit.voxels = v;
    fit.cvScores.assign(alphas.size(), 0.0);
    folds = static_cast<int>(std::min<std::int64_t>(std::max(2, folds), n / 2));
    if (alphas.size() > 1 && folds >= 2) {
        std::vector<std::int64_t> order(static_cast<std::size_t>(n));
        std::iota(order.begin(), order.end(), 0);
        Rng rng(mixSeed(seed, 0xC0DE));
        for (std::int64_t i = n - 1; i > 0; --i)
            std::swap(order[static_cast<std::size_t>(i)], order[rng.below(static_cast<std::uint64_t>(i + 1))]);
        const torch::Tensor perm = torch::from_blob(order.data(), {n}, torch::kInt64).clone();
        for (int f = 0; f < folds; ++f) {
            const std::int64_t lo = n * f / folds, hi = n * (f + 1) / folds;
            const torch::Tensor test = perm.slice(0, lo, hi);
            const torch::Tensor train = torch::cat({perm.slice(0, 0, lo), perm.slice(0, hi, n)});
            const RidgeSolver solver(x.index_select(0, train), y.index_select(0, train));
            const torch::Tensor yt = y.index_select(0, test);
            const torch::Tensor proj = solver.project(x.index_select(0, test) - solver.xMean); // [nt, k]
            for (std::size_t a = 0; a < alphas.size(); ++a) {
                const torch::Tensor pred = torch::matmul(proj, solver.coef(alphas[a])) + solver.yMean;
                fit.cvScores[a] += nanMean(columnPearson(pred, yt)) / folds;
            }
        }
        const auto best = std::max_element(fit.cvScores.begin(), fit.cvScores.end()) - fit.cvScores.begin();
        fit.alpha = alphas[static_cast<std::size_t>(best)];
    } else {
        fit.alpha = alphas.front();
    }
    const RidgeSolver all(x, y);
    const torch::Tensor w = all.weights(fit.alpha).to(torch::kFloat32).contiguous();
    const torch::Tensor xm = all.xMean.to(torch::kFloat32).contiguous();
    const torch::Tensor ym = all.yMean.to(torch::kFloat32).contiguous();
    fit.weights.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
    fit.featureMean.assign(xm.data_ptr<float>(), xm.data_ptr<float>() + xm.numel());
    fit.bias.assign(ym.data_ptr<float>(), ym.data_ptr<float>() + ym.numel());
    return fit;
}

// ---------------------------------------------------------------- features

torch::Tensor poolTap(const torch::Tensor& tap, const std::string& pooling)
{
    if (tap.dim() <= 2)
        return tap.reshape({tap.size(0), -1});
    if (pooling == "mean")
        return tap.flatten(2).mean(2);
    if (pooling == "flatten")
        return tap.flatten(1);
    throw Error("readout pooling '" + pooling + "' is not valid (valid: flatten, mean)");
}

void requireTap(TapNetImpl& model, const std::string& layer, const std::string& where)
{
    if (!model.hasTap(layer))
        throw Error(where + ": layer '" + layer + "' is not a tap of " + model.architecture()
            + " (valid: " + joinChoices(model.tapNames()) + ")");
}

torch::Tensor extractFeatures(TapNetImpl& model, const torch::Tensor& images, const std::string& layer,
    const std::string& pooling, const torch::Device& device, int batchSize, ProgressSink& sink, const CancelToken& cancel,
    const std::string& phase)
{
    torch::NoGradGuard noGrad;
    const bool wasTraining = model.is_training();
    model.eval();
    std::vector<torch::Tensor> parts;
    const std::int64_t n = images.size(0);
    for (std::int64_t lo = 0; lo < n; lo += batchSize) {
        cancel.check();
        const std::int64_t hi = std::min<std::int64_t>(n, lo + batchSize);
        std::map<std::string, torch::Tensor> taps;
        model.forwardTaps(images.slice(0, lo, hi).to(device), {layer}, taps, /*fullForward=*/false);
        parts.push_back(poolTap(taps.at(layer), pooling).to(torch::kCPU, torch::kFloat32));
        ProgressEvent e;
        e.phase = phase;
        e.done = hi;
        e.total = n;
        e.fraction = static_cast<double>(hi) / static_cast<double>(n);
        sink.progress(e);
    }
    model.train(wasTraining);
    return torch::cat(parts).contiguous();
}

TransformConfig bundleEvalTransform(int side)
{
    TransformConfig t;
    t.resize = side;
    t.mean = {{0.4914, 0.4822, 0.4465}};
    t.std = {{0.2470, 0.2435, 0.2616}};
    return t;
}

// ---------------------------------------------------------------- probe

ProbeResult predictivityProbe(const ProbeOptions& o, ProgressSink& sink, const CancelToken& cancel)
{
    if (o.pooling != "flatten" && o.pooling != "mean")
        throw Error("predictivity: pooling '" + o.pooling + "' is not valid (valid: flatten, mean)");
    if (o.imageSize != 0 && (o.imageSize < 8 || o.imageSize > 1024))
        throw Error("predictivity: image size " + std::to_string(o.imageSize)
            + " is out of range (valid: 0 = the model's input size, or 8..1024)");
    if (o.folds < 2 || o.folds > 100)
        throw Error("predictivity: --folds " + std::to_string(o.folds) + " is out of range (valid: 2..100)");
    if (o.maxTrain < 0)
        throw Error(
            "predictivity: --max-train " + std::to_string(o.maxTrain) + " is out of range (valid: 0 = all, or a positive count)");
    if (o.batchSize < 1 || o.batchSize > 65536)
        throw Error("predictivity: batch size " + std::to_string(o.batchSize) + " is out of range (valid: 1..65536)");
    for (double a : o.alphas)
        if (!(a > 0) || !std::isfinite(a)) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%g", a);
            throw Error(
                std::string("predictivity: --alphas holds ") + buf + " (valid: positive finite penalties, e.g. 1e-2 1 100)");
        }
    if (o.readout != "auto" && o.readout != "ridge" && o.readout != "checkpoint")
        throw Error("predictivity: readout '" + o.readout + "' is not valid (valid: auto, ridge, checkpoint)");
    NsdBundle bundle = readBundle(o.bundle, o.rois);
    dropNonFiniteVoxels(bundle, o.strict, sink); // as nsd info and tune: a warning naming them, or --strict
    const Checkpoint ckpt = loadCheckpoint(o.checkpoint, o.checkpointKey);
    const auto readoutW = ckpt.extraTensors.find(pth::kNotebookReadoutWeight);
    const auto readoutB = ckpt.extraTensors.find(pth::kNotebookReadoutBias);
    const bool hasReadout = readoutW != ckpt.extraTensors.end() && readoutB != ckpt.extraTensors.end();
    if (o.readout == "checkpoint" && !hasReadout)
        throw Error(o.checkpoint
            + ": holds no readout (neural_predict.weight/bias, as the reference notebook saves); use "
              "--readout ridge or auto");
    const bool useReadout = hasReadout && o.readout != "ridge";
    if (useReadout) {
        const std::int64_t v = readoutW->second.size(0);
        if (bundle.rois.size() != 1) {
            std::vector<std::string> names;
            for (const auto& r : bundle.rois)
                names.push_back(r.name);
            throw Error(o.checkpoint + ": its readout (neural_predict) predicts one ROI of " + std::to_string(v)
                + " voxels; name it with --roi (" + o.bundle + " has " + joinChoices(names) + ")");
        }
        if (bundle.rois[0].voxels != v)
            throw Error(o.checkpoint + ": its readout (neural_predict) predicts " + std::to_string(v) + " voxels, but ROI "
                + bundle.rois[0].name + " of " + o.bundle + " has " + std::to_string(bundle.rois[0].voxels)
                + " (after dropping voxels with NaN/Inf responses); the readout belongs to another ROI or bundle");
    }
    std::vector<std::int64_t> trainIdx = bundle.indices(BundleSplit::Train);
    const std::vector<std::int64_t> valIdx = bundle.indices(BundleSplit::Val);
    if (useReadout)
        trainIdx.clear(); // nothing to fit
    else if (trainIdx.size() < 4)
        throw Error(o.bundle + ": /split has " + std::to_string(trainIdx.size()) + " train images; the probe needs at least 4");
    if (valIdx.size() < 2)
        throw Error(o.bundle + ": /split has " + std::to_string(valIdx.size())
            + " val images; the probe needs at least 2 (re-import with --val-fraction)");
    if (o.maxTrain > 0 && static_cast<std::int64_t>(trainIdx.size()) > o.maxTrain)
        trainIdx.resize(static_cast<std::size_t>(o.maxTrain));

    const torch::Device device = resolveDevice(o.device);
    configureThreads(o.threads);
    torch::NoGradGuard noGrad;
    TapNet model = modelFromCheckpoint(ckpt, o.model, o.checkpoint);
    requireTap(*model, o.layer, o.checkpoint);
    model->to(device);
    model->eval();

    // The model's input size unless --image-size says otherwise (as eval and analyze).
    TransformConfig t = bundleEvalTransform(o.imageSize > 0 ? o.imageSize : -1);
    const std::string resized = pth::fitModelInputSize(model->architecture(), bundle.height, t);
    if (!resized.empty())
        sink.log(LogLevel::Info, o.bundle + ": " + resized);
    const torch::Tensor valImages = transformAll(bundle.images(valIdx), t);
    const torch::Tensor fval
        = extractFeatures(*model, valImages, o.layer, o.pooling, device, o.batchSize, sink, cancel, "features val");

    ProbeResult res;
    res.model = model->architecture();
    res.layer = o.layer;
    res.features = fval.size(1);
    if (useReadout) {
        const torch::Tensor w = readoutW->second.to(torch::kFloat32), b = readoutB->second.to(torch::kFloat32);
        if (w.size(1) != res.features)
            throw Error(o.checkpoint + ": its readout (neural_predict) reads " + std::to_string(w.size(1)) + " features, but "
                + o.layer + " with pooling " + o.pooling + " gives " + std::to_string(res.features)
                + " (the notebook's readout reads layer4 flattened: --layer layer4 --pooling flatten)");
        const auto& roi = bundle.rois[0];
        const auto v = static_cast<std::size_t>(roi.voxels);
        const torch::Tensor predT = torch::addmm(b, fval, w.t()).contiguous();
        std::vector<float> yva(valIdx.size() * v);
        for (std::size_t i = 0; i < valIdx.size(); ++i)
            std::copy_n(roi.responses.data() + static_cast<std::size_t>(valIdx[i]) * v, v, yva.data() + i * v);
        RoiProbe p;
        p.roi = roi.name;
        p.fromCheckpoint = true;
        p.valCount = static_cast<std::int64_t>(valIdx.size());
        p.fit.features = res.features;
        p.fit.voxels = roi.voxels;
        const torch::Tensor wt = w.t().contiguous();
        p.fit.weights.assign(wt.data_ptr<float>(), wt.data_ptr<float>() + wt.numel());
        p.fit.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
        p.fit.featureMean.assign(static_cast<std::size_t>(res.features), 0.0f);
        p.val = predictivityStats(predT.data_ptr<float>(), yva.data(), p.valCount, roi.voxels,
            roi.noiseCeiling.empty() ? nullptr : roi.noiseCeiling.data());
        sink.log(LogLevel::Info,
            roi.name + ": the checkpoint's readout (neural_predict), val r median " + std::to_string(p.val.rMedian));
        res.rois.push_back(std::move(p));
        return res;
    }
    const torch::Tensor trainImages = transformAll(bundle.images(trainIdx), t);
    const torch::Tensor ftrain
        = extractFeatures(*model, trainImages, o.layer, o.pooling, device, o.batchSize, sink, cancel, "features train");
    const std::vector<float> xtr(ftrain.data_ptr<float>(), ftrain.data_ptr<float>() + ftrain.numel());
    const std::vector<float> xva(fval.data_ptr<float>(), fval.data_ptr<float>() + fval.numel());
    for (const auto& roi : bundle.rois) {
        cancel.check();
        ProgressEvent e;
        e.phase = "ridge " + roi.name;
        sink.progress(e);
        const auto v = static_cast<std::size_t>(roi.voxels);
        auto gather = [&](const std::vector<std::int64_t>& idx) {
            std::vector<float> y(idx.size() * v);
            for (std::size_t i = 0; i < idx.size(); ++i)
                std::copy_n(roi.responses.data() + static_cast<std::size_t>(idx[i]) * v, v, y.data() + i * v);
            return y;
        };
        const std::vector<float> ytr = gather(trainIdx), yva = gather(valIdx);
        RoiProbe p;
        p.roi = roi.name;
        p.trainCount = static_cast<std::int64_t>(trainIdx.size());
        p.valCount = static_cast<std::int64_t>(valIdx.size());
        p.fit = ridgeFitCV(xtr, p.trainCount, res.features, ytr, roi.voxels, o.alphas, o.folds, o.seed);
        const std::vector<float> pred = p.fit.predict(xva, p.valCount);
        p.val = predictivityStats(
            pred.data(), yva.data(), p.valCount, roi.voxels, roi.noiseCeiling.empty() ? nullptr : roi.noiseCeiling.data());
        sink.log(LogLevel::Info,
            roi.name + ": ridge alpha " + std::to_string(p.fit.alpha) + ", val r median " + std::to_string(p.val.rMedian));
        res.rois.push_back(std::move(p));
    }
    return res;
}

} // namespace repalign
