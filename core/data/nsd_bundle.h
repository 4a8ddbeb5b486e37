#pragma once
/// @file nsd_bundle.h
/// The brain-data bundle (docs/ARCHITECTURE.md, "NSD bundle"): one HDF5 file holding the stimuli a subject saw and the
/// responses of one or more regions of interest (ROIs).
///
///   /stimuli                  uint8  [N,H,W,3]
///   /stimulus_ids             int64  [N]
///   /responses/<ROI>          float32 [N,V]     repeats averaged
///   /responses_trials/<ROI>   float32 [N,R,V]   optional; NaN where an image has fewer repeats
///   /noise_ceiling/<ROI>      float32 [V]       optional; fraction (0..1) of the variance of the
///                                                averaged response a perfect model can explain
///   /voxel_coords/<ROI>       int32  [V,3]      optional
///   /split                    uint8  [N]        0 train, 1 val, 2 test
///   attributes on /: source, subject, beta_version, image_size
#include "common/progress.h"
#include "data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

enum class BundleSplit : std::uint8_t { Train = 0, Val = 1, Test = 2 };

/// One region of interest.
struct RoiResponses {
    std::string name;
    std::int64_t voxels = 0;
    std::vector<float> responses; ///< [N,V]
    int repeats = 0; ///< R of responses_trials, 0 when absent
    std::vector<float> trials; ///< [N,R,V] or empty
    std::vector<float> noiseCeiling; ///< [V] or empty
    std::vector<std::int32_t> coords; ///< [V,3] or empty
};

struct NsdBundle {
    std::int64_t count = 0;
    int height = 0;
    int width = 0;
    std::vector<std::uint8_t> stimuli; ///< [N,H,W,3]
    std::vector<std::int64_t> stimulusIds; ///< [N]
    std::vector<std::uint8_t> split; ///< [N]
    std::vector<RoiResponses> rois;
    std::string source; ///< seed-npy | algonauts2023 | nsd | synth | ...
    std::string subject;
    std::string betaVersion;
    std::string origin; ///< file it was read from, for messages

    std::vector<std::string> roiNames() const;
    bool hasRoi(const std::string& name) const;
    /// Throws Error naming the bundle and listing the ROIs present.
    const RoiResponses& roi(const std::string& name) const;
    /// Indices of the images in @p s, ascending.
    std::vector<std::int64_t> indices(BundleSplit s) const;
    /// The stimuli at @p indices as an image set (labels 0, one class "stimulus").
    ImageDataset images(const std::vector<std::int64_t>& indices) const;
};

/// What a bundle holds, read without loading the data (for listings and the GUI).
struct BundleInfo {
    std::string path;
    std::int64_t count = 0;
    int height = 0, width = 0;
    std::int64_t train = 0, val = 0, test = 0;
    struct Roi {
        std::string name;
        std::int64_t voxels = 0;
        int repeats = 0;
        bool hasNoiseCeiling = false;
        bool hasCoords = false;
    };
    std::vector<Roi> rois;
    std::string source, subject, betaVersion;
};

/// Checks a bundle file and reports its contents. Throws Error with one line naming the
/// dataset and what is wrong (missing, wrong dtype, shapes that disagree, no ROIs).
BundleInfo inspectBundle(const std::string& path);

/// Reads (and validates) a bundle. @p rois limits the ROIs loaded (empty = all); an unknown
/// name throws Error listing the ROIs present. Trials are loaded only when @p withTrials.
NsdBundle readBundle(const std::string& path, const std::vector<std::string>& rois = {}, bool withTrials = false);

/// Validates an in-memory bundle (same rules as the reader); @p where names it in errors.
void validateBundle(const NsdBundle& bundle, const std::string& where);

/// Writes a bundle atomically (temp file + rename; nothing is left on failure).
void writeBundle(const std::string& path, const NsdBundle& bundle);

/// Assigns a seeded random split: round(valFraction*N) images to val, the rest to train.
std::vector<std::uint8_t> randomSplit(std::int64_t count, double valFraction, std::uint64_t seed);

/// Drops voxels with any non-finite response (in responses or trials), logging a warning
/// through @p sink that counts them, or throws Error naming the ROI when @p strict.
/// Returns the number of voxels dropped over all ROIs. An ROI left empty throws Error.
std::int64_t dropNonFiniteVoxels(NsdBundle& bundle, bool strict, ProgressSink& sink);

/// What dropNonFiniteVoxels would do to the responses of the bundle at @p path (the check every
/// command that reads responses applies: nsd info, predictivity, tune): warns through @p sink
/// with the count and the voxels per ROI, or throws Error when @p strict. Returns the count.
std::int64_t checkBundleFinite(const std::string& path, bool strict, ProgressSink& sink);

/// Noise ceiling per voxel from repeated trials [N,R,V] (NaN = missing repeat), as NSD
/// (Allen et al. 2022): noise variance = mean over images of the variance across repeats,
/// signal variance = total variance - noise variance (floored at 0),
/// ceiling = ncsnr^2 / (ncsnr^2 + mean_i 1/n_i) for responses averaged over n_i repeats.
/// Returns fractions in [0,1]; voxels without any image with 2+ repeats get NaN.
std::vector<float> noiseCeilingFromTrials(const std::vector<float>& trials, std::int64_t n, int repeats, std::int64_t voxels);

} // namespace repalign
