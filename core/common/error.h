#pragma once
/// @file error.h
/// The one exception type the core throws for bad input: its what() is a single line that
/// names the file, field or value and, where there are any, the valid choices.
#include <stdexcept>
#include <string>
#include <vector>

namespace repalign {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message)
        : std::runtime_error(message)
    {
    }
};

/// Thrown when a CancelToken fired; jobs catch it to write their last good state.
class Cancelled : public std::runtime_error {
public:
    Cancelled()
        : std::runtime_error("cancelled")
    {
    }
};

/// "a, b, c" for error messages listing valid choices.
std::string joinChoices(const std::vector<std::string>& items, const std::string& sep = ", ");

} // namespace repalign
