#pragma once
/// @file child_process.h
/// Starting and watching child processes (the study runner's conditions, `launch`'s ranks):
/// fork + exec with the output in a log file, fork + a function for the study worker, the
/// one mapping between a job's outcome and a process' exit status.
#include "common/progress.h"

#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace repalign {

struct SpawnOptions {
    std::vector<std::string> argv; ///< argv[0] is what the child sees as its name
    std::string program; ///< the file executed; empty = argv[0]
    std::string cwd; ///< the child's working folder; empty = this one
    std::string output; ///< stdout and stderr appended to this file; empty = this process' own
    std::vector<std::pair<std::string, std::string>> env; ///< variables set in the child
};

/// Starts @p options.program. Throws Error naming the file when the output cannot be opened or
/// fork fails; a child that cannot change to cwd exits with 126, one that cannot exec with 127
/// (each after one line on its output naming the folder or the program).
pid_t spawnProcess(const SpawnOptions& options);

/// Forks a child that changes to @p cwd, sends stdout and stderr to @p output (appended; empty =
/// this process' own), resets SIGINT/SIGTERM/SIGPIPE to their defaults, runs @p body and ends
/// with its return value (stdio flushed, no exit handlers run). Only for a single-threaded
/// parent: the child runs ordinary code after fork. Throws Error like spawnProcess.
pid_t forkProcess(const std::string& cwd, const std::string& output, const std::function<int()>& body);

/// The child's wait status if it ended (waitpid WNOHANG): true with @p status set; false while it
/// runs. A pid that is not a child of this process counts as ended with status -1.
bool pollProcess(pid_t pid, int& status);
/// Waits for @p pid; while it runs, @p onTick is called every @p tickMs milliseconds (e.g. to
/// forward a cancel as SIGTERM). Returns the wait status (-1 when it was no child).
int waitProcess(pid_t pid, const std::function<void()>& onTick = {}, int tickMs = 50);

/// The exit status as a shell reports it: the process' own, or 128 + the signal that ended it.
int shellExitStatus(int waitStatus);
/// "exit status N" or "signal S (name)".
std::string describeWaitStatus(int waitStatus);

/// The exit status of a command whose job ended with @p status: 0 finished, 1 failed, 3 diverged,
/// 130 cancelled (as a shell reports SIGINT).
int exitCodeForJobStatus(JobStatus status);
/// The inverse: 0 finished, 3 diverged, 130 (SIGINT) and 143 (SIGTERM) cancelled, else failed.
JobStatus jobStatusForExitCode(int code);

} // namespace repalign
