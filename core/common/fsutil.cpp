#include "common/fsutil.h"
#include "common/error.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace repalign {

namespace {

struct FaultState {
    std::mutex mutex;
    bool configured = false;
    int after = -1;
    WriteFault fault = WriteFault::Exit;
    std::string path;
    int count = 0;
};

FaultState& faultState()
{
    static FaultState s;
    return s;
}

constexpr int kFaultExitStatus = 86;

} // namespace

void setWriteFault(int afterWrites, WriteFault fault, const std::string& pathContains)
{
    FaultState& s = faultState();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.configured = true;
    s.after = afterWrites;
    s.fault = fault;
    s.path = pathContains;
    s.count = 0;
}

int writeFault(const std::string& path)
{
    FaultState& s = faultState();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.configured) {
        s.configured = true;
        if (const char* n = std::getenv("REPALIGN_FAULT_AFTER_WRITES"); n && *n) {
            s.after = std::atoi(n);
            const char* kind = std::getenv("REPALIGN_FAULT");
            s.fault = kind && std::string(kind) == "enospc" ? WriteFault::NoSpace : WriteFault::Exit;
            const char* p = std::getenv("REPALIGN_FAULT_PATH");
            s.path = p ? p : "";
        }
    }
    if (s.after < 0 || (!s.path.empty() && path.find(s.path) == std::string::npos))
        return 0;
    if (s.count++ < s.after)
        return 0;
    return s.fault == WriteFault::NoSpace ? ENOSPC : -1;
}

void writeFileAtomic(const std::string& path, const void* data, std::size_t size)
{
    const int fault = writeFault(path);
    if (fault > 0)
        throw Error("cannot write " + path + ": " + std::strerror(fault));
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error("cannot write " + path + ": " + std::strerror(errno));
    const char* p = static_cast<const char*>(data);
    std::size_t left = size;
    if (fault < 0) {
        // Injected kill: half the data, then the process ends without cleaning up.
        if (::write(fd, p, left / 2) < 0)
            ::_exit(kFaultExitStatus);
        ::_exit(kFaultExitStatus);
    }
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Error("cannot write " + path + ": " + std::strerror(err));
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    // The data must be on disk before the rename makes it the current version.
    ::fsync(fd);
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw Error("cannot replace " + path + ": " + std::strerror(err));
    }
}

void writeFileAtomic(const std::string& path, const std::string& text)
{
    writeFileAtomic(path, text.data(), text.size());
}

std::vector<std::string> removeOrphanedTempFiles(const std::string& dir)
{
    std::vector<std::string> removed;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const std::size_t at = name.rfind(".tmp-");
        if (at == std::string::npos || at + 5 >= name.size())
            continue;
        const std::string digits = name.substr(at + 5);
        if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9)
            continue;
        const pid_t pid = static_cast<pid_t>(std::stol(digits));
        if (pid == ::getpid() || pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        std::error_code rmEc;
        if (fs::remove(it->path(), rmEc))
            removed.push_back(it->path().string());
    }
    return removed;
}

std::vector<char> readFileBytes(const std::string& path)
{
    // A folder opens as a stream on Linux and reports a size near 2^63.
    if (isDirectory(path))
        throw Error(path + " is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open " + path + ": " + std::strerror(errno));
    in.seekg(0, std::ios::end);
    std::streamoff size = in.tellg();
    in.seekg(0, std::ios::beg);
    if (size < 0)
        throw Error("cannot read " + path + " (not a regular file)");
    std::vector<char> data(static_cast<std::size_t>(size));
    if (size > 0 && !in.read(data.data(), size))
        throw Error("cannot read " + path);
    return data;
}

std::string readFileText(const std::string& path)
{
    auto bytes = readFileBytes(path);
    return std::string(bytes.begin(), bytes.end());
}

bool fileExists(const std::string& path)
{
    std::error_code ec;
    return fs::exists(path, ec);
}

std::vector<std::string> listDir(const std::string& dir)
{
    std::vector<std::string> out;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d)) {
            const std::string n = e->d_name;
            if (n != "." && n != "..")
                out.push_back(n);
        }
        ::closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string baseName(const std::string& path)
{
    const auto slash = path.find_last_of("/\\");
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string fileStem(const std::string& path)
{
    const std::string name = baseName(path);
    const auto dot = name.find_last_of('.');
    return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

bool isDirectory(const std::string& path)
{
    std::error_code ec;
    return fs::is_directory(path, ec);
}

void makeDirs(const std::string& path)
{
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec)
        throw Error("cannot create folder " + path + ": " + ec.message());
}

std::string jsonQuote(const std::string& s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

double wallClockSeconds()
{
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string isoTimestamp()
{
    std::time_t t = std::time(nullptr);
    std::tm tm {};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int hardwareThreads()
{
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

} // namespace repalign
