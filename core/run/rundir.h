#pragma once
/// @file rundir.h
/// The run directory (README "Run directory", docs/ARCHITECTURE.md "File formats"): run.yaml, metrics.csv, status.json,
/// checkpoints/, analysis/, log.txt. Writing side here; reading side (MetricsReader) for the GUI and tests.
#include "common/progress.h"

#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace repalign {

struct MetricRow {
    std::int64_t step = 0;
    double epoch = 0;
    double wallTime = 0;
    std::string split; ///< train | val | test
    std::string name; ///< loss, acc, lr, ...
    double value = 0;
};

/// Who holds a run directory's lock.
struct RunLockHolder {
    long pid = 0;
    std::string host;
    /// True when the holder is this process (a job of the GUI itself, say).
    bool isThisProcess() const;
};

/// An exclusive lock on a run directory for the life of a job: flock() on `<dir>/job.lock`,
/// which records the holder's pid and host; the kernel releases it when the process ends,
/// however it ends. Creates the folder when missing.
class RunLock {
public:
    /// Throws Error ("run directory D is in use by process PID on HOST") when a job holds it.
    explicit RunLock(const std::string& runDir);
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

private:
    int m_fd = -1;
};

/// The job that holds @p runDir's lock; false when none does (or there is no lock file).
bool runLockHolder(const std::string& runDir, RunLockHolder& holder);

/// The names of a run directory's files and folders, and nothing else: it never touches the
/// disk (RunDir creates the folders; readers such as the GUI only need the names).
class RunLayout {
public:
    /// Folder names inside a run, for code that walks up from a file (RUN/checkpoints/X.pt).
    static constexpr const char* kCheckpointsDir = "checkpoints";
    static constexpr const char* kAnalysisDir = "analysis";
    static constexpr const char* kConfigFile = "run.yaml";
    static constexpr const char* kMetricsFile = "metrics.csv";
    static constexpr const char* kStatusFile = "status.json";
    static constexpr const char* kLogFile = "log.txt";
    static constexpr const char* kLockFile = "job.lock";
    /// Checkpoint file names inside checkpoints/.
    static constexpr const char* kLastCheckpoint = "last.pt";
    static constexpr const char* kBestAccCheckpoint = "best_acc.pt";
    static constexpr const char* kBestLossCheckpoint = "best_loss.pt";
    static constexpr const char* kBestRCheckpoint = "best_r.pt"; ///< tuning: best neural predictivity
    /// What a study's analyze and behave conditions write at the top of their own run folder.
    static constexpr const char* kAnalysisFile = "analysis.h5";
    static constexpr const char* kBehaviourFile = "behaviour.h5";

    explicit RunLayout(std::string dir);
    const std::string& dir() const { return m_dir; }
    std::string config() const; ///< run.yaml
    std::string metrics() const; ///< metrics.csv
    std::string status() const; ///< status.json
    std::string log() const; ///< log.txt
    std::string lock() const; ///< job.lock
    std::string checkpoints() const; ///< checkpoints/
    std::string checkpoint(const std::string& name) const; ///< checkpoints/NAME
    std::string lastCheckpoint() const; ///< checkpoints/last.pt
    std::string analysisDir() const; ///< analysis/
    std::string analysis(const std::string& name) const; ///< analysis/NAME.h5
    std::string analysisFile() const; ///< analysis.h5 (a study's analyze condition)
    std::string behaviourFile() const; ///< behaviour.h5 (a study's behave condition)

    /// The run directory that holds @p file when it lies in RUN/checkpoints/ (RUN/analysis/
    /// for runOfAnalysis); empty otherwise. Names only: nothing is checked on disk.
    static std::string runOfCheckpoint(const std::string& file);
    static std::string runOfAnalysis(const std::string& file);

private:
    std::string m_dir;
};

class RunDir {
public:
    /// Creates the folder layout when missing.
    explicit RunDir(std::string path);
    const std::string& path() const { return m_layout.dir(); }
    const RunLayout& layout() const { return m_layout; }
    std::string checkpointPath(const std::string& name) const { return m_layout.checkpoint(name); }
    std::string metricsPath() const { return m_layout.metrics(); }
    std::string statusPath() const { return m_layout.status(); }

    /// Appends one row to metrics.csv and flushes (the header is written when the file is new).
    /// Throws Error naming the file when the row cannot be written (a full disk).
    void appendMetric(const MetricRow& row);
    /// Rewrites metrics.csv keeping only rows with step <= @p maxStep (resume after a crash).
    void truncateMetrics(std::int64_t maxStep);
    /// Writes status.json atomically. @p extra holds additional JSON members (already encoded).
    void writeStatus(
        RunState state, double progress, const std::string& message, const std::map<std::string, std::string>& extra = {});
    void log(const std::string& line);
    void writeRunYaml(const std::string& yaml);

private:
    RunLayout m_layout;
    std::ofstream m_metrics;
    std::ofstream m_log;
    std::mutex m_mutex;
};

/// Reads metrics.csv incrementally: each poll() parses only what was appended since the last
/// one and keeps a partial last line for the next call.
class MetricsReader {
public:
    explicit MetricsReader(std::string path);
    /// New complete rows since the last call (empty when nothing new or the file is missing).
    std::vector<MetricRow> poll();
    void reset();

private:
    std::string m_path;
    std::uint64_t m_offset = 0;
    std::string m_partial;
    bool m_headerSeen = false;
};

/// Parses one CSV line of metrics.csv; false for the header or a malformed line.
bool parseMetricLine(const std::string& line, MetricRow& row);

struct RunStatus {
    RunState state = RunState::Unknown; ///< status.json's "state" (toString spells it); Unknown when missing
    double progress = 0;
    std::string message;
    int worldSize = 1; ///< ranks of a data-parallel run (status.json's world_size), 1 otherwise
};
/// Reads status.json with a JSON parser (yaml-cpp; tolerant: a missing or unreadable file, or a
/// state it does not know, gives RunState::Unknown).
RunStatus readRunStatus(const std::string& runDir);
/// The one status.json writer (atomic): state, progress, message, updated, then @p extra (values
/// given as JSON text). RunDir::writeStatus adds the pid; the study runner writes an analysis' or
/// behave condition's status through it.
void writeStatusFile(const std::string& path, RunState state, double progress, const std::string& message,
    const std::map<std::string, std::string>& extra = {});

} // namespace repalign
