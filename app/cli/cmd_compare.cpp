// repalign-cli compare: statistics between analyses (the study's results table).
#include "behaviour/behaviour_compare.h"
#include "cli/command.h"
#include "interpret/comparison.h"

#include <iostream>
#include <memory>

namespace repalign::cli {
namespace {

std::vector<std::string> splitLabels(const std::string& s)
{
    std::vector<std::string> out;
    if (s.empty())
        return out;
    std::string cur;
    for (char c : s + ",") {
        if (c == ',') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    return out;
}

CommandRegistrar reg(56, [](CLI::App& app) {
    auto files = std::make_shared<std::vector<std::string>>();
    auto metric = std::make_shared<std::string>("lpips");
    auto format = std::make_shared<std::string>("text");
    auto labels = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("compare",
        "Compare analyses: mean/std/median/bootstrap CI, ANOVA, Welch, Mann-Whitney, "
        "Wilcoxon (paired), Cohen's d");
    sub->add_option("files", *files, "Analysis files (.h5) written by analyze")->required();
    sub->add_option("--metric", *metric,
           "lpips | color | label (the II on the dataset MEIs) | lpips_synth | color_synth (on synthesised images: analyze "
           "--ii-on synth) | behaviour (two behave files: accuracies with McNemar, calibration, human, CIFAR-10-C, PGD with "
           "paired bootstrap CIs)")
        ->capture_default_str();
    sub->add_option("--format", *format, "text | csv | tsv | markdown | latex")->capture_default_str();
    sub->add_option("--labels", *labels, "Comma-separated names, one per file (e.g. \"Baseline,Neural-tuned\")");
    sub->callback([files, metric, format, labels] {
        if (*metric == "behaviour") {
            const auto c = behaviour::compareBehaviour(*files, splitLabels(*labels));
            std::cout << behaviour::formatBehaviourComparison(c, *format);
            return;
        }
        const auto result = compareAnalyses(*files, *metric, splitLabels(*labels));
        std::cout << formatComparison(result, *format);
    });
});

} // namespace
} // namespace repalign::cli
