#include "run/import_checkpoint.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "io/pth_info.h"
#include "run/rundir.h"

#include <cstdio>
#include <filesystem>
#include <system_error>

#include <unistd.h>

namespace repalign {

namespace fs = std::filesystem;

namespace {

/// Copies @p from to @p to through `to.tmp-<pid>` and rename(): a reader never sees half a file.
void copyFileAtomic(const std::string& from, const std::string& to)
{
    const std::string tmp = to + ".tmp-" + std::to_string(::getpid());
    std::error_code ec;
    fs::copy_file(from, tmp, fs::copy_options::overwrite_existing, ec);
    if (!ec)
        fs::rename(tmp, to, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw Error("cannot copy " + from + " to " + to + ": " + ec.message());
    }
}

std::string fileName(const std::string& path)
{
    return fs::path(path).filename().string();
}

} // namespace

ImportResult importCheckpoint(const std::string& file, const std::string& runDir)
{
    if (file.empty())
        throw Error("import-checkpoint: no file given (a torch.save .pt/.pth file)");
    if (runDir.empty())
        throw Error("import-checkpoint: no run directory given for " + file);
    if (isDirectory(file))
        throw Error(file + " is a folder, not a torch.save file (.pt/.pth)");
    if (!fileExists(file))
        throw Error("cannot read " + file + ": no such file");
    std::error_code ec;
    if (fs::exists(fs::path(runDir), ec))
        throw Error("run directory " + runDir + " exists already (choose another --out for " + fileName(file) + ")");

    // The status and log name where it came from, wherever the command ran.
    std::error_code abs;
    const fs::path absolute = fs::absolute(file, abs);
    const std::string source = abs ? file : absolute.lexically_normal().string();

    ImportResult r;
    // Read it first: a file that is not a torch.save state dict fails here, with its reason,
    // before anything is written.
    r.listing = pth::listStateDict(file);
    r.summary = r.listing.substr(0, r.listing.find('\n'));
    r.runDir = runDir;
    try {
        RunDir rd(runDir);
        r.checkpoint = rd.layout().checkpoint(fileName(file));
        copyFileAtomic(file, r.checkpoint);
        rd.log("imported " + source + "\n" + r.listing);
        rd.writeStatus(RunState::Finished, 1.0, "imported from " + source);
    } catch (...) {
        // Leave no half-made run behind (the project would list it).
        std::error_code ignored;
        fs::remove_all(runDir, ignored);
        throw;
    }
    return r;
}

} // namespace repalign
