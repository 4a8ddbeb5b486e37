#pragma once
// Core-internal: the YAML blocks the training and tuning configs share (transforms,
// optimizer, LR schedule), parsed strictly and written back in the reference schema.
#include "run/config.h"
#include "run/yaml_util.h"

#include "common/error.h"

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

/// The `system` block both configs share (device, num_workers, threads) into @p cfg's fields
/// of the same names.
template <class Config> void parseSystem(const yamlutil::Ctx& root, Config& cfg)
{
    const yamlutil::Ctx sys = root.child("system");
    sys.allowOnly({"device", "num_workers", "threads", "distributed", "backend", "sync_batchnorm", "dist_timeout"});
    cfg.device = sys.str("device", "cpu");
    if (cfg.device != "cpu" && cfg.device != "cuda" && cfg.device.rfind("cuda:", 0) != 0)
        throw Error(sys.where("device") + " has invalid value '" + cfg.device + "' (valid: cpu, cuda, cuda:N)");
    cfg.numWorkers = static_cast<int>(sys.integer("num_workers", 2, 0, 256));
    cfg.threads = static_cast<int>(sys.integer("threads", 0, 0, 1024));
    cfg.distributed.mode = sys.choice("distributed", "auto", {"auto", "off"});
    cfg.distributed.backend = sys.choice("backend", "auto", {"auto", "gloo", "nccl"});
    cfg.distributed.syncBatchNorm = sys.boolean("sync_batchnorm", false);
    cfg.distributed.timeoutSeconds = static_cast<int>(sys.integer("dist_timeout", 600, 1, 86400));
}

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
