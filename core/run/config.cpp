#include "run/config.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "models/registry.h"
#include "run/config_yaml.h"
#include "run/dataspec.h"
#include "run/yaml_util.h"

#include <cstdlib>
#include <sstream>

namespace repalign {

using yamlutil::Ctx;

int TransformConfig::outputSide(int inputSide) const
{
    int side = resize > 0 ? resize : inputSide;
    return cropSize > 0 ? cropSize : side;
}

namespace {

// The reference's cifar10_224: CIFAR-10 with torchvision's Resize(224) on the PIL image (Pillow's
// bilinear resample; the loader's `resize` does exactly that), before ToTensor and Normalize.
void applyCifar10At224(TrainConfig& cfg, const std::string& origin)
{
    constexpr int kSide = 224;
    const std::pair<TransformConfig*, const char*> blocks[]
        = {{&cfg.trainTransforms, "train_transforms"}, {&cfg.valTransforms, "val_transforms"}};
    for (auto [t, key] : blocks) {
        if (t->resize <= 0)
            t->resize = kSide;
        else if (t->resize != kSide)
            throw Error(origin + ": key '" + key + ".resize' is " + std::to_string(t->resize)
                + ", but dataset cifar10_224 resizes to 224 (valid: -1 or 224; use dataset cifar10 for other sizes)");
        if (t->cropSize > 0 && t->cropSize < kSide)
            throw Error(origin + ": key '" + key + ".random_crop.size' is " + std::to_string(t->cropSize)
                + ", smaller than the 224-pixel images of dataset cifar10_224 (valid: none ({}) or 224 with padding)");
    }
}

} // namespace

namespace {

/// A node as its text was written: maps and lists keep their flow or block style, quoted
/// scalars their quotes, and keys whose value is null (removed by an override) are left out.
void emitNode(YAML::Emitter& e, const YAML::Node& n)
{
    switch (n.Type()) {
    case YAML::NodeType::Scalar:
        if (n.Tag() == "!")
            e << YAML::DoubleQuoted;
        e << n.Scalar();
        break;
    case YAML::NodeType::Sequence:
        if (n.Style() == YAML::EmitterStyle::Flow)
            e << YAML::Flow;
        e << YAML::BeginSeq;
        for (const YAML::Node& item : n)
            emitNode(e, item);
        e << YAML::EndSeq;
        break;
    case YAML::NodeType::Map:
        if (n.Style() == YAML::EmitterStyle::Flow)
            e << YAML::Flow;
        e << YAML::BeginMap;
        for (const auto& kv : n) {
            if (kv.second.IsNull())
                continue;
            e << YAML::Key << kv.first.Scalar() << YAML::Value;
            emitNode(e, kv.second);
        }
        e << YAML::EndMap;
        break;
    default:
        e << YAML::Null;
    }
}

} // namespace

std::string yamlWithOverrides(const std::string& text, const std::vector<std::string>& overrides, const std::string& origin)
{
    YAML::Node root = yamlutil::parse(text, origin);
    for (const auto& o : overrides)
        yamlutil::applyOverride(root, o, origin);
    YAML::Emitter e;
    emitNode(e, root);
    return std::string(e.c_str()) + "\n";
}

TrainConfig parseTrainConfig(const std::string& text, const std::string& origin, const std::vector<std::string>& overrides)
{
    YAML::Node root = yamlutil::parse(text, origin);
    for (const auto& o : overrides)
        yamlutil::applyOverride(root, o, origin);
    Ctx c {root, "", origin};
    c.allowOnly({"system", "dataset", "data", "train_transforms", "val_transforms", "model", "optimization", "logging", "seed",
        "checkpoint", "run"});
    TrainConfig cfg;
    cfg.origin = origin;

    parseSystem(c, cfg);

    cfg.dataset = c.choice("dataset", "cifar10", {"cifar10", "cifar10_224", "fashion_mnist", "mnist", "shapes", "custom"});
    Ctx data = c.child("data");
    data.allowOnly({"train", "val"});
    cfg.trainSpec = data.str("train", "");
    cfg.valSpec = data.str("val", "");
    for (const auto* spec : {&cfg.trainSpec, &cfg.valSpec})
        if (!spec->empty())
            try {
                parseDataSpec(*spec);
            } catch (const Error& e) {
                throw Error(origin + ": key 'data." + std::string(spec == &cfg.trainSpec ? "train" : "val") + "': " + e.what());
            }

    cfg.trainTransforms = parseTransforms(c.child("train_transforms"), TransformConfig());
    cfg.valTransforms = parseTransforms(c.child("val_transforms"), TransformConfig());
    if (cfg.dataset == "cifar10_224")
        applyCifar10At224(cfg, origin);

    cfg.model = c.str("model", "resnet18_cifar10");
    if (!isModelName(cfg.model))
        throw Error(c.where("model") + " has invalid value '" + cfg.model + "' (valid: " + joinChoices(modelNames()) + ")");

    Ctx opt = c.child("optimization");
    opt.allowOnly({"epochs", "batch_size", "optimizer", "optimizer_params", "lr_scheduling", "lr_scheduling_params",
        "first_step_lr", "max_steps_per_epoch", "precision"});
    cfg.epochs = static_cast<int>(opt.integer("epochs", 150, 1, 100000));
    cfg.batchSize = static_cast<int>(opt.integer("batch_size", 256, 1, 65536));
    cfg.maxStepsPerEpoch = opt.integer("max_steps_per_epoch", 0, 0, 1LL << 40);
    cfg.precision = opt.choice("precision", "fp32", {"fp32", "bf16", "fp16"});
    OptimizerConfig sgd; // the reference baseline's optimizer family
    cfg.optimizer = parseOptimizer(opt, sgd);
    cfg.schedule = parseSchedule(opt, cfg.optimizer.lr, cfg.epochs);

    Ctx log = c.child("logging");
    log.allowOnly({"wandb", "save_dir"});
    cfg.wandb = log.boolean("wandb", false);
    cfg.saveDir = log.str("save_dir", "");
    if (cfg.wandb)
        cfg.notices.push_back(
            origin + ": logging.wandb is accepted and ignored (metrics go to metrics.csv in the run directory)");

    cfg.seed = static_cast<std::uint64_t>(c.integer("seed", 0, 0, (1LL << 62)));
    Ctx ck = c.child("checkpoint");
    ck.allowOnly({"save_last", "save_best_loss", "save_best_acc"});
    cfg.checkpoints.saveLast = ck.boolean("save_last", true);
    cfg.checkpoints.saveBestLoss = ck.boolean("save_best_loss", true);
    cfg.checkpoints.saveBestAcc = ck.boolean("save_best_acc", true);
    // Checked last so that a config with other faults names those first. The reference scripts
    // need the key too; a silent default would train an architecture the file never named.
    if (!c.has("model"))
        throw Error(origin + ": key 'model' is required (valid: " + joinChoices(modelNames()) + ")");
    return cfg;
}

TrainConfig loadTrainConfig(const std::string& path, const std::vector<std::string>& overrides)
{
    if (!fileExists(path))
        throw Error("config file " + path + " does not exist");
    return parseTrainConfig(readFileText(path), path, overrides);
}

std::string trainConfigToYaml(const TrainConfig& c)
{
    std::ostringstream o;
    o.precision(17);
    o << "system:\n  device: " << c.device << "\n  num_workers: " << c.numWorkers << "\n  threads: " << c.threads << "\n";
    emitDistributed(o, c.distributed);
    o << "\n";
    o << "dataset: " << c.dataset << "\n";
    if (!c.trainSpec.empty() || !c.valSpec.empty())
        o << "data:\n  train: \"" << c.trainSpec << "\"\n  val: \"" << c.valSpec << "\"\n";
    emitTransforms(o, "train_transforms", c.trainTransforms);
    emitTransforms(o, "val_transforms", c.valTransforms);
    o << "\nmodel: " << c.model << "\n\n";
    o << "optimization:\n  epochs: " << c.epochs << "\n  batch_size: " << c.batchSize << "\n";
    if (c.maxStepsPerEpoch > 0)
        o << "  max_steps_per_epoch: " << c.maxStepsPerEpoch << "\n";
    if (c.precision != "fp32")
        o << "  precision: " << c.precision << "\n";
    emitOptimizerAndSchedule(o, c.optimizer, c.schedule);
    o << "\nlogging:\n  wandb: " << (c.wandb ? "True" : "False") << "\n";
    if (!c.saveDir.empty())
        o << "  save_dir: \"" << c.saveDir << "\"\n";
    o << "\nseed: " << c.seed << "\n";
    o << "checkpoint:\n  save_last: " << (c.checkpoints.saveLast ? "true" : "false")
      << "\n  save_best_loss: " << (c.checkpoints.saveBestLoss ? "true" : "false")
      << "\n  save_best_acc: " << (c.checkpoints.saveBestAcc ? "true" : "false") << "\n";
    return o.str();
}

std::string resolveCifar10Spec(const std::string& preferenceDir)
{
    std::vector<std::string> looked;
    auto ok = [](const std::string& dir) {
        return fileExists(dir + "/test_batch.bin") || fileExists(dir + "/cifar-10-batches-bin/test_batch.bin");
    };
    if (const char* env = std::getenv("REPALIGN_DATA")) {
        for (const std::string& d : {std::string(env), std::string(env) + "/cifar10"}) {
            if (ok(d))
                return "cifar10:" + d;
            looked.push_back(d + " ($REPALIGN_DATA)");
        }
    } else {
        looked.push_back("$REPALIGN_DATA (unset)");
    }
    if (!preferenceDir.empty()) {
        if (ok(preferenceDir))
            return "cifar10:" + preferenceDir;
        looked.push_back(preferenceDir + " (preferences)");
    }
    for (const std::string d : {"./data", "./data/cifar10"}) {
        if (ok(d))
            return "cifar10:" + d;
        looked.push_back(d);
    }
    throw Error("CIFAR-10 not found; looked in " + joinChoices(looked, "; ")
        + ". Download the binary version (cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html), "
          "unpack it into ./data or set REPALIGN_DATA, or give data.train/data.val specs");
}

void resolveDataSpecs(TrainConfig& cfg, const std::string& preferenceDir)
{
    if (!cfg.trainSpec.empty() && !cfg.valSpec.empty())
        return;
    std::string spec;
    if (cfg.dataset == "cifar10" || cfg.dataset == "cifar10_224")
        spec = resolveCifar10Spec(preferenceDir);
    else if (cfg.dataset == "fashion_mnist")
        spec = "idx:/usr/share/datasets/fashion-mnist";
    else if (cfg.dataset == "shapes")
        spec = "shapes:5000:" + std::to_string(cfg.seed);
    else
        throw Error(cfg.origin + ": dataset '" + cfg.dataset + "' needs data.train and data.val specs ("
            + joinChoices(dataSpecKinds()) + ")");
    if (cfg.trainSpec.empty())
        cfg.trainSpec = spec;
    if (cfg.valSpec.empty())
        cfg.valSpec = spec;
}

TransformConfig referenceEvalTransform()
{
    TransformConfig t;
    t.mean = {{0.4914, 0.4822, 0.4465}};
    t.std = {{0.2470, 0.2435, 0.2616}};
    return t;
}

} // namespace repalign
