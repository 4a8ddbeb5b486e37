#include "train/distributed.h"
#include "common/error.h"
#include "common/fsutil.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace repalign {

namespace {

using Clock = std::chrono::steady_clock;

double secondsBetween(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

int envInt(const std::function<const char*(const char*)>& getenv, const char* name, int fallback, int lo, int hi)
{
    const char* v = getenv(name);
    if (!v || !*v)
        return fallback;
    char* end = nullptr;
    const long x = std::strtol(v, &end, 10);
    // SLURM_TASKS_PER_NODE reads "2(x3)": the leading number counts.
    if (end == v || (*end && *end != '(') || x < lo || x > hi)
        throw Error("environment variable " + std::string(name) + " = '" + v + "' is not a number in [" + std::to_string(lo)
            + ", " + std::to_string(hi) + "]");
    return static_cast<int>(x);
}

bool envSet(const std::function<const char*(const char*)>& getenv, const char* name)
{
    const char* v = getenv(name);
    return v && *v;
}

std::string lastLine(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    const auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
}

void waitFor(const c10::intrusive_ptr<c10d::Work>& work)
{
    try {
        work->wait();
    } catch (const CollectiveError&) {
        throw;
    } catch (const std::exception& e) {
        throw CollectiveError(lastLine(e.what()));
    }
}

} // namespace

bool isCollectiveFailure(const std::exception& e)
{
    return dynamic_cast<const CollectiveError*>(&e) || std::string(e.what()).find("collective failed: ") != std::string::npos;
}

std::string firstSlurmHost(const std::string& nodelist)
{
    // "a[01-04,07]-ib,b" -> "a01-ib": the first comma outside brackets ends the first entry.
    int depth = 0;
    std::size_t end = nodelist.size();
    for (std::size_t i = 0; i < nodelist.size(); ++i) {
        if (nodelist[i] == '[')
            ++depth;
        else if (nodelist[i] == ']')
            --depth;
        else if (nodelist[i] == ',' && depth == 0) {
            end = i;
            break;
        }
    }
    const std::string entry = nodelist.substr(0, end);
    const auto open = entry.find('[');
    if (open == std::string::npos)
        return entry;
    const auto close = entry.find(']', open);
    if (close == std::string::npos)
        throw Error("SLURM_JOB_NODELIST '" + nodelist + "' has an unclosed '['");
    std::string first = entry.substr(open + 1, close - open - 1);
    first = first.substr(0, first.find_first_of(",-"));
    return entry.substr(0, open) + first + entry.substr(close + 1);
}

DistributedEnv distributedEnvFrom(const std::function<const char*(const char*)>& getenv)
{
    DistributedEnv e;
    constexpr int maxRanks = 1 << 20;
    if (envSet(getenv, "WORLD_SIZE") || envSet(getenv, "RANK")) {
        if (!envSet(getenv, "WORLD_SIZE") || !envSet(getenv, "RANK"))
            throw Error(std::string("environment variable ") + (envSet(getenv, "RANK") ? "WORLD_SIZE" : "RANK")
                + " is missing: a torchrun-style launch sets RANK and WORLD_SIZE together");
        e.source = "torchrun";
        e.worldSize = envInt(getenv, "WORLD_SIZE", 1, 1, maxRanks);
        e.rank = envInt(getenv, "RANK", 0, 0, e.worldSize - 1);
        e.localRank = envInt(getenv, "LOCAL_RANK", e.rank, 0, maxRanks);
        e.localWorldSize = envInt(getenv, "LOCAL_WORLD_SIZE", 0, 1, maxRanks);
        e.masterAddr = envSet(getenv, "MASTER_ADDR") ? getenv("MASTER_ADDR") : "127.0.0.1";
        e.masterPort = envInt(getenv, "MASTER_PORT", 29500, 1, 65535);
        return e;
    }
    // Only inside a job step (srun sets SLURM_STEP_NUM_TASKS): a batch script with --ntasks=4
    // that runs the command itself is one process, not rank 0 of 4 waiting for the others.
    if (envSet(getenv, "SLURM_PROCID") && envSet(getenv, "SLURM_STEP_NUM_TASKS")) {
        e.source = "slurm";
        e.worldSize = envInt(getenv, "SLURM_STEP_NUM_TASKS", 1, 1, maxRanks);
        e.rank = envInt(getenv, "SLURM_PROCID", 0, 0, e.worldSize - 1);
        e.localRank = envInt(getenv, "SLURM_LOCALID", 0, 0, maxRanks);
        e.localWorldSize = envInt(getenv, "SLURM_STEP_TASKS_PER_NODE", 0, 1, maxRanks);
        if (!e.localWorldSize)
            e.localWorldSize = envInt(getenv, "SLURM_TASKS_PER_NODE", 0, 1, maxRanks);
        if (envSet(getenv, "MASTER_ADDR")) {
            e.masterAddr = getenv("MASTER_ADDR");
        } else {
            const char* list = envSet(getenv, "SLURM_STEP_NODELIST") ? getenv("SLURM_STEP_NODELIST")
                : envSet(getenv, "SLURM_JOB_NODELIST")               ? getenv("SLURM_JOB_NODELIST")
                                                                     : getenv("SLURM_NODELIST");
            if (!list || !*list) {
                if (e.worldSize > 1)
                    throw Error("SLURM_JOB_NODELIST is not set: cannot find rank 0's host (set MASTER_ADDR)");
            } else {
                e.masterAddr = firstSlurmHost(list);
            }
        }
        if (envSet(getenv, "MASTER_PORT"))
            e.masterPort = envInt(getenv, "MASTER_PORT", 29500, 1, 65535);
        else
            e.masterPort = 15000 + envInt(getenv, "SLURM_JOB_ID", 0, 0, 2147483647) % 20000;
        return e;
    }
    return e;
}

DistributedEnv distributedEnvFromEnvironment()
{
    return distributedEnvFrom([](const char* name) { return std::getenv(name); });
}

// ---------------------------------------------------------------------------------------

struct Distributed::Impl {
    c10::intrusive_ptr<c10d::TCPStore> store;
    c10::intrusive_ptr<c10d::ProcessGroup> pg;
    torch::Device device = torch::kCPU; ///< where scalar collectives run (NCCL needs CUDA)
    std::string host;
    int port = 0;
    std::chrono::milliseconds timeout {600000};
    std::thread heartbeat;
    std::atomic<bool> stop {false};
    std::mutex storeMutex;
};

Distributed& Distributed::instance()
{
    // Never destroyed: the process group's threads may outlive static destruction order.
    static Distributed* d = new Distributed();
    return *d;
}

Distributed::~Distributed()
{
    if (m_impl && m_impl->heartbeat.joinable()) {
        m_impl->stop = true;
        m_impl->heartbeat.join();
    }
}

std::string Distributed::describe() const
{
    if (!active())
        return "1 process";
    return "rank " + std::to_string(m_rank) + " of " + std::to_string(m_world) + " (" + m_backend + ", " + m_source + ")";
}

void Distributed::init(const DistributedConfig& request, bool cuda)
{
    if (m_initialised)
        return;
    if (request.mode == "off")
        return;
    const DistributedEnv env = distributedEnvFromEnvironment();
    if (env.worldSize <= 1)
        return;
    std::string backend = request.backend;
#ifdef USE_C10D_NCCL
    const bool haveNccl = true;
#else
    const bool haveNccl = false;
#endif
    if (backend == "auto")
        backend = cuda && haveNccl ? "nccl" : "gloo";
    if (backend == "nccl" && !haveNccl)
        throw Error(
            "system.backend: nccl needs a CUDA LibTorch built with NCCL; this one has gloo only (valid here: auto, gloo)");
    if (backend == "nccl" && !cuda)
        throw Error("system.backend: nccl needs system.device cuda; on cpu use gloo");

    auto impl = std::make_unique<Impl>();
    impl->host = env.masterAddr;
    impl->port = env.masterPort;
    impl->timeout = std::chrono::milliseconds(static_cast<std::int64_t>(request.timeoutSeconds) * 1000);
    const std::string where = env.masterAddr + ":" + std::to_string(env.masterPort);
    try {
        c10d::TCPStoreOptions so;
        so.port = static_cast<std::uint16_t>(env.masterPort);
        so.isServer = env.rank == 0;
        so.numWorkers = static_cast<std::size_t>(env.worldSize);
        so.waitWorkers = true;
        so.timeout = impl->timeout;
        impl->store = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, so);
    } catch (const std::exception& e) {
        throw Error("rank " + std::to_string(env.rank) + " of " + std::to_string(env.worldSize)
            + ": cannot meet the other ranks at MASTER_ADDR:MASTER_PORT = " + where + " within "
            + std::to_string(request.timeoutSeconds) + " s (system.dist_timeout): " + lastLine(e.what()));
    }
    try {
        auto prefixed = c10::make_intrusive<c10d::PrefixStore>("repalign/pg", impl->store);
        if (backend == "gloo") {
            auto opts = c10d::ProcessGroupGloo::Options::create(impl->timeout);
            if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
                opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
            else if (env.masterAddr == "127.0.0.1" || env.masterAddr == "localhost")
                opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
            else
                opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
            opts->threads = 2;
            impl->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, env.rank, env.worldSize, opts);
        } else {
#ifdef USE_C10D_NCCL
            auto opts = c10d::ProcessGroupNCCL::Options::create();
            opts->timeout = impl->timeout;
            impl->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, env.rank, env.worldSize, opts);
            impl->device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(env.localRank));
