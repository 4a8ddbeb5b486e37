#pragma once
// A single-node SLURM cluster on localhost for tests (Debian's slurm-wlm 22.05 and munge):
// munged (started only when not already running), slurmctld and slurmd with a generated
// slurm.conf in a temporary folder (free ports, proctrack/linuxproc, task/none, no cgroups,
// no accounting). The destructor stops what it started, by PID.
//
//   testutil::SlurmCluster cluster;
//   if (const std::string why = testutil::SlurmCluster::unavailableReason(); !why.empty())
//       QSKIP(why.c_str());
//   std::string error;
//   QVERIFY2(cluster.start(&error), error.c_str());
//   std::string out;
//   cluster.run("sbatch --parsable --wrap 'hostname'", &out);   // SLURM_CONF is set
//   QVERIFY(cluster.waitForJobs(120));
#include <string>

namespace testutil {

class SlurmCluster {
public:
    SlurmCluster() = default;
    ~SlurmCluster();
    SlurmCluster(const SlurmCluster&) = delete;
    SlurmCluster& operator=(const SlurmCluster&) = delete;

    /// Empty when a cluster can be started here; otherwise why not (not root, slurmctld,
    /// slurmd, munged or sbatch missing), as a message for QSKIP.
    static std::string unavailableReason();

    /// Writes slurm.conf, starts the daemons, sets SLURM_CONF in this process's environment
    /// (child processes inherit it) and waits until `sinfo` shows the node idle. False with
    /// @p error (and the daemons' log tails) on failure or after @p timeoutSeconds.
    bool start(std::string* error, double timeoutSeconds = 60);
    /// Stops slurmd, slurmctld and (when this object started it) munged; called by the destructor.
    void stop();

    const std::string& dir() const { return m_dir; } ///< temp folder: slurm.conf, state, logs
    const std::string& conf() const { return m_conf; } ///< slurm.conf
    const std::string& nodeName() const { return m_node; }
    int cpus() const { return m_cpus; }

    /// Runs a shell command line (with SLURM_CONF set); returns its exit status, stdout+stderr in @p output.
    int run(const std::string& command, std::string* output = nullptr) const;
    /// Waits until squeue lists no job; false after @p timeoutSeconds.
    bool waitForJobs(double timeoutSeconds) const;
    /// The last lines of the daemons' logs (for failure messages).
    std::string logTail(int lines = 15) const;

private:
    std::string m_dir, m_conf, m_node;
    int m_cpus = 1;
    bool m_startedMunge = false;
    bool m_started = false;
};

} // namespace testutil
