#pragma once
/// @file tune_config.h
/// Neural fine-tuning (Learning without Forgetting) configuration. Every default is the
/// reference recipe (docs/ARCHITECTURE.md), so a config naming only the base checkpoint and the bundle
/// reproduces the study.
///
/// YAML schema (all keys optional except base.checkpoint and bundle):
/// @code
/// system:
///   device: cpu                 # cpu | cuda | cuda:N
///   num_workers: 2              # batch-preparing threads
///   threads: 0                  # torch intra-op threads, 0 = all cores
///   distributed: auto           # auto | off: data-parallel when launched as several processes
///   backend: auto               # auto | gloo | nccl
///   sync_batchnorm: false       # BatchNorm statistics over all ranks
///   dist_timeout: 600           # seconds: rendezvous and collectives
/// base:
///   checkpoint: ckpt.pt         # baseline classifier (repalign or torch.save file)
///   model: resnet18_cifar10     # architecture when the checkpoint does not record it
///   key: ""                     # state-dict key inside a PyTorch checkpoint ("" = auto)
/// bundle: bundle.h5             # NSD bundle (nsd_bundle.h)
/// resume_from: ""               # tuned checkpoint to start from (backbone + readout), e.g. the
///                               # notebook's; ROI count 1 and voxel count checked (tune --resume-from)
/// rois: [V4]                    # one readout per ROI, each reported separately
/// tap: layer4                   # layer the readout reads
/// readout:
///   pooling: flatten            # flatten (512x2x2 -> 2048) | mean (spatial mean, 512)
///   activation: none            # none | elu1 (ELU(x)+1, positive outputs)
///   freeze_backbone: false      # true: only the readout learns
/// alpha: 1.0                    # KD weight; 0 = no distillation (teacher skipped)
/// train_transforms:             # reference block; bundle images are resized first
///   resize: 32
///   random_crop: {size: 32, padding: 4}
///   horizontal_flip: True
///   norm_mean: [0.4914, 0.4822, 0.4465]
///   norm_std: [0.2470, 0.2435, 0.2616]
/// val_transforms:
///   resize: 32
///   random_crop: {}
///   horizontal_flip: False
///   norm_mean: [0.4914, 0.4822, 0.4465]
///   norm_std: [0.2470, 0.2435, 0.2616]
/// optimization:
///   epochs: 10
///   batch_size: 128
///   optimizer: adam             # adam | sgd
///   optimizer_params: {weight_decay: 0.01, betas: [0.9, 0.999], eps: 1.0e-8}  # lr: Adam's 1e-3
///   lr_scheduling: constant     # constant | linear_warmup_cosine_decay (+ lr_scheduling_params)
///   lr_scheduling_params: {lr_init: 0.0001}  # constant's rate; without it (and with an
///                               # optimizer_params.lr) the optimizer's lr
///   first_step_lr: reference    # reference: step 0 at the optimizer's lr (1e-3), then the
///                               # schedule, as the notebook; schedule: the schedule throughout
///   max_steps_per_epoch: 0      # smoke runs: cap steps per epoch (0 = whole epoch)
///   precision: fp32             # fp32 | bf16 (autocast on the CPU or CUDA) | fp16 (CUDA)
/// classification_val: auto     # data spec for the per-epoch classification accuracy; auto =
///                               # the data the base run was validated on (its run.yaml), else
///                               # CIFAR-10 where found, else skipped; none = skip
/// classification_max_images: 0  # cap on val images for the accuracy (0 = all)
/// rehearsal:                    # optional: each step also a batch of the original task's
///   data: cifar10:data          # training data (a data spec; its train split), adding
///   weight: 0.5                 # weight x cross-entropy on its true labels to the loss
///   batch_size: 0               # 0 = optimization.batch_size
/// seed: 0
/// @endcode
#include "run/config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

/// Rehearsal: the reference's suggested fix for the accuracy drop. Each tuning step also
/// draws a batch of the original task's training data and adds weight x cross-entropy on the
/// true labels to the LwF loss. Off when data is empty or weight is 0.
struct RehearsalConfig {
    std::string data; ///< data spec; its train split is drawn from
    double weight = 0.0;
    int batchSize = 0; ///< 0 = the tuning batch size
    bool enabled() const { return !data.empty() && weight > 0; }
};

struct TuneConfig {
    std::string device = "cpu";
    int numWorkers = 2;
    int threads = 0;
    DistributedConfig distributed; ///< system.distributed/backend/sync_batchnorm/dist_timeout

    std::string baseCheckpoint;
    std::string baseModel; ///< hint; empty = from the checkpoint
    std::string baseKey;
    std::string bundle;
    /// resume_from: a tuned checkpoint (the reference notebook's {student_state_dict, ...}, or a
    /// tune run's) whose backbone starts the student and whose readout (neural_predict, or
    /// readout.<ROI>.*) starts the readout; the teacher stays base.checkpoint. Empty = none.
    std::string resumeFrom;
    std::vector<std::string> rois {"V4"};
    std::string tap = "layer4";
    std::string pooling = "flatten"; ///< flatten | mean
    std::string activation = "none"; ///< none | elu1
    bool freezeBackbone = false;
    double alpha = 1.0;
    TransformConfig trainTransforms; ///< reference: resize 32, crop 32 pad 4, flip, CIFAR normalisation
    TransformConfig valTransforms; ///< reference: resize 32, CIFAR normalisation

    int epochs = 10;
    int batchSize = 128;
    OptimizerConfig optimizer; ///< adam, lr 1e-3 (torch's default; the first step), weight decay 0.01 (L2)
    ScheduleConfig schedule; ///< constant, lr_init 1e-4, first step at the optimizer's lr
    std::int64_t maxStepsPerEpoch = 0;
    std::string precision = "fp32"; ///< optimization.precision: fp32 | bf16 (autocast, cpu or cuda) | fp16 (cuda)

    RehearsalConfig rehearsal;
    std::string classificationVal = "auto"; ///< data spec | auto | none
    std::int64_t classificationMaxImages = 0;
    std::uint64_t seed = 0;
    bool strictBundle = false; ///< --strict: voxels with NaN/Inf responses are an error instead of dropped
    std::string origin;
    std::vector<std::string> notices;

    TuneConfig(); ///< the reference recipe
};

/// Loads and validates a tuning config (strict: unknown keys are errors naming the key and
/// the valid ones). @p overrides are `key.path=value`. Relative paths in base.checkpoint and
/// bundle resolve against the config file's folder.
TuneConfig loadTuneConfig(const std::string& path, const std::vector<std::string>& overrides = {});
TuneConfig parseTuneConfig(const std::string& yamlText, const std::string& origin, const std::vector<std::string>& overrides = {},
    const std::string& baseDir = {});
/// The resolved config as YAML (round-trips through parseTuneConfig).
std::string tuneConfigToYaml(const TuneConfig& config);

} // namespace repalign