#endif
        }
    } catch (const std::exception& e) {
        throw Error("rank " + std::to_string(env.rank) + ": cannot create the " + backend + " process group through " + where
            + ": " + lastLine(e.what()));
    }
    // Heartbeats on a store connection of their own: explainFailure tells a killed rank
    // (its counter stops) from a slow one.
    Impl* raw = impl.get();
    const int rank = env.rank;
    impl->heartbeat = std::thread([raw, rank, host = env.masterAddr, port = env.masterPort] {
        c10::intrusive_ptr<c10d::TCPStore> hb;
        try {
            c10d::TCPStoreOptions so;
            so.port = static_cast<std::uint16_t>(port);
            so.isServer = false;
            so.waitWorkers = false;
            so.timeout = std::chrono::milliseconds(10000);
            hb = c10::make_intrusive<c10d::TCPStore>(host, so);
        } catch (const std::exception&) {
            return;
        }
        const std::string key = "repalign/hb/" + std::to_string(rank);
        while (!raw->stop) {
            try {
                hb->add(key, 1);
            } catch (const std::exception&) {
                return; // rank 0's store is gone; the main thread reports what happened
            }
            for (int i = 0; i < 5 && !raw->stop; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    m_impl = std::move(impl);
    // The heartbeat stops before static destruction takes LibTorch's state away under it.
    std::atexit([] {
        Distributed& d = Distributed::instance();
        if (d.m_impl && d.m_impl->heartbeat.joinable()) {
            d.m_impl->stop = true;
            d.m_impl->heartbeat.join();
        }
    });
    m_rank = env.rank;
    m_world = env.worldSize;
    m_localRank = env.localRank;
    m_localWorld = env.localWorldSize > 0                                  ? env.localWorldSize
        : (env.masterAddr == "127.0.0.1" || env.masterAddr == "localhost") ? env.worldSize
                                                                           : 1;
    m_backend = backend;
    m_source = env.source;
    m_request = request;
    m_initialised = true;
}

void Distributed::broadcast(const std::vector<torch::Tensor>& tensors)
{
    if (!active() || tensors.empty())
        return;
    // Flattened per dtype and device in pieces of at most ~25 MB: one collective per piece,
    // not one per tensor (BatchNorm's float statistics and int64 counters make two groups).
    std::vector<std::vector<std::size_t>> groups;
    std::vector<std::int64_t> groupBytes;
    std::map<std::string, std::size_t> open;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const torch::Tensor& t = tensors[i];
        const std::string key = std::string(t.dtype().name()) + "@" + t.device().str();
        auto it = open.find(key);
        if (it == open.end() || groupBytes[it->second] + static_cast<std::int64_t>(t.nbytes()) > (25 << 20)) {
            groups.emplace_back();
            groupBytes.push_back(0);
            it = open.insert_or_assign(key, groups.size() - 1).first;
        }
        groups[it->second].push_back(i);
        groupBytes[it->second] += static_cast<std::int64_t>(t.nbytes());
    }
    torch::NoGradGuard noGrad;
    for (const auto& group : groups) {
        std::vector<torch::Tensor> flatParts;
        for (std::size_t i : group)
            flatParts.push_back(tensors[i].detach().reshape(-1));
        std::vector<torch::Tensor> flat {torch::cat(flatParts)};
        c10d::BroadcastOptions bo;
        bo.rootRank = 0;
        waitFor(m_impl->pg->broadcast(flat, bo));
        std::int64_t off = 0;
        for (std::size_t i : group) {
            torch::Tensor t = tensors[i].detach();
            t.copy_(flat[0].narrow(0, off, t.numel()).view_as(t));
            off += t.numel();
        }
    }
}

void Distributed::allReduceSum(std::vector<double>& values)
{
    if (!active() || values.empty())
        return;
    torch::Tensor t
        = torch::from_blob(values.data(), {static_cast<std::int64_t>(values.size())}, torch::kFloat64).to(m_impl->device).clone();
    allReduceSum(t);
    t = t.to(torch::kCPU).contiguous();
    std::memcpy(values.data(), t.data_ptr<double>(), values.size() * sizeof(double));
}

void Distributed::allReduceSum(torch::Tensor& tensor)
{
    if (!active())
        return;
    allReduceSumAsync(tensor)();
}

std::function<void()> Distributed::allReduceSumAsync(torch::Tensor tensor)
{
    if (!active())
        return [] {};
    std::vector<torch::Tensor> v {tensor};
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    c10::intrusive_ptr<c10d::Work> work;
    try {
        work = m_impl->pg->allreduce(v, o);
    } catch (const std::exception& e) {
        throw CollectiveError(lastLine(e.what()));
    }
    return [work] { waitFor(work); };
}

std::vector<std::int64_t> Distributed::allGather(std::int64_t value)
{
    if (!active())
        return {value};
    std::vector<torch::Tensor> in {torch::full({1}, value, torch::TensorOptions(torch::kInt64).device(m_impl->device))};
    std::vector<std::vector<torch::Tensor>> out(1);
    for (int r = 0; r < m_world; ++r)
        out[0].push_back(torch::empty_like(in[0]));
    waitFor(m_impl->pg->allgather(out, in));
    std::vector<std::int64_t> values;
    for (const auto& t : out[0])
        values.push_back(t.to(torch::kCPU).item<std::int64_t>());
    return values;
}

void Distributed::barrier()
{
    if (!active())
        return;
    std::vector<double> one {1.0};
    allReduceSum(one);
}

void Distributed::reportFailure(const std::string& message)
{
    if (!active())
        return;
    try {
        std::lock_guard<std::mutex> lock(m_impl->storeMutex);
        const std::string msg = lastLine(message);
        m_impl->store->set("repalign/exit/" + std::to_string(m_rank), std::vector<std::uint8_t>(msg.begin(), msg.end()));
    } catch (const std::exception&) {
    }
}

std::string Distributed::explainFailure(const std::string& what)
{
    if (!active())
        return what;
    const std::string plain = lastLine(what);
    // Already explained (a nested call).
    if (plain.rfind("rank ", 0) == 0 && plain.find(" exited") != std::string::npos)
        return plain;
    std::lock_guard<std::mutex> lock(m_impl->storeMutex);
    auto exitMessage = [this](int r) -> std::string {
        const std::string key = "repalign/exit/" + std::to_string(r);
        if (!m_impl->store->check({key}))
            return {};
        const auto bytes = m_impl->store->get(key);
        return std::string(bytes.begin(), bytes.end());
    };
    auto beats = [this](int r) -> std::int64_t { return m_impl->store->add("repalign/hb/" + std::to_string(r), 0); };
    try {
        std::vector<std::int64_t> before;
        for (int r = 0; r < m_world; ++r)
            before.push_back(beats(r));
        // A failing rank leaves its message first; a killed one stops beating (every 0.5 s).
        const auto t0 = Clock::now();
        std::vector<int> silent;
        while (secondsBetween(t0, Clock::now()) < 3.0) {
            for (int r = 0; r < m_world; ++r)
                if (r != m_rank) {
                    const std::string msg = exitMessage(r);
                    if (!msg.empty())
                        return "rank " + std::to_string(r) + " exited: " + msg;
                }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        for (int r = 0; r < m_world; ++r)
            if (r != m_rank && beats(r) == before[static_cast<std::size_t>(r)])
                silent.push_back(r);
        if (!silent.empty()) {
            std::string ranks;
            for (std::size_t i = 0; i < silent.size(); ++i)
                ranks += (i ? ", " : "") + std::to_string(silent[i]);
            return std::string(silent.size() == 1 ? "rank " : "ranks ") + ranks
                + " exited (no heartbeat for 3 s: killed or crashed); " + plain;
        }
    } catch (const std::exception&) {
        if (m_rank != 0)
            return "rank 0 exited (its store at " + m_impl->host + ":" + std::to_string(m_impl->port) + " is gone); " + plain;
    }
    return "a collective between the " + std::to_string(m_world) + " ranks failed: " + plain;
}

torch::Device dataParallelDevice(const torch::Device& device)
{
    const Distributed& d = Distributed::instance();
    if (d.active() && device.is_cuda() && !device.has_index())
        return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(d.localRank()));
    return device;
}

int dataParallelThreads(int threads)
{
    const Distributed& d = Distributed::instance();
    if (threads > 0 || !d.active())
        return threads;
    return std::max(1, hardwareThreads() / std::max(1, d.localWorldSize()));
}

// ---------------------------------------------------------------------------------------

namespace {

struct AllReduceSumFunction : public torch::autograd::Function<AllReduceSumFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* /*ctx*/, const torch::Tensor& x)
    {
        torch::Tensor y = x.detach().clone().contiguous();
        Distributed::instance().allReduceSum(y);
        return y;
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* /*ctx*/, torch::autograd::variable_list g)
    {
        torch::Tensor y = g[0].detach().clone().contiguous();
        Distributed::instance().allReduceSum(y);
        return {y};
    }
};

} // namespace

