#pragma once
// A small behaviour file (/behaviour, core/behaviour/behaviour_file.h) for the GUI and figure
// tests: clean results, calibration bins, CIFAR-10H agreement, CIFAR-10-C accuracy and PGD curves,
// from a seeded generator, written with the core's writer. Values are returned so tests check the
// plots against them.
#include "behaviour/behaviour_file.h"
#include "io/h5.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace behavefixture {

/// The 19 CIFAR-10-C corruptions, as the published folder names them.
inline std::vector<std::string> allCorruptions()
{
    return {"gaussian_noise", "shot_noise", "impulse_noise", "speckle_noise", "defocus_blur", "glass_blur", "motion_blur",
        "zoom_blur", "gaussian_blur", "snow", "frost", "fog", "brightness", "contrast", "elastic_transform", "pixelate",
        "jpeg_compression", "spatter", "saturate"};
}

struct Options {
    unsigned seed = 1;
    int images = 40;
    std::vector<std::string> corruptions = {"gaussian_noise", "fog", "contrast"};
    bool human = true;
    bool pgd = true;
    int pgdSteps = 10;
    double skill = 0.8; ///< clean accuracy-ish
};

inline repalign::behaviour::BehaviourData makeBehaviour(const Options& o)
{
    using namespace repalign::behaviour;
    std::mt19937 rng(o.seed);
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    BehaviourData d;
    d.model = "resnet18_cifar10";
    d.checkpoint = "run/checkpoints/best_acc.pt";
    d.data = "shapes:40";
    d.split = "test";
    d.precision = "fp32";
    d.classes = 10;
    const int n = o.images;
    d.images = n;
    int right = 0;
    for (int i = 0; i < n; ++i) {
        const std::int64_t label = i % 10;
        const bool ok = uni(rng) < o.skill;
        d.labels.push_back(label);
        d.predictions.push_back(ok ? label : (label + 1) % 10);
        d.correct.push_back(ok ? 1 : 0);
        right += ok;
        const float top = static_cast<float>(0.5 + 0.5 * uni(rng));
        for (int c = 0; c < 10; ++c)
            d.probs.push_back(c == d.predictions.back() ? top : (1.f - top) / 9.f);
    }
    d.accuracy = static_cast<double>(right) / n;

    CalibrationResult& cal = d.calibration;
    cal.bins = 5;
    for (int b = 0; b <= 5; ++b)
        cal.binEdges.push_back(b / 5.0);
    for (int b = 0; b < 5; ++b) {
        const bool empty = b == 0; // the lowest bin holds no image: NAN, drawn nowhere
        cal.binConfidence.push_back(empty ? NAN : 0.1 + 0.2 * b + 0.02 * uni(rng));
        cal.binAccuracy.push_back(empty ? NAN : std::min(1.0, 0.05 + 0.19 * b + 0.05 * uni(rng)));
        cal.binCount.push_back(empty ? 0 : 5 + b);
    }
    cal.ece = 0.02 + 0.05 * uni(rng);
    cal.nll = 0.5 + uni(rng);
    cal.brier = 0.1 + 0.1 * uni(rng);

    if (o.human) {
        HumanResult& h = d.human;
        h.present = true;
        h.source = "cifar10h-probs.npy";
        h.crossEntropy = 0.4 + 0.5 * uni(rng);
        h.crossEntropyCI = {h.crossEntropy - 0.05, h.crossEntropy + 0.06};
        h.agreement = 0.7 + 0.2 * uni(rng);
        h.agreementCI = {h.agreement - 0.03, h.agreement + 0.02};
        h.kl = 0.2 * uni(rng);
        h.hardAccuracy = 0.5 + 0.3 * uni(rng);
        h.hardAccuracyCI = {h.hardAccuracy - 0.1, h.hardAccuracy + 0.1};
        h.hardImages = 7;
        h.kappaExpected = 0.6 + 0.2 * uni(rng);
        h.kappaMedian = 0.55 + 0.2 * uni(rng);
        h.kappaCI = {h.kappaMedian - 0.04, h.kappaMedian + 0.05};
        h.kappaPerAnnotator = {0.5, 0.6, 0.7};
        h.annotatorIds = {3, 8, 11};
        h.confusionModel.assign(100, 0);
        h.confusionHuman.assign(100, 0.0);
        for (int i = 0; i < n; ++i) {
            h.confusionModel[static_cast<std::size_t>(d.labels[i] * 10 + d.predictions[i])] += 1;
            h.confusionHuman[static_cast<std::size_t>(d.labels[i] * 11)] += 50;
            h.humanMajority.push_back(d.labels[i]);
            h.humanAccuracy.push_back(static_cast<float>(0.8 + 0.2 * uni(rng)));
            h.crossEntropyPerImage.push_back(uni(rng));
        }
    }

    if (!o.corruptions.empty()) {
        CorruptionResult& r = d.corruption;
        r.present = true;
        r.source = "CIFAR-10-C";
        r.names = o.corruptions;
        double sum = 0;
        for (std::size_t c = 0; c < r.names.size(); ++c)
            for (int s = 0; s < 5; ++s) {
                int ok = 0;
                for (int i = 0; i < n; ++i) {
                    const bool hit = uni(rng) < o.skill - 0.1 * s;
                    r.correct.push_back(hit ? 1 : 0);
                    ok += hit;
                }
                r.accuracy.push_back(static_cast<double>(ok) / n);
                sum += r.accuracy.back();
            }
        r.meanAccuracy = sum / static_cast<double>(r.accuracy.size());
    }

    if (o.pgd) {
        // linf without ε = 0 (the plot starts at the clean accuracy of the attacked images), l2 with it.
        PgdCurve linf;
        linf.norm = "linf";
        linf.eps = {1 / 255.0, 2 / 255.0, 4 / 255.0};
        PgdCurve l2;
        l2.norm = "l2";
        l2.eps = {0.0, 0.25, 0.5};
        for (PgdCurve* c : {&linf, &l2}) {
            c->steps = o.pgdSteps;
            for (int i = 0; i < 10; ++i)
                c->imageIndices.push_back(2 * i);
            for (std::size_t e = 0; e < c->eps.size(); ++e) {
                int ok = 0;
                for (std::int64_t i : c->imageIndices) {
                    const bool hit = d.correct[static_cast<std::size_t>(i)] && (c->eps[e] == 0 || uni(rng) < 0.7 - 0.2 * e);
                    c->correct.push_back(hit ? 1 : 0);
                    ok += hit;
                }
                c->accuracy.push_back(ok / 10.0);
            }
            d.pgd.push_back(*c);
        }
    }
    return d;
}

/// Writes @p d as /behaviour of a new file @p path (behave's writer).
inline void writeBehaviourFile(const std::string& path, const repalign::behaviour::BehaviourData& d)
{
    repalign::H5File f(path, repalign::H5File::Mode::CreateAtomic);
    repalign::behaviour::writeBehaviourGroup(f, d);
    f.commit();
}

} // namespace behavefixture
