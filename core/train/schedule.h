#pragma once
/// @file schedule.h
#include "run/config.h"

#include <cstdint>

namespace repalign {

/// Learning rate for the optimizer step @p step (0-based, counted over the whole run), with
/// the reference's per-step semantics: warm-up and max given in epochs and multiplied by
/// @p stepsPerEpoch. linear_warmup_cosine_decay (as pl_bolts' LinearWarmupCosineAnnealingLR):
///   t < W:  warmup_start_lr + t * (base_lr - warmup_start_lr) / max(1, W - 1)
///   t >= W: eta_min + (base_lr - eta_min) * (1 + cos(pi * (t - W) / (M - W))) / 2
/// clamped to eta_min from t = M on. constant: @p constantLr.
double learningRate(const ScheduleConfig& schedule, std::int64_t step, std::int64_t stepsPerEpoch, double constantLr);

} // namespace repalign
