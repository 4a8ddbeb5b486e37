#pragma once
/// @file dataset.h
/// In-memory labelled image sets and the data-spec strings that name them everywhere
/// (CLI, config, GUI): `cifar10:DIR`, `idx:DIR`, `folder:DIR`, `shapes:N[:SEED]`.
#include "run/dataspec.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

/// Images as uint8 HWC RGB, row-major, all of one size.
struct ImageDataset {
    std::int64_t count = 0;
    int height = 0;
    int width = 0;
    std::vector<std::uint8_t> pixels; ///< count * height * width * 3
    std::vector<std::int64_t> labels; ///< count
    std::vector<std::string> classes; ///< class names, index = label
    std::string source; ///< spec or file the data came from

    const std::uint8_t* image(std::int64_t i) const { return pixels.data() + static_cast<std::size_t>(i) * height * width * 3; }
    std::size_t imageBytes() const { return static_cast<std::size_t>(height) * width * 3; }
    int numClasses() const { return static_cast<int>(classes.size()); }
    /// A new set holding the images at @p indices, in that order.
    ImageDataset subset(const std::vector<std::int64_t>& indices) const;
};

/// Loads one split of the data named by @p spec. Throws Error naming the file (and record)
/// for missing or corrupt input.
ImageDataset loadDataset(const std::string& spec, Split split);

// Individual loaders (used by loadDataset; public for tests and importers).
ImageDataset loadCifar10(const std::string& dir, Split split);
ImageDataset loadIdx(const std::string& dir, Split split);
ImageDataset loadImageFolder(const std::string& dir);
/// Procedural 10-class 32x32 RGB set: shapes, colours, textures and backgrounds vary;
/// deterministic for (count, seed, split).
ImageDataset makeShapes(std::int64_t count, std::uint64_t seed, Split split);
std::vector<std::string> shapesClassNames();

/// Reads one IDX file (gzip or raw) into dims and bytes; throws Error naming the file.
struct IdxArray {
    std::vector<std::int64_t> dims;
    std::vector<std::uint8_t> data;
};
IdxArray readIdxFile(const std::string& path);

} // namespace repalign
