#include "testutil.h"

#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace testutil {

namespace {
std::vector<std::string>& created()
{
    static std::vector<std::string> dirs;
    return dirs;
}
void removeCreated()
{
    if (std::getenv("REPALIGN_KEEP_TEST_DIRS"))
        return;
    for (const auto& d : created()) {
        std::error_code ec;
        fs::remove_all(d, ec);
    }
}
} // namespace

std::string tempDir(const std::string& tag)
{
    static int counter = 0;
    if (counter == 0) {
        created(); // construct the list before registering, so it is destroyed after removeCreated runs
        std::atexit(removeCreated);
    }
    fs::path p
        = fs::temp_directory_path() / ("repalign-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(p);
    fs::create_directories(p);
    created().push_back(p.string());
    return p.string();
}

int run(const std::string& command, std::string* output)
{
    std::string cmd = command + " 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe)
        return -1;
    std::array<char, 4096> buf {};
    std::string out;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
        out.append(buf.data(), n);
    int status = ::pclose(pipe);
    if (output)
        *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void writeText(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

HoldingChild::HoldingChild(const std::function<std::shared_ptr<void>()>& acquire)
{
    int ready[2];
    if (::pipe(ready) != 0)
        return;
    m_pid = ::fork();
    if (m_pid == 0) {
        ::close(ready[0]);
        try {
            const std::shared_ptr<void> held = acquire();
            const char c = 'x';
            if (::write(ready[1], &c, 1) != 1)
                ::_exit(2);
            for (;;)
                ::pause();
        } catch (...) {
        }
        ::_exit(1);
    }
    ::close(ready[1]);
    char c = 0;
    m_ready = m_pid > 0 && ::read(ready[0], &c, 1) == 1;
    ::close(ready[0]);
}

HoldingChild::~HoldingChild()
{
    kill();
}

void HoldingChild::kill()
{
    if (m_pid <= 0)
        return;
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
}

std::uint32_t crc32(const std::string& data)
{
    static const auto table = [] {
        std::array<std::uint32_t, 256> t {};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xffffffffu;
    for (unsigned char b : data)
        c = table[(c ^ b) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

ZipEntry storedEntry(const std::string& name, const std::string& data)
{
    return ZipEntry {name, data, 0, data.size(), crc32(data)};
}

namespace {
void put(std::string& s, std::uint64_t v, int n)
{
    for (int i = 0; i < n; ++i)
        s += static_cast<char>((v >> (8 * i)) & 0xff);
}
} // namespace

std::string zipArchive(const std::vector<ZipEntry>& entries, bool zip64)
{
    std::string out, dir;
    const std::uint64_t big = 0xffffffffu;
    for (const auto& e : entries) {
        const std::uint64_t offset = out.size();
        // PyTorch pads the local header's extra field so each record starts 64-byte aligned.
        const std::size_t pad = (64 - (offset + 30 + e.name.size() + 4) % 64) % 64;
        put(out, 0x04034b50u, 4); // local file header
        put(out, 20, 2); // version needed
        put(out, 0, 2); // flags
        put(out, e.method, 2);
        put(out, 0, 4); // time, date
        put(out, e.crc, 4);
        put(out, e.data.size(), 4);
        put(out, e.size, 4);
        put(out, e.name.size(), 2);
        put(out, pad + 4, 2);
        out += e.name;
        put(out, 0x4246, 2);
        put(out, pad, 2); // "FB" padding field
        out += std::string(pad, 'Z');
        out += e.data;
        put(dir, 0x02014b50u, 4); // central directory header
        put(dir, 20, 2); // version made by
        put(dir, 20, 2); // version needed
        put(dir, 0, 2); // flags
        put(dir, e.method, 2);
        put(dir, 0, 4); // time, date
        put(dir, e.crc, 4);
        put(dir, zip64 ? big : e.data.size(), 4);
        put(dir, zip64 ? big : e.size, 4);
        put(dir, e.name.size(), 2);
        put(dir, zip64 ? 28 : 0, 2);
        put(dir, 0, 2); // comment length
        put(dir, 0, 2); // disk
        put(dir, 0, 2); // internal attributes
        put(dir, 0, 4); // external attributes
        put(dir, zip64 ? big : offset, 4);
        dir += e.name;
        if (zip64) {
            put(dir, 1, 2);
            put(dir, 24, 2);
            put(dir, e.size, 8);
            put(dir, e.data.size(), 8);
            put(dir, offset, 8);
        }
    }
    const std::uint64_t dirOffset = out.size();
    out += dir;
    if (zip64) {
        const std::uint64_t z = out.size();
        put(out, 0x06064b50u, 4);
        put(out, 44, 8);
        put(out, 45, 2);
        put(out, 45, 2);
        put(out, 0, 4);
        put(out, 0, 4);
        put(out, entries.size(), 8);
        put(out, entries.size(), 8);
        put(out, dir.size(), 8);
        put(out, dirOffset, 8);
        put(out, 0x07064b50u, 4);
        put(out, 0, 4);
        put(out, z, 8);
        put(out, 1, 4);
    }
    put(out, 0x06054b50u, 4);
    put(out, 0, 2);
    put(out, 0, 2);
    put(out, zip64 ? 0xffff : entries.size(), 2);
    put(out, zip64 ? 0xffff : entries.size(), 2);
    put(out, zip64 ? big : dir.size(), 4);
    put(out, zip64 ? big : dirOffset, 4);
    put(out, 0, 2);
    return out;
}

} // namespace testutil
