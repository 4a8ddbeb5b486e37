#include "cli/terminal_sink.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <unistd.h>

namespace repalign::cli {

std::string formatDuration(double s)
{
    if (s < 0 || !std::isfinite(s))
        return "--:--";
    long t = std::lround(s);
    char buf[32];
    if (t >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else
        std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
    return buf;
}

TerminalSink::TerminalSink(bool quiet)
    : m_tty(::isatty(STDERR_FILENO) != 0)
    , m_quiet(quiet)
{
}

TerminalSink::~TerminalSink()
{
    finish();
}

std::string TerminalSink::format(const ProgressEvent& e) const
{
    std::ostringstream out;
    out << e.phase;
    if (e.epochs > 0)
        out << " epoch " << e.epoch << "/" << e.epochs;
    if (e.total > 0)
        out << " step " << e.done << "/" << e.total;
    else if (e.done > 0)
        out << " " << e.done;
    char buf[128];
    if (e.loss >= 0) {
        std::snprintf(buf, sizeof buf, " loss %.4f", e.loss);
        out << buf;
    }
    if (e.accuracy >= 0) {
        std::snprintf(buf, sizeof buf, " acc %.4f", e.accuracy);
        out << buf;
    }
    if (e.itemsPerSecond > 0) {
        std::snprintf(buf, sizeof buf, " %.1f img/s", e.itemsPerSecond);
        out << buf;
    }
    out << " ETA " << formatDuration(e.etaSeconds);
    return out.str();
}

void TerminalSink::progress(const ProgressEvent& e)
{
    if (m_quiet)
        return;
    std::lock_guard<std::mutex> lock(m_mutex);
    auto now = std::chrono::steady_clock::now();
    const double since = std::chrono::duration<double>(now - m_last).count();
    if (m_tty) {
        if (since < 0.1 && e.done != e.total)
            return;
        const int width = 24;
        int filled = static_cast<int>(std::lround(std::clamp(e.fraction, 0.0, 1.0) * width));
        std::string bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
        char pct[16];
        std::snprintf(pct, sizeof pct, "%3d%% ", static_cast<int>(std::lround(e.fraction * 100)));
        std::cerr << "\r\033[K" << bar << " " << pct << format(e) << std::flush;
        m_barShown = true;
    } else {
        if (since < 10.0 && e.done != e.total)
            return;
        char pct[16];
        std::snprintf(pct, sizeof pct, "[%3d%%] ", static_cast<int>(std::lround(e.fraction * 100)));
        std::cerr << pct << format(e) << "\n" << std::flush;
    }
    m_last = now;
}

void TerminalSink::log(LogLevel level, const std::string& message)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_barShown) {
        std::cerr << "\r\033[K";
    }
    const char* prefix = level == LogLevel::Warning ? "warning: "
        : level == LogLevel::Error                  ? "error: "
        : level == LogLevel::Notice                 ? "notice: "
                                                    : "";
    if (m_quiet && level == LogLevel::Info)
        return;
    std::cerr << prefix << message << "\n" << std::flush;
    m_last = {};
}

void TerminalSink::finish()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_barShown) {
        std::cerr << "\n" << std::flush;
        m_barShown = false;
    }
}

} // namespace repalign::cli
