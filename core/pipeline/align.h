#pragma once
/// @file align.h
/// Brain alignment at every layer: for each model, layer and ROI of a bundle, the ridge
/// predictivity (the probe of train/predictivity.h on the layer's features), RSA against the
/// ROI's RDM (with a split-half noise ceiling where the bundle has repeats) and linear CKA
/// (unbiased HSIC); maths in interpret/alignment.h. One or two models (baseline and tuned) give
/// the profile across depth before and after tuning.
///
/// File layout (group /alignment, in a new file or added to an existing .h5; M models,
/// L layers, R ROIs):
///   /alignment/r_median            float64 [M,L,R]  ridge: median val Pearson r over voxels
///   /alignment/normalized_median   float64 [M,L,R]  ridge: median r^2/ceiling (NaN without a ceiling)
///   /alignment/ridge_alpha         float64 [M,L,R]  penalty chosen by cross-validation
///   /alignment/rsa                 float64 [M,L,R]  Spearman between the model's and the ROI's RDM
///   /alignment/rsa_ceiling         float64 [R]      split-half (Spearman-Brown) ceiling, NaN without repeats
///   /alignment/cka                 float64 [M,L,R]  linear CKA, unbiased HSIC
///   /alignment/features            int64   [M,L]    feature count used (after projection)
///   /alignment/features_original   int64   [M,L]    the layer's flattened size
/// Attributes of /alignment: models, checkpoints, layers, rois (comma-separated, in index
/// order), bundle, pooling, image_size, max_features, projection (how large layers were
/// reduced), seed, train_images, val_images, rsa_cka_split ("val"), folds, program, created.
#include "common/progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

struct AlignOptions {
    std::vector<std::string> checkpoints; ///< one or two (baseline, tuned)
    std::vector<std::string> labels; ///< a name per checkpoint; empty = baseline/tuned (two) or the file stem
    std::string model; ///< architecture when a checkpoint does not record it
    std::string checkpointKey;
    std::string bundle;
    std::vector<std::string> rois; ///< empty = every ROI of the bundle
    std::vector<std::string> layers; ///< empty or {"all"} = every tap of the model
    std::int64_t maxFeatures = 4096; ///< larger layers are projected to this many dimensions
    std::vector<double> alphas; ///< ridge grid; empty = the probe's default
    int folds = 5;
    int imageSize = 32;
    int batchSize = 128;
    std::int64_t maxTrain = 0;
    std::string device = "cpu";
    int threads = 0;
    std::uint64_t seed = 0;
    bool strict = false;
    std::string out;
};

struct AlignmentScores {
    std::vector<std::string> models, checkpoints, layers, rois;
    std::int64_t maxFeatures = 0;
    /// [M*L*R] row-major (model, layer, ROI)
    std::vector<double> rMedian, normalizedMedian, ridgeAlpha, rsa, cka;
    std::vector<double> rsaCeiling; ///< [R]
    std::vector<std::int64_t> features, featuresOriginal; ///< [M*L]
    std::string bundle, projection;
    std::int64_t trainImages = 0, valImages = 0;
    double seconds = 0;

    std::size_t index(std::size_t m, std::size_t l, std::size_t r) const { return (m * layers.size() + l) * rois.size() + r; }
    /// The score named "r_median", "normalized_median", "rsa" or "cka" (throws Error listing them).
    const std::vector<double>& score(const std::string& name) const;
};

/// Score names as the file and `figure --kind layer-profile --score` spell them.
std::vector<std::string> alignmentScoreNames();

/// Computes the scores and writes them to options.out (when set). Throws Error for bad input
/// before the long work (unknown layer or ROI with the valid ones, more than two checkpoints,
/// models with different taps) and Cancelled when cancelled (no file changed).
AlignmentScores runAlignment(const AlignOptions& options, ProgressSink& sink, const CancelToken& cancel);

/// Reads /alignment from @p path; throws Error naming the file and what is missing.
AlignmentScores readAlignment(const std::string& path);

} // namespace repalign
