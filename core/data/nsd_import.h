#pragma once
/// @file nsd_import.h
/// Importers that turn published brain-data layouts into an NSD bundle (nsd_bundle.h).
/// Each reads images a block at a time, resizes them to imageSize at once and keeps only the
/// result, so memory stays bounded by the output, never by the source (NSD's 37 GB brick).
#include "common/progress.h"
#include "data/nsd_bundle.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

struct ImportOptions {
    std::string format; ///< seed-npy | algonauts2023 | nsd
    std::string root; ///< ROOT / SUBJ_DIR / NSD_ROOT
    std::string out; ///< bundle path
    int imageSize = 64; ///< stimuli are resized to imageSize x imageSize (Pillow bilinear)
    double valFraction = 0.1;
    /// seed-npy: ROOT holds train/ and val/ (and optionally test/), each a seed-npy root; those
    /// folders are the bundle's split instead of a random valFraction (the reference's layout).
    bool splitFromFolders = false;
    std::uint64_t seed = 0;
    bool strict = false; ///< non-finite responses fail instead of dropping voxels
    std::vector<std::string> rois; ///< seed-npy: subset (empty = all); algonauts/nsd: required
    // algonauts2023
    std::string hemisphere = "both"; ///< lh | rh | both
    // nsd
    int subject = 1; ///< 1..8
    int sessionFirst = 1, sessionLast = 40;
    std::string betas = "betas_fithrf_GLMdenoise_RR";
    std::string space = "func1pt8mm";
};

struct ImportResult {
    std::string out;
    std::int64_t images = 0;
    std::vector<std::string> rois;
    std::vector<std::int64_t> voxels; ///< per ROI after dropping
    std::int64_t droppedVoxels = 0;
    std::int64_t trials = 0; ///< nsd: trials read
};

/// Formats accepted by importBundle.
std::vector<std::string> importFormats();

/// Runs the importer named by options.format and writes options.out atomically.
/// Throws Error for bad input (naming the file/field and the valid choices); a cancel leaves
/// no file behind.
ImportResult importBundle(const ImportOptions& options, ProgressSink& sink, const CancelToken& cancel);

/// The importers, returning the bundle in memory (used by importBundle and tests).
NsdBundle importSeedNpy(const ImportOptions& options, ProgressSink& sink, const CancelToken& cancel);
/// seed-npy with the split from ROOT/train, ROOT/val and (when present) ROOT/test: the folders'
/// images in that order, `split` set from the folder; the ROIs and their voxel counts must agree.
NsdBundle importSeedNpySplitFolders(const ImportOptions& options, ProgressSink& sink, const CancelToken& cancel);
NsdBundle importAlgonauts2023(const ImportOptions& options, ProgressSink& sink, const CancelToken& cancel);
NsdBundle importNsdRaw(
    const ImportOptions& options, ProgressSink& sink, const CancelToken& cancel, std::int64_t* trialsRead = nullptr);

/// Algonauts 2023 ROI names per ROI class (prf-visualrois, floc-bodies, floc-faces,
/// floc-places, floc-words, streams), as in the challenge's mapping files.
std::vector<std::pair<std::string, std::vector<std::string>>> algonautsRoiTables();

/// NSD prf-visualrois labels: 1 V1v, 2 V1d, 3 V2v, 4 V2d, 5 V3v, 6 V3d, 7 hV4. Also accepts the
/// unions V1, V2, V3 (ventral + dorsal) and V4 as an alias of hV4. Returns the label values.
std::vector<int> nsdRoiLabels(const std::string& roi);

/// Resizes one uint8 HWC RGB image to side x side with Pillow's bilinear resample (data/pil_resize.h),
/// as the reference's Resize on the PIL image (for NSD's square stimuli: Resize(side)).
void resizeImageRgb(const std::uint8_t* src, int height, int width, int side, std::uint8_t* dst);

} // namespace repalign
