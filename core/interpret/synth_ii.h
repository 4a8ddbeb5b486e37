#pragma once
/// @file synth_ii.h
/// The Interpretability Index on synthesised images (`repalign-cli analyze --ii-on synth`): per
/// unit, II-LPIPS and II-color over that unit's R synthesised images (the random starts that
/// `repalign-cli visualize` keeps in /synth), computed by the same code as the dataset II
/// (computeII: same LPIPS network, resize, pair averaging and colour distance).
///
/// Written group (added to an existing file, replacing only an earlier /ii_synth):
///   /ii_synth/lpips            float32 [U]
///   /ii_synth/lpips_per_layer  float32 [U,5]
///   /ii_synth/lpips_pairs      float32 [U,R,R]  symmetric, zero diagonal
///   /ii_synth/color            float32 [U]
///   /ii_synth/units            int64   [U]      /synth/units (unit, channel or voxel indices)
/// /ii_synth attributes: source ("synth:FILE", the file whose /synth was read), images_per_unit,
/// objective, layer, model (of /synth), ii_diagonal, lpips_weights, lpips_calibrated,
/// lpips_resize, program, created. II-label is not defined for synthesised images (they have no
/// labels) and is not written.
#include "common/progress.h"
#include "run/analyze_config.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

struct SynthIIOptions {
    std::string synth; ///< file holding /synth (an analysis .h5 or a visualize .h5)
    std::string out; ///< file to add /ii_synth to (created when missing); empty = nothing written
    std::string lpipsWeights; ///< as AnalyzeOptions::lpipsWeights
    int lpipsResize = 64;
    IIDiagonal iiDiagonal = IIDiagonal::Exclude;
    std::string device = "cpu";
    int threads = 0;
};

struct SynthIIValues {
    std::string source; ///< "synth:FILE"
    std::string objective, layer, model;
    int imagesPerUnit = 0;
    std::vector<std::int64_t> units; ///< [U]
    std::vector<float> lpips; ///< [U]
    std::vector<std::array<float, 5>> lpipsPerLayer; ///< [U]
    std::vector<float> pairs; ///< [U*R*R]
    std::vector<float> color; ///< [U]
    std::string iiDiagonal, lpipsWeights;
    bool lpipsCalibrated = false;
    int lpipsResize = 0;
    bool appended = false; ///< /ii_synth added to an existing file
    double seconds = 0;
};

/// The synth-II options of an analysis whose ii_on is synth or synth:FILE: /synth of out (synth)
/// or of FILE, written to out, with the analysis's LPIPS, II convention, device and threads.
SynthIIOptions synthIIOptions(const AnalyzeOptions& analysis);

/// Reads /synth of options.synth, computes the II per unit and (when out is set) writes
/// /ii_synth. Throws Error (one line) when the file has no /synth, when /synth holds fewer than
/// 2 images per unit, or for bad LPIPS options; Cancelled when cancelled (no file changed).
SynthIIValues computeSynthII(const SynthIIOptions& options, ProgressSink& sink, const CancelToken& cancel);

/// Reads /ii_synth of @p path; false when the file has none.
bool readSynthII(const std::string& path, SynthIIValues& out);

} // namespace repalign
