// repalign-cli import-checkpoint FILE --out RUN: a PyTorch checkpoint made into a run directory
// (the CLI twin of the GUI's File > Import PyTorch checkpoint).
#include "cli/command.h"
#include "run/import_checkpoint.h"

#include <iostream>
#include <memory>

namespace repalign::cli {
namespace {

struct ImportArgs {
    std::string file, out;
};

CommandRegistrar reg(81, [](CLI::App& app) {
    auto args = std::make_shared<ImportArgs>();
    auto* sub = app.add_subcommand("import-checkpoint",
        "Make a run directory from a PyTorch checkpoint (torch.save .pt/.pth): checkpoints/FILE, "
        "status.json, log.txt with the state dict");
    sub->add_option("file", args->file, "The torch.save file (a state dict, or a dict holding one)")->required();
    sub->add_option("--out", args->out, "Run directory to create (must not exist)")->required();
    sub->callback([args] {
        const ImportResult r = importCheckpoint(args->file, args->out);
        std::cout << "imported " << args->file << ": " << r.summary << "\ncheckpoint: " << r.checkpoint
                  << "\nrun directory: " << r.runDir << "\n";
    });
});

} // namespace
} // namespace repalign::cli
