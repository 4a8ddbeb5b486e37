#include "run/rundir.h"
#include "common/error.h"
#include "common/fsutil.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace repalign {

namespace {
constexpr const char* kHeader = "step,epoch,wall_time,split,name,value";

std::string formatRow(const MetricRow& r)
{
    char buf[160];
    std::snprintf(buf, sizeof buf, "%lld,%.6g,%.3f,", static_cast<long long>(r.step), r.epoch, r.wallTime);
    std::string out = buf;
    out += r.split + "," + r.name + ",";
    std::snprintf(buf, sizeof buf, "%.9g", r.value);
    return out + buf;
}
} // namespace

namespace {

std::string hostName()
{
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0)
        return "unknown host";
    return buf;
}

/// The test hook of fsutil.h for appends: fail like a full disk, or end like a kill.
void failOnInjectedFault(const std::string& path)
{
    const int fault = writeFault(path);
    if (fault < 0)
        ::_exit(86);
    if (fault > 0)
        throw Error("cannot write " + path + ": " + std::strerror(fault));
}

std::string lockPath(const std::string& runDir)
{
    return RunLayout(runDir).lock();
}

/// The folder that holds @p file and that folder's name ("" when @p file has no folder).
std::pair<std::string, std::string> parentOf(const std::string& file)
{
    std::string dir = file;
    while (dir.size() > 1 && dir.back() == '/')
        dir.pop_back();
    const std::size_t slash = dir.rfind('/');
    if (slash == std::string::npos)
        return {};
    dir.erase(slash);
    const std::size_t up = dir.rfind('/');
    return {dir, up == std::string::npos ? dir : dir.substr(up + 1)};
}

/// The run above RUN/<folder>/FILE, or "" when FILE is not in such a folder.
std::string runAbove(const std::string& file, const char* folder)
{
    const auto [dir, name] = parentOf(file);
    if (name != folder)
        return {};
    const std::size_t slash = dir.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? std::string("/") : dir.substr(0, slash);
}

RunLockHolder readHolder(int fd)
{
    RunLockHolder h;
    char buf[512] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n > 0) {
        std::istringstream in(std::string(buf, static_cast<std::size_t>(n)));
        in >> h.pid >> h.host;
    }
    return h;
}

std::string describe(const RunLockHolder& h)
{
    if (h.pid <= 0)
        return "another process";
    return "process " + std::to_string(h.pid) + " on " + (h.host.empty() ? std::string("an unknown host") : h.host);
}

} // namespace

bool RunLockHolder::isThisProcess() const
{
    return pid == static_cast<long>(::getpid()) && host == hostName();
}

RunLock::RunLock(const std::string& runDir)
{
    makeDirs(runDir);
    const std::string path = lockPath(runDir);
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0)
        throw Error("cannot lock run directory " + runDir + ": cannot open " + path + ": " + std::strerror(errno));
    // runLockHolder() probes with a shared lock for a moment: retry briefly before giving up.
    for (int attempt = 0;; ++attempt) {
        if (::flock(m_fd, LOCK_EX | LOCK_NB) == 0)
            break;
        const int err = errno;
        if ((err != EWOULDBLOCK && err != EINTR) || attempt >= 20) {
            const RunLockHolder h = readHolder(m_fd);
            ::close(m_fd);
            m_fd = -1;
            if (err != EWOULDBLOCK && err != EINTR)
                throw Error("cannot lock run directory " + runDir + ": " + std::strerror(err));
            throw Error("run directory " + runDir + " is in use by " + describe(h)
                + " (another job writes it; wait for it to end or choose another --out)");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const std::string who = std::to_string(::getpid()) + " " + hostName() + "\n";
    if (::ftruncate(m_fd, 0) != 0 || ::pwrite(m_fd, who.data(), who.size(), 0) != static_cast<ssize_t>(who.size())) {
        const int err = errno;
        ::close(m_fd);
        m_fd = -1;
        throw Error("cannot write " + path + ": " + std::strerror(err));
    }
}

RunLock::~RunLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases the flock
}

