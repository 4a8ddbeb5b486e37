#pragma once
/// @file cifar10c.h
/// Reading a CIFAR-10-C folder as Hendrycks & Dietterich publish it (and as `repalign-cli
/// corrupt` writes it): <corruption>.npy, uint8 [5N, H, W, 3], the 5 severities severity-major
/// (rows s*N .. s*N+N-1 are severity s+1), and labels.npy [5N]. N is whatever the files hold
/// (10,000 in the release). Torch-free.
#include "data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign::behaviour {

struct Cifar10CFolder {
    std::string dir;
    std::vector<std::string> names; ///< corruption files' stems, sorted by name
    std::int64_t perSeverity = 0; ///< N
    std::vector<std::int64_t> labels; ///< labels.npy, 5N
};

/// Lists the corruptions of @p dir and reads labels.npy (any integer dtype, 1-D, a multiple of
/// 5 long). One-line Errors for a missing folder, no labels.npy, no corruption files, a bad
/// labels.npy.
Cifar10CFolder scanCifar10C(const std::string& dir);

/// One corruption's images as a data set of 5N images (labels from labels.npy). Errors name the
/// file: not uint8, not [5N, H, W, 3], a row count that differs from labels.npy's.
ImageDataset loadCifar10C(const Cifar10CFolder& folder, const std::string& name);

} // namespace repalign::behaviour