torch::Tensor Distributed::allReduceSumAutograd(const torch::Tensor& tensor)
{
    if (!active())
        return tensor;
    return AllReduceSumFunction::apply(tensor);
}

// ---------------------------------------------------------------------------------------

GradientReducer::GradientReducer(Distributed& dist, const std::vector<torch::Tensor>& params, std::size_t bucketBytes)
    : m_dist(dist)
    , m_params(params)
{
    m_slots.resize(m_params.size());
    // Reverse order: backward produces the last layers' gradients first.
    for (std::size_t k = m_params.size(); k-- > 0;) {
        const torch::Tensor& p = m_params[k];
        if (!p.requires_grad())
            continue;
        const std::size_t bytes = static_cast<std::size_t>(p.numel()) * p.element_size();
        bool fresh = m_buckets.empty();
        if (!fresh) {
            const Bucket& b = m_buckets.back();
            const torch::Tensor& q = m_params[b.params.front()];
            std::size_t have = 0;
            for (std::size_t j : b.params)
                have += static_cast<std::size_t>(m_params[j].numel()) * m_params[j].element_size();
            fresh = q.dtype() != p.dtype() || q.device() != p.device() || have + bytes > bucketBytes;
        }
        if (fresh)
            m_buckets.emplace_back();
        Bucket& b = m_buckets.back();
        b.params.push_back(k);
    }
    for (std::size_t bi = 0; bi < m_buckets.size(); ++bi) {
        Bucket& b = m_buckets[bi];
        std::int64_t n = 0;
        for (std::size_t k : b.params) {
            m_slots[k] = {bi, n, false};
            n += m_params[k].numel();
        }
        b.flat = torch::zeros({n}, m_params[b.params.front()].options().requires_grad(false));
    }
    for (std::size_t k = 0; k < m_params.size(); ++k)
        if (m_params[k].requires_grad())
            m_hooks.emplace_back(k, m_params[k].register_hook([this, k](const torch::Tensor& g) { onGrad(k, g); }));
}

