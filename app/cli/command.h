#pragma once
// Sub-commands register themselves here, so each lives in its own file (cmd_<name>.cpp).
#include "common/progress.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace repalign::cli {

/// Adds one sub-command (with its options and callback) to the top-level app.
using CommandSetup = std::function<void(CLI::App& app)>;

struct CommandRegistrar {
    CommandRegistrar(int order, CommandSetup setup);
};

void setupAllCommands(CLI::App& app);

/// Exit status the running command wants (0 success; exitCodeForJobStatus in
/// common/child_process.h maps how a job ended to it).
int& exitStatus();

/// Parses and runs one command line as main() does (argv[0] the program name; a fresh CLI::App
/// each time) and returns its exit status: the study worker runs a condition this way.
int runCommandLine(int argc, char** argv);
int runCommandLine(const std::vector<std::string>& args);

/// While alive, SIGINT and SIGTERM cancel @p token instead of killing the process, so the
/// running job stops cleanly and keeps its last good state (checkpoint, no partial file).
class SignalCancel {
public:
    explicit SignalCancel(CancelToken& token);
    ~SignalCancel();
    SignalCancel(const SignalCancel&) = delete;
    SignalCancel& operator=(const SignalCancel&) = delete;
};

} // namespace repalign::cli
