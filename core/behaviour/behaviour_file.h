#pragma once
/// @file behaviour_file.h
/// The behavioural profile of a model (`repalign-cli behave`): clean accuracy with per-image
/// correctness and softmax, calibration, agreement with CIFAR-10H's human labels, CIFAR-10-C
/// accuracy and PGD robust accuracy, as stored in the group /behaviour of an HDF5 file (a new
/// file or an analysis .h5 that gains the group). Torch-free: the GUI and the CLI read it.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {
class H5File;
}

namespace repalign::behaviour {

struct Interval2 {
    double low = NAN, high = NAN;
};

struct CalibrationResult {
    double ece = NAN, nll = NAN, brier = NAN;
    int bins = 15;
    std::vector<double> binEdges; ///< bins+1, equal width on [0,1]
    std::vector<double> binConfidence; ///< bins (mean max-softmax in bin; NAN if empty)
    std::vector<double> binAccuracy; ///< bins (NAN if empty)
    std::vector<std::int64_t> binCount; ///< bins
};

struct HumanResult { ///< present only with --human (CIFAR-10H)
    bool present = false;
    std::string source; ///< file(s) read
    double crossEntropy = NAN, agreement = NAN, kl = NAN, hardAccuracy = NAN;
    std::int64_t hardImages = 0;
    Interval2 crossEntropyCI, agreementCI, hardAccuracyCI; ///< bootstrap over images, 95%
    double kappaExpected = NAN; ///< vs the expected observer (counts)
    double kappaMedian = NAN; ///< over annotators of the raw CSV (NAN if no CSV)
    Interval2 kappaCI;
    std::vector<double> kappaPerAnnotator;
    std::vector<std::int64_t> annotatorIds;
    std::vector<std::int64_t> confusionModel; ///< 10x10 row-major [true][pred] counts
    std::vector<double> confusionHuman; ///< 10x10 row-major [true][chosen] (summed counts)
    std::vector<std::int64_t> humanMajority; ///< [N]
    std::vector<float> humanAccuracy; ///< [N] share of annotators choosing the true label
    /// Added to contract A: [N] -sum_k h_k log p_k per image (dataset cross_entropy_per_image), so
    /// compare can bootstrap the difference of two models' cross-entropies over the same images.
    std::vector<double> crossEntropyPerImage;
};

struct CorruptionResult {
    bool present = false;
    std::string source; ///< folder read
    std::vector<std::string> names; ///< C names, in file order
    std::vector<double> accuracy; ///< C x 5 row-major
    double meanAccuracy = NAN;
    std::vector<std::uint8_t> correct; ///< C x 5 x N row-major (0/1)
    bool hasReference = false;
    std::string reference; ///< --reference file
    std::vector<double> ce, relativeCe; ///< C (normalised by the reference)
    double mce = NAN, relativeMce = NAN;
};

struct PgdCurve {
    std::string norm; ///< "linf" | "l2"
    std::vector<double> eps, accuracy; ///< E (eps in [0,1] pixel units; linf eps given /255 on the CLI)
    std::vector<std::uint8_t> correct; ///< E x M row-major
    std::vector<std::int64_t> imageIndices; ///< M (indices into the evaluated images)
    int steps = 10;
    double stepFraction = 0.25;
    bool randomStart = false;
    std::uint64_t seed = 0;
};

struct BehaviourData {
    std::string path, model, checkpoint, data, split, precision;
    std::int64_t images = 0;
    double accuracy = NAN; ///< clean
    std::vector<std::int64_t> labels, predictions; ///< [N]
    std::vector<std::uint8_t> correct; ///< [N]
    std::vector<float> probs; ///< N x classes softmax
    int classes = 10;
    CalibrationResult calibration;
    HumanResult human;
    CorruptionResult corruption;
    std::vector<PgdCurve> pgd; ///< 0..2 entries (linf, l2)
};

/// Reads /behaviour of an HDF5 file; one-line Error naming the file when it has none.
BehaviourData readBehaviour(const std::string& path);
bool hasBehaviour(const std::string& path);

/// Writes @p data as the group /behaviour into an open file (the layout readBehaviour reads;
/// the file's root attributes program/created are the caller's). Used by the behave job
/// through writeGroupAtomically.
void writeBehaviourGroup(H5File& file, const BehaviourData& data);

} // namespace repalign::behaviour
