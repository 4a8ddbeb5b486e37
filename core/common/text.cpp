#include "common/text.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <vector>

namespace repalign {

std::string strprintf(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    va_list copy;
    va_copy(copy, args);
    const int n = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    std::string out;
    if (n > 0) {
        std::vector<char> buf(static_cast<std::size_t>(n) + 1);
        std::vsnprintf(buf.data(), buf.size(), format, args);
        out.assign(buf.data(), static_cast<std::size_t>(n));
    }
    va_end(args);
    return out;
}

std::string fixed(double v, int digits)
{
    return std::isnan(v) ? std::string("nan") : strprintf("%.*f", digits, v);
}

std::string significant(double v, int digits)
{
    return std::isnan(v) ? std::string("nan") : strprintf("%.*g", digits, v);
}

} // namespace repalign
