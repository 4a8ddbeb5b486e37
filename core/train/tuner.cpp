#include "train/tuner.h"
#include "common/autocast.h"
#include "common/device.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/precision.h"
#include "common/rng.h"
#include "common/text.h"
#include "common/version.h"
#include "data/loader.h"
#include "data/nsd_bundle.h"
#include "io/h5.h"
#include "models/registry.h"
#include "run/checkpoint.h"
#include "run/project.h"
#include "run/pth_checkpoint.h"
#include "train/distributed.h"
#include "train/optim.h"
#include "train/predictivity.h"
#include "train/predictivity_internal.h"
#include "train/session.h"

#include <chrono>
#include <cmath>
#include <numeric>
#include <sstream>

namespace repalign {

namespace {

/// KL(student || teacher) as the reference computes it: KLDivLoss(log_target=True,
/// reduction='batchmean') on (log_softmax(student), log_softmax(teacher)), i.e.
/// sum(exp(t) * (t - s)) / B.
torch::Tensor kdTerm(const torch::Tensor& studentLogits, const torch::Tensor& teacherLogits)
{
    const torch::Tensor s = torch::log_softmax(studentLogits, 1);
    const torch::Tensor t = torch::log_softmax(teacherLogits, 1);
    return (t.exp() * (t - s)).sum() / static_cast<double>(studentLogits.size(0));
}

struct Readouts {
    std::vector<std::string> rois;
    std::vector<torch::nn::Linear> layers;
    std::string activation;

    std::vector<torch::Tensor> forward(const torch::Tensor& features) const
    {
        std::vector<torch::Tensor> out;
        for (auto l : layers) {
            torch::Tensor y = l->forward(features);
            out.push_back(activation == "elu1" ? torch::elu(y) + 1.0 : y);
        }
        return out;
    }
};

struct EpochSums {
    double pred = 0, kd = 0, total = 0, seen = 0;
};

struct ValOutcome {
    double pred = 0, kd = 0, total = 0;
    double acc = -1;
    std::vector<PredictivityStats> stats;
};

} // namespace

LwfLoss lwfLoss(const std::vector<float>& pred, const std::vector<float>& target, const std::vector<float>& studentLogits,
    const std::vector<float>& teacherLogits, std::int64_t batch, std::int64_t classes, double alpha)
{
    if (batch <= 0 || classes <= 0 || pred.size() != target.size() || pred.empty()
        || studentLogits.size() != static_cast<std::size_t>(batch * classes) || teacherLogits.size() != studentLogits.size())
        throw Error("lwfLoss: sizes disagree (pred " + std::to_string(pred.size()) + ", target " + std::to_string(target.size())
            + ", logits " + std::to_string(studentLogits.size()) + "/" + std::to_string(teacherLogits.size())
            + " for B=" + std::to_string(batch) + ", C=" + std::to_string(classes) + ")");
    torch::NoGradGuard noGrad;
    auto t = [](const std::vector<float>& v, std::vector<std::int64_t> shape) {
        return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).clone();
    };
    const std::int64_t nv = static_cast<std::int64_t>(pred.size()) / batch;
    LwfLoss l;
    l.pred = torch::mse_loss(t(pred, {batch, nv}), t(target, {batch, nv})).item<double>();
    l.kd = kdTerm(t(studentLogits, {batch, classes}), t(teacherLogits, {batch, classes})).item<double>();
    l.total = l.pred + alpha * l.kd;
    return l;
}

namespace {

/// Everything the LwF step and validation work on, set up by TuneJob::run.
struct LwfParts {
    const TuneConfig& cfg;
    const NsdBundle& bundle;
    TapNet& student;
    TapNet& teacher;
    Readouts& readouts;
    const std::vector<torch::Tensor>& trainTargets;
    const std::vector<torch::Tensor>& valTargets;
    const torch::Tensor& valImages;
    const torch::Tensor& clsImages;
    const torch::Tensor& clsLabels;
    torch::Device device;
    std::string runDir;
    std::string arch;
    std::int64_t featureDim;
    const ImageDataset* rehearsal; ///< the original task's training data, or null (no rehearsal)
};

/// Neural fine-tuning with Learning without Forgetting: the student's step (readout MSE plus
/// alpha * KL to the frozen teacher) and its validation (losses, per-ROI predictivity and
/// classification accuracy), for the TrainingSession.
class LwfTask : public SessionTask {
public:
    explicit LwfTask(const LwfParts& parts)
        : m(parts)
        , m_useTeacher(parts.cfg.alpha > 0 && !parts.cfg.freezeBackbone)
        , m_valShard(valShard(parts.valImages))
        , m_clsShard(valShard(parts.clsImages))
        , m_valTeacherLogits(teacherLogits())
    {
    }

    void restore(const Checkpoint& ck, const std::string& path) override
    {
        if (ck.model != m.arch)
            throw Error(path + " holds a " + ck.model + ", the base checkpoint a " + m.arch);
        loadStateDict(*m.student, ck.stateDict, true);
        torch::NoGradGuard noGrad;
        for (std::size_t r = 0; r < m.readouts.layers.size(); ++r) {
            const std::string w = "readout." + m.readouts.rois[r] + ".weight", b = "readout." + m.readouts.rois[r] + ".bias";
            auto wi = ck.extraTensors.find(w), bi = ck.extraTensors.find(b);
            if (wi == ck.extraTensors.end() || bi == ck.extraTensors.end()
                || !wi->second.sizes().equals(m.readouts.layers[r]->weight.sizes()))
                throw Error(path + ": no readout for ROI " + m.readouts.rois[r]
                    + " of the configured shape; resume with the same config");
            m.readouts.layers[r]->weight.copy_(wi->second);
            m.readouts.layers[r]->bias.copy_(bi->second);
        }
    }

