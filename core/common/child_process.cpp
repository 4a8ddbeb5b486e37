#include "common/child_process.h"
#include "common/allocator.h"

#include "common/error.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>

namespace repalign {
namespace {

int openOutput(const std::string& output)
{
    if (output.empty())
        return -1;
    const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error("cannot open " + output + " for a child process' output: " + std::strerror(errno));
    return fd;
}

/// write(2) of a whole string; for the child between fork and exec (async-signal-safe).
void writeAll(int fd, const char* text)
{
    std::size_t n = std::strlen(text);
    while (n > 0) {
        const ssize_t w = ::write(fd, text, n);
        if (w <= 0)
            return;
        text += w;
        n -= static_cast<std::size_t>(w);
    }
}

} // namespace

pid_t spawnProcess(const SpawnOptions& o)
{
    if (o.argv.empty())
        throw Error("spawnProcess: no command");
    const std::string program = o.program.empty() ? o.argv[0] : o.program;
    // Everything the child needs is prepared before fork: between fork and exec only
    // async-signal-safe calls.
    std::vector<char*> args;
    for (const auto& a : o.argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    // The environment: this one's, with the given variables replaced or added.
    std::vector<std::string> envText;
    for (char** e = environ; e && *e; ++e) {
        const std::string entry = *e;
        bool replaced = false;
        for (const auto& kv : o.env)
            replaced = replaced || entry.rfind(kv.first + "=", 0) == 0;
        if (!replaced)
            envText.push_back(entry);
    }
    for (const auto& [k, v] : o.env)
        envText.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : envText)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    const std::string cwdFailed = "cannot change to " + o.cwd + "\n";
    const std::string execFailed = "cannot run " + program + "\n";
    const int fd = openOutput(o.output);
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        if (fd >= 0)
            ::close(fd);
        throw Error("cannot start " + program + " (fork failed: " + std::strerror(errno) + ")");
    }
    if (pid == 0) {
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) {
            writeAll(2, cwdFailed.c_str());
            ::_exit(126);
        }
        ::execve(program.c_str(), args.data(), envp.data());
        writeAll(2, execFailed.c_str());
        ::_exit(127);
    }
    if (fd >= 0)
        ::close(fd);
    return pid;
}

pid_t forkProcess(const std::string& cwd, const std::string& output, const std::function<int()>& body)
{
    releaseFreeHeap(); // the child gets fresh pages, not copy-on-write copies of freed ones
    const int fd = openOutput(output);
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        if (fd >= 0)
            ::close(fd);
        throw Error(std::string("cannot start a worker child (fork failed: ") + std::strerror(errno) + ")");
    }
    if (pid == 0) {
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGPIPE, SIG_DFL);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        int code = 126;
        if (cwd.empty() || ::chdir(cwd.c_str()) == 0) {
            try {
                code = body();
            } catch (const std::exception& e) {
                std::cerr << "error: " << e.what() << "\n";
                code = 1;
            } catch (...) {
                code = 1;
            }
        } else {
            std::cerr << "cannot change to " << cwd << "\n";
        }
        std::cout.flush();
        std::cerr.flush();
        std::fflush(nullptr);
        ::_exit(code);
    }
    if (fd >= 0)
        ::close(fd);
    return pid;
}

bool pollProcess(pid_t pid, int& status)
{
    int ws = 0;
    const pid_t p = ::waitpid(pid, &ws, WNOHANG);
    if (p == 0)
        return false;
    status = p < 0 ? -1 : ws;
    return true;
}

int waitProcess(pid_t pid, const std::function<void()>& onTick, int tickMs)
{
    int status = 0;
    while (!pollProcess(pid, status)) {
        if (onTick)
            onTick();
        std::this_thread::sleep_for(std::chrono::milliseconds(tickMs));
    }
    return status;
}

int shellExitStatus(int ws)
{
    if (ws < 0)
        return 1;
    if (WIFEXITED(ws))
        return WEXITSTATUS(ws);
    if (WIFSIGNALED(ws))
        return 128 + WTERMSIG(ws);
    return 1;
}

std::string describeWaitStatus(int ws)
{
    if (ws >= 0 && WIFSIGNALED(ws))
        return "signal " + std::to_string(WTERMSIG(ws)) + " (" + strsignal(WTERMSIG(ws)) + ")";
    return "exit status " + std::to_string(ws >= 0 && WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
}

int exitCodeForJobStatus(JobStatus status)
{
    switch (status) {
    case JobStatus::Finished:
        return 0;
    case JobStatus::Failed:
        return 1;
    case JobStatus::Diverged:
        return 3;
    case JobStatus::Cancelled:
        return 130;
    }
    return 1;
}

JobStatus jobStatusForExitCode(int code)
{
    switch (code) {
    case 0:
        return JobStatus::Finished;
    case 3:
        return JobStatus::Diverged;
    case 130:
    case 143:
        return JobStatus::Cancelled;
    default:
        return JobStatus::Failed;
    }
}

} // namespace repalign
