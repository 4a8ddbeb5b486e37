#pragma once
/// @file tuner.h
/// Neural fine-tuning with Learning without Forgetting as a core job (no LibTorch types here).
///
/// The student (a copy of the base) and one linear readout per ROI learn
///   loss = MSE(readout(tap(student(x))), responses) + alpha * KL(student || teacher),
/// the KL term computed as KLDiv(log_softmax(student logits), log_softmax(teacher logits),
/// log_target=True, reduction=batchmean); the teacher is the frozen base in eval mode.
/// With several ROIs the prediction loss is the mean of the per-ROI MSEs.
///
/// Run directory: run.yaml, metrics.csv (per epoch: train/val pred_loss, kd_loss, loss;
/// val acc; val <ROI>.r_median / <ROI>.r_mean / <ROI>.nc_median), status.json, log.txt,
/// checkpoints/{last,best_loss,best_acc}.pt (classifier checkpoints with
/// extraTensors "readout.<ROI>.weight"/"readout.<ROI>.bias"), and predictivity.h5 with the
/// per-voxel r of the best epoch (/r/<ROI>, /normalized/<ROI>; attribute epoch).
#include "common/progress.h"
#include "run/job.h"
#include "run/tune_config.h"

#include <map>
#include <string>
#include <vector>

namespace repalign {

struct TuneRoiResult {
    std::string roi;
    double rMedian = 0, rMean = 0;
    double normalizedMedian = -1; ///< negative when the bundle has no noise ceiling
};

struct TuneResult : SessionResult {
    double lastTrainLoss = 0, lastValPredLoss = 0, lastValKdLoss = 0;
    double lastValAcc = -1; ///< negative when no classification val data
    int bestEpoch = 0; ///< epoch of the best mean val r (1-based)
    std::vector<TuneRoiResult> last; ///< val predictivity after the last epoch
    std::vector<TuneRoiResult> best; ///< at the best epoch
};

/// Fine-tunes the base checkpoint (train/job.h says what run() does and throws).
using TuneJob = SessionJob<TuneConfig, TuneResult>;
template <> TuneResult SessionJob<TuneConfig, TuneResult>::run(ProgressSink& sink, const CancelToken& cancel);

/// The reference LwF loss on one batch, for tests and tools: returns {pred, kd, total} where
/// pred = MSE mean over all elements, kd = sum(softmax(t) * (log_softmax(t) - log_softmax(s))) / B.
/// @p pred/@p target are [B,V], @p student/@p teacher logits [B,C], all row-major.
struct LwfLoss {
    double pred = 0, kd = 0, total = 0;
};
LwfLoss lwfLoss(const std::vector<float>& pred, const std::vector<float>& target, const std::vector<float>& studentLogits,
    const std::vector<float>& teacherLogits, std::int64_t batch, std::int64_t classes, double alpha);

} // namespace repalign
