#pragma once
/// @file import_checkpoint.h
/// A PyTorch checkpoint (torch.save file) made into a run directory, so the project lists it
/// and eval, fine-tuning and analysis take it like a run of their own. Torch-free.
#include <string>

namespace repalign {

struct ImportResult {
    std::string runDir; ///< the run directory made
    std::string checkpoint; ///< RUN/checkpoints/<file name>
    std::string summary; ///< first line of the state-dict listing ("state dict (N tensors ...)")
    std::string listing; ///< the whole listing, as `pth ls --state-dict` prints it
};

/// Reads @p file as a torch.save state dict (io/pth_info.h listStateDict) and, when it is one,
/// makes the run directory @p runDir: checkpoints/<file name> (copied through a temp file and
/// rename), status.json "finished" with "imported from FILE", log.txt with the listing.
/// Throws Error with one line naming the file (or the run directory) when the file is not a
/// state dict, cannot be read or copied, or @p runDir exists already; a run directory it
/// started to make is removed again then.
ImportResult importCheckpoint(const std::string& file, const std::string& runDir);

} // namespace repalign
