// repalign-cli: every workbench result, headless.
#include "cli/command.h"
#include "common/allocator.h"
#include "common/child_process.h"
#include "common/error.h"
#include "common/version.h"

#include <QtGlobal>

#include <atomic>
#include <csignal>
#include <iostream>
#include <map>

namespace repalign::cli {

namespace {
std::multimap<int, CommandSetup>& registry()
{
    static std::multimap<int, CommandSetup> r;
    return r;
}
} // namespace

CommandRegistrar::CommandRegistrar(int order, CommandSetup setup)
{
    registry().emplace(order, std::move(setup));
}

void setupAllCommands(CLI::App& app)
{
    for (auto& [order, setup] : registry())
        setup(app);
}

int& exitStatus()
{
    static int status = 0;
    return status;
}

namespace {
std::atomic<CancelToken*> g_signalTarget {nullptr};
void cancelOnSignal(int)
{
    if (CancelToken* t = g_signalTarget.load())
        t->cancel("cancelled by signal");
}
} // namespace

SignalCancel::SignalCancel(CancelToken& token)
{
    g_signalTarget.store(&token);
    std::signal(SIGINT, cancelOnSignal);
    std::signal(SIGTERM, cancelOnSignal);
}

SignalCancel::~SignalCancel()
{
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    g_signalTarget.store(nullptr);
}

} // namespace repalign::cli

namespace repalign::cli {

int runCommandLine(int argc, char** argv)
{
    exitStatus() = 0;
    CLI::App app {"RepAlign Workbench: train, fine-tune on brain data, and measure unit interpretability"};
    app.name("repalign-cli");
    app.require_subcommand(0, 1);
    bool version = false;
    app.add_flag("--version", version, "Print the program and library versions");
    setupAllCommands(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version-like exits are 0; a bad command line is bad input like the rest.
        return app.exit(e) == 0 ? 0 : exitCodeForJobStatus(JobStatus::Failed);
    } catch (const repalign::Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        return exitCodeForJobStatus(JobStatus::Failed);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return exitCodeForJobStatus(JobStatus::Failed);
    }
    if (version) {
        std::cout << "repalign-cli " << REPALIGN_VERSION << "\n" << repalign::libraryVersions() << "Qt " << qVersion() << "\n";
        return 0;
    }
    if (app.get_subcommands().empty()) {
        std::cout << app.help();
        return 0;
    }
    return exitStatus();
}

int runCommandLine(const std::vector<std::string>& args)
{
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    return runCommandLine(static_cast<int>(copy.size()), argv.data());
}

} // namespace repalign::cli

int main(int argc, char** argv)
{
    repalign::configureAllocator(); // before any thread exists, so every thread shares the tuned heap
    return repalign::cli::runCommandLine(argc, argv);
}
