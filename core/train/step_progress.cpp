#include "train/step_progress.h"

namespace repalign {

StepProgress::StepProgress(std::int64_t totalSteps, int batchSize, std::int64_t startStep)
    : m_total(totalSteps)
    , m_batch(batchSize)
    , m_start(startStep)
    , m_t0(Clock::now())
    , m_lastStatus(Clock::now())
{
}

void StepProgress::fill(ProgressEvent& ev, std::int64_t step) const
{
    const double elapsed = std::chrono::duration<double>(Clock::now() - m_t0).count();
    const double stepsDone = double(step - m_start);
    ev.itemsPerSecond = elapsed > 0 ? stepsDone * m_batch / elapsed : 0;
    ev.etaSeconds = stepsDone > 0 ? elapsed / stepsDone * double(m_total - step) : -1;
    ev.fraction = m_total > 0 ? double(step) / double(m_total) : 0;
}

bool StepProgress::statusDue()
{
    if (std::chrono::duration<double>(Clock::now() - m_lastStatus).count() <= 2.0)
        return false;
    m_lastStatus = Clock::now();
    return true;
}

void StepProgress::statusWritten()
{
    m_lastStatus = Clock::now();
}

} // namespace repalign
