#include "train/schedule.h"

#include <algorithm>
#include <cmath>

namespace repalign {

double scheduledLearningRate(const ScheduleConfig& s, std::int64_t step, std::int64_t stepsPerEpoch, double optimizerLr)
{
    if (s.type != "linear_warmup_cosine_decay")
        return s.lrInit > 0 ? s.lrInit : optimizerLr;
    const double W = std::round(s.warmupEpochs * static_cast<double>(stepsPerEpoch));
    const double M = std::round(s.maxEpochs * static_cast<double>(stepsPerEpoch));
    const double t = static_cast<double>(step);
    if (t < W)
        return s.warmupStartLr + t * (s.baseLr - s.warmupStartLr) / std::max(1.0, W - 1.0);
    if (t >= M || M <= W)
        return s.etaMin;
    return s.etaMin + 0.5 * (s.baseLr - s.etaMin) * (1.0 + std::cos(M_PI * (t - W) / (M - W)));
}

double learningRate(const ScheduleConfig& s, std::int64_t step, std::int64_t stepsPerEpoch, double optimizerLr)
{
    if (step == 0 && s.firstStepLr == "reference")
        return optimizerLr;
    return scheduledLearningRate(s, step, stepsPerEpoch, optimizerLr);
}

} // namespace repalign
