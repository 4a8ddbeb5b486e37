#include "common/version.h"

#include <H5public.h>
#include <boost/version.hpp>
#include <opencv2/core/version.hpp>
#include <torch/torch.h>
#ifdef REPALIGN_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

#include "common/fsutil.h"

#include <dlfcn.h>
#include <link.h>

#include <climits>
#include <cstdlib>
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
    return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "."
        + std::to_string(BOOST_VERSION % 100);
}
} // namespace

std::string programVersion()
{
    return REPALIGN_VERSION;
}

namespace {
int collectLoaded(struct dl_phdr_info* info, std::size_t, void* data)
{
    if (info->dlpi_name && *info->dlpi_name)
        static_cast<std::vector<std::string>*>(data)->push_back(info->dlpi_name);
    return 0;
}

bool startsWith(const std::string& s, const char* prefix)
{
    return s.rfind(prefix, 0) == 0;
}
} // namespace

std::string blasLibrary()
{
    // Which libblas.so.3 the dynamic linker loaded for LibTorch (Debian switches it with
    // update-alternatives), resolved through the alternatives symlinks.
    std::vector<std::string> loaded;
    dl_iterate_phdr(collectLoaded, &loaded);
    std::string path;
    for (const auto& l : loaded) {
        const std::string base = l.substr(l.rfind('/') + 1);
        if (startsWith(base, "libblas.so") || startsWith(base, "libopenblas") || startsWith(base, "libblis")
            || startsWith(base, "libmkl_rt")) {
            char buf[PATH_MAX];
            path = ::realpath(l.c_str(), buf) ? std::string(buf) : l;
            if (startsWith(base, "libblas.so"))
                break; // the one LibTorch links against
        }
    }
    // OpenBLAS, under any of its names, answers openblas_get_config.
    using TextFn = char* (*)();
    if (auto config = reinterpret_cast<TextFn>(::dlsym(RTLD_DEFAULT, "openblas_get_config"))) {
        std::string s = config() ? config() : "OpenBLAS";
        while (!s.empty() && s.back() == ' ')
            s.pop_back();
        if (auto core = reinterpret_cast<TextFn>(::dlsym(RTLD_DEFAULT, "openblas_get_corename")))
            if (const char* c = core())
                s += std::string(" (core ") + c + ")";
        return s + (path.empty() ? "" : ", " + path);
    }
    if (path.empty())
        return at::hasMKL() ? "Intel MKL (built into LibTorch)" : "none loaded (LibTorch's own kernels)";
    if (path.find("/blas/") != std::string::npos || path.find("netlib") != std::string::npos)
        return "reference BLAS (netlib; about 3x slower matmul, install libopenblas0-pthread), " + path;
    if (path.find("blis") != std::string::npos)
        return "BLIS, " + path;
    if (path.find("mkl") != std::string::npos)
        return "Intel MKL, " + path;
    if (path.find("atlas") != std::string::npos)
        return "ATLAS, " + path;
    return path;
}

std::string libraryVersions()
{
    std::ostringstream out;
    out << "LibTorch " << TORCH_VERSION << (torch::cuda::is_available() ? " (CUDA available)" : " (CPU)") << "\n"
        << "OpenCV " << CV_VERSION << "\n"
        << "HDF5 " << hdf5Version() << "\n"
        << "Boost " << boostVersion() << "\n"
        << "BLAS " << blasLibrary() << "\n";
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
        << pad << "boost: \"" << boostVersion() << "\"\n"
        << pad << "blas: \"" << blasLibrary() << "\"\n";
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
        DeviceInfo d {"cuda:" + std::to_string(i), "CUDA device " + std::to_string(i), 0};
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
