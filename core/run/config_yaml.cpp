#include "run/config_yaml.h"
#include "common/error.h"

namespace repalign {

using yamlutil::Ctx;

TransformConfig parseTransforms(const Ctx& c, const TransformConfig& def, int minResize)
{
    c.allowOnly({"resize", "random_crop", "horizontal_flip", "norm_mean", "norm_std"});
    TransformConfig t = def;
    t.resize = static_cast<int>(c.integer("resize", def.resize, minResize, 4096));
    if (t.resize == 0)
        throw Error(c.where("resize") + " must be -1 (keep size) or a positive side length");
    if (c.has("random_crop")) {
        Ctx crop = c.child("random_crop");
        crop.allowOnly({"size", "padding"});
        t.cropSize = static_cast<int>(crop.integer("size", 0, 0, 4096));
        t.padding = static_cast<int>(crop.integer("padding", 0, 0, 256));
    }
    t.horizontalFlip = c.boolean("horizontal_flip", def.horizontalFlip);
    const auto mean = c.numList("norm_mean", {def.mean[0], def.mean[1], def.mean[2]}, 3);
    const auto std = c.numList("norm_std", {def.std[0], def.std[1], def.std[2]}, 3);
    for (int i = 0; i < 3; ++i) {
        if (std[i] <= 0)
            throw Error(c.where("norm_std") + " values must be positive");
        t.mean[i] = mean[i];
        t.std[i] = std[i];
    }
    return t;
}

void emitTransforms(std::ostream& o, const char* name, const TransformConfig& t)
{
    const auto prec = o.precision(17);
    o << name << ":\n  resize: " << t.resize << "\n";
    if (t.cropSize > 0)
        o << "  random_crop:\n    size: " << t.cropSize << "\n    padding: " << t.padding << "\n";
    else
        o << "  random_crop: {}\n";
    o << "  horizontal_flip: " << (t.horizontalFlip ? "True" : "False") << "\n";
    o << "  norm_mean: [" << t.mean[0] << ", " << t.mean[1] << ", " << t.mean[2] << "]\n"
      << "  norm_std: [" << t.std[0] << ", " << t.std[1] << ", " << t.std[2] << "]\n";
    o.precision(prec);
}

OptimizerConfig parseOptimizer(const Ctx& optimization, const OptimizerConfig& def)
{
    OptimizerConfig o = def;
    o.type = optimization.choice("optimizer", def.type, {"sgd", "adam"});
    Ctx op = optimization.child("optimizer_params");
    op.allowOnly({"lr", "momentum", "weight_decay", "nesterov", "dampening", "betas", "eps"});
    const double defaultLr = o.type == def.type ? def.lr : (o.type == "adam" ? 1e-3 : 0.01);
    o.lr = op.positive("lr", defaultLr);
    o.momentum = op.positive("momentum", def.momentum, true);
    o.weightDecay = op.positive("weight_decay", def.weightDecay, true);
    o.nesterov = op.boolean("nesterov", def.nesterov);
    o.dampening = op.positive("dampening", def.dampening, true);
    const auto betas = op.numList("betas", {def.beta1, def.beta2}, 2);
    o.beta1 = betas[0];
    o.beta2 = betas[1];
    o.eps = op.positive("eps", def.eps);
    if (o.type == "adam" && (op.has("momentum") || op.has("nesterov") || op.has("dampening")))
        throw Error(
            op.where("momentum") + ": momentum/nesterov/dampening do not apply to adam (valid: lr, weight_decay, betas, eps)");
    if (o.type == "sgd" && o.nesterov && (o.momentum <= 0 || o.dampening != 0))
        throw Error(op.where("nesterov") + ": nesterov needs momentum > 0 and dampening 0");
    return o;
}

ScheduleConfig parseSchedule(const Ctx& optimization, double lr, int epochs, double defaultLrInit)
{
    ScheduleConfig s;
    s.type = optimization.choice("lr_scheduling", "constant", {"constant", "linear_warmup_cosine_decay"});
    s.firstStepLr = optimization.choice("first_step_lr", "reference", {"reference", "schedule"});
    Ctx sp = optimization.child("lr_scheduling_params");
    sp.allowOnly({"warmup_start_lr", "base_lr", "warmup_steps", "max_steps", "eta_min", "lr_init"});
    // The reference's constant schedule: lr_init is the rate; without it the optimizer's lr.
    if (sp.has("lr_init") && s.type != "constant")
        throw Error(sp.where("lr_init") + " applies to lr_scheduling: constant (valid for " + s.type
            + ": warmup_start_lr, base_lr, warmup_steps, max_steps, eta_min)");
    s.lrInit = sp.has("lr_init") ? sp.positive("lr_init", 1.0) : (s.type == "constant" ? defaultLrInit : 0);
    s.warmupStartLr = sp.positive("warmup_start_lr", 1e-8, true);
    s.baseLr = sp.positive("base_lr", lr);
    s.warmupEpochs = sp.positive("warmup_steps", 0, true);
    s.maxEpochs = sp.positive("max_steps", epochs);
    s.etaMin = sp.positive("eta_min", 1e-8, true);
    if (s.type == "linear_warmup_cosine_decay" && s.warmupEpochs >= s.maxEpochs)
        throw Error(sp.where("warmup_steps") + " must be smaller than max_steps");
    return s;
}

void emitOptimizerAndSchedule(std::ostream& o, const OptimizerConfig& c, const ScheduleConfig& s)
{
    const auto prec = o.precision(17);
    o << "  optimizer: " << c.type << "\n  optimizer_params:\n    lr: " << c.lr << "\n";
    if (c.type == "sgd")
        o << "    momentum: " << c.momentum << "\n    nesterov: " << (c.nesterov ? "True" : "False")
          << "\n    dampening: " << c.dampening << "\n";
    else
        o << "    betas: [" << c.beta1 << ", " << c.beta2 << "]\n    eps: " << c.eps << "\n";
    o << "    weight_decay: " << c.weightDecay << "\n";
    o << "  lr_scheduling: " << s.type << "\n  first_step_lr: " << s.firstStepLr << "\n";
    if (s.type == "constant" && s.lrInit > 0)
        o << "  lr_scheduling_params:\n    lr_init: " << s.lrInit << "\n";
    if (s.type == "linear_warmup_cosine_decay")
        o << "  lr_scheduling_params:\n    warmup_start_lr: " << s.warmupStartLr << "\n    base_lr: " << s.baseLr
          << "\n    warmup_steps: " << s.warmupEpochs << "\n    max_steps: " << s.maxEpochs << "\n    eta_min: " << s.etaMin
          << "\n";
    o.precision(prec);
}

} // namespace repalign
