#pragma once
// Core-internal (LibTorch): batched collection of one tap's aggregated output over a data
// set, with the logits of the same forward pass.
#include "common/progress.h"
#include "data/dataset.h"
#include "models/nets.h"
#include "run/config.h"

#include <torch/torch.h>

#include <functional>
#include <string>

namespace repalign {

/// [B,C,H,W] (or [B,F]) tap output -> [B,U] by @p aggregation (see aggregationNames()).
/// Throws Error for an unknown aggregation.
torch::Tensor aggregateTap(const torch::Tensor& tap, const std::string& aggregation);

struct ActivationOptions {
    std::string layer = "layer4";
    std::string aggregation = "center";
    int batchSize = 256;
    TransformConfig transform; ///< eval normalisation
    std::int64_t count = 0; ///< first N images (0 = all)
    std::string precision = "fp32"; ///< fp32 | bf16 | fp16: the forward pass under autocast (common/autocast.h)
};

struct ActivationResult {
    torch::Tensor activations; ///< float [N,U] on the CPU
    std::int64_t correct = 0; ///< top-1 correct predictions
    std::int64_t count = 0;
};

/// Runs @p model (eval mode, on its device) over @p data in batches. @p onBatch (may be
/// empty) sees each batch's [B,U] CPU activations and its first dataset index, so callers can
/// stream. Throws Error for an unknown tap (listing the taps), Cancelled when cancelled.
ActivationResult collectActivations(TapNetImpl& model, torch::Device device, const ImageDataset& data,
    const ActivationOptions& options, ProgressSink& sink, const CancelToken& cancel,
    const std::function<void(const torch::Tensor&, std::int64_t)>& onBatch = {});

} // namespace repalign
