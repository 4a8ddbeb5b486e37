#include "interpret/interpretability_index.h"

#include "common/error.h"

#include <cmath>

namespace repalign {

double pairMean(const std::vector<double>& matrix, int k, IIDiagonal diagonal)
{
    if (k < 2)
        throw Error("pair average needs k >= 2 (got k = " + std::to_string(k) + ")");
    if (matrix.size() != static_cast<std::size_t>(k) * k)
        throw Error("pair matrix has " + std::to_string(matrix.size()) + " entries, expected k*k = " + std::to_string(k * k));
    double sum = 0;
    if (diagonal == IIDiagonal::Exclude) {
        for (int i = 0; i < k; ++i)
            for (int j = i + 1; j < k; ++j)
                sum += matrix[static_cast<std::size_t>(i) * k + j];
        return sum / (0.5 * k * (k - 1));
    }
    for (double v : matrix)
        sum += v;
    return sum / (static_cast<double>(k) * k);
}

double iiColor(const std::uint8_t* images, int k, std::int64_t pixels, IIDiagonal diagonal)
{
    std::vector<double> means(static_cast<std::size_t>(k) * 3, 0.0);
    for (int i = 0; i < k; ++i) {
        const std::uint8_t* img = images + static_cast<std::size_t>(i) * pixels * 3;
        double s[3] = {0, 0, 0};
        for (std::int64_t p = 0; p < pixels; ++p)
            for (int c = 0; c < 3; ++c)
                s[c] += img[p * 3 + c];
        for (int c = 0; c < 3; ++c)
            means[i * 3 + c] = s[c] / static_cast<double>(pixels);
    }
    std::vector<double> m(static_cast<std::size_t>(k) * k, 0.0);
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j) {
            if (i == j)
                continue;
            double d2 = 0;
            for (int c = 0; c < 3; ++c) {
                const double d = means[i * 3 + c] - means[j * 3 + c];
                d2 += d * d;
            }
            m[static_cast<std::size_t>(i) * k + j] = std::sqrt(d2);
        }
    const double v = pairMean(m, k, diagonal);
    return diagonal == IIDiagonal::Include ? -v : v;
}

double iiLabel(const std::int64_t* labels, int k, IIDiagonal diagonal)
{
    std::vector<double> m(static_cast<std::size_t>(k) * k, 0.0);
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j)
            m[static_cast<std::size_t>(i) * k + j] = labels[i] == labels[j] ? 1.0 : 0.0;
    return pairMean(m, k, diagonal);
}

} // namespace repalign
