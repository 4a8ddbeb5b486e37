#include "common/error.h"
#include "common/progress.h"

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

const char* jobStatusName(JobStatus status)
{
    switch (status) {
    case JobStatus::Finished:
        return "finished";
    case JobStatus::Cancelled:
        return "cancelled";
    case JobStatus::Diverged:
        return "diverged";
    case JobStatus::Failed:
        return "failed";
    }
    return "failed";
}

bool parseJobStatus(const std::string& name, JobStatus& status)
{
    for (JobStatus s : {JobStatus::Finished, JobStatus::Cancelled, JobStatus::Diverged, JobStatus::Failed})
        if (name == jobStatusName(s)) {
            status = s;
            return true;
        }
    return false;
}

void CancelToken::check() const
{
    if (cancelled())
        throw Cancelled();
}

} // namespace repalign
