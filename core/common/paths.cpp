#include "common/paths.h"
#include "common/fsutil.h"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace repalign {

std::string executableDir()
{
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : exe.parent_path().string();
}

std::string installedDataDir()
{
    const std::string bin = executableDir();
    if (bin.empty())
        return {};
    const std::string share = (fs::path(bin) / ".." / "share" / "repalign").lexically_normal().string();
    return isDirectory(share) ? share : std::string();
}

std::string defaultDemoProjectDir()
{
    if (const char* d = std::getenv("REPALIGN_DEMO_DIR"); d && *d)
        return d;
    std::string base;
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
        base = x;
    else if (const char* h = std::getenv("HOME"); h && *h)
        base = std::string(h) + "/.local/share";
    else
        base = ".";
    return base + "/RepAlign/demo-project";
}

} // namespace repalign
