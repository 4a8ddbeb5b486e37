#pragma once
/// @file version.h
#include <string>
#include <vector>

namespace repalign {

/// The program version ("0.1.0").
std::string programVersion();
/// One "Library X.Y.Z" line each for LibTorch, OpenCV, HDF5, Boost and the BLAS loaded, each ending in '\n'.
std::string libraryVersions();
/// Same facts as a YAML mapping body (for run.yaml), lines indented by @p indent spaces.
std::string libraryVersionsYaml(int indent);
/// The BLAS that LibTorch's CPU matmul goes through, detected in the running process:
/// "OpenBLAS 0.3.21 ... (core Haswell), /usr/lib/.../openblas-pthread/libblas.so.3", or the
/// reference (netlib) BLAS with a hint that it is slow, MKL, BLIS, ...
std::string blasLibrary();
/// "cpu (N threads)" plus the CUDA devices this build sees.
std::string deviceSummary();

/// One compute device the program can use.
struct DeviceInfo {
    std::string id; ///< "cpu", "cuda:0", ...
    std::string name; ///< "CPU, 2 threads", "NVIDIA H100 80GB HBM3"
    long long memoryBytes = 0; ///< total device memory, 0 when unknown
};
/// cpu first, then each CUDA device (names only in a CUDA build of LibTorch).
std::vector<DeviceInfo> listDevices();
/// Whether this LibTorch build was compiled with CUDA.
bool torchBuiltWithCuda();

} // namespace repalign
