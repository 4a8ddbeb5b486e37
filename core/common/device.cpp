#include "common/device.h"
#include "common/allocator.h"
#include "common/error.h"
#include "common/fsutil.h"

namespace repalign {

torch::Device resolveDevice(const std::string& name)
{
    if (name == "cpu")
        return torch::Device(torch::kCPU);
    if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
        if (!torch::cuda::is_available())
            throw Error("device '" + name + "' requested but this LibTorch has no usable CUDA device (valid here: cpu)");
        int index = 0;
        if (name.size() > 5) {
            try {
                index = std::stoi(name.substr(5));
            } catch (...) {
                throw Error("invalid device '" + name + "' (valid: cpu, cuda, cuda:N)");
            }
        }
        const int count = static_cast<int>(torch::cuda::device_count());
        if (index < 0 || index >= count)
            throw Error("device '" + name + "' does not exist (valid: cpu, cuda:0..cuda:" + std::to_string(count - 1) + ")");
        return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
    throw Error("invalid device '" + name + "' (valid: cpu, cuda, cuda:N)");
}

int configureThreads(int threads)
{
    if (threads < 0 || threads > 1024)
        throw Error("threads " + std::to_string(threads) + " is out of range (valid: 0 = all cores, or 1..1024)");
    configureAllocator(); // before the job's first tensor (a no-op after main() did it)
    const int n = threads > 0 ? threads : hardwareThreads();
    if (torch::get_num_threads() != n)
        torch::set_num_threads(n);
    return n;
}

} // namespace repalign