    std::vector<torch::Tensor> modelBuffers() const override { return m.student->buffers(); }

    void save(Checkpoint& ck) const override
    {
        for (auto& [n, t] : m.student->stateDict())
            ck.stateDict[n] = t;
        for (std::size_t r = 0; r < m.readouts.layers.size(); ++r) {
            ck.extraTensors["readout." + m.readouts.rois[r] + ".weight"] = m.readouts.layers[r]->weight.detach();
            ck.extraTensors["readout." + m.readouts.rois[r] + ".bias"] = m.readouts.layers[r]->bias.detach();
        }
        ck.scalars["alpha"] = m.cfg.alpha;
        ck.scalars["readout_features"] = static_cast<double>(m.featureDim);
        ck.config = tuneConfigToYaml(m.cfg);
    }

    StepOutput step(const Batch& batch, double /*lr*/) override
    {
        const TuneConfig& cfg = m.cfg;
        const torch::Tensor x = batch.images.to(m.device);
        const torch::Tensor rows = torch::tensor(batch.indices, torch::kInt64);
        std::map<std::string, torch::Tensor> taps;
        torch::Tensor logits, features;
        std::vector<torch::Tensor> outs;
        {
            AutocastScope autocast(cfg.precision, m.device);
            if (cfg.freezeBackbone) {
                torch::NoGradGuard noGrad;
                logits = m.student->forwardTaps(x, {cfg.tap}, taps, /*fullForward=*/false);
                features = poolTap(taps.at(cfg.tap), cfg.pooling);
            } else {
                logits = m.student->forwardTaps(x, {cfg.tap}, taps, /*fullForward=*/m_useTeacher);
                features = poolTap(taps.at(cfg.tap), cfg.pooling);
            }
            outs = m.readouts.forward(features);
        }
        for (auto& y : outs)
            y = y.to(torch::kFloat32);
        if (logits.defined())
            logits = logits.to(torch::kFloat32);
        torch::Tensor predLoss = torch::zeros({}, x.options());
        for (std::size_t r = 0; r < outs.size(); ++r)
            predLoss = predLoss + torch::mse_loss(outs[r], m.trainTargets[r].index_select(0, rows).to(m.device));
        predLoss = predLoss / static_cast<double>(outs.size());
        torch::Tensor kd = torch::zeros({}, x.options());
        if (m_useTeacher) {
            torch::Tensor teacherLogits;
            {
                // Inference mode skips autograd's bookkeeping entirely (cheaper than
                // no-grad); the clone makes the logits usable next to the student's graph.
                c10::InferenceMode inference;
                AutocastScope autocast(cfg.precision, m.device);
                teacherLogits = m.teacher->forward(x).to(torch::kFloat32);
            }
            kd = kdTerm(logits, teacherLogits.clone());
        }
        StepOutput out;
        out.loss = predLoss + cfg.alpha * kd;
        torch::Tensor rehearsal;
        if (m.rehearsal) {
            // After the main forward, so the LwF terms are those of a run without rehearsal.
            const Batch r = rehearsalBatch(batch);
            rehearsal = torch::nn::functional::cross_entropy(m.student->forward(r.images.to(m.device)), r.labels.to(m.device));
            out.loss = out.loss + cfg.rehearsal.weight * rehearsal;
        }
        out.lossValue = out.loss.item<double>();
        out.count = static_cast<double>(x.size(0));
        const double pv = predLoss.item<double>(), kv = kd.item<double>();
        out.sums = {pv * out.count, kv * out.count, out.lossValue * out.count};
        out.rows = {{"train", "loss", out.lossValue}, {"train", "pred_loss", pv}, {"train", "kd_loss", kv}};
        if (m.rehearsal)
            out.rows.push_back({"train", "rehearsal_loss", rehearsal.item<double>()});
        return out;
    }

    EpochReport validate(int epoch, const std::vector<double>& train, const CancelToken& cancel) override
    {
        m_last = validateOnce(cancel);
        m_lastTrainLoss = train[2];
        const ValOutcome& v = m_last;
        EpochReport rep;
        rep.valLoss = v.total;
        rep.rows = {{"val", "pred_loss", v.pred}, {"val", "kd_loss", v.kd}, {"val", "loss", v.total}};
        if (v.acc >= 0)
            rep.rows.push_back({"val", "acc", v.acc});
        std::string line = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(m.cfg.epochs) + ": train loss "
            + strprintf("%.4f", train[2]) + " (pred " + strprintf("%.4f", train[0]) + ", kd " + strprintf("%.4f", train[1])
            + ") | val pred " + strprintf("%.4f", v.pred) + ", kd " + strprintf("%.4f", v.kd);
        if (v.acc >= 0)
            line += ", acc " + strprintf("%.4f", v.acc);
        double meanMedian = 0;
        for (std::size_t r = 0; r < v.stats.size(); ++r) {
            const auto& s = v.stats[r];
            const std::string& name = m.readouts.rois[r];
            rep.rows.push_back({"val", name + ".r_median", s.rMedian});
            rep.rows.push_back({"val", name + ".r_mean", s.rMean});
            if (s.hasCeiling) {
                rep.rows.push_back({"val", name + ".nc_median", s.normalizedMedian});
                rep.rows.push_back({"val", name + ".nc_mean", s.normalizedMean});
            }
            line += " | " + name + " r " + strprintf("%.3f", s.rMedian)
                + (s.hasCeiling ? " (r²/ceiling " + strprintf("%.3f", s.normalizedMedian) + ")" : "");
            meanMedian += s.rMedian / static_cast<double>(v.stats.size());
        }
        rep.line = line;
        rep.values["loss"] = v.total;
        if (v.acc >= 0)
            rep.values["acc"] = v.acc;
        rep.values["mean_r_median"] = meanMedian;
        return rep;
    }

