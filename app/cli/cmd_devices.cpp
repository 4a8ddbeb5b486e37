// repalign-cli devices: the compute devices this build sees.
#include "cli/command.h"
#include "common/precision.h"
#include "common/version.h"

#include <cstdio>

namespace repalign::cli {
namespace {

CommandRegistrar reg(6, [](CLI::App& app) {
    auto* sub = app.add_subcommand("devices", "List the compute devices (CPU threads, CUDA devices) this build sees");
    sub->callback([] {
        for (const auto& d : listDevices()) {
            if (d.memoryBytes > 0)
                std::printf("%-8s %s, %.1f GiB\n", d.id.c_str(), d.name.c_str(), d.memoryBytes / 1073741824.0);
            else
                std::printf("%-8s %s\n", d.id.c_str(), d.name.c_str());
        }
        std::printf("BLAS     %s\n", blasLibrary().c_str());
        std::printf("bf16     %s\n", cpuBf16Description().c_str());
        if (!torchBuiltWithCuda())
            std::printf("(this LibTorch is a CPU build: build against a CUDA LibTorch for GPUs, see README)\n");
    });
});

} // namespace
} // namespace repalign::cli
