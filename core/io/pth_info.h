#pragma once
/// @file pth_info.h
/// What a torch.save file holds, as text, for the CLI and the GUI (no LibTorch types here;
/// the reader itself is io/pth.h).
#include <string>

namespace repalign::pth {

/// The listing `repalign-cli pth ls FILE` prints: keys, types, dtypes, shapes and scalar
/// values; with @p keyPath ("optimizer/param_groups/0") only that sub-tree. Throws Error
/// naming the file.
std::string listFile(const std::string& path, const std::string& keyPath = {});

/// The state dict a checkpoint holds, as eval would load it (see stateDictFrom): one line
/// per tensor with dtype and shape, after a count line. Throws Error naming the file.
std::string listStateDict(const std::string& path, const std::string& key = {});

} // namespace repalign::pth
