#pragma once
// Core-internal (LibTorch): data-parallel training on torch.distributed's c10d engine
// (ProcessGroupGloo on CPU, ProcessGroupNCCL where the LibTorch has it; TCPStore for the
// rendezvous). No communication code of its own: this file finds the rank and world from the
// launcher's environment, creates the process group, and offers what DDP users expect on top
// of it: broadcast from rank 0, gradient all-reduce in flattened ~25 MB buckets launched
// while backward runs, all-reduced sums, and a clear message when a rank is gone.
//
// One process-wide group, as torch.distributed's default group: the CLI's train/tune set it
// up from the environment; in the GUI and single-process runs it stays at world size 1 and
// nothing here runs.
#include "run/config.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace repalign {

/// Where this process sits in a data-parallel job, read from the launcher's variables.
struct DistributedEnv {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    int localWorldSize = 0; ///< ranks on this node (LOCAL_WORLD_SIZE, SLURM_TASKS_PER_NODE), 0 = unknown
    std::string masterAddr; ///< host of rank 0's store
    int masterPort = 0;
    std::string source; ///< "torchrun", "slurm" or "" (a single process)
};

/// The rank and world from the torchrun variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
/// MASTER_PORT) or, failing those, SLURM's inside an srun step (SLURM_PROCID,
/// SLURM_STEP_NUM_TASKS, SLURM_LOCALID, the first host of SLURM_JOB_NODELIST, MASTER_PORT or a port
/// derived from SLURM_JOB_ID). World size 1 when neither is set. @p getenv is the
/// environment (tests pass their own). Throws Error naming the variable for bad values.
DistributedEnv distributedEnvFrom(const std::function<const char*(const char*)>& getenv);
DistributedEnv distributedEnvFromEnvironment();
/// The first host of a SLURM node list: "node[01-04,07],gpu1" -> "node01".
std::string firstSlurmHost(const std::string& nodelist);

class GradientReducer;

/// A collective that did not complete (a peer is gone, a timeout): its what() starts with
/// "collective failed: ".
class CollectiveError : public std::runtime_error {
public:
    explicit CollectiveError(const std::string& what)
        : std::runtime_error("collective failed: " + what)
    {
    }
};
/// True for a CollectiveError, also one the autograd engine passed on as another type.
bool isCollectiveFailure(const std::exception& e);

/// The process group of this process (world size 1 until init() finds a launcher).
class Distributed {
public:
    static Distributed& instance();

    /// Joins the job described by the environment, once per process; later calls check that
    /// the request agrees. With mode "off" or no launcher variables it stays at world size 1.
    /// @p cuda picks NCCL for backend auto when the LibTorch has it.
    void init(const DistributedConfig& request, bool cuda);

    bool active() const { return m_world > 1; }
    int rank() const { return m_rank; }
    int worldSize() const { return m_world; }
    int localRank() const { return m_localRank; }
    /// Ranks on this node (LOCAL_WORLD_SIZE, SLURM_TASKS_PER_NODE; all ranks for 127.0.0.1).
    int localWorldSize() const { return m_localWorld; }
    /// Rank 0 writes the run directory; the others only read.
    bool writer() const { return m_rank == 0; }
    const std::string& backend() const { return m_backend; }
    /// "rank 1 of 2 (gloo, torchrun)"
    std::string describe() const;

    /// Copies rank 0's values into @p tensors on every rank (in place).
    void broadcast(const std::vector<torch::Tensor>& tensors);
    /// Sums @p values over all ranks (in place), in double precision.
    void allReduceSum(std::vector<double>& values);
    /// Sums @p tensor over all ranks (in place).
    void allReduceSum(torch::Tensor& tensor);
    /// Starts a sum of @p tensor over all ranks; the returned function waits for it.
    std::function<void()> allReduceSumAsync(torch::Tensor tensor);
    /// One value from each rank, in rank order.
    std::vector<std::int64_t> allGather(std::int64_t value);
    void barrier();

    /// Turns a failed collective into the reason: "rank 1 exited: <its error>", "rank 1
    /// exited (no heartbeat for 3 s)", or the collective's own error when every peer lives.
    std::string explainFailure(const std::string& what);
    /// Leaves this rank's error for the others' explainFailure (best effort).
    void reportFailure(const std::string& message);

    /// A differentiable sum over ranks (its backward sums the gradients over ranks), for
    /// synchronised BatchNorm statistics.
    torch::Tensor allReduceSumAutograd(const torch::Tensor& tensor);

    ~Distributed();

private:
    Distributed() = default;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    int m_rank = 0, m_world = 1, m_localRank = 0, m_localWorld = 1;
    std::string m_backend = "none";
    std::string m_source;
    DistributedConfig m_request;
    bool m_initialised = false;
};

/// The device of this rank: cuda becomes cuda:LOCAL_RANK in a data-parallel run.
torch::Device dataParallelDevice(const torch::Device& device);
/// Intra-op threads of this rank: @p threads, or for 0 (all cores) the cores shared by the
/// ranks on this node.
int dataParallelThreads(int threads);

/// DDP's gradient averaging: parameters in reverse order are packed into flat buckets of
/// about @p bucketBytes; a hook on each parameter copies its gradient into its bucket during
/// backward, and a full bucket starts its asynchronous all-reduce at once (buckets are
/// launched in a fixed order, the same on every rank). finish() waits, divides by the world
/// size and writes the averaged gradients back.
class GradientReducer {
public:
    GradientReducer(Distributed& dist, const std::vector<torch::Tensor>& params, std::size_t bucketBytes = 25u << 20);
    ~GradientReducer();
    GradientReducer(const GradientReducer&) = delete;
    GradientReducer& operator=(const GradientReducer&) = delete;

    /// Before backward: no bucket is filled.
    void prepare();
    /// After backward: launches what is left, waits for all buckets, writes grads back.
    void finish();
    std::size_t bucketCount() const { return m_buckets.size(); }
    /// Seconds finish() waited for communication in the last step (the part backward did not hide).
    double lastWaitSeconds() const { return m_lastWait; }
    /// Seconds from the first bucket's launch to the last bucket's completion in the last step.
    double lastCommSeconds() const { return m_lastComm; }

private:
    struct Slot {
        std::size_t bucket = 0;
        std::int64_t offset = 0;
        bool filled = false;
    };
    struct Bucket {
        torch::Tensor flat;
        std::vector<std::size_t> params;
        std::size_t filled = 0;
        bool launched = false;
        std::function<void()> wait;
    };
    void onGrad(std::size_t param, const torch::Tensor& grad);
    void launchReady();
    void launch(Bucket& b);

    Distributed& m_dist;
    std::vector<torch::Tensor> m_params;
    std::vector<Slot> m_slots;
    std::vector<Bucket> m_buckets;
    std::vector<std::pair<std::size_t, unsigned>> m_hooks;
    std::size_t m_nextLaunch = 0;
    double m_lastWait = 0, m_lastComm = 0;
    std::chrono::steady_clock::time_point m_firstLaunch;
    bool m_anyLaunched = false;
};

/// A hash of the tensors' bytes (FNV-1a), for checking that ranks hold identical weights.
std::uint64_t tensorsHash(const std::vector<torch::Tensor>& tensors);

} // namespace repalign
