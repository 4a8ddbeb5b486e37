#include "common/version.h"

#include <torch/torch.h>
#include <opencv2/core/version.hpp>
#include <H5public.h>
#include <boost/version.hpp>
#ifdef REPALIGN_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

#include "common/fsutil.h"

#include <sstream>

#ifndef REPALIGN_VERSION
#define REPALIGN_VERSION "0.0.0"
#endif

namespace repalign {

namespace {
std::string hdf5Version()
{
    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    return std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel);
}
std::string boostVersion()
{
    return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." + std::to_string(BOOST_VERSION % 100);
}
} // namespace

std::string programVersion() { return REPALIGN_VERSION; }

std::string libraryVersions()
{
    std::ostringstream out;
    out << "LibTorch " << TORCH_VERSION << (torch::cuda::is_available() ? " (CUDA available)" : " (CPU)") << "\n"
        << "OpenCV " << CV_VERSION << "\n"
        << "HDF5 " << hdf5Version() << "\n"
        << "Boost " << boostVersion() << "\n";
    return out.str();
}

std::string libraryVersionsYaml(int indent)
{
    std::string pad(static_cast<std::size_t>(indent), ' ');
    std::ostringstream out;
    out << pad << "repalign: \"" << REPALIGN_VERSION << "\"\n"
        << pad << "libtorch: \"" << TORCH_VERSION << "\"\n"
        << pad << "opencv: \"" << CV_VERSION << "\"\n"
        << pad << "hdf5: \"" << hdf5Version() << "\"\n"
        << pad << "boost: \"" << boostVersion() << "\"\n";
    return out.str();
}

std::vector<DeviceInfo> listDevices()
{
    std::vector<DeviceInfo> out;
    // Jobs use every core unless their config says otherwise (configureThreads(0)).
    out.push_back({"cpu", "CPU, " + std::to_string(hardwareThreads()) + " cores", 0});
    if (!torch::cuda::is_available())
        return out;
    const int n = static_cast<int>(torch::cuda::device_count());
    for (int i = 0; i < n; ++i) {
        DeviceInfo d{"cuda:" + std::to_string(i), "CUDA device " + std::to_string(i), 0};
#ifdef REPALIGN_WITH_CUDA
        const cudaDeviceProp* p = at::cuda::getDeviceProperties(i);
        d.name = p->name;
        d.memoryBytes = static_cast<long long>(p->totalGlobalMem);
#endif
        out.push_back(d);
    }
    return out;
}

bool torchBuiltWithCuda()
{
#ifdef REPALIGN_WITH_CUDA
    return true;
#else
    return torch::cuda::is_available();
#endif
}

std::string deviceSummary()
{
    std::ostringstream out;
    auto devices = listDevices();
    out << "CPU (" << hardwareThreads() << " cores)";
    for (std::size_t i = 1; i < devices.size(); ++i)
        out << (i == 1 ? "; " : ", ") << devices[i].id << " " << devices[i].name;
    return out.str();
}

} // namespace repalign
