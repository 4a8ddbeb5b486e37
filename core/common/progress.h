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
    std::string phase;          ///< "train", "val", "analyze", "import", ...
    std::int64_t done = 0;      ///< units of work done in this phase (steps, images, ...)
    std::int64_t total = 0;     ///< 0 when unknown
    int epoch = 0;              ///< 1-based epoch, 0 when not epoch-based
    int epochs = 0;
    double loss = -1.0;         ///< running loss, negative when unknown
    double accuracy = -1.0;     ///< running accuracy in [0,1], negative when unknown
    double itemsPerSecond = 0.0;
    double etaSeconds = -1.0;   ///< negative when unknown
    double fraction = 0.0;      ///< overall job fraction in [0,1]
};

/// Receives progress, log lines and metric rows from a job. Called on the job's thread:
/// implementations that touch a GUI must forward through a queued connection.
class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    virtual void progress(const ProgressEvent& /*event*/) {}
    virtual void log(LogLevel /*level*/, const std::string& /*message*/) {}
};

/// A sink that drops everything; for callers that do not care.
class NullSink : public ProgressSink {};

/// Cooperative cancellation flag shared between the job and whoever may cancel it.
class CancelToken {
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }
    void reset() { m_cancelled.store(false, std::memory_order_relaxed); }
    /// Throws repalign::Cancelled when cancelled.
    void check() const;

private:
    std::atomic<bool> m_cancelled{false};
};

} // namespace repalign
