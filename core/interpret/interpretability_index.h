#pragma once
/// @file interpretability_index.h
/// The Interpretability Index parts that need no network: II-color and II-label, and the
/// pair-averaging conventions shared with II-LPIPS.
#include "interpret/analysis.h"

#include <cstdint>
#include <vector>

namespace repalign {

/// Mean of a symmetric k x k matrix of pair values (row-major): over the pairs i<j for
/// Exclude, over all k*k entries (the diagonal as given: 0 for distances, 1 for label
/// equality) for Include.
double pairMean(const std::vector<double>& matrix, int k, IIDiagonal diagonal);

/// II-color of one unit: pairwise L2 distance between the k images' mean RGB (0-255), averaged
/// by @p diagonal; with Include it is reported as minus the distance (the reference's sign).
/// @p images holds k uint8 HWC RGB images of @p pixels pixels each, back to back.
double iiColor(const std::uint8_t* images, int k, std::int64_t pixels, IIDiagonal diagonal);

/// II-label of one unit: share of image pairs with equal labels (diagonal pairs count as
/// equal under Include).
double iiLabel(const std::int64_t* labels, int k, IIDiagonal diagonal);

/// The value of the pair-matrix average for a unit's pair matrix @p lpipsPairs (k x k).
inline double iiLpipsFromPairs(const std::vector<double>& lpipsPairs, int k, IIDiagonal diagonal)
{
    return pairMean(lpipsPairs, k, diagonal);
}

} // namespace repalign
