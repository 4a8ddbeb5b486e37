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

void CancelToken::check() const
{
    if (cancelled())
        throw Cancelled();
}

} // namespace repalign
