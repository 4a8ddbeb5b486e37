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
/// clamped to eta_min from t = M on. constant: lr_init (ScheduleConfig::lrInit), or
/// @p optimizerLr when it is not set.
///
/// Step 0 with `first_step_lr: reference` (the default) runs at @p optimizerLr, the rate the
/// optimizer was built with: the reference calls optimizer.step() before its scheduler sets a
/// rate, so its first step uses optimizer_params.lr (Adam's default 1e-3 in the notebook) and
/// step k the schedule's value for k. `first_step_lr: schedule` uses the schedule from step 0.
double learningRate(const ScheduleConfig& schedule, std::int64_t step, std::int64_t stepsPerEpoch, double optimizerLr);

/// The schedule's own value at @p step, without the first-step rule above.
double scheduledLearningRate(const ScheduleConfig& schedule, std::int64_t step, std::int64_t stepsPerEpoch, double optimizerLr);

} // namespace repalign
