#pragma once
/// @file h5_group.h
/// Adding one group to an HDF5 file atomically, as `visualize` (/synth), `align` (/alignment)
/// and `analyze --ii-on synth` (/ii_synth) do.
#include "common/progress.h"

#include <functional>
#include <string>
#include <vector>

namespace repalign {

class H5File;

/// Writes the group @p group (e.g. "/synth") with @p write: into a new file created atomically,
/// or into an existing HDF5 file whose other contents stay as they were (a copy gets the
/// group, replacing an earlier one, and is renamed over the original). @p cancel is checked
/// before the rename; on failure or cancel nothing changes. Returns true when the file existed.
bool writeGroupAtomically(
    const std::string& path, const std::string& group, const std::function<void(H5File&)>& write, const CancelToken& cancel);

/// False when @p f has no @p group; throws Error naming the file and the first of @p datasets
/// (full paths) that is missing when it has one.
bool groupWithDatasets(const H5File& f, const std::string& group, const std::vector<std::string>& datasets);

/// writeGroupAtomically after reporting the "write" phase (fraction 1) to @p sink.
bool writeGroupWithProgress(const std::string& path, const std::string& group, const std::function<void(H5File&)>& write,
    ProgressSink& sink, const CancelToken& cancel);

} // namespace repalign
