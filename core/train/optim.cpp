#include "train/optim.h"
#include "common/error.h"

#include <cmath>

namespace repalign {

Optimizer::Optimizer(OptimizerConfig config, NamedParams params)
    : m_cfg(std::move(config))
    , m_params(std::move(params))
{
    if (m_cfg.type != "sgd" && m_cfg.type != "adam")
        throw Error("unknown optimizer '" + m_cfg.type + "' (valid: sgd, adam)");
}

void Optimizer::zeroGrad()
{
    for (auto& [name, p] : m_params)
        if (p.grad().defined()) {
            p.mutable_grad().detach_();
            p.mutable_grad().zero_();
        }
}

void Optimizer::step(double lr)
{
    torch::NoGradGuard noGrad;
    ++m_steps;
    for (auto& [name, p] : m_params) {
        if (!p.grad().defined())
            continue;
        torch::Tensor grad = p.grad();
        auto& st = m_state[name];
        if (m_cfg.weightDecay != 0)
            grad = grad.add(p, m_cfg.weightDecay);
        if (m_cfg.type == "sgd") {
            if (m_cfg.momentum != 0) {
                auto it = st.find("momentum_buffer");
                torch::Tensor buf;
                if (it == st.end()) {
                    buf = grad.clone().detach();
                    st["momentum_buffer"] = buf;
                } else {
                    buf = it->second;
                    buf.mul_(m_cfg.momentum).add_(grad, 1.0 - m_cfg.dampening);
                }
                grad = m_cfg.nesterov ? grad.add(buf, m_cfg.momentum) : buf;
            }
            p.add_(grad, -lr);
        } else {
            auto& stepT = st["step"];
            if (!stepT.defined()) {
                stepT = torch::zeros({}, torch::kFloat32);
                st["exp_avg"] = torch::zeros_like(p);
                st["exp_avg_sq"] = torch::zeros_like(p);
            }
            stepT.add_(1);
            const double t = stepT.item<double>();
            torch::Tensor& m = st["exp_avg"];
            torch::Tensor& v = st["exp_avg_sq"];
            m.mul_(m_cfg.beta1).add_(grad, 1.0 - m_cfg.beta1);
            v.mul_(m_cfg.beta2).addcmul_(grad, grad, 1.0 - m_cfg.beta2);
            const double bc1 = 1.0 - std::pow(m_cfg.beta1, t);
            const double bc2 = 1.0 - std::pow(m_cfg.beta2, t);
            torch::Tensor denom = (v.sqrt() / std::sqrt(bc2)).add_(m_cfg.eps);
            p.addcdiv_(m, denom, -lr / bc1);
        }
    }
}

std::map<std::string, std::map<std::string, torch::Tensor>> Optimizer::state() const
{
    return m_state;
}

void Optimizer::loadState(const std::map<std::string, std::map<std::string, torch::Tensor>>& state, std::int64_t steps)
{
    m_state.clear();
    for (const auto& [name, p] : m_params) {
        auto it = state.find(name);
        if (it == state.end())
            continue;
        for (const auto& [k, t] : it->second)
            m_state[name][k] = t.to(p.device()).clone();
    }
    m_steps = steps;
}

} // namespace repalign
