#include "train/tune_config.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "data/dataset.h"
#include "models/registry.h"
#include "train/yaml_util.h"

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

TransformConfig parseTransforms(const Ctx& c, const TransformConfig& def)
{
    c.allowOnly({"resize", "random_crop", "horizontal_flip", "norm_mean", "norm_std"});
    TransformConfig t = def;
    t.resize = static_cast<int>(c.integer("resize", def.resize, 8, 4096));
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

void emitTransforms(std::ostringstream& o, const char* name, const TransformConfig& t)
{
    o << name << ":\n  resize: " << t.resize << "\n";
    if (t.cropSize > 0)
        o << "  random_crop:\n    size: " << t.cropSize << "\n    padding: " << t.padding << "\n";
    else
        o << "  random_crop: {}\n";
    o << "  horizontal_flip: " << (t.horizontalFlip ? "True" : "False") << "\n";
    o << "  norm_mean: [" << t.mean[0] << ", " << t.mean[1] << ", " << t.mean[2] << "]\n"
      << "  norm_std: [" << t.std[0] << ", " << t.std[1] << ", " << t.std[2] << "]\n";
}

std::string resolvePath(const std::string& p, const std::string& baseDir)
{
    if (p.empty() || p[0] == '/' || baseDir.empty())
        return p;
    return baseDir + "/" + p;
}

std::string yamlQuote(const std::string& s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

} // namespace

TuneConfig::TuneConfig()
    : trainTransforms(referenceTrain())
    , valTransforms(referenceVal())
{
    optimizer.type = "adam";
    optimizer.lr = 1e-4;
    optimizer.weightDecay = 0.01;
    schedule.type = "constant";
    schedule.baseLr = 1e-4;
}

TuneConfig parseTuneConfig(
    const std::string& text, const std::string& origin, const std::vector<std::string>& overrides, const std::string& baseDir)
{
    YAML::Node root = yamlutil::parse(text, origin);
    for (const auto& o : overrides)
        yamlutil::applyOverride(root, o, origin);
    Ctx c {root, "", origin};
    c.allowOnly({"system", "base", "bundle", "rois", "tap", "readout", "alpha", "train_transforms", "val_transforms",
        "optimization", "classification_val", "classification_max_images", "seed", "logging"});
    TuneConfig cfg;
    cfg.origin = origin;

    Ctx sys = c.child("system");
    sys.allowOnly({"device", "num_workers", "threads"});
    cfg.device = sys.str("device", "cpu");
    if (cfg.device != "cpu" && cfg.device != "cuda" && cfg.device.rfind("cuda:", 0) != 0)
        throw Error(sys.where("device") + " has invalid value '" + cfg.device + "' (valid: cpu, cuda, cuda:N)");
    cfg.numWorkers = static_cast<int>(sys.integer("num_workers", 2, 0, 256));
    cfg.threads = static_cast<int>(sys.integer("threads", 0, 0, 1024));

    Ctx base = c.child("base");
    base.allowOnly({"checkpoint", "model", "key"});
    cfg.baseCheckpoint = resolvePath(base.str("checkpoint", ""), baseDir);
    if (cfg.baseCheckpoint.empty())
        throw Error(origin + ": key 'base.checkpoint' is required (the baseline classifier to tune)");
    cfg.baseModel = base.str("model", "");
    if (!cfg.baseModel.empty() && !isModelName(cfg.baseModel))
        throw Error(
            base.where("model") + " has invalid value '" + cfg.baseModel + "' (valid: " + joinChoices(modelNames()) + ")");
    cfg.baseKey = base.str("key", "");

    cfg.bundle = resolvePath(c.str("bundle", ""), baseDir);
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

    cfg.trainTransforms = parseTransforms(c.child("train_transforms"), cfg.trainTransforms);
    cfg.valTransforms = parseTransforms(c.child("val_transforms"), cfg.valTransforms);

    Ctx opt = c.child("optimization");
    opt.allowOnly({"epochs", "batch_size", "optimizer", "optimizer_params", "lr_scheduling", "lr_scheduling_params",
        "max_steps_per_epoch"});
    cfg.epochs = static_cast<int>(opt.integer("epochs", 10, 1, 100000));
    cfg.batchSize = static_cast<int>(opt.integer("batch_size", 128, 1, 65536));
    cfg.maxStepsPerEpoch = opt.integer("max_steps_per_epoch", 0, 0, 1LL << 40);
    cfg.optimizer.type = opt.choice("optimizer", "adam", {"adam", "sgd"});
    Ctx op = opt.child("optimizer_params");
    op.allowOnly({"lr", "momentum", "weight_decay", "nesterov", "dampening", "betas", "eps"});
    cfg.optimizer.lr = op.positive("lr", 1e-4);
    cfg.optimizer.weightDecay = op.positive("weight_decay", 0.01, true);
    cfg.optimizer.momentum = op.positive("momentum", 0.0, true);
    cfg.optimizer.nesterov = op.boolean("nesterov", false);
    cfg.optimizer.dampening = op.positive("dampening", 0.0, true);
    const auto betas = op.numList("betas", {0.9, 0.999}, 2);
    cfg.optimizer.beta1 = betas[0];
    cfg.optimizer.beta2 = betas[1];
    cfg.optimizer.eps = op.positive("eps", 1e-8);
    if (cfg.optimizer.type == "adam" && (op.has("momentum") || op.has("nesterov") || op.has("dampening")))
        throw Error(
            op.where("momentum") + ": momentum/nesterov/dampening do not apply to adam (valid: lr, weight_decay, betas, eps)");
    if (cfg.optimizer.type == "sgd" && cfg.optimizer.nesterov && (cfg.optimizer.momentum <= 0 || cfg.optimizer.dampening != 0))
        throw Error(op.where("nesterov") + ": nesterov needs momentum > 0 and dampening 0");
    cfg.schedule.type = opt.choice("lr_scheduling", "constant", {"constant", "linear_warmup_cosine_decay"});
    Ctx sp = opt.child("lr_scheduling_params");
    sp.allowOnly({"warmup_start_lr", "base_lr", "warmup_steps", "max_steps", "eta_min"});
    cfg.schedule.warmupStartLr = sp.positive("warmup_start_lr", 1e-8, true);
    cfg.schedule.baseLr = sp.positive("base_lr", cfg.optimizer.lr);
    cfg.schedule.warmupEpochs = sp.positive("warmup_steps", 0, true);
    cfg.schedule.maxEpochs = sp.positive("max_steps", cfg.epochs);
    cfg.schedule.etaMin = sp.positive("eta_min", 1e-8, true);
    if (cfg.schedule.type == "linear_warmup_cosine_decay" && cfg.schedule.warmupEpochs >= cfg.schedule.maxEpochs)
        throw Error(sp.where("warmup_steps") + " must be smaller than max_steps");

    cfg.classificationVal = c.str("classification_val", "auto");
    if (cfg.classificationVal != "auto" && cfg.classificationVal != "none") {
        try {
            parseDataSpec(cfg.classificationVal);
        } catch (const Error& e) {
            throw Error(c.where("classification_val") + ": " + e.what() + " (or auto, none)");
        }
    }
    cfg.classificationMaxImages = c.integer("classification_max_images", 0, 0, 1LL << 40);
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
    o << "system:\n  device: " << c.device << "\n  num_workers: " << c.numWorkers << "\n  threads: " << c.threads << "\n\n";
    o << "base:\n  checkpoint: " << yamlQuote(c.baseCheckpoint) << "\n";
    if (!c.baseModel.empty())
        o << "  model: " << c.baseModel << "\n";
    if (!c.baseKey.empty())
        o << "  key: " << yamlQuote(c.baseKey) << "\n";
    o << "bundle: " << yamlQuote(c.bundle) << "\n";
    o << "rois: [";
    for (std::size_t i = 0; i < c.rois.size(); ++i)
        o << (i ? ", " : "") << yamlQuote(c.rois[i]);
    o << "]\ntap: " << c.tap << "\n";
    o << "readout:\n  pooling: " << c.pooling << "\n  activation: " << c.activation
      << "\n  freeze_backbone: " << (c.freezeBackbone ? "true" : "false") << "\n";
    o << "alpha: " << c.alpha << "\n\n";
    emitTransforms(o, "train_transforms", c.trainTransforms);
    emitTransforms(o, "val_transforms", c.valTransforms);
    o << "\noptimization:\n  epochs: " << c.epochs << "\n  batch_size: " << c.batchSize << "\n";
    if (c.maxStepsPerEpoch > 0)
        o << "  max_steps_per_epoch: " << c.maxStepsPerEpoch << "\n";
    o << "  optimizer: " << c.optimizer.type << "\n  optimizer_params:\n    lr: " << c.optimizer.lr << "\n";
    if (c.optimizer.type == "sgd")
        o << "    momentum: " << c.optimizer.momentum << "\n    nesterov: " << (c.optimizer.nesterov ? "True" : "False")
          << "\n    dampening: " << c.optimizer.dampening << "\n";
    else
        o << "    betas: [" << c.optimizer.beta1 << ", " << c.optimizer.beta2 << "]\n    eps: " << c.optimizer.eps << "\n";
    o << "    weight_decay: " << c.optimizer.weightDecay << "\n";
    o << "  lr_scheduling: " << c.schedule.type << "\n";
    if (c.schedule.type == "linear_warmup_cosine_decay")
        o << "  lr_scheduling_params:\n    warmup_start_lr: " << c.schedule.warmupStartLr
          << "\n    base_lr: " << c.schedule.baseLr << "\n    warmup_steps: " << c.schedule.warmupEpochs
          << "\n    max_steps: " << c.schedule.maxEpochs << "\n    eta_min: " << c.schedule.etaMin << "\n";
    o << "\nclassification_val: " << yamlQuote(c.classificationVal) << "\n";
    if (c.classificationMaxImages > 0)
        o << "classification_max_images: " << c.classificationMaxImages << "\n";
    o << "seed: " << c.seed << "\n";
    return o.str();
}

} // namespace repalign
