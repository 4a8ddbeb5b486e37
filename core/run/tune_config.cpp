#include "run/tune_config.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/precision.h"
#include "models/registry.h"
#include "run/config_yaml.h"
#include "run/dataspec.h"
#include "run/yaml_util.h"

#include <sstream>

namespace repalign {

using yamlutil::Ctx;

namespace {

const std::array<double, 3> kCifarMean {{0.4914, 0.4822, 0.4465}};
const std::array<double, 3> kCifarStd {{0.2470, 0.2435, 0.2616}};

TransformConfig referenceTrain()
{
    TransformConfig t;
    t.resize = 32;
    t.cropSize = 32;
    t.padding = 4;
    t.horizontalFlip = true;
    t.mean = kCifarMean;
    t.std = kCifarStd;
    return t;
}

TransformConfig referenceVal()
{
    TransformConfig t;
    t.resize = 32;
    t.mean = kCifarMean;
    t.std = kCifarStd;
    return t;
}

} // namespace

TuneConfig::TuneConfig()
    : trainTransforms(referenceTrain())
    , valTransforms(referenceVal())
{
    optimizer.type = "adam";
    optimizer.lr = 1e-3; // torch.optim.Adam's default: the notebook gives no lr (its first step's rate)
    optimizer.weightDecay = 0.01;
    schedule.type = "constant";
    schedule.baseLr = 1e-4;
    schedule.lrInit = 1e-4; // lr_scheduling_params.lr_init: the rate from the second step on
}

TuneConfig parseTuneConfig(
    const std::string& text, const std::string& origin, const std::vector<std::string>& overrides, const std::string& baseDir)
{
    YAML::Node root = yamlutil::parse(text, origin);
    for (const auto& o : overrides)
        yamlutil::applyOverride(root, o, origin);
    Ctx c {root, "", origin};
    c.allowOnly({"system", "base", "bundle", "rois", "tap", "readout", "alpha", "train_transforms", "val_transforms",
        "optimization", "classification_val", "classification_max_images", "rehearsal", "seed", "logging", "resume_from"});
    TuneConfig cfg;
    cfg.origin = origin;

    parseSystem(c, cfg);

    Ctx base = c.child("base");
    base.allowOnly({"checkpoint", "model", "key"});
    cfg.baseCheckpoint = yamlutil::resolvePath(base.str("checkpoint", ""), baseDir);
    if (cfg.baseCheckpoint.empty())
        throw Error(origin + ": key 'base.checkpoint' is required (the baseline classifier to tune)");
    cfg.baseModel = base.str("model", "");
    if (!cfg.baseModel.empty() && !isModelName(cfg.baseModel))
        throw Error(
            base.where("model") + " has invalid value '" + cfg.baseModel + "' (valid: " + joinChoices(modelNames()) + ")");
    cfg.baseKey = base.str("key", "");

    cfg.bundle = yamlutil::resolvePath(c.str("bundle", ""), baseDir);
    cfg.resumeFrom = yamlutil::resolvePath(c.str("resume_from", ""), baseDir);
    if (cfg.bundle.empty())
        throw Error(origin + ": key 'bundle' is required (an NSD bundle from repalign-cli nsd import / nsd synth)");
    cfg.rois = c.strList("rois", cfg.rois);
    if (cfg.rois.empty())
        throw Error(c.where("rois") + " must name at least one ROI");
    for (std::size_t i = 0; i < cfg.rois.size(); ++i)
        for (std::size_t j = i + 1; j < cfg.rois.size(); ++j)
            if (cfg.rois[i] == cfg.rois[j])
                throw Error(c.where("rois") + " names '" + cfg.rois[i] + "' twice");
    cfg.tap = c.str("tap", cfg.tap);

    Ctx ro = c.child("readout");
    ro.allowOnly({"pooling", "activation", "freeze_backbone"});
    cfg.pooling = ro.choice("pooling", "flatten", {"flatten", "mean"});
    cfg.activation = ro.choice("activation", "none", {"none", "elu1"});
    cfg.freezeBackbone = ro.boolean("freeze_backbone", false);
    cfg.alpha = c.positive("alpha", 1.0, /*allowZero=*/true);

    cfg.trainTransforms = parseTransforms(c.child("train_transforms"), cfg.trainTransforms, /*minResize=*/8);
    cfg.valTransforms = parseTransforms(c.child("val_transforms"), cfg.valTransforms, /*minResize=*/8);

    Ctx opt = c.child("optimization");
    opt.allowOnly({"epochs", "batch_size", "optimizer", "optimizer_params", "lr_scheduling", "lr_scheduling_params",
        "first_step_lr", "max_steps_per_epoch", "precision"});
    cfg.epochs = static_cast<int>(opt.integer("epochs", 10, 1, 100000));
    cfg.batchSize = static_cast<int>(opt.integer("batch_size", 128, 1, 65536));
    cfg.maxStepsPerEpoch = opt.integer("max_steps_per_epoch", 0, 0, 1LL << 40);
    cfg.precision = opt.choice("precision", "fp32", precisionNames());
    cfg.optimizer = parseOptimizer(opt, cfg.optimizer); // defaults: the reference's Adam 1e-4, L2 0.01
    // The notebook builds Adam without an lr (torch's 1e-3, the first step's rate) and sets the
    // constant 1e-4 through lr_init; an explicit optimizer_params.lr is the constant rate instead.
    const bool lrGiven = opt.child("optimizer_params").has("lr");
    cfg.schedule = parseSchedule(opt, cfg.optimizer.lr, cfg.epochs, lrGiven ? 0.0 : TuneConfig().schedule.lrInit);

    cfg.classificationVal = c.str("classification_val", "auto");
    if (cfg.classificationVal != "auto" && cfg.classificationVal != "none") {
        try {
            parseDataSpec(cfg.classificationVal);
        } catch (const Error& e) {
            throw Error(c.where("classification_val") + ": " + e.what() + " (or auto, none)");
        }
    }
    cfg.classificationMaxImages = c.integer("classification_max_images", 0, 0, 1LL << 40);
    Ctx reh = c.child("rehearsal");
    reh.allowOnly({"data", "weight", "batch_size"});
    cfg.rehearsal.data = reh.str("data", "");
    if (!cfg.rehearsal.data.empty()) {
        try {
            parseDataSpec(cfg.rehearsal.data);
        } catch (const Error& e) {
            throw Error(reh.where("data") + ": " + e.what());
        }
    }
    cfg.rehearsal.weight = reh.positive("weight", 0.0, /*allowZero=*/true);
    cfg.rehearsal.batchSize = static_cast<int>(reh.integer("batch_size", 0, 0, 65536));
    if (cfg.rehearsal.weight > 0 && cfg.rehearsal.data.empty())
        throw Error(reh.where("data")
            + " is required when rehearsal.weight is above 0 (the original task's data spec, e.g. "
              "cifar10:data)");
    cfg.seed = static_cast<std::uint64_t>(c.integer("seed", 0, 0, 1LL << 62));
    Ctx log = c.child("logging");
    log.allowOnly({"wandb", "save_dir"});
    if (log.boolean("wandb", false))
        cfg.notices.push_back(
            origin + ": logging.wandb is accepted and ignored (metrics go to metrics.csv in the run directory)");
    return cfg;
}

TuneConfig loadTuneConfig(const std::string& path, const std::vector<std::string>& overrides)
{
    if (!fileExists(path))
        throw Error("config file " + path + " does not exist");
    const auto slash = path.find_last_of('/');
    return parseTuneConfig(
        readFileText(path), path, overrides, slash == std::string::npos ? std::string() : path.substr(0, slash));
}

std::string tuneConfigToYaml(const TuneConfig& c)
{
    std::ostringstream o;
    o.precision(17);
    o << "system:\n  device: " << c.device << "\n  num_workers: " << c.numWorkers << "\n  threads: " << c.threads << "\n";
    emitDistributed(o, c.distributed);
    o << "\n";
    o << "base:\n  checkpoint: " << yamlutil::quote(c.baseCheckpoint) << "\n";
    if (!c.baseModel.empty())
        o << "  model: " << c.baseModel << "\n";
    if (!c.baseKey.empty())
        o << "  key: " << yamlutil::quote(c.baseKey) << "\n";
    o << "bundle: " << yamlutil::quote(c.bundle) << "\n";
    if (!c.resumeFrom.empty())
        o << "resume_from: " << yamlutil::quote(c.resumeFrom) << "\n";
    o << "rois: [";
    for (std::size_t i = 0; i < c.rois.size(); ++i)
        o << (i ? ", " : "") << yamlutil::quote(c.rois[i]);
    o << "]\ntap: " << c.tap << "\n";
    o << "readout:\n  pooling: " << c.pooling << "\n  activation: " << c.activation
      << "\n  freeze_backbone: " << (c.freezeBackbone ? "true" : "false") << "\n";
    o << "alpha: " << c.alpha << "\n\n";
    emitTransforms(o, "train_transforms", c.trainTransforms);
    emitTransforms(o, "val_transforms", c.valTransforms);
    o << "\noptimization:\n  epochs: " << c.epochs << "\n  batch_size: " << c.batchSize << "\n";
    if (c.maxStepsPerEpoch > 0)
        o << "  max_steps_per_epoch: " << c.maxStepsPerEpoch << "\n";
    if (c.precision != "fp32")
        o << "  precision: " << c.precision << "\n";
    emitOptimizerAndSchedule(o, c.optimizer, c.schedule);
    o << "\nclassification_val: " << yamlutil::quote(c.classificationVal) << "\n";
    if (c.classificationMaxImages > 0)
        o << "classification_max_images: " << c.classificationMaxImages << "\n";
    if (!c.rehearsal.data.empty() || c.rehearsal.weight > 0)
        o << "rehearsal:\n  data: " << yamlutil::quote(c.rehearsal.data) << "\n  weight: " << c.rehearsal.weight
          << "\n  batch_size: " << c.rehearsal.batchSize << "\n";
    o << "seed: " << c.seed << "\n";
    return o.str();
}

} // namespace repalign
