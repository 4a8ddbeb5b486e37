#include "common/error.h"
#include "common/name_table.h"
#include "common/progress.h"

#include <utility>

namespace repalign {

std::string joinChoices(const std::vector<std::string>& items, const std::string& sep)
{
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i)
            out += sep;
        out += items[i];
    }
    return out;
}

namespace {
constexpr std::pair<RunState, const char*> kRunStateNames[]
    = {{RunState::Queued, "queued"}, {RunState::Running, "running"}, {RunState::Finished, "finished"},
        {RunState::Failed, "failed"}, {RunState::Cancelled, "cancelled"}, {RunState::Diverged, "diverged"}};
} // namespace

const char* toString(RunState state)
{
    return nameOf(kRunStateNames, state);
}

RunState parseRunState(const std::string& text)
{
    RunState state = RunState::Unknown;
    valueOf(kRunStateNames, text, state);
    return state;
}

RunState runStateOf(JobStatus status)
{
    switch (status) {
    case JobStatus::Finished:
        return RunState::Finished;
    case JobStatus::Cancelled:
        return RunState::Cancelled;
    case JobStatus::Diverged:
        return RunState::Diverged;
    case JobStatus::Failed:
        return RunState::Failed;
    }
    return RunState::Failed;
}

bool jobStatusOf(RunState state, JobStatus& status)
{
    for (JobStatus s : {JobStatus::Finished, JobStatus::Cancelled, JobStatus::Diverged, JobStatus::Failed})
        if (runStateOf(s) == state) {
            status = s;
            return true;
        }
    return false;
}

const char* jobStatusName(JobStatus status)
{
    return toString(runStateOf(status));
}

bool parseJobStatus(const std::string& name, JobStatus& status)
{
    return jobStatusOf(parseRunState(name), status);
}

void CancelToken::check() const
{
    if (cancelled())
        throw Cancelled();
}

} // namespace repalign
