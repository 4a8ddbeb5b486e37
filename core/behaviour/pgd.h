#pragma once
// Core-internal (LibTorch): projected gradient descent (Madry et al. 2018) under L-inf and L2,
// as the MadryLab robustness library's attacker steps it (sign step / L2-normalised step,
// projection onto the eps-ball by clamping / renorm, then onto [0, 1]; the final iterate).
#include "common/progress.h"

#include <torch/torch.h>

#include <functional>
#include <string>

namespace repalign::behaviour {

/// A model taking [0, 1] images [B, 3, S, S] (its normalisation inside) to logits [B, C].
using PixelForward = std::function<torch::Tensor(const torch::Tensor&)>;

struct PgdStep {
    std::string norm = "linf"; ///< linf | l2
    double eps = 0; ///< [0, 1] pixel units (linf: 8/255 is 0.0314)
    int steps = 10;
    double stepSize = 0; ///< eps * step fraction
    bool randomStart = false;
    std::uint64_t seed = 0;
};

/// Adversarial images for @p x (float [B,3,S,S] in [0, 1]) with labels @p y: maximise the
/// summed cross-entropy for @p o.steps steps. Linf: x' = clip_[x-eps, x+eps](x' + a sign(g));
/// L2: x' = x + renorm_eps(x' + a g/(||g|| + 1e-10) - x); both then clipped to [0, 1]. A random
/// start draws per image from a counter-based generator keyed by (seed, @p imageIds[i]) (the
/// same start whatever the batch): uniform in the L-inf ball, or eps times a normalised Gaussian
/// direction (the robustness library's). Gradients flow only to the input (model parameters
/// untouched). eps == 0 returns @p x.
torch::Tensor pgdAttack(const PixelForward& model, const torch::Tensor& x, const torch::Tensor& y, const PgdStep& o,
    const std::vector<std::int64_t>& imageIds, const CancelToken& cancel);

} // namespace repalign::behaviour
