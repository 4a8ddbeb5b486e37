#pragma once
/// @file progress.h
/// How long-running core jobs report to whoever runs them (CLI progress bar, GUI worker).
#include <atomic>
#include <cstdint>
#include <string>

namespace repalign {

enum class LogLevel { Info, Notice, Warning, Error };

/// A snapshot of a job's progress. Fields that do not apply stay at their defaults.
struct ProgressEvent {
    std::string phase; ///< "train", "val", "analyze", "import", ...
    std::int64_t done = 0; ///< units of work done in this phase (steps, images, ...)
    std::int64_t total = 0; ///< 0 when unknown
    int epoch = 0; ///< 1-based epoch, 0 when not epoch-based
    int epochs = 0;
    double loss = -1.0; ///< running loss, negative when unknown
    double accuracy = -1.0; ///< running accuracy in [0,1], negative when unknown
    double itemsPerSecond = 0.0;
    double etaSeconds = -1.0; ///< negative when unknown
    double fraction = 0.0; ///< overall job fraction in [0,1]
};

/// Receives progress, log lines and metric rows from a job. Called on the job's thread:
/// implementations that touch a GUI must forward through a queued connection.
class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    virtual void progress(const ProgressEvent& /*event*/) { }
    virtual void log(LogLevel /*level*/, const std::string& /*message*/) { }
};

/// How a job ended. status.json and the GUI spell these as jobStatusName() gives them; the
/// CLI maps them to exit codes with exitCodeForJobStatus (common/child_process.h).
enum class JobStatus { Finished, Cancelled, Diverged, Failed };

/// A run's state as status.json records it (and the GUI's job queue shows it): the job statuses
/// plus the two states of a job that has not ended. Unknown: no status.json, an unreadable one,
/// or a state this program does not know.
enum class RunState { Unknown, Queued, Running, Finished, Failed, Cancelled, Diverged };

/// The on-disk spelling, the one name table of run states and job statuses: "queued",
/// "running", "finished", "failed", "cancelled", "diverged"; "" for Unknown.
const char* toString(RunState state);
/// The state @p text spells; Unknown for any other text (empty, "pending", a typo).
RunState parseRunState(const std::string& text);
/// The state a job that ended with @p status leaves.
RunState runStateOf(JobStatus status);
/// The status of an ended state; false for Unknown, Queued and Running.
bool jobStatusOf(RunState state, JobStatus& status);
/// Queued or Running: a job that has not ended.
inline bool isActive(RunState state)
{
    return state == RunState::Queued || state == RunState::Running;
}

/// "finished", "cancelled", "diverged" or "failed": toString(runStateOf(status)).
const char* jobStatusName(JobStatus status);
/// The status a name spells; false for other names (queued, running, empty).
bool parseJobStatus(const std::string& name, JobStatus& status);

/// A sink that drops everything; for callers that do not care.
class NullSink : public ProgressSink { };

/// Cooperative cancellation flag shared between the job and whoever may cancel it.
class CancelToken {
public:
    /// @p reason must be a string literal (it is kept as a pointer; safe in a signal handler),
    /// e.g. "cancelled by signal"; jobs write it into status.json.
    void cancel(const char* reason = "cancelled")
    {
        m_reason.store(reason, std::memory_order_relaxed);
        m_cancelled.store(true, std::memory_order_relaxed);
    }
    bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }
    /// Why it was cancelled ("cancelled" when nobody said).
    const char* reason() const
    {
        const char* r = m_reason.load(std::memory_order_relaxed);
        return r ? r : "cancelled";
    }
    void reset()
    {
        m_cancelled.store(false, std::memory_order_relaxed);
        m_reason.store(nullptr, std::memory_order_relaxed);
    }
    /// Throws repalign::Cancelled when cancelled.
    void check() const;

private:
    std::atomic<bool> m_cancelled {false};
    std::atomic<const char*> m_reason {nullptr};
};

} // namespace repalign
