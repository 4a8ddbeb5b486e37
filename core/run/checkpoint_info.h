#pragma once
/// @file checkpoint_info.h
/// A summary of a checkpoint file for forms and listings, without LibTorch types. Reading it
/// loads the whole file (tens to hundreds of milliseconds): call it off the UI thread.
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

struct CheckpointSummary {
    std::string model; ///< architecture recorded in the file; empty when it records none
    std::string source; ///< "repalign" or "pytorch"
    std::int64_t epoch = 0; ///< completed epochs
    std::size_t tensors = 0; ///< entries of the state dict
    double bestValAcc = -1; ///< -1 when not recorded
    std::vector<std::string> readouts; ///< brain areas with a readout (tuned checkpoints)
};

/// Reads @p path (the program's own checkpoint or a torch.save file; @p key as loadCheckpoint).
/// Throws Error naming the file.
CheckpointSummary inspectCheckpoint(const std::string& path, const std::string& key = {});

} // namespace repalign
