#pragma once
// Core-internal (LibTorch): the reference CIFAR models with named taps.
#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace repalign {

/// A classifier whose intermediate outputs ("taps") can be collected by name. Parameter and
/// buffer names equal the PyTorch reference's, so state dicts map 1:1.
class TapNetImpl : public torch::nn::Module {
public:
    using Stage = std::function<torch::Tensor(const torch::Tensor&)>;

    /// Logits.
    torch::Tensor forward(torch::Tensor x);
    /// Runs the network until every tap in @p taps is collected into @p out (stops early
    /// when @p fullForward is false). Returns the logits when the full network ran.
    torch::Tensor forwardTaps(torch::Tensor x, const std::vector<std::string>& taps, std::map<std::string, torch::Tensor>& out,
        bool fullForward = false);
    std::vector<std::string> tapNames() const;
    bool hasTap(const std::string& name) const;
    const std::string& architecture() const { return m_arch; }

    /// State dict in PyTorch's order (each module's parameters, then its buffers, preorder).
    std::vector<std::pair<std::string, torch::Tensor>> stateDict();

protected:
    void addStage(const std::string& name, bool tap, Stage fn);
    std::string m_arch;

private:
    struct NamedStage {
        std::string name;
        bool tap;
        Stage fn;
    };
    std::vector<NamedStage> m_stages;
};

using TapNet = std::shared_ptr<TapNetImpl>;

/// Creates one of the reference models (see modelNames()), initialised as the reference does
/// from the current torch seed. Throws Error listing the valid names.
TapNet createModel(const std::string& name, int numClasses = 10);

/// Synchronised BatchNorm (data-parallel training): every BatchNorm of @p model computes its
/// training statistics over all ranks, through @p allReduceSum (a differentiable sum over the
/// ranks; empty = per-rank statistics, the default). Eval mode uses the running statistics as
/// always. Returns the number of BatchNorm layers.
int setBatchNormSync(TapNetImpl& model, std::function<torch::Tensor(const torch::Tensor&)> allReduceSum);

/// Copies @p state into @p model by name. strict: every key must match both ways. Throws
/// Error listing missing keys, unexpected keys and shape mismatches (expected vs found).
void loadStateDict(TapNetImpl& model, const std::map<std::string, torch::Tensor>& state, bool strict = true);

} // namespace repalign
