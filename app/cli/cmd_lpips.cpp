// repalign-cli lpips: the LPIPS (AlexNet, v0.1) distance between two images.
#include "cli/command.h"
#include "interpret/lpips.h"

#include <cstdio>
#include <memory>

namespace repalign::cli {
namespace {

CommandRegistrar reg(55, [](CLI::App& app) {
    auto opt = std::make_shared<LpipsOptions>();
    auto a = std::make_shared<std::string>();
    auto b = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("lpips", "LPIPS distance (AlexNet, v0.1) between two images, with its five per-layer parts");
    sub->add_option("A", *a, "First image")->required();
    sub->add_option("B", *b, "Second image")->required();
    sub->add_option("--lpips-weights", opt->weights,
        "FILE,FILE or a folder (alexnet-owt-7be5be79.pth + alex.pth); default: search; random:SEED = uncalibrated");
    sub->add_option(
        "--resize", opt->resize, "Resize both to NxN first (bilinear, half-pixel centres, no antialias; the reference uses 64)");
    sub->add_option("--device", opt->device, "cpu | cuda | cuda:N")->capture_default_str();
    sub->add_option("--threads", opt->threads, "CPU threads (0 = all cores)");
    sub->callback([opt, a, b] {
        const LpipsValue v = lpipsBetweenFiles(*a, *b, *opt);
        std::printf("lpips %.9g%s\n", v.distance, v.calibrated ? "" : "  (UNCALIBRATED: random weights)");
        for (int l = 0; l < 5; ++l)
            std::printf("  relu%d %.9g\n", l + 1, v.layers[l]);
        std::printf("weights %s\n", v.weights.c_str());
    });
});

} // namespace
} // namespace repalign::cli