GradientReducer::~GradientReducer()
{
    // The hooks capture this reducer: a model outliving it must not call them.
    for (const auto& [k, handle] : m_hooks)
        m_params[k].remove_hook(handle);
}

void GradientReducer::prepare()
{
    for (auto& b : m_buckets) {
        b.filled = 0;
        b.launched = false;
        b.wait = nullptr;
    }
    for (auto& s : m_slots)
        s.filled = false;
    m_nextLaunch = 0;
    m_anyLaunched = false;
}

void GradientReducer::onGrad(std::size_t param, const torch::Tensor& grad)
{
    Slot& s = m_slots[param];
    Bucket& b = m_buckets[s.bucket];
    torch::NoGradGuard noGrad;
    torch::Tensor dst = b.flat.narrow(0, s.offset, grad.numel());
    if (s.filled) {
        dst.add_(grad.reshape(-1)); // a parameter used twice in the graph
        return;
    }
    dst.copy_(grad.reshape(-1));
    s.filled = true;
    if (++b.filled == b.params.size())
        launchReady();
}

void GradientReducer::launch(Bucket& b)
{
    if (!m_anyLaunched) {
        m_firstLaunch = Clock::now();
        m_anyLaunched = true;
    }
    b.launched = true;
    b.wait = m_dist.allReduceSumAsync(b.flat);
}

