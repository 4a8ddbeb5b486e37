// repalign-cli demo: the built-in demo project, headless.
#include "cli/command.h"
#include "cli/terminal_sink.h"
#include "train/demo.h"

#include <csignal>
#include <iostream>

namespace repalign::cli {
namespace {

CancelToken* g_cancel = nullptr;
void onSignal(int)
{
    if (g_cancel)
        g_cancel->cancel();
}

CommandRegistrar reg(90, [](CLI::App& app) {
    auto opt = std::make_shared<DemoOptions>();
    opt->projectDir = "demo-project";
    auto* sub = app.add_subcommand("demo", "Run the demo pipeline on built-in data (Fashion-MNIST if installed, else shapes)");
    sub->add_option("--out", opt->projectDir, "Demo project folder (runs and data go here)");
    sub->add_option("--epochs", opt->epochs, "Baseline epochs");
    sub->add_option("--train-images", opt->trainImages, "Training images drawn from the source data");
    sub->add_option("--val-images", opt->valImages, "Validation images drawn from the source data");
    sub->add_option("--threads", opt->threads, "CPU threads (0 = all cores)");
    sub->add_option("--source", opt->source, "Data spec to draw from instead of the default");
    sub->add_option("--seed", opt->seed, "Seed");
    sub->callback([opt] {
        CancelToken cancel;
        g_cancel = &cancel;
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        TerminalSink sink;
        DemoResult r = runDemo(*opt, sink, cancel);
        sink.finish();
        g_cancel = nullptr;
        std::cout << "\nDemo " << r.state << ".\n";
        for (const auto& line : r.summary)
            std::cout << "  " << line << "\n";
        std::cout << "Demo data: " << r.dataDir << "\nBaseline run directory: " << r.baselineRun << "\n";
        exitStatus() = r.state == "finished" ? 0 : 3;
    });
});

} // namespace
} // namespace repalign::cli
