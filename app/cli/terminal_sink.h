#pragma once
// Progress for repalign-cli: a redrawn bar on a terminal, plain periodic lines otherwise.
#include "common/progress.h"

#include <chrono>
#include <mutex>

namespace repalign::cli {

class TerminalSink : public ProgressSink {
public:
    explicit TerminalSink(bool quiet = false);
    ~TerminalSink() override;
    void progress(const ProgressEvent& e) override;
    void log(LogLevel level, const std::string& message) override;
    /// Ends the bar line (before normal output follows).
    void finish();

private:
    std::string format(const ProgressEvent& e) const;
    bool m_tty;
    bool m_quiet;
    bool m_barShown = false;
    std::chrono::steady_clock::time_point m_last;
    std::mutex m_mutex;
};

std::string formatDuration(double seconds);

} // namespace repalign::cli
