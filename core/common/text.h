#pragma once
/// @file text.h
/// printf-style formatting into a std::string (numbers in logs, tables and summaries).
#include <string>

namespace repalign {

/// snprintf into a string of any length.
std::string strprintf(const char* format, ...) __attribute__((format(printf, 1, 2)));
/// @p v with @p digits decimals ("%.*f"), or "nan".
std::string fixed(double v, int digits);
/// @p v with @p digits significant digits ("%.*g"), or "nan".
std::string significant(double v, int digits = 4);

} // namespace repalign
