#pragma once
/// @file calibration.h
/// Calibration of a classifier's softmax (Guo et al. 2017): expected calibration error over
/// equal-width confidence bins, negative log-likelihood, Brier score and the reliability
/// diagram's bins. Pure maths, torch-free.
#include "behaviour/behaviour_file.h"

#include <cstdint>
#include <vector>

namespace repalign::behaviour {

/// @p probs is N x @p classes (rows: softmax, summing to 1), @p labels N true classes.
/// Confidence = the row's maximum, the prediction its first argmax. Bin b of @p bins holds the
/// confidences in (b/B, (b+1)/B] (Guo et al.'s code: conf > lower and conf <= upper);
/// ECE = sum_b (n_b / N) |acc_b - conf_b|. NLL = mean -log p(true) (a probability that underflowed
/// to 0 counts as the smallest positive float, 1.4e-45), Brier = mean over images of
/// sum_k (p_k - [k == true])^2. Throws Error for inconsistent sizes, a label outside the
/// classes, or a non-finite probability (naming the image).
CalibrationResult computeCalibration(
    const std::vector<double>& probs, int classes, const std::vector<std::int64_t>& labels, int bins = 15);

} // namespace repalign::behaviour
