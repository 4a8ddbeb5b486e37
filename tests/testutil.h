#pragma once
// Helpers shared by the Qt Test executables.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace testutil {

/// A fresh, empty temporary folder, removed when the process exits (set REPALIGN_KEEP_TEST_DIRS to keep it).
std::string tempDir(const std::string& tag);
/// Runs a command line, returns its exit status; stdout+stderr go to @p output.
int run(const std::string& command, std::string* output = nullptr);
std::string readText(const std::string& path);
void writeText(const std::string& path, const std::string& text);

/// A forked child that runs @p acquire (e.g. takes a run lock), keeps what it returns alive,
/// tells the parent, then waits to be killed. The constructor returns once acquire has returned
/// in the child (ready() true) or thrown (ready() false); the destructor kills and reaps a child
/// still alive.
class HoldingChild {
public:
    explicit HoldingChild(const std::function<std::shared_ptr<void>()>& acquire);
    ~HoldingChild();
    HoldingChild(const HoldingChild&) = delete;
    HoldingChild& operator=(const HoldingChild&) = delete;
    int pid() const { return m_pid; }
    bool ready() const { return m_ready; }
    /// SIGKILL, no clean-up code runs in the child; then reaps it.
    void kill();

private:
    int m_pid = -1;
    bool m_ready = false;
};

/// One entry of a zip archive written by zipArchive(): @p data as it is stored (raw for
/// method 0, a raw deflate stream for method 8), with the entry's uncompressed size and CRC.
struct ZipEntry {
    std::string name;
    std::string data;
    std::uint16_t method = 0;
    std::uint64_t size = 0;
    std::uint32_t crc = 0;
};
/// A stored (method 0) entry; the CRC is computed here.
ZipEntry storedEntry(const std::string& name, const std::string& data);
/// CRC-32 (IEEE 802.3), written independently of zlib.
std::uint32_t crc32(const std::string& data);
/// A zip archive laid out as PyTorch's writer lays it out: each record's data 64-byte aligned
/// through an "FB" extra field. @p zip64: sizes and offsets in zip64 extra fields and a zip64
/// end of directory, as PyTorch writes archives over 4 GiB.
std::string zipArchive(const std::vector<ZipEntry>& entries, bool zip64 = false);

} // namespace testutil
