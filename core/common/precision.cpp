#include "common/precision.h"

#include "common/autocast.h"
#include "common/error.h"

#include <ATen/autocast_mode.h>

#include <fstream>
#include <sstream>

namespace repalign {

const std::vector<std::string>& precisionNames()
{
    static const std::vector<std::string> names {"fp32", "bf16", "fp16"};
    return names;
}

namespace {
std::string precisionError(const std::string& value, const std::string& what)
{
    return what + " = '" + value + "' is not valid (valid: " + joinChoices(precisionNames()) + "; fp16 needs a CUDA device)";
}
} // namespace

void requirePrecisionName(const std::string& value, const std::string& what)
{
    for (const auto& n : precisionNames())
        if (n == value)
            return;
    throw Error(precisionError(value, what));
}

void checkPrecision(const std::string& value, const std::string& device, const std::string& what)
{
    requirePrecisionName(value, what);
    if (value == "fp16" && device.rfind("cuda", 0) != 0)
        throw Error(what + " = 'fp16' needs a CUDA device (device here: " + device + "; valid on " + device + ": fp32, bf16)");
}

bool cpuHasNativeBf16()
{
    static const bool native = [] {
        std::ifstream in("/proc/cpuinfo");
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("flags", 0) != 0)
                continue;
            std::istringstream words(line);
            for (std::string w; words >> w;)
                if (w == "avx512_bf16" || w == "amx_bf16")
                    return true;
            return false; // the first CPU's flags decide
        }
        return false;
    }();
    return native;
}

std::string cpuBf16Description()
{
    return cpuHasNativeBf16() ? "native bf16 (avx512_bf16/amx_bf16 in /proc/cpuinfo)"
                              : "no native bf16 (no avx512_bf16/amx_bf16 in /proc/cpuinfo): bf16 runs emulated, "
                                "not faster than fp32";
}

c10::ScalarType precisionDtype(const std::string& precision)
{
    if (precision == "bf16")
        return at::kBFloat16;
    if (precision == "fp16")
        return at::kHalf;
    return at::kFloat;
}

bool useResidentCpuWeights(torch::nn::Module& module, const std::string& precision, const torch::Device& device)
{
    if ((precision != "bf16" && precision != "fp32") || !device.is_cpu())
        return false;
    const bool bf16 = precision == "bf16";
    torch::NoGradGuard noGrad;
    auto convert = [bf16](torch::Tensor& t) {
        if (!t.defined() || !t.is_floating_point())
            return;
        torch::Tensor b = bf16 ? t.to(at::kBFloat16) : t;
        t.set_data(b.dim() == 4 ? b.contiguous(at::MemoryFormat::ChannelsLast) : b.contiguous());
    };
    for (auto& p : module.parameters())
        convert(p);
    for (auto& b : module.buffers())
        convert(b);
    return true;
}

torch::Tensor residentInput(const torch::Tensor& x, const std::string& precision)
{
    const torch::Tensor b = precision == "bf16" ? x.to(at::kBFloat16) : x;
    return b.dim() == 4 ? b.contiguous(at::MemoryFormat::ChannelsLast) : b;
}

AutocastScope::AutocastScope(const std::string& precision, const torch::Device& device)
    : m_on(precision == "bf16" || precision == "fp16")
    , m_cuda(device.is_cuda())
{
    if (!m_on)
        return;
    if (precision == "fp16" && !m_cuda)
        throw Error("precision fp16 needs a CUDA device (valid on cpu: fp32, bf16)");
    const c10::ScalarType dtype = precisionDtype(precision);
    if (m_cuda) {
        m_wasEnabled = at::autocast::is_enabled();
        m_wasType = at::autocast::get_autocast_gpu_dtype();
        at::autocast::set_autocast_gpu_dtype(dtype);
        at::autocast::set_enabled(true);
    } else {
        m_wasEnabled = at::autocast::is_cpu_enabled();
        m_wasType = at::autocast::get_autocast_cpu_dtype();
        at::autocast::set_autocast_cpu_dtype(dtype);
        at::autocast::set_cpu_enabled(true);
    }
}

AutocastScope::~AutocastScope()
{
    if (!m_on)
        return;
    if (m_cuda) {
        at::autocast::set_enabled(m_wasEnabled);
        at::autocast::set_autocast_gpu_dtype(m_wasType);
    } else {
        at::autocast::set_cpu_enabled(m_wasEnabled);
        at::autocast::set_autocast_cpu_dtype(m_wasType);
    }
    if (!m_wasEnabled)
        at::autocast::clear_cache();
}

} // namespace repalign
