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

/// Weights in oneDNN's preferred layout, resident, for a module only used for forward passes
/// and input gradients on the CPU (eval mode, no weight gradients; its weights are replaced):
/// when @p device is a CPU and @p precision is fp32 or bf16, converts the 4-D weights to
/// channels_last (and, for bf16, every floating-point parameter and buffer to bf16, once) and
/// returns true; the caller then passes inputs through residentInput and runs the forward
/// outside an AutocastScope. Otherwise changes nothing and returns false. Autocast instead
/// converts the fp32 weights again on every forward (resident bf16 is about 1.1-1.2x faster
/// for visualize's steps on a Zen 5 core), and NCHW fp32 convolutions reorder their
/// activations on every call (channels_last: visualize's batch of 64 about 1.2x faster).
bool useResidentCpuWeights(torch::nn::Module& module, const std::string& precision, const torch::Device& device);

/// @p x in the layout (channels_last, 4-D) and type (bf16 for "bf16") of a module converted by
/// useResidentCpuWeights.
torch::Tensor residentInput(const torch::Tensor& x, const std::string& precision);

} // namespace repalign
