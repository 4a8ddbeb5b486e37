#include "train/schedule.h"

#include <algorithm>
#include <cmath>

namespace repalign {

double learningRate(const ScheduleConfig& s, std::int64_t step, std::int64_t stepsPerEpoch, double constantLr)
{
    if (s.type != "linear_warmup_cosine_decay")
        return constantLr;
    const double W = std::round(s.warmupEpochs * static_cast<double>(stepsPerEpoch));
    const double M = std::round(s.maxEpochs * static_cast<double>(stepsPerEpoch));
    const double t = static_cast<double>(step);
    if (t < W)
        return s.warmupStartLr + t * (s.baseLr - s.warmupStartLr) / std::max(1.0, W - 1.0);
    if (t >= M || M <= W)
        return s.etaMin;
    return s.etaMin + 0.5 * (s.baseLr - s.etaMin) * (1.0 + std::cos(M_PI * (t - W) / (M - W)));
}

} // namespace repalign
