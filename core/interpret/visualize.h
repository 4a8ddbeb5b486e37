#pragma once
/// @file visualize.h
/// Synthesised maximally exciting images (feature visualisation): gradient ascent on the input
/// image to maximise a unit, a channel or a voxel's predicted response, following the
/// published recipe of Lucid / Lucent (Olah et al. 2017, "Feature Visualization"):
///   - Fourier-space parameterisation with 1/f amplitude scaling (`fft`, else plain pixels);
///   - decorrelated colour: Lucid's square root of the ImageNet colour correlation matrix,
///     columns normalised, then a sigmoid to [0, 1];
///   - transformation robustness: each step every image is shifted (jitter), scaled and
///     rotated by random amounts (one affine resampling, grey 0.5 outside the image);
///   - optional total-variation and blur penalties;
///   - Adam on the parameters, a fixed number of steps;
///   - several random starts per unit, each kept with its final activation.
/// Every random choice derives from the seed, the unit and the start (counter-based RNG), so a
/// unit's images do not depend on which other units share its batch or on the batch size.
///
/// Objectives (one per batch element):
///   unit    the tap's centre element [c, H/2, W/2] (the analysis' `center` aggregation)
///   channel the spatial mean of channel c
///   voxel   a readout's predicted response: pool(tap) . w_v + b_v (then ELU+1 when the readout
///           has that activation), from a tuned checkpoint's `readout.<ROI>.*` or a readout the
///           caller supplies (e.g. a ridge fit of a baseline on a bundle)
///
/// Written datasets (h5py-readable; into a new file, or added to an existing analysis file,
/// replacing only an earlier /synth):
///   /synth/images       uint8   [U,R,H,W,3]  R random starts per unit
///   /synth/activations  float32 [U,R]        objective at the stored (8-bit) image
///   /synth/best         int64   [U]          start with the highest activation
///   /synth/units        int64   [U]          unit, channel or voxel indices
///   /synth/trace        float32 [U,R,T]      objective (on the transformed image) every
///                                            `trace_every` steps
/// /synth attributes: objective, layer, roi, readout, pooling, model, checkpoint, seed, steps,
/// lr, starts, size, parameterization, decorrelate, decay_power, jitter, scales, rotations,
/// tv, blur, program, created.
#include "common/progress.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace repalign {

class H5File;

/// "unit", "channel", "voxel".
std::vector<std::string> visualizeObjectives();

struct VisualizeOptions {
    std::string checkpoint; ///< repalign checkpoint or PyTorch .pth/.pt
    std::string checkpointKey; ///< state-dict key inside a PyTorch file, empty = auto
    std::string model; ///< architecture when the file does not record it
    std::string layer = "layer4"; ///< tap (unit/channel); for voxel: the readout's tap, empty = from the checkpoint
    std::string objective = "unit"; ///< unit | channel | voxel
    std::vector<std::int64_t> units; ///< units/channels, or voxel indices

    // voxel objective
    std::string roi; ///< readout.<ROI>.weight/bias in the checkpoint, unless readoutWeight is given
    std::vector<float> readoutWeight; ///< [V, F] row-major (given: used instead of the checkpoint's)
    std::vector<float> readoutBias; ///< [V]
    std::string readoutSource; ///< what the given readout is, for the file ("ridge:BUNDLE", ...)
    std::string pooling; ///< flatten | mean; empty = from the checkpoint's tuning config (else flatten)
    std::string readoutActivation; ///< none | elu1; empty = from the checkpoint's tuning config

    // the recipe
    int size = 32; ///< side of the optimised image; the model sees it resized to its input size (modelInputSize)
    int steps = 256;
    double lr = 0.05; ///< Adam learning rate (Lucent's default)
    int starts = 1; ///< random starts per unit
    std::string parameterization = "fft"; ///< fft | pixel
    bool decorrelate = true;
    double decayPower = 1.0; ///< fft amplitude ~ 1/f^decayPower
    double initSd = 0.01; ///< standard deviation of the initial parameters
    bool transforms = true;
    int jitter = 2; ///< random shift in pixels, uniform in [-jitter, jitter]
    double scaleMin = 0.9, scaleMax = 1.1; ///< random scale (Lucent: 1 + (i-5)/50, i = 0..10)
    double rotateDegrees = 10; ///< random rotation in whole degrees [-r, r]
    double tv = 0; ///< weight of the total-variation penalty (mean |dx| + |dy|)
    double blur = 0; ///< weight of the blur penalty (mean squared difference to a 3x3 box blur)
    int traceEvery = 16; ///< objective recorded every N steps (0 = not at all)
    std::uint64_t seed = 0;

    int batchSize = 64; ///< images optimised at once (units x starts are split into such batches)
    std::string precision = "fp32"; ///< fp32 | bf16 | fp16: the model's forward and backward under autocast
    std::string device = "cpu";
    int threads = 0;
    std::string out; ///< .h5 to write or add /synth to; empty = nothing written
};

struct VisualizeResult {
    std::string out;
    bool appended = false; ///< /synth added to an existing file
    std::string model;
    std::int64_t units = 0;
    int starts = 0, size = 0, steps = 0;
    std::vector<std::int64_t> unitIndices; ///< [U]
    std::vector<std::uint8_t> images; ///< [U,R,H,W,3]
    std::vector<float> activations; ///< [U,R] at the stored 8-bit images
    std::vector<std::int64_t> best; ///< [U]
    std::vector<float> trace; ///< [U,R,T]
    int traceLength = 0;
    double seconds = 0;
    double imagesPerSecond = 0; ///< optimised images (units x starts) per second
};

/// Synthesises images for the options' units and (when out is set) writes them. Throws Error
/// for bad input before any long work (unknown tap listing the taps, unit out of range with
/// the unit count, missing readout listing the checkpoint's readouts) and Cancelled when
/// cancelled, leaving no file and an existing file untouched.
class VisualizeJob {
public:
    explicit VisualizeJob(VisualizeOptions options);
    VisualizeResult run(ProgressSink& sink, const CancelToken& cancel);
    const VisualizeOptions& options() const { return m_options; }

private:
    VisualizeOptions m_options;
};

/// The objective of each of @p units for @p images (uint8 [N,H,W,3], N = units.size(): image i
/// scored for units[i]) as VisualizeJob scores them (same model, tap, normalisation and readout).
/// For tests and for scoring dataset MEIs on the same footing.
std::vector<float> visualizeObjectiveValues(
    const VisualizeOptions& options, const std::vector<std::uint8_t>& images, int height, int width);

/// What /synth of a file holds (read without the images), for viewers.
struct SynthIndex {
    std::string objective, layer, roi, model;
    std::string readout; ///< voxel objective: "checkpoint" or the given readout ("ridge:BUNDLE ...")
    int starts = 0, height = 0, width = 0;
    std::vector<std::int64_t> units; ///< [U]
    std::vector<std::int64_t> best; ///< [U]
    std::vector<float> activations; ///< [U*R]
    /// Position of @p unit in units, or -1.
    std::int64_t find(std::int64_t unit) const;
};
/// Reads /synth's index from @p path; false when the file has no /synth. Throws Error naming
/// the file when /synth is incomplete.
bool readSynthIndex(const std::string& path, SynthIndex& out);
/// The R synthesised images of entry @p entry (uint8 HWC RGB each), read alone.
std::vector<std::vector<std::uint8_t>> readSynthImages(const std::string& path, const SynthIndex& index, std::int64_t entry);

/// Parses "0-9,12,20-23" into indices (throws Error naming the text).
std::vector<std::int64_t> parseIndexList(const std::string& text, const std::string& what);

} // namespace repalign
