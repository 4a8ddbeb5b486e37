// repalign-cli launch --nproc N -- train --config ... : a thin torchrun --standalone. It starts
// N copies of this program on this machine with the torchrun variables set (RANK, LOCAL_RANK,
// WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1, MASTER_PORT), forwards SIGINT/SIGTERM
// to them, and when one exits with an error names it and ends the others. No scheduling, no
// restarts: for several machines use srun or torchrun (README, "Data-parallel runs").
#include "cli/command.h"
#include "common/child_process.h"
#include "common/error.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

namespace repalign::cli {
namespace {

struct LaunchArgs {
    int nproc = 2;
    int port = 0;
    int grace = 30;
    std::vector<std::string> command;
};

volatile std::sig_atomic_t g_signal = 0;

void onSignal(int sig)
{
    g_signal = sig;
}

int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 29500;
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 29500;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

int launch(const LaunchArgs& a)
{
    if (a.command.empty())
        throw Error(
            "launch: give the command after --, e.g. repalign-cli launch --nproc 2 -- train --config c.yaml --out runs/x");
    const int port = a.port > 0 ? a.port : freePort();
    std::fprintf(stderr, "launch: %d ranks on 127.0.0.1:%d: %s ...\n", a.nproc, port, a.command.front().c_str());
    std::vector<pid_t> pids(static_cast<std::size_t>(a.nproc), -1);
    for (int r = 0; r < a.nproc; ++r) {
        SpawnOptions o;
        o.program = "/proc/self/exe";
        o.argv = {"repalign-cli"};
        o.argv.insert(o.argv.end(), a.command.begin(), a.command.end());
        o.env = {{"RANK", std::to_string(r)}, {"LOCAL_RANK", std::to_string(r)}, {"WORLD_SIZE", std::to_string(a.nproc)},
            {"LOCAL_WORLD_SIZE", std::to_string(a.nproc)}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", std::to_string(port)}};
        pids[static_cast<std::size_t>(r)] = spawnProcess(o);
    }
    struct sigaction sa { };
    sa.sa_handler = onSignal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);

    int running = a.nproc, firstFailure = 0;
    bool forwarded = false;
    std::chrono::steady_clock::time_point failedAt;
    bool killed = false;
    while (running > 0) {
        if (g_signal && !forwarded) {
            for (pid_t p : pids)
                if (p > 0)
                    ::kill(p, g_signal);
            forwarded = true;
        }
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            for (std::size_t r = 0; r < pids.size(); ++r) {
                if (pids[r] != pid)
                    continue;
                pids[r] = -1;
                --running;
                const int code = shellExitStatus(status);
                if (code != 0) {
                    std::fprintf(stderr, "launch: rank %zu exited: %s%s\n", r, WIFSIGNALED(status) ? "killed by " : "",
                        describeWaitStatus(status).c_str());
                    if (!firstFailure) {
                        firstFailure = code;
                        failedAt = std::chrono::steady_clock::now();
                    }
                }
            }
            continue;
        }
        // The other ranks notice a lost peer themselves; one that hangs is ended after the grace.
        if (firstFailure && !killed && std::chrono::steady_clock::now() - failedAt > std::chrono::seconds(a.grace)) {
            for (std::size_t r = 0; r < pids.size(); ++r)
                if (pids[r] > 0) {
                    std::fprintf(stderr, "launch: ending rank %zu (%d s after the first failure)\n", r, a.grace);
                    ::kill(pids[r], SIGKILL);
                }
            killed = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return firstFailure;
}

CommandRegistrar launchReg(12, [](CLI::App& app) {
    auto args = std::make_shared<LaunchArgs>();
    auto* sub = app.add_subcommand("launch",
        "Start a data-parallel run on this machine: N copies of a command with the torchrun variables set "
        "(e.g. launch --nproc 2 -- train --config c.yaml --out runs/x)");
    sub->add_option("--nproc", args->nproc, "Number of ranks (processes)")->check(CLI::Range(1, 1024));
    sub->add_option("--master-port", args->port, "Port of rank 0's store (default: a free one)")->check(CLI::Range(1, 65535));
    sub->add_option("--grace", args->grace, "Seconds the other ranks get to stop after one failed, then they are killed")
        ->check(CLI::Range(1, 86400));
    sub->add_option("command", args->command, "The repalign-cli command and its options, after --")->required();
    // The first failed rank's exit status, as the other commands spell it (a rank killed by a
    // signal: failed, 1; SIGINT/SIGTERM: cancelled, 130).
    sub->callback([args] { exitStatus() = exitCodeForJobStatus(jobStatusForExitCode(launch(*args))); });
});

} // namespace
} // namespace repalign::cli
