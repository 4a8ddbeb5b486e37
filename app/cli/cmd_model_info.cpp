// repalign-cli model-info NAME / models
#include "cli/command.h"
#include "common/error.h"
#include "models/registry.h"

#include <cstdio>
#include <iostream>

namespace repalign::cli {
namespace {

std::string shapeText(const std::vector<std::int64_t>& s)
{
    std::string out = "(";
    for (std::size_t i = 0; i < s.size(); ++i)
        out += (i ? ", " : "") + std::to_string(s[i]);
    return out + (s.size() == 1 ? ",)" : ")");
}

CommandRegistrar reg(5, [](CLI::App& app) {
    auto name = std::make_shared<std::string>();
    auto* sub
        = app.add_subcommand("model-info", "Parameter count, state-dict names and shapes, and tap output shapes of a model");
    sub->add_option("name", *name, "Model name")->required();
    sub->callback([name] {
        requireModelName(*name);
        ModelInfo info = describeModel(*name);
        std::printf("model %s\nparameters %lld\nstate-dict entries %zu\ninput 3x%dx%d\n\nstate dict:\n", info.name.c_str(),
            static_cast<long long>(info.parameterCount), info.stateDict.size(), info.inputSize, info.inputSize);
        for (const auto& t : info.stateDict)
            std::printf("  %-45s %-8s %s\n", t.name.c_str(), t.dtype.c_str(), shapeText(t.shape).c_str());
        std::printf("\ntaps (output shape for a 3x%dx%d input):\n", info.inputSize, info.inputSize);
        for (const auto& t : info.taps)
            std::printf("  %-16s %s\n", t.name.c_str(), shapeText(t.shape).c_str());
    });
    auto* list = app.add_subcommand("models", "List the available models");
    list->callback([] {
        for (const auto& n : modelNames())
            std::cout << n << "\n";
    });
});

} // namespace
} // namespace repalign::cli
