// Data-parallel overhead: resnet18_cifar10 at batch 64 per rank, 2 ranks x 1 thread (Gloo on
// 127.0.0.1, gradient buckets all-reduced while backward runs) against 1 rank x 2 threads at
// batch 128 (the same global batch). On a 2-core machine this shows the cost of the
// communication, not a speed-up. Prints JSON: images/s of both, the all-reduce wait per step
// and its share of the step (target < 10%).
//
// bench_distributed [steps]            runs both and prints the comparison
// (with RANK/WORLD_SIZE set it is one rank of the data-parallel run; the parent starts them)
#include "common/device.h"
#include "models/nets.h"
#include "train/distributed.h"
#include "train/optim.h"

#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace repalign;
using Clock = std::chrono::steady_clock;

namespace {

struct Figures {
    double imagesPerSecond = 0;
    double stepSeconds = 0;
    double waitSeconds = 0; ///< all-reduce time backward did not hide, per step
    double commSeconds = 0; ///< first bucket launched -> last bucket done, per step
    std::size_t buckets = 0;
};

/// Trains @p steps (after one warm-up step) on a resident random batch.
Figures train(int batch, int steps)
{
    Distributed& dist = Distributed::instance();
    torch::manual_seed(0);
    TapNet model = createModel("resnet18_cifar10");
    model->train();
    OptimizerConfig oc;
    oc.momentum = 0.9;
    Optimizer::NamedParams params;
    std::vector<torch::Tensor> plain;
    for (const auto& p : model->named_parameters()) {
        params.emplace_back(p.key(), p.value());
        plain.push_back(p.value());
    }
    Optimizer opt(oc, params);
    std::unique_ptr<GradientReducer> reducer;
    if (dist.active()) {
        dist.broadcast(plain);
        reducer = std::make_unique<GradientReducer>(dist, plain);
    }
    torch::manual_seed(1 + static_cast<std::uint64_t>(dist.rank()));
    const torch::Tensor x = torch::randn({batch, 3, 32, 32});
    const torch::Tensor y = torch::randint(0, 10, {batch}, torch::kInt64);
    Figures f;
    if (reducer)
        f.buckets = reducer->bucketCount();
    double wait = 0, comm = 0;
    auto step = [&] {
        opt.zeroGrad();
        if (dist.active())
            dist.broadcast(model->buffers());
        auto loss = torch::nn::functional::cross_entropy(model->forward(x), y);
        if (reducer)
            reducer->prepare();
        loss.backward();
        if (reducer) {
            reducer->finish();
            wait += reducer->lastWaitSeconds();
            comm += reducer->lastCommSeconds();
        }
        opt.step(0.01);
    };
    step();
    wait = comm = 0;
    dist.barrier();
    const auto t0 = Clock::now();
    for (int i = 0; i < steps; ++i)
        step();
    const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
    f.stepSeconds = sec / steps;
    f.imagesPerSecond = double(batch) * dist.worldSize() * steps / sec;
    f.waitSeconds = wait / steps;
    f.commSeconds = comm / steps;
    return f;
}

int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    const int port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

} // namespace

int main(int argc, char** argv)
{
    const int steps = argc > 1 ? std::atoi(argv[1]) : 5;
    const int batch = 64;
    if (std::getenv("RANK")) {
        // One rank of the data-parallel run: 1 thread each.
        configureThreads(1);
        DistributedConfig dc;
        Distributed::instance().init(dc, false);
        const Figures f = train(batch, steps);
        if (Distributed::instance().rank() == 0) {
            std::printf("%.6f %.6f %.6f %.6f %zu\n", f.imagesPerSecond, f.stepSeconds, f.waitSeconds, f.commSeconds, f.buckets);
            std::fflush(stdout);
        }
        Distributed::instance().barrier();
        return 0;
    }

    // 2 ranks x 1 thread, each a child process of this binary; rank 0's figures come back on a pipe.
    const int port = freePort();
    int fds[2];
    if (::pipe(fds) != 0)
        return 1;
    std::vector<pid_t> kids;
    for (int r = 0; r < 2; ++r) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            if (r == 0)
                ::dup2(fds[1], 1);
            ::close(fds[0]);
            ::close(fds[1]);
            ::setenv("RANK", std::to_string(r).c_str(), 1);
            ::setenv("WORLD_SIZE", "2", 1);
            ::setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
            ::setenv("MASTER_ADDR", "127.0.0.1", 1);
            ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
            const std::string n = std::to_string(steps);
            ::execl("/proc/self/exe", argv[0], n.c_str(), static_cast<char*>(nullptr));
            std::_Exit(127);
        }
        kids.push_back(pid);
    }
    ::close(fds[1]);
    std::string text;
    char buf[256];
    for (ssize_t k; (k = ::read(fds[0], buf, sizeof buf)) > 0;)
        text.append(buf, static_cast<std::size_t>(k));
    ::close(fds[0]);
    bool ok = true;
    for (pid_t pid : kids) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    Figures dp;
    if (!ok
        || std::sscanf(text.c_str(), "%lf %lf %lf %lf %zu", &dp.imagesPerSecond, &dp.stepSeconds, &dp.waitSeconds,
               &dp.commSeconds, &dp.buckets)
            != 5) {
        std::fprintf(stderr, "bench_distributed: the 2-rank run failed\n");
        return 1;
    }

    // 1 rank x 2 threads, the same global batch.
    configureThreads(2);
    const Figures one = train(2 * batch, steps);

    std::printf("{\n  \"model\": \"resnet18_cifar10\", \"batch_per_rank\": %d, \"steps\": %d,\n", batch, steps);
    std::printf("  \"ranks2_threads1\": {\"images_per_s\": %.2f, \"step_s\": %.3f, \"buckets\": %zu,\n", dp.imagesPerSecond,
        dp.stepSeconds, dp.buckets);
    std::printf("    \"allreduce_wait_s_per_step\": %.4f, \"allreduce_share_of_step\": %.4f,\n", dp.waitSeconds,
        dp.waitSeconds / dp.stepSeconds);
    std::printf("    \"allreduce_span_s_per_step\": %.4f},\n", dp.commSeconds);
    std::printf("  \"ranks1_threads2\": {\"images_per_s\": %.2f, \"step_s\": %.3f},\n", one.imagesPerSecond, one.stepSeconds);
    std::printf("  \"ratio_2ranks_over_1rank\": %.3f,\n", dp.imagesPerSecond / one.imagesPerSecond);
    std::printf(
        "  \"target\": \"all-reduce share < 0.10\", \"met\": %s\n}\n", dp.waitSeconds / dp.stepSeconds < 0.10 ? "true" : "false");
    return 0;
}
