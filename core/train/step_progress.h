#pragma once
/// @file step_progress.h
/// Throughput, ETA and status-file pacing for step-based jobs (training, tuning).
#include "common/progress.h"

#include <chrono>
#include <cstdint>

namespace repalign {

class StepProgress {
public:
    /// @p startStep: the global step the job (re)started at, so a resumed run's rate counts
    /// only its own steps.
    StepProgress(std::int64_t totalSteps, int batchSize, std::int64_t startStep);
    /// Fills itemsPerSecond, etaSeconds and fraction of @p ev at global step @p step.
    void fill(ProgressEvent& ev, std::int64_t step) const;
    /// True when status.json is due again (at most every 2 s); restarts the interval.
    bool statusDue();
    /// Restarts the status interval (after an unconditional status write).
    void statusWritten();

private:
    using Clock = std::chrono::steady_clock;
    std::int64_t m_total;
    int m_batch;
    std::int64_t m_start;
    Clock::time_point m_t0;
    Clock::time_point m_lastStatus;
};

} // namespace repalign
