#pragma once
/// @file job.h
/// The public face training and tuning share: the result every session reports, and the job
/// itself (a config, a run directory, resume or not). No LibTorch types here.
#include "common/progress.h"

#include <cstdint>
#include <string>
#include <utility>

namespace repalign {

/// How a training session ended (TrainResult and TuneResult add their numbers).
struct SessionResult {
    JobStatus status = JobStatus::Finished;
    std::string runDir;
    int epochsDone = 0;
    std::int64_t steps = 0;
    std::string message;
};

/// A job run by a TrainingSession (train/session.h), which writes the run directory
/// (docs: README "Run directory"). run() goes to the end, a cancel, divergence, or a failure
/// after the start (a full disk): those are results, recorded in status.json and log.txt.
/// Bad input, and another job holding the run directory, throw Error before any work. With
/// resume=true it continues from checkpoints/last.pt bit-for-bit.
template <class Config, class Result> class SessionJob {
public:
    SessionJob(Config config, std::string runDir, bool resume = false)
        : m_config(std::move(config))
        , m_runDir(std::move(runDir))
        , m_resume(resume)
    {
    }
    Result run(ProgressSink& sink, const CancelToken& cancel);

private:
    Config m_config;
    std::string m_runDir;
    bool m_resume;
};

} // namespace repalign
