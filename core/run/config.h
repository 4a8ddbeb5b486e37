#pragma once
/// @file config.h
/// Training configuration: the reference study's YAML schema plus the workbench's
/// extensions (data specs, seed, threads, smoke-run limits, checkpoint policy).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

/// The reference's transform block (`train_transforms` / `val_transforms`).
struct TransformConfig {
    int resize = -1; ///< square side to resize to first; -1 keeps the size
    int cropSize = 0; ///< random_crop.size; 0 = no crop
    int padding = 0; ///< random_crop.padding
    bool horizontalFlip = false;
    std::array<double, 3> mean {{0.0, 0.0, 0.0}};
    std::array<double, 3> std {{1.0, 1.0, 1.0}};
    /// Output side length for an input of @p inputSide.
    int outputSide(int inputSide) const;
};

/// The reference's CIFAR-10 normalisation (mean 0.4914.., std 0.2470..), no crop or flip.
TransformConfig referenceEvalTransform();

struct OptimizerConfig {
    std::string type = "sgd"; ///< sgd | adam
    double lr = 0.01;
    double momentum = 0.0;
    double weightDecay = 0.0;
    bool nesterov = false;
    double dampening = 0.0;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

struct ScheduleConfig {
    std::string type = "constant"; ///< constant | linear_warmup_cosine_decay
    double warmupStartLr = 1e-8;
    double baseLr = 0.01;
    double warmupEpochs = 0; ///< `warmup_steps`, in epochs as the reference gives it
    double maxEpochs = 0; ///< `max_steps`, in epochs
    double etaMin = 1e-8;
    double lrInit = 0; ///< constant: lr_scheduling_params.lr_init; 0 = the optimizer's lr
    /// optimization.first_step_lr: reference (step 0 at the optimizer's own lr, as the reference's
    /// optimizer.step() before its scheduler sets a rate) | schedule (the schedule from step 0)
    std::string firstStepLr = "reference";
};

/// Checkpoints kept in the run directory (the extension `checkpoint:` block).
struct CheckpointPolicy {
    bool saveLast = true;
    bool saveBestLoss = true;
    bool saveBestAcc = true;
};

/// Data-parallel keys of the `system` block (used when the process was started as one of
/// several: torchrun-style variables or srun; see train/distributed.h).
struct DistributedConfig {
    std::string mode = "auto"; ///< system.distributed: auto | off
    std::string backend = "auto"; ///< system.backend: auto | gloo | nccl (auto: nccl on CUDA where built, else gloo)
    bool syncBatchNorm = false; ///< system.sync_batchnorm: BatchNorm statistics over all ranks
    int timeoutSeconds = 600; ///< system.dist_timeout: rendezvous and collective timeout
    bool isDefault() const { return mode == "auto" && backend == "auto" && !syncBatchNorm && timeoutSeconds == 600; }
};

struct TrainConfig {
    // system
    std::string device = "cpu";
    int numWorkers = 2;
    int threads = 0; ///< 0 = all cores
    DistributedConfig distributed;
    // data
    std::string dataset = "cifar10";
    std::string trainSpec; ///< data.train; resolved from `dataset` when empty
    std::string valSpec; ///< data.val
    TransformConfig trainTransforms;
    TransformConfig valTransforms;
    // model and optimisation
    std::string model = "resnet18_cifar10";
    int epochs = 150;
    int batchSize = 256;
    OptimizerConfig optimizer;
    ScheduleConfig schedule;
    std::int64_t maxStepsPerEpoch = 0; ///< 0 = whole epoch
    std::string precision = "fp32"; ///< fp32 | bf16 | fp16 (CUDA autocast)
    // run
    std::uint64_t seed = 0;
    CheckpointPolicy checkpoints;
    std::string saveDir; ///< logging.save_dir (informational)
    bool wandb = false; ///< logging.wandb (accepted, ignored)
    std::string origin; ///< file the config came from

    /// Notices produced while loading (e.g. ignored keys).
    std::vector<std::string> notices;
};

/// Loads and validates a training config. @p overrides are `key.path=value` strings applied
/// before validation. Throws Error naming the file, the key and the valid choices.
TrainConfig loadTrainConfig(const std::string& path, const std::vector<std::string>& overrides = {});
TrainConfig parseTrainConfig(
    const std::string& yamlText, const std::string& origin, const std::vector<std::string>& overrides = {});

/// @p yamlText with the `key.path=value` @p overrides applied by the parsers' own override code
/// (what `--set` does), written back as YAML: one code path for the Setup forms (their preset or
/// loaded file plus the fields as overrides), the CLI and config files. A key set to null is
/// left out; double-quoted scalars stay quoted. Throws Error for a YAML syntax error or an
/// assignment without '='.
std::string yamlWithOverrides(const std::string& yamlText, const std::vector<std::string>& overrides, const std::string& origin);

/// The resolved config as YAML in the reference schema (+ extensions); round-trips through
/// parseTrainConfig.
std::string trainConfigToYaml(const TrainConfig& config);

/// Where `dataset: cifar10` resolves to when no data.train is given: $REPALIGN_DATA, the
/// GUI preference (passed in), then ./data. Returns the spec, or throws Error saying where
/// it looked and how to get CIFAR-10.
std::string resolveCifar10Spec(const std::string& preferenceDir = {});

/// Fills trainSpec/valSpec from `dataset` when they are empty.
void resolveDataSpecs(TrainConfig& config, const std::string& preferenceDir = {});

} // namespace repalign
