#pragma once
// Helpers shared by the Qt Test executables.
#include <string>

namespace testutil {

/// A fresh, empty temporary folder, removed when the process exits (set REPALIGN_KEEP_TEST_DIRS to keep it).
std::string tempDir(const std::string& tag);
/// Runs a command line, returns its exit status; stdout+stderr go to @p output.
int run(const std::string& command, std::string* output = nullptr);
std::string readText(const std::string& path);
void writeText(const std::string& path, const std::string& text);

} // namespace testutil
