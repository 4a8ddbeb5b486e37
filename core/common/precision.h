#pragma once
/// @file precision.h
/// The numeric precision of a forward pass (train, tune, analyze, visualize, behave): fp32,
/// or mixed precision through LibTorch's autocast (bf16 on the CPU or CUDA, fp16 on CUDA).
/// Torch-free: the CLI, the forms and the config parsers validate with it; the autocast
/// scope itself is core-internal (common/autocast.h).
#include <string>
#include <vector>

namespace repalign {

/// "fp32", "bf16", "fp16" (fp32 is the default everywhere).
const std::vector<std::string>& precisionNames();

/// Throws Error "WHAT = 'VALUE' is not valid (valid: fp32, bf16, fp16; fp16 needs a CUDA
/// device)" for an unknown value. @p what names the key or option (e.g. "config.yaml: key
/// 'optimization.precision'", "analyze: --precision").
void requirePrecisionName(const std::string& value, const std::string& what);

/// requirePrecisionName, then the device check: fp16 needs a CUDA device (@p device is the
/// device name: "cpu", "cuda", "cuda:N"); bf16 runs on either. Throws the same one-line Error.
void checkPrecision(const std::string& value, const std::string& device, const std::string& what);

/// True when this CPU has native bf16 arithmetic (avx512_bf16 or amx_bf16 in /proc/cpuinfo).
/// Without it bf16 autocast on the CPU still runs (converted arithmetic), but is not faster.
bool cpuHasNativeBf16();
/// "native bf16 (avx512_bf16, amx_bf16)" or "no native bf16 (no avx512_bf16/amx_bf16 in
/// /proc/cpuinfo): bf16 runs emulated, not faster than fp32", for `devices` and benchmarks.
std::string cpuBf16Description();

} // namespace repalign