bool runLockHolder(const std::string& runDir, RunLockHolder& holder)
{
    const int fd = ::open(lockPath(runDir).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool held = false;
    if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
        ::flock(fd, LOCK_UN);
    } else if (errno == EWOULDBLOCK) {
        holder = readHolder(fd);
        held = true;
    }
    ::close(fd);
    return held;
}

RunLayout::RunLayout(std::string dir)
    : m_dir(std::move(dir))
{
}

std::string RunLayout::config() const
{
    return m_dir + "/" + kConfigFile;
}
std::string RunLayout::metrics() const
{
    return m_dir + "/" + kMetricsFile;
}
std::string RunLayout::status() const
{
    return m_dir + "/" + kStatusFile;
}
std::string RunLayout::log() const
{
    return m_dir + "/" + kLogFile;
}
std::string RunLayout::lock() const
{
    return m_dir + "/" + kLockFile;
}
std::string RunLayout::checkpoints() const
{
    return m_dir + "/" + kCheckpointsDir;
}
std::string RunLayout::checkpoint(const std::string& name) const
{
    return checkpoints() + "/" + name;
}
std::string RunLayout::lastCheckpoint() const
{
    return checkpoint(kLastCheckpoint);
}
std::string RunLayout::analysisDir() const
{
    return m_dir + "/" + kAnalysisDir;
}
std::string RunLayout::analysis(const std::string& name) const
{
    return analysisDir() + "/" + name + ".h5";
}

std::string RunLayout::analysisFile() const
{
    return m_dir + "/" + kAnalysisFile;
}
std::string RunLayout::behaviourFile() const
{
    return m_dir + "/" + kBehaviourFile;
}

std::string RunLayout::runOfCheckpoint(const std::string& file)
{
    return runAbove(file, kCheckpointsDir);
}

std::string RunLayout::runOfAnalysis(const std::string& file)
{
    return runAbove(file, kAnalysisDir);
}

RunDir::RunDir(std::string path)
    : m_layout(std::move(path))
{
    makeDirs(m_layout.dir());
    makeDirs(m_layout.checkpoints());
    makeDirs(m_layout.analysisDir());
}

void RunDir::appendMetric(const MetricRow& row)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    failOnInjectedFault(metricsPath());
    if (!m_metrics.is_open()) {
        const bool fresh = !fileExists(metricsPath()) || readFileBytes(metricsPath()).empty();
        m_metrics.open(metricsPath(), std::ios::app);
        if (!m_metrics)
            throw Error("cannot write " + metricsPath() + ": " + std::strerror(errno));
        if (fresh)
            m_metrics << kHeader << "\n";
    }
    m_metrics << formatRow(row) << "\n";
    m_metrics.flush();
    if (!m_metrics) {
        // The rows are lost otherwise (a full disk): the job must stop and say so.
        const int err = errno;
        m_metrics.close();
        throw Error("cannot write " + metricsPath() + ": " + std::strerror(err ? err : EIO));
    }
}

void RunDir::truncateMetrics(std::int64_t maxStep)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_metrics.is_open())
        m_metrics.close();
    if (!fileExists(metricsPath()))
        return;
    std::istringstream in(readFileText(metricsPath()));
    std::string out = std::string(kHeader) + "\n", line;
    MetricRow row;
    while (std::getline(in, line))
        if (parseMetricLine(line, row) && row.step <= maxStep)
            out += line + "\n";
    writeFileAtomic(metricsPath(), out);
}

void writeStatusFile(const std::string& path, RunState state, double progress, const std::string& message,
    const std::map<std::string, std::string>& extra)
{
    std::ostringstream o;
    o << "{\n  \"state\": " << jsonQuote(toString(state)) << ",\n  \"progress\": " << progress
      << ",\n  \"message\": " << jsonQuote(message) << ",\n  \"updated\": " << jsonQuote(isoTimestamp());
    for (const auto& [k, v] : extra)
        o << ",\n  " << jsonQuote(k) << ": " << v;
    o << "\n}\n";
    writeFileAtomic(path, o.str());
}

