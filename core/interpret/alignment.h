#pragma once
/// @file alignment.h
/// Representational alignment between a model layer and a brain region, the measures of
/// Brain-Score / Net2Brain beside the ridge probe (train/predictivity.h):
///   - RSA: Spearman correlation between the upper triangles of two representational
///     dissimilarity matrices (RDMs), each 1 - Pearson r between the images' patterns;
///   - its split-half noise ceiling from repeated trials (odd vs even repeats, Spearman-Brown);
///   - linear CKA with the unbiased HSIC estimator (Song et al. 2012; Nguyen et al. 2021);
///   - a seeded sparse random projection (Li, Hastie & Church 2006) that bounds the feature
///     count of large layers.
/// Plain maths on row-major float matrices, accumulated in double.
#include <cstdint>
#include <vector>

namespace repalign {

/// 1 - Pearson r between every pair of rows of @p x [n,d]: n*n row-major, zero diagonal. A
/// row without variance correlates 0 with every other row (dissimilarity 1).
std::vector<double> correlationRdm(const float* x, std::int64_t n, std::int64_t d);

/// The entries i < j of an n x n matrix, row by row.
std::vector<double> upperTriangle(const std::vector<double>& m, std::int64_t n);

/// Spearman rank correlation (ties get their average rank); NaN when either side is constant
/// or the sizes differ or are below 2.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

/// RSA between a model's features @p x [n,p] and brain responses @p y [n,q] over the same n
/// images: spearman(upper(correlationRdm(x)), upper(correlationRdm(y))).
double rsaScore(const float* x, std::int64_t p, const float* y, std::int64_t q, std::int64_t n);

/// The RSA noise ceiling from trials [n,R,v] (NaN = missing repeat): each image's even-indexed
/// and odd-indexed finite repeats are averaged into two halves, the RDMs of the halves are
/// compared (Spearman) and the split-half r is Spearman-Brown corrected (2r / (1 + r)). Only
/// images with at least two finite repeats count. NaN when fewer than 3 such images remain.
struct RsaCeiling {
    double splitHalf = 0; ///< uncorrected split-half Spearman
    double ceiling = 0; ///< Spearman-Brown corrected
    std::int64_t images = 0; ///< images with 2+ repeats used
};
RsaCeiling rsaSplitHalfCeiling(const float* trials, std::int64_t n, int repeats, std::int64_t v);

/// The unbiased HSIC estimator of two n x n Gram matrices (their diagonals are ignored):
/// [tr(KL) + 1'K1 1'L1 / ((n-1)(n-2)) - 2/(n-2) 1'KL1] / (n(n-3)) with zero-diagonal K, L.
/// Needs n >= 4.
double hsicUnbiased(const std::vector<double>& k, const std::vector<double>& l, std::int64_t n);

/// Linear CKA of @p x [n,p] and @p y [n,q] (columns centred, Gram matrices X X', Y Y') with the
/// unbiased HSIC: HSIC(K,L) / sqrt(HSIC(K,K) HSIC(L,L)). NaN when a denominator is not positive.
double ckaLinearUnbiased(const float* x, std::int64_t p, const float* y, std::int64_t q, std::int64_t n);

/// A sparse random projection R [in, out]: entries +-sqrt(1/(density * out)) with probability
/// density/2 each, else 0 (density 1/sqrt(in) by default, as scikit-learn's
/// SparseRandomProjection). Seeded by a counter-based generator, so the same seed gives the
/// same matrix on every machine. Stored by input row (CSR).
struct SparseProjection {
    std::int64_t in = 0, out = 0;
    std::uint64_t seed = 0;
    double density = 0;
    std::vector<std::int64_t> rowStart; ///< [in+1]
    std::vector<std::int32_t> column;
    std::vector<float> value;
};
SparseProjection makeSparseProjection(std::int64_t in, std::int64_t out, std::uint64_t seed, double density = 0);
/// x [n, in] -> x R [n, out].
std::vector<float> applyProjection(const SparseProjection& r, const float* x, std::int64_t n);

} // namespace repalign