    void improved(const BestRule& rule, int epoch, const EpochReport& /*report*/) override
    {
        if (rule.file != RunLayout::kBestRCheckpoint)
            return;
        if (Distributed::instance().writer())
            writeBestPredictivity(m_last, epoch);
        m_best = roiResults(m_last);
    }

    /// Val images and classification images this rank evaluates (all of them with one process).
    std::pair<std::int64_t, std::int64_t> shardSizes() const
    {
        return {shardSize(m.valImages, m_valShard), m.clsImages.defined() ? shardSize(m.clsImages, m_clsShard) : 0};
    }
    const ValOutcome& last() const { return m_last; }
    double lastTrainLoss() const { return m_lastTrainLoss; }
    const std::vector<TuneRoiResult>& best() const { return m_best; }

    std::vector<TuneRoiResult> roiResults(const ValOutcome& v) const
    {
        std::vector<TuneRoiResult> out;
        for (std::size_t r = 0; r < v.stats.size(); ++r)
            out.push_back({m.readouts.rois[r], v.stats[r].rMedian, v.stats[r].rMean,
                v.stats[r].hasCeiling ? v.stats[r].normalizedMedian : -1.0});
        return out;
    }

private:
    /// The rehearsal batch that goes with @p batch: drawn (with replacement, augmented as the
    /// tuning images) from a seed of the tuning seed and the batch's own image indices, so a
    /// resumed run draws what an uninterrupted one would.
    Batch rehearsalBatch(const Batch& batch) const
    {
        const ImageDataset& d = *m.rehearsal;
        std::uint64_t h = mixSeed(m.cfg.seed, 0x7265686561727365ull);
        for (std::int64_t i : batch.indices)
            h = mixSeed(h, static_cast<std::uint64_t>(i));
        const int b = m.cfg.rehearsal.batchSize > 0 ? m.cfg.rehearsal.batchSize : m.cfg.batchSize;
        const TransformConfig& t = m.cfg.trainTransforms;
        const int side = t.outputSide(t.resize > 0 ? t.resize : d.height);
        Batch r;
        r.images = torch::empty({b, 3, side, side}, torch::kFloat32);
        std::vector<std::int64_t> labels(static_cast<std::size_t>(b));
        Rng rng(h);
        for (int i = 0; i < b; ++i) {
            const auto idx = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(d.count)));
            applyTransform(t, d.image(idx), d.height, d.width, /*augment=*/true, mixSeed(h, static_cast<std::uint64_t>(i) + 1),
                r.images.data_ptr<float>() + static_cast<std::int64_t>(i) * 3 * side * side);
            labels[static_cast<std::size_t>(i)] = d.labels[static_cast<std::size_t>(idx)];
            r.indices.push_back(idx);
        }
        r.labels = torch::tensor(labels, torch::kInt64);
        return r;
    }

    /// This rank's rows of a validation set (@p images' first dimension): in a data-parallel
    /// run the trainer's validation shard (distributedShard without padding, so each image is
    /// counted once over the ranks), with one process undefined (all rows, in order).
    static torch::Tensor valShard(const torch::Tensor& images)
    {
        Distributed& dist = Distributed::instance();
        if (!dist.active() || !images.defined())
            return {};
        std::vector<std::int64_t> all(static_cast<std::size_t>(images.size(0)));
        std::iota(all.begin(), all.end(), std::int64_t(0));
        return torch::tensor(distributedShard(all, dist.rank(), dist.worldSize(), /*pad=*/false), torch::kInt64);
    }
    static std::int64_t shardSize(const torch::Tensor& images, const torch::Tensor& shard)
    {
        return shard.defined() ? shard.size(0) : images.size(0);
    }
    /// Rows [a, b) of this rank's shard of @p t (a plain slice with one process).
    static torch::Tensor shardRows(const torch::Tensor& t, const torch::Tensor& shard, std::int64_t a, std::int64_t b)
    {
        return shard.defined() ? t.index_select(0, shard.slice(0, a, b)) : t.slice(0, a, b);
    }

    /// The teacher's logits on this rank's val shard, once (they never change).
    torch::Tensor teacherLogits() const
    {
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> parts;
        const std::int64_t n = shardSize(m.valImages, m_valShard);
        for (std::int64_t lo2 = 0; lo2 < n; lo2 += m.cfg.batchSize)
            parts.push_back(
                m.teacher->forward(shardRows(m.valImages, m_valShard, lo2, std::min(n, lo2 + m.cfg.batchSize)).to(m.device))
                    .to(torch::kCPU));
        return parts.empty() ? torch::Tensor() : torch::cat(parts);
    }

    /// One pass over the val split (and the classification set), student in eval mode. In a
    /// data-parallel run each rank evaluates its shard: the loss sums and correct counts are
    /// all-reduced, and the predictions are gathered into the whole split's matrix (each row
    /// from the one rank that owns it, zeros elsewhere: the sum is exact) before the per-voxel
    /// r is computed as with one process.
    ValOutcome validateOnce(const CancelToken& cancel)
    {
        const TuneConfig& cfg = m.cfg;
        Distributed& dist = Distributed::instance();
        torch::NoGradGuard noGrad;
        const bool wasTraining = m.student->is_training();
        m.student->eval();
        ValOutcome v;
        std::vector<std::vector<torch::Tensor>> preds(m.readouts.layers.size());
        double predSum = 0, kdSum = 0;
        const std::int64_t n = m.valImages.size(0), ns = shardSize(m.valImages, m_valShard);
        for (std::int64_t a = 0; a < ns; a += cfg.batchSize) {
            cancel.check();
            const std::int64_t b = std::min(ns, a + cfg.batchSize);
            std::map<std::string, torch::Tensor> taps;
            const torch::Tensor logits
                = m.student->forwardTaps(shardRows(m.valImages, m_valShard, a, b).to(m.device), {cfg.tap}, taps, true);
            const auto outs = m.readouts.forward(poolTap(taps.at(cfg.tap), cfg.pooling));
            double pl = 0;
            for (std::size_t r = 0; r < outs.size(); ++r) {
                pl += torch::mse_loss(outs[r], shardRows(m.valTargets[r], m_valShard, a, b).to(m.device)).item<double>();
                preds[r].push_back(outs[r].to(torch::kCPU));
            }
            predSum += pl / static_cast<double>(outs.size()) * static_cast<double>(b - a);
            kdSum += kdTerm(logits, m_valTeacherLogits.slice(0, a, b).to(m.device)).item<double>() * static_cast<double>(b - a);
        }
        std::vector<double> sums {predSum, kdSum};
        dist.allReduceSum(sums); // a no-op with one process
        v.pred = sums[0] / static_cast<double>(n);
        v.kd = sums[1] / static_cast<double>(n);
        v.total = v.pred + cfg.alpha * v.kd;
        for (std::size_t r = 0; r < preds.size(); ++r) {
            const auto& roi = m.bundle.rois[r];
            torch::Tensor p = preds[r].empty() ? torch::zeros({0, roi.voxels}) : torch::cat(preds[r]);
            if (m_valShard.defined()) {
                torch::Tensor whole = torch::zeros({n, roi.voxels}, p.options().device(m.device));
                whole.index_copy_(0, m_valShard.to(m.device), p.to(m.device));
                dist.allReduceSum(whole);
                p = whole.to(torch::kCPU);
            }
            p = p.contiguous();
            v.stats.push_back(predictivityStats(p.data_ptr<float>(), m.valTargets[r].data_ptr<float>(), n, roi.voxels,
                roi.noiseCeiling.empty() ? nullptr : roi.noiseCeiling.data()));
        }
        if (m.clsImages.defined()) {
            double correct = 0;
            const std::int64_t nc = shardSize(m.clsImages, m_clsShard);
            for (std::int64_t a = 0; a < nc; a += 256) {
                cancel.check();
                const std::int64_t b = std::min(nc, a + 256);
                const torch::Tensor logits = m.student->forward(shardRows(m.clsImages, m_clsShard, a, b).to(m.device));
                correct += logits.argmax(1).to(torch::kCPU).eq(shardRows(m.clsLabels, m_clsShard, a, b)).sum().item<double>();
            }
            std::vector<double> c {correct};
            dist.allReduceSum(c);
            v.acc = c[0] / static_cast<double>(m.clsImages.size(0));
        }
        m.student->train(wasTraining);
        return v;
    }

    void writeBestPredictivity(const ValOutcome& v, int epoch) const
    {
        H5File f(m.runDir + "/predictivity.h5", H5File::Mode::CreateAtomic);
        for (std::size_t r = 0; r < v.stats.size(); ++r) {
            const auto& roi = m.bundle.rois[r];
            const auto nv = static_cast<std::uint64_t>(roi.voxels);
            f.writeF32("/r/" + roi.name, {nv}, v.stats[r].r);
            if (v.stats[r].hasCeiling) {
                f.writeF32("/normalized/" + roi.name, {nv}, v.stats[r].normalized);
                f.writeF32("/noise_ceiling/" + roi.name, {nv}, roi.noiseCeiling);
            }
        }
        f.setAttr("/", "epoch", static_cast<std::int64_t>(epoch));
        f.setAttr("/", "model", m.arch);
        f.setAttr("/", "bundle", m.cfg.bundle);
        f.setAttr("/", "split", std::string("val"));
        f.setAttr("/", "layer", m.cfg.tap);
        f.commit();
    }

    LwfParts m;
    bool m_useTeacher;
    torch::Tensor m_valShard, m_clsShard; ///< this rank's rows of the val split and classification set (undefined: all)
    torch::Tensor m_valTeacherLogits; ///< of the val shard's rows, in shard order
    ValOutcome m_last;
    double m_lastTrainLoss = 0;
    std::vector<TuneRoiResult> m_best;
};

