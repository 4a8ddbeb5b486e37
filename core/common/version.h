#pragma once
/// @file version.h
#include <string>

namespace repalign {

/// The program version ("0.1.0").
std::string programVersion();
/// One "Library X.Y.Z" line each for LibTorch, OpenCV, HDF5, yaml-cpp, Boost, each ending in '\n'.
std::string libraryVersions();
/// Same facts as a YAML mapping body (for run.yaml), lines indented by @p indent spaces.
std::string libraryVersionsYaml(int indent);
/// "cpu (N threads)" or the CUDA device names this build sees.
std::string deviceSummary();

} // namespace repalign
