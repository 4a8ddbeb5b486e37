#pragma once
/// @file virtual_cortex.h
/// A virtual cortex: a fixed, hidden model that "responds" to images like two visual areas,
/// for the demo and tests where real fMRI is not at hand.
///
///  - V1: rectified Gabor energy. Each voxel pools the quadrature energy of one orientation
///    (of 4) and scale (of 2) over a Gaussian receptive field at a random position.
///  - V4: a nonlinear (softplus) combination of curvature (products of energies of different
///    orientations at the same place), colour-opponent (R-G, B-Y) contrast and texture
///    (local variance of the energy maps) features pooled over larger receptive fields.
///
/// Each voxel's noise-free signal is standardised over the image set (mean 0, variance 1),
/// then every image gets `repeats` trials with Gaussian noise of sd noiseSd. The responses are
/// the trial means, so the noise ceiling per voxel is known exactly:
///   ceiling = 1 / (1 + noiseSd^2 / repeats).
#include "common/progress.h"
#include "data/dataset.h"
#include "data/nsd_bundle.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

struct SynthOptions {
    std::string data = "shapes:2000"; ///< data spec of the images
    std::string split = "train"; ///< which split of the data spec
    std::int64_t maxImages = 0; ///< 0 = all
    std::vector<std::string> rois {"V1", "V4"};
    int voxels = 64; ///< voxels per ROI
    int repeats = 3;
    double noiseSd = 1.0; ///< per-trial noise, in units of the signal sd
    double valFraction = 0.2;
    std::uint64_t seed = 0; ///< hidden model, noise and split
};

/// Valid virtual-cortex ROI names: V1, V4.
std::vector<std::string> virtualCortexRois();

/// The exact noise ceiling the virtual cortex gives every voxel.
double virtualCortexCeiling(double noiseSd, int repeats);

/// The noise-free signal of @p roi for @p images, standardised per voxel: [N, voxels].
std::vector<float> virtualCortexSignal(const ImageDataset& images, const std::string& roi, int voxels, std::uint64_t seed);

/// Builds a bundle for @p images (stimuli, ids = image indices, split, trials, responses,
/// exact ceilings). Throws Error for an unknown ROI.
NsdBundle synthesizeBundle(
    const ImageDataset& images, const SynthOptions& options, ProgressSink& sink, const CancelToken& cancel);

/// Loads options.data, synthesizes and writes the bundle to @p outPath atomically.
NsdBundle synthesizeBundleFile(
    const SynthOptions& options, const std::string& outPath, ProgressSink& sink, const CancelToken& cancel);

} // namespace repalign