SessionSpec tuneSessionSpec(
    const TuneConfig& cfg, const std::string& runDir, bool resume, const std::string& arch, std::int64_t epochSteps)
{
    SessionSpec s = sessionSpec(
        "tune", runDir, resume, arch, cfg.epochs, epochSteps, cfg.batchSize, cfg.seed, cfg.schedule, cfg.optimizer.lr);
    s.stepSeedStream = 0x70e;
    s.sums = {{"epoch_pred_sum", "epoch_pred_loss"}, {"epoch_kd_sum", "epoch_kd_loss"}, {"epoch_total_sum", "epoch_loss"}};
    s.runningLossSum = 2;
    BestRule r;
    r.file = RunLayout::kBestRCheckpoint;
    r.value = "mean_r_median";
    r.slot = BestRule::Slot::Scalar;
    r.scalarKey = "best_mean_r_median";
    r.initial = -2;
    r.epochKey = "best_epoch";
    s.best = {bestLossRule(), bestAccRule(), r};
    s.syncBatchNorm = cfg.distributed.syncBatchNorm;
    return s;
}

} // namespace

namespace {

/// The readout of ROI @p roi in a tuned checkpoint: a tune run's readout.<ROI>.weight/bias, or,
/// for a single ROI, the reference notebook's neural_predict; shapes checked against the bundle.
std::pair<torch::Tensor, torch::Tensor> resumeReadout(const Checkpoint& ck, const std::string& path, const std::string& roi,
    std::size_t roiCount, std::int64_t voxels, std::int64_t features)
{
    auto find = [&](const std::string& k) {
        auto it = ck.extraTensors.find(k);
        return it == ck.extraTensors.end() ? torch::Tensor() : it->second;
    };
    torch::Tensor w = find("readout." + roi + ".weight"), b = find("readout." + roi + ".bias");
    std::string what = "readout." + roi;
    if (!w.defined() || !b.defined()) {
        w = find(pth::kNotebookReadoutWeight);
        b = find(pth::kNotebookReadoutBias);
        what = "neural_predict";
        if (!w.defined() || !b.defined())
            throw Error(path + ": resume_from holds no readout for ROI " + roi + " (looked for readout." + roi
                + ".weight/bias and the notebook's neural_predict.weight/bias)");
        if (roiCount != 1)
            throw Error(path + ": its readout (neural_predict) predicts one ROI; the config's rois name "
                + std::to_string(roiCount) + " (name the ROI it was tuned on)");
    }
    if (w.dim() != 2 || w.size(0) != voxels || b.numel() != voxels)
        throw Error(path + ": its readout (" + what + ") predicts " + std::to_string(w.dim() == 2 ? w.size(0) : -1)
            + " voxels, but ROI " + roi + " of the bundle has " + std::to_string(voxels)
            + " (after dropping voxels with NaN/Inf responses); the readout belongs to another ROI or bundle");
    if (w.size(1) != features)
        throw Error(path + ": its readout (" + what + ") reads " + std::to_string(w.size(1)) + " features, but the tap "
            + "with this config's pooling gives " + std::to_string(features) + " (the notebook's reads layer4 flattened)");
    return {w.to(torch::kFloat32).contiguous(), b.to(torch::kFloat32).reshape({-1}).contiguous()};
}

/// Fits one tuning transform to the model's input size with pth::fitModelInputSize (the rule of
/// eval and analyze). The reference's blocks resize to 32 explicitly (its models take 32 px), so
/// a resize that gives images of another size than the model takes is replaced; a random crop
/// of the old side becomes one of the new side, its padding scaled alike. Returns the note.
std::string fitTuneTransform(const std::string& arch, int imageSide, TransformConfig& t)
{
    if (!isModelName(arch))
        return {};
    const int before = t.outputSide(t.resize > 0 ? t.resize : imageSide);
    const int side = modelInputSize(arch);
    if (before == side)
        return {};
    const int oldResize = t.resize;
    t.resize = -1;
    std::string note = pth::fitModelInputSize(arch, imageSide, t);
    if (note.empty())
        note = "images kept at " + std::to_string(imageSide) + " px, the input size of " + arch;
    if (t.cropSize > 0) {
        t.padding = static_cast<int>(std::lround(static_cast<double>(t.padding) * side / before));
        t.cropSize = static_cast<int>(std::lround(static_cast<double>(t.cropSize) * side / before));
        note += "; random crop " + std::to_string(t.cropSize) + " with padding " + std::to_string(t.padding);
    }
    return "resize " + std::to_string(oldResize) + " gives " + std::to_string(before) + "-px images: " + note;
}

/// The fitTuneTransform of the train and val transforms, each change said in a notice.
void fitTuneTransforms(TuneConfig& cfg, const std::string& arch, int imageSide, ProgressSink& sink)
{
    for (auto [t, key] : {std::pair<TransformConfig*, const char*> {&cfg.trainTransforms, "train_transforms"},
             std::pair<TransformConfig*, const char*> {&cfg.valTransforms, "val_transforms"}}) {
        const std::string note = fitTuneTransform(arch, imageSide, *t);
        if (!note.empty())
            sink.log(LogLevel::Notice, cfg.origin + ": " + key + ": " + note);
    }
}

/// The bundle (non-finite voxels dropped) and its train and val rows.
struct TuneBundle {
    NsdBundle bundle;
    std::vector<std::int64_t> trainIdx, valIdx;
};

/// Reads the bundle; fails without train images or with fewer than 2 val images.
TuneBundle loadTuneBundle(const TuneConfig& cfg, ProgressSink& sink)
{
    TuneBundle d;
    d.bundle = readBundle(cfg.bundle, cfg.rois);
    dropNonFiniteVoxels(d.bundle, cfg.strictBundle, sink); // as nsd info and predictivity
    d.trainIdx = d.bundle.indices(BundleSplit::Train);
    d.valIdx = d.bundle.indices(BundleSplit::Val);
    if (d.trainIdx.empty())
        throw Error(cfg.bundle + ": /split has no train images (0)");
    if (d.valIdx.size() < 2)
        throw Error(cfg.bundle + ": /split has " + std::to_string(d.valIdx.size())
            + " val images; tuning needs at least 2 to report predictivity (re-import with --val-fraction)");
    return d;
}

/// The frozen teacher and the student, and what one dummy image tells of them.
struct TuneModels {
    Checkpoint base;
    bool fromTuned = false; ///< a fresh run (not a resume) whose student and readouts start from resume_from
    Checkpoint from; ///< resume_from's checkpoint when fromTuned
    TapNet teacher, student;
    std::string arch;
    std::int64_t featureDim = 0, numClasses = 0; ///< set by probeModels
};

/// Teacher and student from the base checkpoint; with resume_from (and no resume) the student's
/// backbone from a tuned checkpoint instead (the notebook's student_state_dict + neural_predict,
/// or a tune run's readout.<ROI>.*), which must be of the base's architecture and have the tap.
TuneModels loadTuneModels(const TuneConfig& cfg, bool resume)
{
    TuneModels m;
    m.base = loadCheckpoint(cfg.baseCheckpoint, cfg.baseKey);
    m.teacher = modelFromCheckpoint(m.base, cfg.baseModel, cfg.baseCheckpoint);
    m.student = modelFromCheckpoint(m.base, cfg.baseModel, cfg.baseCheckpoint);
    requireTap(*m.student, cfg.tap, cfg.baseCheckpoint);
    m.arch = m.student->architecture();
    m.fromTuned = !cfg.resumeFrom.empty() && !resume;
    if (m.fromTuned) {
        m.from = loadCheckpoint(cfg.resumeFrom);
        m.student = modelFromCheckpoint(m.from, m.arch, cfg.resumeFrom);
        if (m.student->architecture() != m.arch)
            throw Error(
                cfg.resumeFrom + ": resume_from holds a " + m.student->architecture() + ", the base checkpoint a " + m.arch);
        requireTap(*m.student, cfg.tap, cfg.resumeFrom);
    }
    return m;
}

/// Feature size and class count from one dummy image (of the fitted train transform's side).
void probeModels(const TuneConfig& cfg, int imageSide, TuneModels& m)
{
    const TransformConfig& t = cfg.trainTransforms;
    const int side = t.outputSide(t.resize > 0 ? t.resize : imageSide);
    torch::NoGradGuard noGrad;
    m.teacher->eval();
    std::map<std::string, torch::Tensor> taps;
    const torch::Tensor logits = m.teacher->forwardTaps(torch::zeros({1, 3, side, side}), {cfg.tap}, taps, /*fullForward=*/true);
    m.featureDim = poolTap(taps.at(cfg.tap), cfg.pooling).size(1);
    m.numClasses = logits.size(1);
}

/// Labelled data for the base model: no more classes than its @p numClasses. @p what names the data.
void requireClassesWithin(const ImageDataset& d, std::int64_t numClasses, const std::string& what)
{
    if (d.numClasses() > numClasses)
        throw Error(what + " has " + std::to_string(d.numClasses()) + " classes, the base model " + std::to_string(numClasses));
}

/// classification_val's data spec: for "auto" the data the base run was validated on (its
/// run.yaml), else CIFAR-10 where found, else "none" (per-epoch accuracy skipped, said in a notice).
std::string classificationSpec(const TuneConfig& cfg, const Checkpoint& base, ProgressSink& sink)
{
    std::string spec = cfg.classificationVal;
    if (spec != "auto")
        return spec;
    try {
        spec = baseRunValidationData(cfg.baseCheckpoint, base.config);
        if (spec.empty())
            spec = resolveCifar10Spec();
        else
            sink.log(LogLevel::Info, "classification_val: auto uses " + spec + ", the data the base run was validated on");
    } catch (const Error&) {
        spec = "none";
        sink.log(LogLevel::Notice,
            "classification_val: auto found neither the base run's validation data (its run.yaml) nor CIFAR-10; "
            "per-epoch accuracy is skipped (set classification_val to a data spec)");
    }
    return spec;
}

/// The classification validation set (the reference reports CIFAR-10 accuracy every epoch): the
/// test split of classificationSpec's data, its first classification_max_images; empty for "none".
ImageDataset loadClassificationVal(const TuneConfig& cfg, const TuneModels& models, ProgressSink& sink)
{
    const std::string spec = classificationSpec(cfg, models.base, sink);
    ImageDataset clsVal;
    if (spec == "none")
        return clsVal;
    clsVal = loadDataset(spec, Split::Test);
    if (cfg.classificationMaxImages > 0 && clsVal.count > cfg.classificationMaxImages) {
        std::vector<std::int64_t> idx(static_cast<std::size_t>(cfg.classificationMaxImages));
        for (std::size_t i = 0; i < idx.size(); ++i)
            idx[i] = static_cast<std::int64_t>(i);
        clsVal = clsVal.subset(idx);
    }
    requireClassesWithin(clsVal, models.numClasses, cfg.origin + ": classification_val " + spec);
    return clsVal;
}

/// Rehearsal: the original task's training data (each step draws a batch of it); empty when
/// rehearsal is off. Needs a trainable backbone and labelled images.
ImageDataset loadRehearsal(const TuneConfig& cfg, std::int64_t numClasses, ProgressSink& sink)
{
    ImageDataset data;
    if (!cfg.rehearsal.enabled())
        return data;
    if (cfg.freezeBackbone)
        throw Error(cfg.origin + ": rehearsal needs a trainable backbone (readout.freeze_backbone is true)");
    data = loadDataset(cfg.rehearsal.data, Split::Train);
    if (data.count == 0 || data.labels.empty())
        throw Error(cfg.origin + ": rehearsal.data " + cfg.rehearsal.data + " has no labelled training images");
    requireClassesWithin(data, numClasses, cfg.origin + ": rehearsal.data " + cfg.rehearsal.data);
    char weight[32];
    std::snprintf(weight, sizeof weight, "%g", cfg.rehearsal.weight);
    sink.log(LogLevel::Info,
        "rehearsal: " + std::to_string(data.count) + " training images of " + cfg.rehearsal.data + ", weight " + weight + ", "
            + std::to_string(cfg.rehearsal.batchSize > 0 ? cfg.rehearsal.batchSize : cfg.batchSize) + " per step");
    return data;
}

void freezeParameters(TapNet& net)
{
    for (auto& p : net->parameters())
        p.set_requires_grad(false);
}

/// Both models on @p device: the teacher frozen in eval mode, the student in train mode (frozen
/// in eval mode with readout.freeze_backbone).
void placeModels(const TuneConfig& cfg, const torch::Device& device, TuneModels& m)
{
    m.teacher->to(device);
    m.teacher->eval();
    freezeParameters(m.teacher);
    m.student->to(device);
    if (cfg.freezeBackbone) {
        freezeParameters(m.student);
        m.student->eval();
    } else {
        m.student->train();
    }
}

/// One linear readout (tap features -> voxels) per ROI of the bundle, initialised from the tuning
/// seed, or copied from resume_from's readout (the optimizer's moments still start fresh).
Readouts makeReadouts(
    const TuneConfig& cfg, const NsdBundle& bundle, const TuneModels& models, const torch::Device& device, ProgressSink& sink)
{
    torch::manual_seed(cfg.seed);
    Readouts readouts;
    readouts.activation = cfg.activation;
    for (const auto& roi : bundle.rois) {
        readouts.rois.push_back(roi.name);
        torch::nn::Linear l(models.featureDim, roi.voxels);
        if (models.fromTuned) {
            auto [w, b] = resumeReadout(models.from, cfg.resumeFrom, roi.name, bundle.rois.size(), roi.voxels, models.featureDim);
            torch::NoGradGuard noGrad;
            l->weight.copy_(w);
            l->bias.copy_(b);
            sink.log(LogLevel::Info,
                "readout " + roi.name + " starts from " + cfg.resumeFrom + " (" + std::to_string(roi.voxels) + " voxels, "
                    + std::to_string(models.featureDim) + " features); Adam's moments start fresh");
        }
        l->to(device);
        readouts.layers.push_back(l);
    }
    return readouts;
}

/// What the optimizer updates: the student's parameters (unless its backbone is frozen) and the
/// readouts', under the names the checkpoint stores them by.
Optimizer::NamedParams tuneParams(const TuneConfig& cfg, const TapNet& student, const Readouts& readouts)
{
    Optimizer::NamedParams params;
    if (!cfg.freezeBackbone)
        for (const auto& p : student->named_parameters())
            params.emplace_back(p.key(), p.value());
    for (std::size_t r = 0; r < readouts.layers.size(); ++r) {
        params.emplace_back("readout." + readouts.rois[r] + ".weight", readouts.layers[r]->weight);
        params.emplace_back("readout." + readouts.rois[r] + ".bias", readouts.layers[r]->bias);
    }
    return params;
}

/// The tensors the task trains and validates on.
struct TuneTensors {
    std::vector<torch::Tensor> trainTargets, valTargets; ///< per ROI
    torch::Tensor valImages, clsImages, clsLabels; ///< the cls ones undefined without a classification set
};

/// Responses per ROI, gathered by bundle index so batch indices find their targets; the val and
/// classification images transformed once.
TuneTensors tuneTensors(const TuneConfig& cfg, const TuneBundle& d, const ImageDataset& clsVal)
{
    TuneTensors t;
    for (const auto& roi : d.bundle.rois) {
        const torch::Tensor all
            = torch::from_blob(const_cast<float*>(roi.responses.data()), {d.bundle.count, roi.voxels}, torch::kFloat32);
        t.trainTargets.push_back(all.index_select(0, torch::tensor(d.trainIdx, torch::kInt64)).contiguous());
        t.valTargets.push_back(all.index_select(0, torch::tensor(d.valIdx, torch::kInt64)).contiguous());
    }
    t.valImages = transformAll(d.bundle.images(d.valIdx), cfg.valTransforms);
    if (clsVal.count > 0) {
        t.clsImages = transformAll(clsVal, cfg.valTransforms);
        t.clsLabels = torch::tensor(clsVal.labels, torch::kInt64);
    }
    return t;
}

/// The log's "started:" line (with the ranks and validation shards of a data-parallel run).
std::string startedLine(
    const TuneConfig& cfg, const TuneBundle& d, const TuneModels& models, int threads, const LwfTask& task, std::int64_t clsCount)
{
    Distributed& dist = Distributed::instance();
    std::string ranks;
    if (dist.active()) {
        const auto [valShard, clsShard] = task.shardSizes();
        ranks = ", " + std::to_string(dist.worldSize()) + " ranks (" + dist.backend() + ", batch " + std::to_string(cfg.batchSize)
            + " per rank; validation sharded: " + std::to_string(valShard) + " of " + std::to_string(d.valIdx.size())
            + " val images"
            + (clsCount > 0 ? " and " + std::to_string(clsShard) + " of " + std::to_string(clsCount) + " classification images"
                            : std::string())
            + " on rank 0)";
    }
    return "started: tune " + models.arch + " (" + cfg.baseCheckpoint + ") on " + cfg.bundle + " ROIs " + joinChoices(cfg.rois)
        + ", " + std::to_string(d.trainIdx.size()) + " train / " + std::to_string(d.valIdx.size()) + " val images, readout "
        + std::to_string(models.featureDim) + " features, alpha " + std::to_string(cfg.alpha) + ", device " + cfg.device + ", "
        + std::to_string(threads) + " threads" + ranks;
}

/// The finished run's summary (status message; the log's "finished:" line): the last
/// validation and the best epoch.
std::string finishedLine(const LwfTask& task, int bestEpoch)
{
    const ValOutcome& v = task.last();
    std::string msg = "val pred loss " + strprintf("%.4f", v.pred);
    for (const auto& r : task.roiResults(v))
        msg += ", " + r.roi + " r median " + strprintf("%.3f", r.rMedian);
    if (v.acc >= 0)
        msg += ", acc " + strprintf("%.4f", v.acc);
    return msg + " (best epoch " + std::to_string(bestEpoch) + ")";
}

/// The job's result. A failed or cancelled run keeps the session's outcome (status, reason, the
/// epochs it kept in last.pt) and the best epoch's predictivity; the last validation's figures
/// only come with a run that finished at least one epoch here.
TuneResult tuneResult(const SessionOutcome& o, const LwfTask& task, int bestEpoch)
{
    TuneResult result;
    static_cast<SessionResult&>(result) = o;
    result.bestEpoch = bestEpoch;
    result.best = task.best();
    result.lastTrainLoss = task.lastTrainLoss();
    if (o.status == JobStatus::Finished && o.ranEpochs) {
        const ValOutcome& v = task.last();
        result.lastValPredLoss = v.pred;
        result.lastValKdLoss = v.kd;
        result.lastValAcc = v.acc;
        result.last = task.roiResults(v);
    }
    return result;
}

} // namespace

