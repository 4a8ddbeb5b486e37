#pragma once
// What the job commands share (align, visualize, analyze --ii-on synth): the checkpoint and
// device option groups, and running a job with terminal progress and Ctrl-C cancel.
#include "cli/command.h"
#include "cli/terminal_sink.h"
#include "common/child_process.h"
#include "common/error.h"

#include <iostream>
#include <string>

namespace repalign::cli {

/// --checkpoint-key and --model.
inline void addCheckpointOptions(CLI::App* sub, std::string& checkpointKey, std::string& model)
{
    sub->add_option("--checkpoint-key", checkpointKey, "State-dict key inside a PyTorch checkpoint (default: auto)");
    sub->add_option("--model", model, "Architecture when a checkpoint does not record it");
}

/// --device and --threads.
inline void addDeviceOptions(CLI::App* sub, std::string& device, int& threads)
{
    sub->add_option("--device", device, "cpu | cuda | cuda:N")->capture_default_str();
    sub->add_option("--threads", threads, "CPU threads (0 = all cores)");
}

/// Runs @p job(sink, cancel) with a terminal progress sink (silent when @p quiet) while SIGINT
/// and SIGTERM cancel it. On cancel prints "@p command cancelled; @p left", sets the exit
/// status and returns false.
template <class Job> bool runCancellable(const char* command, bool quiet, const char* left, Job&& job)
{
    CancelToken cancel;
    SignalCancel signals(cancel);
    TerminalSink sink(quiet);
    try {
        job(static_cast<ProgressSink&>(sink), static_cast<const CancelToken&>(cancel));
    } catch (const Cancelled&) {
        sink.finish();
        std::cerr << command << " cancelled; " << left << "\n";
        exitStatus() = exitCodeForJobStatus(JobStatus::Cancelled);
        return false;
    }
    sink.finish();
    return true;
}

} // namespace repalign::cli
