// repalign-cli corrupt: writes CIFAR-10-C (Hendrycks & Dietterich 2019) for any data spec, with
// the 19 corruptions and 5 severities of make_cifar_c.py, in the published layout.
#include "behaviour/corruptions.h"
#include "cli/command.h"
#include "cli/terminal_sink.h"
#include "common/child_process.h"
#include "common/error.h"

#include <iostream>
#include <memory>
#include <sstream>

namespace repalign::cli {
namespace {

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        const auto b = item.find_first_not_of(" \t");
        const auto e = item.find_last_not_of(" \t");
        if (b != std::string::npos)
            out.push_back(item.substr(b, e - b + 1));
    }
    return out;
}

std::vector<int> parseSeverities(const std::string& text)
{
    std::vector<int> out;
    for (const std::string& s : splitList(text)) {
        std::size_t used = 0;
        int v = 0;
        try {
            v = std::stoi(s, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != s.size() || used == 0)
            throw Error("--severities: '" + s + "' is not a severity (valid: 1, 2, 3, 4, 5)");
        out.push_back(v);
    }
    return out;
}

CommandRegistrar reg(61, [](CLI::App& app) {
    auto opt = std::make_shared<behaviour::CorruptOptions>();
    auto corruptions = std::make_shared<std::string>();
    auto severities = std::make_shared<std::string>("1,2,3,4,5");
    auto quiet = std::make_shared<bool>(false);
    auto* sub = app.add_subcommand("corrupt",
        "Write CIFAR-10-C for a data set: <name>.npy uint8 [5N,H,W,3] per corruption, labels.npy, corrupt.yaml "
        "(the 19 corruptions of make_cifar_c.py, Hendrycks & Dietterich 2019)");
    sub->add_option("--data", opt->data, "Data spec (cifar10:DIR, idx:DIR, folder:DIR, shapes:N[:SEED])")->required();
    sub->add_option("--split", opt->split, "train | test (val = test)")->capture_default_str();
    sub->add_option("--out", opt->outDir, "Output folder")->required();
    sub->add_option("--corruptions", *corruptions, "Comma-separated names (default: all 19)");
    sub->add_option("--severities", *severities, "Comma-separated severities in 1..5")->capture_default_str();
    sub->add_option("--seed", opt->seed, "Seed of the random corruptions (recorded in corrupt.yaml)")->capture_default_str();
    sub->add_option("--frost-dir", opt->frostDir,
        "Folder with frost1.png ... frost6.jpg (ImageNet-C/create_c of github:hendrycks/robustness); frost needs it");
    sub->add_option("--max-images", opt->maxImages, "Only the first N images of the split");
    sub->add_option("--threads", opt->threads, "CPU threads (0 = all cores)");
    sub->add_flag("--quiet", *quiet, "No progress bar");
    sub->callback([opt, corruptions, severities, quiet] {
        opt->corruptions = splitList(*corruptions);
        opt->severities = parseSeverities(*severities);
        CancelToken cancel;
        SignalCancel signals(cancel);
        TerminalSink sink(*quiet);
        const JobStatus status = behaviour::runCorrupt(*opt, sink, cancel);
        sink.finish();
        if (status == JobStatus::Cancelled)
            std::cerr << "corrupt cancelled; the finished corruption files in " << opt->outDir
                      << " are complete (listed in corrupt.yaml)\n";
        else
            std::cout << "wrote " << opt->outDir << " (corrupt.yaml records the recipe and seed)\n";
        exitStatus() = exitCodeForJobStatus(status);
    });
});

} // namespace
} // namespace repalign::cli
