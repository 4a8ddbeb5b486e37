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

/// bf16 inference on the CPU without autocast, for a module only used for forward passes and
/// input gradients (eval mode, no weight gradients; its fp32 weights are replaced): when
/// @p precision is bf16 and @p device a CPU, converts every floating-point parameter and buffer
/// of @p module to bf16 once (4-D weights in channels_last, oneDNN's preferred layout) and
/// returns true; the caller then passes inputs through lowPrecisionInput and runs the forward
/// outside an AutocastScope. Otherwise changes nothing and returns false (fp32 stays as it was).
/// Autocast instead converts the fp32 weights again on every forward; measured on a Zen 5 core
/// the resident bf16 weights are about 1.1-1.2x faster than autocast for visualize's steps.
bool useResidentBf16Weights(torch::nn::Module& module, const std::string& precision, const torch::Device& device);

/// @p x as bf16 in channels_last (4-D) for a module converted by useResidentBf16Weights.
torch::Tensor lowPrecisionInput(const torch::Tensor& x);

} // namespace repalign
