#include "io/h5_group.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "common/version.h"
#include "io/h5.h"

#include <hdf5.h>

#include <cstdio>
#include <filesystem>
#include <unistd.h>

namespace repalign {

bool writeGroupAtomically(
    const std::string& path, const std::string& group, const std::function<void(H5File&)>& write, const CancelToken& cancel)
{
    if (!fileExists(path)) {
        H5File f(path, H5File::Mode::CreateAtomic);
        write(f);
        f.setAttr("/", "program", std::string("repalign ") + programVersion());
        f.setAttr("/", "created", isoTimestamp());
        cancel.check();
        f.commit();
        return false;
    }
    // Add the group to a copy and rename it over the original: the rest of the file stays as it
    // was, and a failure or cancel leaves the original untouched.
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    struct Remove {
        std::string path;
        bool keep = false;
        ~Remove()
        {
            if (!keep)
                std::remove(path.c_str());
        }
    } guard {tmp};
    std::error_code ec;
    std::filesystem::copy_file(path, tmp, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec)
        throw Error("cannot copy " + path + " to " + tmp + ": " + ec.message());
    {
        const hid_t fid = H5Fopen(tmp.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        if (fid < 0)
            throw Error(path + " is not an HDF5 file (it cannot take " + group + ")");
        if (H5Lexists(fid, group.c_str(), H5P_DEFAULT) > 0)
            H5Ldelete(fid, group.c_str(), H5P_DEFAULT);
        H5Fclose(fid);
    }
    {
        H5File f(tmp, H5File::Mode::ReadWrite);
        write(f);
    }
    cancel.check();
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        throw Error("cannot write " + path + ": rename failed");
    guard.keep = true;
    return true;
}

bool groupWithDatasets(const H5File& f, const std::string& group, const std::vector<std::string>& datasets)
{
    if (!f.exists(group))
        return false;
    for (const std::string& name : datasets)
        f.require(name);
    return true;
}

bool writeGroupWithProgress(const std::string& path, const std::string& group, const std::function<void(H5File&)>& write,
    ProgressSink& sink, const CancelToken& cancel)
{
    ProgressEvent e;
    e.phase = "write";
    e.fraction = 1.0;
    sink.progress(e);
    return writeGroupAtomically(path, group, write, cancel);
}

} // namespace repalign
