#include "behaviour/calibration.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace repalign::behaviour {

CalibrationResult computeCalibration(
    const std::vector<double>& probs, int classes, const std::vector<std::int64_t>& labels, int bins)
{
    if (bins < 1)
        throw Error("calibration: the number of bins must be at least 1 (got " + std::to_string(bins) + ")");
    if (classes < 1)
        throw Error("calibration: the number of classes must be at least 1");
    const std::size_t n = labels.size(), k = static_cast<std::size_t>(classes);
    if (probs.size() != n * k)
        throw Error("calibration: " + std::to_string(probs.size()) + " probabilities for " + std::to_string(n) + " images x "
            + std::to_string(classes) + " classes");
    CalibrationResult r;
    r.bins = bins;
    r.binEdges.resize(static_cast<std::size_t>(bins) + 1);
    for (int b = 0; b <= bins; ++b)
        r.binEdges[static_cast<std::size_t>(b)] = static_cast<double>(b) / bins;
    std::vector<double> confSum(static_cast<std::size_t>(bins), 0.0), accSum(static_cast<std::size_t>(bins), 0.0);
    r.binCount.assign(static_cast<std::size_t>(bins), 0);
    // The smallest positive float: a softmax probability that underflowed in float32 is no
    // smaller than this, so one image cannot make the NLL infinite.
    const double floor = static_cast<double>(std::numeric_limits<float>::denorm_min());
    long double nll = 0, brier = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double* p = probs.data() + i * k;
        const std::int64_t y = labels[i];
        if (y < 0 || y >= classes)
            throw Error("calibration: image " + std::to_string(i) + " has label " + std::to_string(y) + " (valid: 0-"
                + std::to_string(classes - 1) + ")");
        std::size_t arg = 0;
        for (std::size_t c = 0; c < k; ++c) {
            if (!std::isfinite(p[c]))
                throw Error("calibration: image " + std::to_string(i) + " has a non-finite probability");
            if (p[c] > p[arg])
                arg = c;
        }
        const double conf = p[arg];
        const double correct = static_cast<std::int64_t>(arg) == y ? 1.0 : 0.0;
        for (int b = 0; b < bins; ++b) {
            if (conf > r.binEdges[static_cast<std::size_t>(b)] && conf <= r.binEdges[static_cast<std::size_t>(b) + 1]) {
                confSum[static_cast<std::size_t>(b)] += conf;
                accSum[static_cast<std::size_t>(b)] += correct;
                ++r.binCount[static_cast<std::size_t>(b)];
                break;
            }
        }
        nll -= std::log(std::max(p[static_cast<std::size_t>(y)], floor));
        for (std::size_t c = 0; c < k; ++c) {
            const double d = p[c] - (static_cast<std::int64_t>(c) == y ? 1.0 : 0.0);
            brier += d * d;
        }
    }
    r.binConfidence.assign(static_cast<std::size_t>(bins), NAN);
    r.binAccuracy.assign(static_cast<std::size_t>(bins), NAN);
    double ece = 0;
    for (std::size_t b = 0; b < static_cast<std::size_t>(bins); ++b) {
        if (r.binCount[b] == 0)
            continue;
        const double cnt = static_cast<double>(r.binCount[b]);
        r.binConfidence[b] = confSum[b] / cnt;
        r.binAccuracy[b] = accSum[b] / cnt;
        ece += cnt / static_cast<double>(n) * std::fabs(r.binAccuracy[b] - r.binConfidence[b]);
    }
    if (n > 0) {
        r.ece = ece;
        r.nll = static_cast<double>(nll / static_cast<long double>(n));
        r.brier = static_cast<double>(brier / static_cast<long double>(n));
    }
    return r;
}

} // namespace repalign::behaviour
