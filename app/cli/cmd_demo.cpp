// repalign-cli demo: the built-in demo project, headless.
#include "cli/command.h"
#include "cli/terminal_sink.h"
#include "common/child_process.h"
#include "common/paths.h"
#include "pipeline/demo.h"

#include <iostream>

namespace repalign::cli {
namespace {

CommandRegistrar reg(90, [](CLI::App& app) {
    auto opt = std::make_shared<DemoOptions>();
    opt->projectDir = defaultDemoProjectDir();
    auto* sub = app.add_subcommand("demo", "Run the demo pipeline on built-in data (Fashion-MNIST if installed, else shapes)");
    sub->add_option("--out", opt->projectDir, "Demo project folder (runs and data go here)");
    sub->add_option("--epochs", opt->epochs, "Baseline epochs");
    sub->add_option("--train-images", opt->trainImages, "Training images drawn from the source data");
    sub->add_option("--val-images", opt->valImages, "Validation images drawn from the source data");
    sub->add_option("--threads", opt->threads, "CPU threads (0 = all cores)");
    sub->add_option("--source", opt->source, "Data spec to draw from instead of the default");
    sub->add_option("--seed", opt->seed, "Seed");
    sub->add_option("--tune-epochs", opt->tuneEpochs, "Neural fine-tuning epochs");
    sub->add_option("--lpips-weights", opt->lpipsWeights,
        "LPIPS weights (files, folder or random:SEED); default: official files when found, else random:0");
    sub->add_flag("!--no-tune", opt->tune, "Stop after the baseline (no virtual cortex, tuning or analysis)");
    sub->add_flag("!--no-behave", opt->behave, "No behavioural profile (behave) of the two models");
    auto printDir = std::make_shared<bool>(false);
    sub->add_flag("--print-dir", *printDir,
        "Print the demo project folder (the one the GUI opens first: $REPALIGN_DEMO_DIR, else "
        "${XDG_DATA_HOME:-~/.local/share}/RepAlign/demo-project) and exit");
    sub->callback([opt, printDir] {
        if (*printDir) {
            std::cout << opt->projectDir << "\n";
            return;
        }
        CancelToken cancel;
        SignalCancel signals(cancel);
        TerminalSink sink;
        DemoResult r = runDemo(*opt, sink, cancel);
        sink.finish();
        std::cout << "\nDemo " << jobStatusName(r.status) << ".\n";
        for (const auto& line : r.summary)
            std::cout << "  " << line << "\n";
        if (!r.comparison.empty())
            std::cout << "\nII-LPIPS, baseline vs neural-tuned (layer4, k=5):\n" << r.comparison << "\n";
        if (!r.behaviourComparison.empty())
            std::cout << "\nBehaviour, baseline vs neural-tuned:\n" << r.behaviourComparison << "\n";
        std::cout << "Demo data: " << r.dataDir << "\nBaseline run directory: " << r.baselineRun << "\n";
        if (!r.tunedRun.empty())
            std::cout << "Tuned run directory: " << r.tunedRun << "\nVirtual-cortex bundle: " << r.bundle << "\n";
        if (!r.baselineAnalysis.empty())
            std::cout << "Analyses: " << r.baselineAnalysis << "\n          " << r.tunedAnalysis << "\n";
        exitStatus() = exitCodeForJobStatus(r.status);
    });
});

} // namespace
} // namespace repalign::cli
