#pragma once
/// @file human.h
/// Agreement with human observers on the CIFAR-10 test images (CIFAR-10H, Peterson et al.
/// 2019): the published cifar10h-probs.npy / cifar10h-counts.npy and cifar10h-raw.csv, and
/// the metrics (cross-entropy against the human soft labels, top-1 agreement with the human
/// majority, KL, accuracy on human-hard images, Geirhos et al.'s error consistency, confusion
/// matrices). Pure maths and file reading, torch-free.
#include "behaviour/behaviour_file.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign::behaviour {

/// One main trial of cifar10h-raw.csv (attention checks are dropped while reading).
struct HumanTrial {
    std::int64_t annotator = 0;
    std::int64_t image = 0; ///< cifar10_test_set_idx
    int trueLabel = 0, chosenLabel = 0;
};

struct HumanLabels {
    std::string source; ///< the file(s) read
    std::int64_t images = 0;
    std::vector<double> probs; ///< images x 10, rows sum to 1
    std::vector<double> counts; ///< images x 10 annotator counts; empty when only probs were given
    std::vector<HumanTrial> trials; ///< raw CSV main trials; empty without a CSV
};

/// Reads the human labels: @p npyPath a probs (float rows summing to 1) or counts (integer
/// values) .npy of shape [R, 10], @p rawCsv (optional) cifar10h-raw.csv. The labels must be for
/// exactly @p images images (R == images; CSV indices below images), else one-line Error naming
/// both counts. Wrong shape or dtype, NaN/negative/empty rows, missing CSV columns and bad CSV
/// values are one-line Errors naming the file, the row and the field.
HumanLabels readHumanLabels(const std::string& npyPath, const std::string& rawCsv, std::int64_t images);

/// Error consistency (Geirhos et al. 2020) of two observers from their agreement rate c_obs and
/// accuracies: kappa = (c_obs - c_exp) / (1 - c_exp), c_exp = p1 p2 + (1 - p1)(1 - p2); NAN when
/// c_exp == 1 (both observers always right or always wrong).
double errorConsistency(double cObs, double p1, double p2);

/// The human metrics of a model: @p logProbs N x 10 (log-softmax, double), @p labels the true
/// classes, @p predictions the model's (argmax). Bootstrap CIs (95%, @p resamples, @p seed) over
/// images; the annotators' kappa CI is a percentile bootstrap of the median over annotators.
/// Human-hard images: human accuracy (the share choosing the true label) below 0.9.
HumanResult computeHumanMetrics(const HumanLabels& human, const std::vector<double>& logProbs,
    const std::vector<std::int64_t>& labels, const std::vector<std::int64_t>& predictions, int resamples = 2000,
    std::uint64_t seed = 0);

} // namespace repalign::behaviour
