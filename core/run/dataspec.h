#pragma once
/// @file dataspec.h
/// The data-spec strings that name image sets everywhere (CLI, config, GUI):
/// `cifar10:DIR`, `idx:DIR`, `folder:DIR`, `shapes:N[:SEED]`, and the split names. Parsing
/// only; data/dataset.h loads what they name.
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

enum class Split { Train, Test };

/// "train" / "test" (also accepts "val" for test); throws Error listing the choices.
Split parseSplit(const std::string& text);
const char* splitName(Split split);

/// A parsed data spec.
struct DataSpec {
    std::string kind; ///< cifar10, idx, folder, shapes
    std::string path; ///< folder for file-backed kinds
    std::int64_t count = 0; ///< shapes: images per split
    std::uint64_t seed = 0; ///< shapes: generator seed
    std::string text; ///< the original string
};

/// Parses `kind:ARG`; throws Error naming the spec and the valid kinds.
DataSpec parseDataSpec(const std::string& spec);
std::vector<std::string> dataSpecKinds();

/// The most images a shapes:N spec may ask for (3 KB each: 3 GB).
constexpr std::int64_t kMaxShapesImages = 1000000;

} // namespace repalign
