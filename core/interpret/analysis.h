#pragma once
/// @file analysis.h
/// The interpretability analysis of one model: activations over a data split, each unit's
/// maximally exciting images (MEIs) and its Interpretability Index, written to one HDF5 file
/// (layout in docs/ARCHITECTURE.md, "Analysis (HDF5)"), and the reader the CLI, GUI and demo use.
///
/// Datasets written (all h5py-readable):
///   /activations            float32 [N,U]     aggregated tap output per image and unit
///   /labels                 int64   [N]       (extension) class label per image
///   /mei/indices            int64   [U,k]     dataset indices, descending activation
///   /mei/activations        float32 [U,k]
///   /mei/images             uint8   [U,k,H,W,3]
///   /mei/labels             int64   [U,k]
///   /mei/bottom_indices     int64   [U,k]     (extension, optional) least exciting, ascending
///   /mei/bottom_activations float32 [U,k]     (extension, optional)
///   /mei/bottom_images      uint8   [U,k,H,W,3] (extension, optional; with bottom_indices)
///   /mei/bottom_labels      int64   [U,k]     (extension, optional)
///   /ii/lpips               float32 [U]
///   /ii/lpips_per_layer     float32 [U,5]     parts from relu1..relu5 (sum = /ii/lpips)
///   /ii/lpips_pairs         float32 [U,k,k]   (extension) symmetric pairwise LPIPS, zero diagonal
///   /ii/color, /ii/label    float32 [U]
/// Root attributes: model, checkpoint, layer, aggregation, k, data, split, accuracy,
/// ii_diagonal, lpips_weights, lpips_calibrated (0/1), lpips_resize, units, images, tuned_area, precision,
/// program, created.
#include "common/progress.h"
#include "run/analyze_config.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

struct AnalyzeResult {
    std::string out;
    std::string model;
    std::int64_t images = 0;
    std::int64_t units = 0;
    int k = 0;
    double accuracy = 0;
    double iiLpipsMean = 0, iiLpipsStd = 0; ///< over units (sample std)
    double iiColorMean = 0, iiLabelMean = 0;
    bool lpipsCalibrated = false;
    std::string lpipsWeights; ///< the attribute written
    double seconds = 0;
};

/// Analyses one checkpoint and writes the analysis file atomically. Throws Error for bad
/// input before any long work (unknown tap with the list of taps, k larger than the split,
/// missing LPIPS weights with the places searched) and Cancelled when cancelled, in which
/// case no file (partial or temporary) is left.
class AnalyzeJob {
public:
    explicit AnalyzeJob(AnalyzeOptions options);
    AnalyzeResult run(ProgressSink& sink, const CancelToken& cancel);
    const AnalyzeOptions& options() const { return m_options; }

private:
    AnalyzeOptions m_options;
};

/// A read-only view of an analysis file. Small arrays are read on open; activations and
/// MEI images are read lazily.
class AnalysisFile {
public:
    /// Opens and validates @p path; throws Error naming the file and every missing dataset
    /// or attribute when it is not a complete analysis file (e.g. from an older program).
    explicit AnalysisFile(const std::string& path);

    std::string path;
    // attributes
    std::string model, checkpoint, layer, aggregation, data, split, lpipsWeights, tunedArea;
    std::string iiDiagonal; ///< "include" | "exclude"
    bool lpipsCalibrated = false; ///< false for random:SEED weights
    double accuracy = 0;
    int k = 0;
    std::int64_t units = 0;
    std::int64_t images = 0; ///< N of /activations
    int imageHeight = 0, imageWidth = 0;
    // per unit
    std::vector<float> iiLpips; ///< [U]
    std::vector<std::array<float, 5>> iiLpipsPerLayer; ///< [U]
    std::vector<float> iiColor, iiLabel; ///< [U]
    std::vector<std::int64_t> meiIndices; ///< [U*k]
    std::vector<float> meiActivations; ///< [U*k]
    std::vector<std::int64_t> meiLabels; ///< [U*k]
    bool hasBottom = false;
    std::vector<std::int64_t> bottomIndices; ///< [U*k] when hasBottom
    std::vector<float> bottomActivations;
    bool hasPairs = false; ///< /ii/lpips_pairs present

    /// The metric per unit: "lpips", "color" or "label" (throws Error listing them).
    const std::vector<float>& metric(const std::string& name) const;
    /// Unit @p unit's k MEI images, uint8 HWC RGB each (imageHeight*imageWidth*3 bytes).
    std::vector<std::vector<std::uint8_t>> meiImages(std::int64_t unit) const;
    /// Unit @p unit's k x k pairwise LPIPS matrix (row-major), read from /ii/lpips_pairs.
    std::vector<float> lpipsPairs(std::int64_t unit) const;
    /// All activations of one unit over the N images (reads a column).
    std::vector<float> unitActivations(std::int64_t unit) const;
};

/// Every dataset an analysis file must hold (for error messages and tests).
std::vector<std::string> requiredAnalysisDatasets();

} // namespace repalign
