#pragma once
// Core-internal (LibTorch): the one autocast scope for mixed-precision forward passes.
#include <torch/torch.h>

#include <string>

namespace repalign {

/// Turns autocast on for the forward passes inside its lifetime when @p precision is bf16 or
/// fp16 (CPU autocast for a CPU device, CUDA autocast for a CUDA device) and restores the
/// previous state after. fp32 does nothing. Validate @p precision with checkPrecision first;
/// an fp16 scope on the CPU throws Error.
class AutocastScope {
public:
    AutocastScope(const std::string& precision, const torch::Device& device);
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

    bool active() const { return m_on; }

private:
    bool m_on = false;
    bool m_cuda = false;
    bool m_wasEnabled = false;
    c10::ScalarType m_wasType = c10::ScalarType::Float;
};

/// The dtype @p precision computes in (kFloat32, kBFloat16, kHalf).
c10::ScalarType precisionDtype(const std::string& precision);

} // namespace repalign
