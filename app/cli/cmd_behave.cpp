// repalign-cli behave: the behavioural profile of a model (accuracy, calibration, CIFAR-10H human
// agreement, CIFAR-10-C, PGD), written as /behaviour.
#include "behaviour/behave.h"
#include "cli/job_options.h"
#include "common/error.h"
#include "common/text.h"

#include <cstdio>
#include <memory>

namespace repalign::cli {
namespace {

struct Args {
    behaviour::BehaveOptions opt;
    std::vector<std::string> pgd;
    std::string corruptionNames, randomStart = "off";
    bool quiet = false;
};

void printSummary(const behaviour::BehaveResult& r)
{
    const behaviour::BehaviourData& d = r.data;
    std::printf("%s%s: /behaviour of %s (%s) on %s %s, %lld images\n", r.appended ? "added to " : "wrote ",
        d.path.empty() ? "(no file)" : d.path.c_str(), d.checkpoint.c_str(), d.model.c_str(), d.data.c_str(), d.split.c_str(),
        static_cast<long long>(d.images));
    std::printf("accuracy %.4f; calibration: ECE %.4f (%d bins), NLL %.4f, Brier %.4f\n", d.accuracy, d.calibration.ece,
        d.calibration.bins, d.calibration.nll, d.calibration.brier);
    if (d.human.present) {
        const auto& h = d.human;
        std::printf("CIFAR-10H: cross-entropy %.4f [%.4f, %.4f], agreement with the human majority %.4f, KL %.4f, accuracy on "
                    "%lld human-hard images %.4f, error consistency vs the expected observer %.4f",
            h.crossEntropy, h.crossEntropyCI.low, h.crossEntropyCI.high, h.agreement, h.kl, static_cast<long long>(h.hardImages),
            h.hardAccuracy, h.kappaExpected);
        if (!h.kappaPerAnnotator.empty())
            std::printf(", median over %zu annotators %.4f [%.4f, %.4f]", h.kappaPerAnnotator.size(), h.kappaMedian,
                h.kappaCI.low, h.kappaCI.high);
        std::printf("\n");
    }
    if (d.corruption.present) {
        std::printf("CIFAR-10-C (%zu corruptions x 5 severities): mean accuracy %.4f", d.corruption.names.size(),
            d.corruption.meanAccuracy);
        if (d.corruption.hasReference)
            std::printf(", mCE %.4f, relative mCE %.4f", d.corruption.mce, d.corruption.relativeMce);
        std::printf("\n");
    }
    for (const auto& p : d.pgd) {
        std::printf("PGD %s (%d steps, %lld images):", p.norm.c_str(), p.steps, static_cast<long long>(p.imageIndices.size()));
        for (std::size_t i = 0; i < p.eps.size(); ++i) {
            if (p.norm == "linf")
                std::printf(" %s/255 %.4f", significant(p.eps[i] * 255.0, 4).c_str(), p.accuracy[i]);
            else
                std::printf(" %s %.4f", significant(p.eps[i], 4).c_str(), p.accuracy[i]);
        }
        std::printf("\n");
    }
    std::printf("%.1f s\n", r.seconds);
}

CommandRegistrar reg(59, [](CLI::App& app) {
    auto a = std::make_shared<Args>();
    behaviour::BehaveOptions& o = a->opt;
    auto* sub = app.add_subcommand("behave",
        "Behavioural profile of a model: accuracy, calibration (ECE, NLL, Brier), CIFAR-10H human agreement, CIFAR-10-C "
        "accuracy and PGD robustness; writes /behaviour into a new or an existing .h5");
    sub->add_option("--checkpoint", o.checkpoint, "Checkpoint (repalign .pt or a PyTorch .pth)")->required();
    addCheckpointOptions(sub, o.checkpointKey, o.model);
    sub->add_option("--data", o.data, "Data spec (cifar10:DIR, shapes:N, ...)")->required();
    sub->add_option("--split", o.split, "train | test")->capture_default_str();
    sub->add_option("--max-images", o.maxImages, "Evaluate only the first N images of the split (-1 = all)")
        ->capture_default_str();
    sub->add_option("--human", o.human, "CIFAR-10H cifar10h-probs.npy or cifar10h-counts.npy (CIFAR-10 test set only)");
    sub->add_option("--human-raw", o.humanRaw, "CIFAR-10H cifar10h-raw.csv: error consistency per annotator");
    sub->add_option("--corruptions", o.corruptions,
        "CIFAR-10-C folder (<corruption>.npy, labels.npy), as published or as "
        "`repalign-cli corrupt` writes it");
    sub->add_option("--corruption-names", a->corruptionNames, "Comma-separated subset of the folder's corruptions");
    sub->add_option("--reference", o.reference, "behave .h5 of a reference model (e.g. AlexNet): CE and mCE");
    sub->add_option("--pgd", a->pgd, "PGD attack: linf:EPS,... (in /255) or l2:EPS,... (pixels in [0, 1]); repeatable");
    sub->add_option("--pgd-steps", o.pgdSteps, "PGD steps")->capture_default_str();
    sub->add_option("--pgd-step-fraction", o.pgdStepFraction, "PGD step size as a fraction of eps")->capture_default_str();
    sub->add_option("--pgd-random-start", a->randomStart, "on | off: start at a random point of the eps-ball")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    sub->add_option("--pgd-images", o.pgdImages, "PGD on the first N evaluated images (-1 = all)")->capture_default_str();
    sub->add_option("--bins", o.bins, "Calibration bins (equal width)")->capture_default_str();
    sub->add_option("--bootstrap", o.bootstrap, "Bootstrap resamples of the human metrics' CIs")->capture_default_str();
    sub->add_option("--seed", o.seed, "Seed of random starts and bootstrap resamples")->capture_default_str();
    sub->add_option("--batch-size", o.batchSize, "Images per forward (and PGD forward+backward) pass")->capture_default_str();
    addDeviceOptions(sub, o.device, o.threads);
    sub->add_option("--precision", o.precision, "fp32 | bf16 | fp16 (CUDA): forward passes under autocast")
        ->capture_default_str();
    sub->add_option("--out", o.out, "File to write: a new .h5, or an existing .h5 (e.g. an analysis) that gains /behaviour")
        ->required();
    sub->add_flag("--quiet", a->quiet, "No progress output");
    sub->callback([a] {
        behaviour::BehaveOptions& o = a->opt;
        o.pgd.clear();
        for (const std::string& p : a->pgd)
            o.pgd.push_back(behaviour::parsePgdRequest(p));
        o.pgdRandomStart = a->randomStart == "on";
        o.corruptionNames.clear();
        std::string cur;
        for (char c : a->corruptionNames + ",") {
            if (c == ',') {
                if (!cur.empty())
                    o.corruptionNames.push_back(cur);
                cur.clear();
            } else if (c != ' ') {
                cur += c;
            }
        }
        behaviour::BehaveResult r;
        if (!runCancellable("behave", a->quiet, "no file written, an existing file is unchanged",
                [&](ProgressSink& sink, const CancelToken& cancel) { r = behaviour::runBehave(o, sink, cancel); }))
            return;
        printSummary(r);
    });
});

} // namespace
} // namespace repalign::cli
