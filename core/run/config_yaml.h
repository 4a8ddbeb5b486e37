#pragma once
// Core-internal: the YAML blocks the training and tuning configs share (transforms,
// optimizer, LR schedule), parsed strictly and written back in the reference schema.
#include "run/config.h"
#include "run/yaml_util.h"

#include <ostream>

namespace repalign {

/// A `train_transforms` / `val_transforms` block; missing keys keep @p def's values.
/// @p minResize: smallest accepted `resize` (-1 allows "keep the size").
TransformConfig parseTransforms(const yamlutil::Ctx& c, const TransformConfig& def, int minResize = -1);
void emitTransforms(std::ostream& o, const char* name, const TransformConfig& t);

/// `optimization.optimizer` + `optimizer_params`; @p def gives the type and value defaults.
OptimizerConfig parseOptimizer(const yamlutil::Ctx& optimization, const OptimizerConfig& def);
/// `optimization.lr_scheduling` + `lr_scheduling_params` + `first_step_lr` (base_lr defaults to
/// the optimizer's lr, max_steps to @p epochs; a constant schedule's lr_init to @p defaultLrInit,
/// 0 meaning the optimizer's lr).
ScheduleConfig parseSchedule(const yamlutil::Ctx& optimization, double lr, int epochs, double defaultLrInit = 0);
/// The optimizer and schedule keys, indented under `optimization:`.
void emitOptimizerAndSchedule(std::ostream& o, const OptimizerConfig& opt, const ScheduleConfig& schedule);

/// The data-parallel keys of the `system` block, written only when they differ from the
/// defaults (single-process configs read as before).
inline void emitDistributed(std::ostream& o, const DistributedConfig& d)
{
    if (d.isDefault())
        return;
    o << "  distributed: " << d.mode << "\n  backend: " << d.backend
      << "\n  sync_batchnorm: " << (d.syncBatchNorm ? "true" : "false") << "\n  dist_timeout: " << d.timeoutSeconds << "\n";
}

} // namespace repalign