void GradientReducer::launchReady()
{
    // In bucket order only: every rank issues the same collectives in the same order.
    while (m_nextLaunch < m_buckets.size() && m_buckets[m_nextLaunch].filled == m_buckets[m_nextLaunch].params.size())
        launch(m_buckets[m_nextLaunch++]);
}

void GradientReducer::finish()
{
    // Parameters that got no gradient this step (unused in the graph) count as zeros.
    for (; m_nextLaunch < m_buckets.size(); ++m_nextLaunch) {
        Bucket& b = m_buckets[m_nextLaunch];
        for (std::size_t k : b.params)
            if (!m_slots[k].filled)
                b.flat.narrow(0, m_slots[k].offset, m_params[k].numel()).zero_();
        launch(b);
    }
    const auto t0 = Clock::now();
    for (auto& b : m_buckets)
        if (b.wait)
            b.wait();
    const auto t1 = Clock::now();
    m_lastWait = secondsBetween(t0, t1);
    m_lastComm = m_anyLaunched ? secondsBetween(m_firstLaunch, t1) : 0;
    const double world = static_cast<double>(m_dist.worldSize());
    torch::NoGradGuard noGrad;
    for (auto& b : m_buckets) {
        b.flat.div_(world);
        for (std::size_t k : b.params) {
            torch::Tensor& p = m_params[k];
            torch::Tensor avg = b.flat.narrow(0, m_slots[k].offset, p.numel()).view_as(p);
            if (!p.grad().defined())
                p.mutable_grad() = avg.clone();
            else
                p.mutable_grad().copy_(avg);
        }
    }
}

std::uint64_t tensorsHash(const std::vector<torch::Tensor>& tensors)
{
    std::uint64_t h = 1469598103934665603ull;
    for (const auto& t : tensors) {
        const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
        const auto* p = static_cast<const unsigned char*>(c.data_ptr());
        const std::size_t n = c.nbytes();
        std::size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            std::uint64_t w;
            std::memcpy(&w, p + i, 8);
            h = (h ^ w) * 1099511628211ull;
        }
        for (; i < n; ++i)
            h = (h ^ p[i]) * 1099511628211ull;
    }
    return h;
}

} // namespace repalign
