#pragma once
/// @file predictivity.h
/// How well a model predicts brain responses: Pearson r per voxel, noise-ceiling
/// normalisation, and a ridge-regression probe on frozen features (Brain-Score style).
#include "common/progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

/// Per-voxel prediction quality on one ROI.
struct PredictivityStats {
    std::vector<float> r; ///< Pearson r per voxel (NaN where a variance is 0)
    double rMedian = 0, rMean = 0; ///< over finite r
    bool hasCeiling = false;
    /// Algonauts convention: max(r,0)^2 / ceiling per voxel (NaN where the ceiling is <= 0).
    std::vector<float> normalized;
    double normalizedMedian = 0, normalizedMean = 0;
};

/// Pearson r per column of @p pred vs @p target (both [n, v], row-major, double accumulation).
std::vector<float> pearsonPerVoxel(const float* pred, const float* target, std::int64_t n, std::int64_t v);

/// r, its median/mean and, when @p ceiling is non-null ([v], fraction 0..1), the normalised
/// scores.
PredictivityStats predictivityStats(
    const float* pred, const float* target, std::int64_t n, std::int64_t v, const float* ceiling = nullptr);

/// Median of the finite values (0 when there are none).
double finiteMedian(const std::vector<float>& values);
double finiteMean(const std::vector<float>& values);

/// The default ridge penalty grid: 10^-2 .. 10^6, one per decade.
std::vector<double> defaultRidgeAlphas();

/// A ridge fit (features centred; the intercept is the mean response).
struct RidgeFit {
    double alpha = 0; ///< penalty chosen by cross-validation
    std::vector<double> alphas; ///< the grid
    std::vector<double> cvScores; ///< mean over folds and voxels of held-out Pearson r, per alpha
    std::int64_t features = 0, voxels = 0;
    std::vector<float> weights; ///< [features, voxels]
    std::vector<float> bias; ///< [voxels]
    std::vector<float> featureMean; ///< [features]
    /// Predictions for @p x [n, features]: [n, voxels].
    std::vector<float> predict(const std::vector<float>& x, std::int64_t n) const;
};

/// Ridge regression of @p y [n, v] on @p x [n, d], one alpha for all voxels chosen by
/// @p folds-fold cross-validation (contiguous folds over a seeded permutation) maximising the
/// mean held-out Pearson r, then refitted on all rows. Solved through the SVD of x.
RidgeFit ridgeFitCV(const std::vector<float>& x, std::int64_t n, std::int64_t d, const std::vector<float>& y, std::int64_t v,
    const std::vector<double>& alphas, int folds = 5, std::uint64_t seed = 0);

struct ProbeOptions {
    std::string checkpoint;
    std::string model; ///< architecture hint when the checkpoint does not record it
    std::string checkpointKey; ///< state-dict key inside a PyTorch checkpoint, empty = auto
    std::string bundle;
    std::string layer = "layer4";
    std::vector<std::string> rois; ///< empty = every ROI in the bundle
    std::string pooling = "flatten"; ///< flatten | mean (spatial mean per channel)
    std::vector<double> alphas; ///< empty = defaultRidgeAlphas()
    int folds = 5;
    std::string device = "cpu";
    int threads = 0;
    int batchSize = 128;
    int imageSize = 0; ///< bundle images are resized to this (0 = the model's input size: 32, 224 for alexnet/resnet50), then
                       ///< normalised (CIFAR stats)
    std::uint64_t seed = 0;
    std::int64_t maxTrain = 0; ///< 0 = all train-split images
    bool strict = false; ///< voxels with NaN/Inf responses are an error instead of dropped with a warning
    /// auto: the checkpoint's own Linear readout when it has one (the reference notebook's
    /// neural_predict), else a ridge fit; ridge: always fit; checkpoint: require the readout.
    std::string readout = "auto";
};

struct RoiProbe {
    std::string roi;
    bool fromCheckpoint = false; ///< the checkpoint's readout (fit holds its weights; alpha 0, no CV)
    RidgeFit fit; ///< weights included
    PredictivityStats val; ///< on the bundle's val split
    std::int64_t trainCount = 0, valCount = 0;
};

struct ProbeResult {
    std::string model;
    std::string layer;
    std::int64_t features = 0;
    std::vector<RoiProbe> rois;
};

/// Fits a ridge readout on frozen features of the train split and reports per-voxel r on the
/// val split (the model runs in eval mode, no augmentation). A checkpoint that carries its own
/// Linear readout (the notebook's neural_predict) is evaluated with it instead (ProbeOptions::
/// readout): one ROI whose voxel count and the layer's feature count must match the readout. Throws Error for an unknown
/// layer or ROI (listing the valid ones) or a bundle without train/val images.
ProbeResult predictivityProbe(const ProbeOptions& options, ProgressSink& sink, const CancelToken& cancel);

} // namespace repalign