template <> TuneResult SessionJob<TuneConfig, TuneResult>::run(ProgressSink& sink, const CancelToken& cancel)
{
    const TuneConfig& cfg = m_config;
    // ------------------------------------------------------------ checks before any work
    torch::Device device = resolveDevice(cfg.device);
    checkPrecision(cfg.precision, cfg.device, cfg.origin + ": key 'optimization.precision'");
    Distributed& dist = Distributed::instance();
    dist.init(cfg.distributed, device.is_cuda());
    device = dataParallelDevice(device);
    const int threads = configureThreads(dataParallelThreads(cfg.threads));
    TrainingSession::checkRunDir(m_runDir, m_resume);
    for (const auto& n : cfg.notices)
        sink.log(LogLevel::Notice, n);

    const TuneBundle data = loadTuneBundle(cfg, sink);
    TuneModels models = loadTuneModels(cfg, m_resume);
    // A model of another input size (alexnet, resnet50: 224) sees its own size, as in eval and
    // analyze: a transform whose images are not that size resizes to it (a random crop of the
    // old side scales with it).
    fitTuneTransforms(m_config, models.arch, data.bundle.height, sink);
    probeModels(cfg, data.bundle.height, models);
    const ImageDataset clsVal = loadClassificationVal(cfg, models, sink);
    const ImageDataset rehearsalData = loadRehearsal(cfg, models.numClasses, sink);

    // ------------------------------------------------------------ setup
    placeModels(cfg, device, models);
    Readouts readouts = makeReadouts(cfg, data.bundle, models, device, sink);
    const Optimizer::NamedParams params = tuneParams(cfg, models.student, readouts);
    Optimizer optimizer(cfg.optimizer, params);
    if (dist.active() && cfg.distributed.syncBatchNorm)
        setBatchNormSync(*models.student, [](const torch::Tensor& t) { return Distributed::instance().allReduceSumAutograd(t); });
    const ImageDataset trainImages = data.bundle.images(data.trainIdx);
    const TuneTensors tensors = tuneTensors(cfg, data, clsVal);
    BatchLoader loader(trainImages, cfg.trainTransforms, trainLoaderOptions(cfg.batchSize, cfg.seed, cfg.numWorkers));

    LwfTask task({cfg, data.bundle, models.student, models.teacher, readouts, tensors.trainTargets, tensors.valTargets,
        tensors.valImages, tensors.clsImages, tensors.clsLabels, device, m_runDir, models.arch, models.featureDim,
        cfg.rehearsal.enabled() ? &rehearsalData : nullptr});
    TrainingSession session(tuneSessionSpec(cfg, m_runDir, m_resume, models.arch, stepsPerEpoch(loader, cfg.maxStepsPerEpoch)),
        task, optimizer, params, sink);
    if (!session.resumed())
        session.begin(runYamlText(tuneConfigToYaml(cfg), "tune"), startedLine(cfg, data, models, threads, task, clsVal.count));
    auto bestEpoch = [&session] { return static_cast<int>(session.bestEpoch(RunLayout::kBestRCheckpoint)); };
    const SessionOutcome o = session.run(
        loader, cancel, [&] { return finishedLine(task, bestEpoch()); },
        [&] {
            return std::map<std::string, std::string> {{"best_epoch", std::to_string(bestEpoch())}};
        });
    return tuneResult(o, task, bestEpoch());
}

} // namespace repalign
