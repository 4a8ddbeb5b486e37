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

/// Removes `NAME.tmp-PID` files in @p dir (not below it) whose process is gone, left by a
/// process killed during writeFileAtomic or an HDF5 commit; returns the paths removed.
std::vector<std::string> removeOrphanedTempFiles(const std::string& dir);

/// Fault injection for tests, in the write paths (writeFileAtomic and the metrics.csv /
/// log.txt appends). From the environment: REPALIGN_FAULT_AFTER_WRITES=N lets N counted
/// writes succeed and faults every later one; REPALIGN_FAULT=exit (default) ends the process
/// at once with status 86 after half of the temp file is written, as a kill would;
/// REPALIGN_FAULT=enospc fails the write with "No space left on device" (a full disk);
/// REPALIGN_FAULT_PATH=TEXT counts only writes to paths containing TEXT.
enum class WriteFault { Exit, NoSpace };
/// The same in-process (tests); @p afterWrites < 0 turns it off. Resets the count.
void setWriteFault(int afterWrites, WriteFault fault = WriteFault::NoSpace, const std::string& pathContains = {});
/// Counts a write to @p path: 0 to go ahead, else the errno to fail it with. Used by the writers.
int writeFault(const std::string& path);

/// Reads a whole file; throws Error naming the path when it cannot.
std::vector<char> readFileBytes(const std::string& path);
std::string readFileText(const std::string& path);

bool fileExists(const std::string& path);
/// The names in @p dir (no "." or ".."), sorted; empty when it cannot be read.
std::vector<std::string> listDir(const std::string& dir);
/// The last component of @p path (after the last '/' or '\\').
std::string baseName(const std::string& path);
/// baseName without its last extension (".h5"); a leading dot is not an extension.
std::string fileStem(const std::string& path);
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
