#pragma once
/// @file behaviour_compare.h
/// `repalign-cli compare A.h5 B.h5 --metric behaviour`: two models' /behaviour on the same
/// images, one row per measure with the difference B - A, its paired-bootstrap 95% CI over
/// images and, for accuracies, McNemar's test on the per-image correctness. Torch-free.
#include "behaviour/behaviour_file.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign::behaviour {

struct BehaviourComparisonRow {
    std::string measure;
    double a = NAN, b = NAN, diff = NAN; ///< diff = b - a
    Interval2 ci; ///< paired bootstrap over images of the difference
    std::string test; ///< "McNemar exact", "McNemar chi-square" or "" (bootstrap only)
    double statistic = NAN, p = NAN;
    std::int64_t n = 0; ///< paired observations (images, or image x severity for corruptions)
};

struct BehaviourComparison {
    std::string fileA, fileB, labelA, labelB;
    std::int64_t images = 0;
    int resamples = 0;
    std::uint64_t seed = 0;
    std::vector<BehaviourComparisonRow> rows;
    std::vector<std::string> notes; ///< parts only one file has, skipped
};

/// Reads both files' /behaviour and compares them. @p files must be exactly two; @p labels
/// (optional) names them. One-line Error when the files were evaluated on different images
/// (image counts or labels differ) or a file has no /behaviour.
BehaviourComparison compareBehaviour(const std::vector<std::string>& files, const std::vector<std::string>& labels = {},
    int resamples = 2000, std::uint64_t seed = 0);

/// The comparison as one table (common/table.h: text|table, csv, tsv, markdown, latex), with a
/// caption naming the files and the notes below it in text form.
std::string formatBehaviourComparison(const BehaviourComparison& c, const std::string& format);

} // namespace repalign::behaviour