void RunDir::writeStatus(
    RunState state, double progress, const std::string& message, const std::map<std::string, std::string>& extra)
{
    std::map<std::string, std::string> all = extra;
    all.emplace("pid", std::to_string(::getpid()));
    writeStatusFile(statusPath(), state, progress, message, all);
}

void RunDir::log(const std::string& line)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const std::string path = m_layout.log();
    failOnInjectedFault(path);
    if (!m_log.is_open())
        m_log.open(path, std::ios::app);
    m_log << isoTimestamp() << " " << line << "\n";
    m_log.flush();
    if (!m_log) {
        const int err = errno;
        m_log.close();
        throw Error("cannot write " + path + ": " + std::strerror(err ? err : EIO));
    }
}

void RunDir::writeRunYaml(const std::string& yaml)
{
    writeFileAtomic(m_layout.config(), yaml);
}

bool parseMetricLine(const std::string& line, MetricRow& row)
{
    if (line.empty() || line.rfind("step,", 0) == 0)
        return false;
    std::string fields[6];
    std::size_t start = 0;
    for (int i = 0; i < 6; ++i) {
        std::size_t comma = line.find(',', start);
        if (i < 5 && comma == std::string::npos)
            return false;
        fields[i] = line.substr(start, i < 5 ? comma - start : std::string::npos);
        start = comma + 1;
    }
    try {
        std::size_t used = 0;
        row.step = std::stoll(fields[0], &used);
        row.epoch = std::stod(fields[1]);
        row.wallTime = std::stod(fields[2]);
        row.split = fields[3];
        row.name = fields[4];
        std::string v = fields[5];
        while (!v.empty() && (v.back() == '\r' || v.back() == ' '))
            v.pop_back();
        row.value = std::stod(v, &used);
        return used == v.size();
    } catch (...) {
        return false;
    }
}

MetricsReader::MetricsReader(std::string path)
    : m_path(std::move(path))
{
}

void MetricsReader::reset()
{
    m_offset = 0;
    m_partial.clear();
    m_headerSeen = false;
}

std::vector<MetricRow> MetricsReader::poll()
{
    std::vector<MetricRow> rows;
    std::ifstream in(m_path, std::ios::binary);
    if (!in)
        return rows;
    in.seekg(0, std::ios::end);
    const std::uint64_t size = static_cast<std::uint64_t>(in.tellg());
    if (size < m_offset) // rewritten (resume truncation): start over
        reset();
    if (size == m_offset)
        return rows;
    in.seekg(static_cast<std::streamoff>(m_offset));
    std::string chunk(size - m_offset, '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    chunk.resize(static_cast<std::size_t>(in.gcount()));
    m_offset += chunk.size();
    std::string data = m_partial + chunk;
    std::size_t start = 0;
    for (;;) {
        std::size_t nl = data.find('\n', start);
        if (nl == std::string::npos)
            break;
        MetricRow r;
        if (parseMetricLine(data.substr(start, nl - start), r))
            rows.push_back(std::move(r));
        start = nl + 1;
    }
    m_partial = data.substr(start);
    return rows;
}

RunStatus readRunStatus(const std::string& runDir)
{
    RunStatus s;
    try {
        // JSON is YAML: yaml-cpp parses the file (escapes included); anything unreadable is an empty state.
        const YAML::Node n = YAML::Load(readFileText(RunLayout(runDir).status()));
        if (!n.IsMap())
            return s;
        auto text = [&n](const char* key) { return n[key] && n[key].IsScalar() ? n[key].Scalar() : std::string(); };
        s.state = parseRunState(text("state"));
        s.message = text("message");
        try {
            s.progress = std::stod(text("progress"));
        } catch (...) {
            s.progress = 0;
        }
        try {
            s.worldSize = std::max(1, std::stoi(text("world_size")));
        } catch (...) {
            s.worldSize = 1;
        }
    } catch (const std::exception&) {
        return RunStatus {};
    }
    return s;
}

} // namespace repalign
