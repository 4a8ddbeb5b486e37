#include "slurm_cluster.h"

#include "testutil.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace testutil {

namespace {

bool executable(const std::string& path)
{
    return ::access(path.c_str(), X_OK) == 0;
}

std::string findOnPath(const std::string& name)
{
    for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin", "/usr/local/sbin"}) {
        const std::string p = std::string(dir) + "/" + name;
        if (executable(p))
            return p;
    }
    return {};
}

/// A port the kernel considers free right now (bound to 0, then released).
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    int port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

long readPid(const std::string& file)
{
    std::ifstream in(file);
    long pid = 0;
    in >> pid;
    return pid;
}

bool alive(long pid)
{
    return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0;
}

void stopPid(long pid)
{
    if (!alive(pid))
        return;
    ::kill(static_cast<pid_t>(pid), SIGTERM);
    for (int i = 0; i < 100 && alive(pid); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (alive(pid))
        ::kill(static_cast<pid_t>(pid), SIGKILL);
}

bool mungeWorks()
{
    return testutil::run("(munge -n | unmunge) >/dev/null 2>&1") == 0;
}

std::string tail(const std::string& path, int lines)
{
    std::string out;
    testutil::run("tail -n " + std::to_string(lines) + " '" + path + "'", &out);
    return out;
}

} // namespace

std::string SlurmCluster::unavailableReason()
{
    if (::geteuid() != 0)
        return "the SLURM test starts munged, slurmctld and slurmd, which needs root (run the test as root)";
    for (const char* b : {"slurmctld", "slurmd", "munged", "sbatch", "sinfo", "squeue", "munge", "unmunge", "runuser"})
        if (findOnPath(b).empty())
            return std::string(b) + " is not installed (apt-get install slurm-wlm munge; packaging/install-deps-debian.sh)";
    if (!fs::exists("/etc/munge/munge.key"))
        return "/etc/munge/munge.key is missing (reinstall munge)";
    return {};
}

SlurmCluster::~SlurmCluster()
{
    stop();
}

int SlurmCluster::run(const std::string& command, std::string* output) const
{
    return testutil::run("SLURM_CONF='" + m_conf + "' " + command, output);
}

std::string SlurmCluster::logTail(int lines) const
{
    return "--- slurmctld.log\n" + tail(m_dir + "/slurmctld.log", lines) + "--- slurmd.log\n"
        + tail(m_dir + "/slurmd.log", lines);
}

bool SlurmCluster::start(std::string* error, double timeoutSeconds)
{
    auto fail = [&](const std::string& why) {
        if (error)
            *error = why + "\n" + logTail();
        stop();
        return false;
    };
    const std::string why = unavailableReason();
    if (!why.empty())
        return fail(why);
    m_dir = tempDir("slurm");
    m_conf = m_dir + "/slurm.conf";
    std::string host;
    testutil::run("hostname -s", &host);
    while (!host.empty() && (host.back() == '\n' || host.back() == ' '))
        host.pop_back();
    m_node = host;
    m_cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

    // munged, as the munge user, unless one already answers.
    if (!mungeWorks()) {
        testutil::run("mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge "
                      "/var/lib/munge");
        std::string out;
        if (testutil::run("runuser -u munge -- /usr/sbin/munged", &out) != 0)
            return fail("munged did not start: " + out);
        m_startedMunge = true;
        for (int i = 0; i < 50 && !mungeWorks(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (!mungeWorks())
            return fail("munge -n | unmunge fails after starting munged");
    }

    for (const char* d : {"/state", "/spool"})
        fs::create_directories(m_dir + d);
    const int ctldPort = freePort();
    int slurmdPort = freePort();
    while (slurmdPort == ctldPort)
        slurmdPort = freePort();
    std::ostringstream c;
    c << "ClusterName=repalign-test\n"
      << "SlurmctldHost=" << m_node << "\n"
      << "SlurmUser=root\nSlurmdUser=root\n"
      << "AuthType=auth/munge\nCryptoType=crypto/munge\n"
      << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
      << "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\n"
      << "MpiDefault=none\nSwitchType=switch/none\n"
      << "AccountingStorageType=accounting_storage/none\nJobCompType=jobcomp/none\nJobAcctGatherType=jobacct_gather/none\n"
      << "SlurmctldPort=" << ctldPort << "\nSlurmdPort=" << slurmdPort << "\n"
      << "StateSaveLocation=" << m_dir << "/state\nSlurmdSpoolDir=" << m_dir << "/spool\n"
      << "SlurmctldPidFile=" << m_dir << "/slurmctld.pid\nSlurmdPidFile=" << m_dir << "/slurmd.pid\n"
      << "SlurmctldLogFile=" << m_dir << "/slurmctld.log\nSlurmdLogFile=" << m_dir << "/slurmd.log\n"
      << "ReturnToService=2\nSchedulerType=sched/backfill\nMinJobAge=300\n"
      // A job whose afterok dependency failed is cancelled instead of pending forever.
      << "SchedulerParameters=kill_invalid_depend\n"
      << "SlurmctldTimeout=30\nSlurmdTimeout=30\nInactiveLimit=0\nKillWait=5\n"
      << "NodeName=" << m_node << " CPUs=" << m_cpus << " RealMemory=1000 State=UNKNOWN\n"
      << "PartitionName=debug Nodes=" << m_node << " Default=YES MaxTime=INFINITE State=UP\n";
    {
        std::ofstream out(m_conf);
        out << c.str();
    }
    ::setenv("SLURM_CONF", m_conf.c_str(), 1);
    m_started = true;
    std::string out;
    if (testutil::run("/usr/sbin/slurmctld -f '" + m_conf + "'", &out) != 0)
        return fail("slurmctld did not start: " + out);
    if (testutil::run("/usr/sbin/slurmd -f '" + m_conf + "'", &out) != 0)
        return fail("slurmd did not start: " + out);
    const auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < timeoutSeconds) {
        if (run("sinfo -h -o %T", &out) == 0 && out.find("idle") != std::string::npos)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    return fail(
        "the node did not become idle within " + std::to_string(static_cast<int>(timeoutSeconds)) + " s (sinfo: " + out + ")");
}

bool SlurmCluster::waitForJobs(double timeoutSeconds) const
{
    const auto t0 = std::chrono::steady_clock::now();
    std::string out;
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < timeoutSeconds) {
        if (run("squeue -h -o %i", &out) == 0 && out.find_first_not_of(" \n") == std::string::npos)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return false;
}

void SlurmCluster::stop()
{
    if (m_started) {
        stopPid(readPid(m_dir + "/slurmd.pid"));
        stopPid(readPid(m_dir + "/slurmctld.pid"));
        m_started = false;
    }
    if (m_startedMunge) {
        stopPid(readPid("/run/munge/munged.pid"));
        m_startedMunge = false;
    }
}

} // namespace testutil
