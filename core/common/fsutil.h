#pragma once
/// @file fsutil.h
/// Small file helpers: atomic writes (temp file + rename), whole-file reads, JSON escaping.
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

/// Writes @p data to @p path through `path.tmp-<pid>` and rename(), so readers never see a
/// half-written file and a crash keeps the previous version. Throws Error naming the path.
void writeFileAtomic(const std::string& path, const void* data, std::size_t size);
void writeFileAtomic(const std::string& path, const std::string& text);

/// Reads a whole file; throws Error naming the path when it cannot.
std::vector<char> readFileBytes(const std::string& path);
std::string readFileText(const std::string& path);

bool fileExists(const std::string& path);
bool isDirectory(const std::string& path);
void makeDirs(const std::string& path);

/// A JSON string literal (with quotes) for @p s.
std::string jsonQuote(const std::string& s);

/// Seconds since the Unix epoch, with sub-second precision.
double wallClockSeconds();
/// ISO-8601 UTC time stamp.
std::string isoTimestamp();

/// Number of hardware threads (at least 1).
int hardwareThreads();

} // namespace repalign
