#pragma once
/// @file version.h
#include <string>
#include <vector>

namespace repalign {

/// The program version ("0.1.0").
std::string programVersion();
/// One "Library X.Y.Z" line each for LibTorch, OpenCV, HDF5, yaml-cpp, Boost, each ending in '\n'.
std::string libraryVersions();
/// Same facts as a YAML mapping body (for run.yaml), lines indented by @p indent spaces.
std::string libraryVersionsYaml(int indent);
/// "cpu (N threads)" plus the CUDA devices this build sees.
std::string deviceSummary();

/// One compute device the program can use.
struct DeviceInfo {
    std::string id;          ///< "cpu", "cuda:0", ...
    std::string name;        ///< "CPU, 2 threads", "NVIDIA H100 80GB HBM3"
    long long memoryBytes = 0; ///< total device memory, 0 when unknown
};
/// cpu first, then each CUDA device (names only in a CUDA build of LibTorch).
std::vector<DeviceInfo> listDevices();
/// Whether this LibTorch build was compiled with CUDA.
bool torchBuiltWithCuda();

} // namespace repalign
