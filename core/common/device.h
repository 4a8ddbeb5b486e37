#pragma once
// Core-internal (LibTorch): the one explicit device and the thread count.
#include <torch/torch.h>

#include <string>

namespace repalign {

/// "cpu", "cuda", "cuda:N". Throws Error before any work when CUDA is asked for and absent,
/// or the index is out of range.
torch::Device resolveDevice(const std::string& name);
/// Sets torch's intra-op threads: @p threads, or all cores when 0 (Debian's LibTorch
/// starts with one). Returns the count in force.
int configureThreads(int threads);

} // namespace repalign
