// repalign-cli pth ls FILE [--key K] [--state-dict]: what a torch.save file holds, without Python.
#include "cli/command.h"
#include "io/pth_info.h"

#include <iostream>
#include <memory>

namespace {

repalign::cli::CommandRegistrar reg(80, [](CLI::App& app) {
    auto* pth = app.add_subcommand("pth", "Inspect PyTorch files (torch.save: checkpoints, state dicts, weights)");
    pth->require_subcommand(1);

    auto* ls = pth->add_subcommand("ls", "List a torch.save file (zip or legacy format): keys, dtypes, shapes, scalar values");
    auto file = std::make_shared<std::string>();
    auto key = std::make_shared<std::string>();
    auto stateDict = std::make_shared<bool>(false);
    ls->add_option("file", *file, "The .pth/.pt file")->required();
    ls->add_option("--key", *key, "List only this entry: a path through nested dicts and lists, e.g. optimizer/param_groups/0");
    ls->add_flag("--state-dict", *stateDict,
        "List the state dict as eval loads it (under --key, or found automatically: state_dict, model, "
        "model_state_dict, student_state_dict, or a bare state dict)");
    ls->callback(
        [=] { std::cout << (*stateDict ? repalign::pth::listStateDict(*file, *key) : repalign::pth::listFile(*file, *key)); });
});

} // namespace
