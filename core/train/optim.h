#pragma once
// Core-internal (LibTorch): SGD and Adam with torch.optim's exact update rules, and their
// state by parameter name so checkpoints resume bit-for-bit and read naturally in Python.
#include "run/config.h"

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace repalign {

class Optimizer {
public:
    using NamedParams = std::vector<std::pair<std::string, torch::Tensor>>;
    Optimizer(OptimizerConfig config, NamedParams params);

    void zeroGrad();
    /// One update with learning rate @p lr (parameters without a gradient are skipped).
    void step(double lr);

    std::int64_t stepCount() const { return m_steps; }
    const std::string& type() const { return m_cfg.type; }
    std::map<std::string, std::map<std::string, torch::Tensor>> state() const;
    void loadState(const std::map<std::string, std::map<std::string, torch::Tensor>>& state, std::int64_t steps);

private:
    OptimizerConfig m_cfg;
    NamedParams m_params;
    std::map<std::string, std::map<std::string, torch::Tensor>> m_state;
    std::int64_t m_steps = 0;
};

} // namespace repalign
