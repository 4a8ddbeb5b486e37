#pragma once
// Core-internal (LibTorch): reads files written by torch.save without Python.
//
// Both container formats are read: the zip format of PyTorch >= 1.6 (`<name>/data.pkl`,
// `<name>/data/<key>` storages, `<name>/byteorder`, `<name>/version`) and the legacy format
// (magic number, protocol version, system info, the pickled object, the storage key list,
// then each storage's element count and raw data). Storages saved from a GPU (`cuda:0`) load
// onto the CPU. Nothing in the file is executed; malformed input is a repalign::Error naming
// the file, never a crash or an allocation larger than the file.
#include "io/pickle.h"

#include <map>
#include <string>

namespace repalign::pth {

/// Reads a torch.save file (zip or legacy). Throws Error naming the file.
ValuePtr loadFile(const std::string& path);
/// Same on bytes in memory; @p name is used in error messages.
ValuePtr loadBytes(const void* data, std::size_t size, const std::string& name);

/// True when the bytes look like a torch.save file of either format (cheap sniffing).
bool looksLikeTorchSave(const void* data, std::size_t size);

/// The flat name -> tensor map of a bare state_dict, or of a checkpoint dict's entry under
/// @p key; with no key the first of state_dict, model, model_state_dict, student_state_dict
/// that holds tensors. A "module." (DataParallel) or "_orig_mod." (torch.compile) prefix
/// shared by every name is removed. @p key may be a path "a/b" into nested dicts.
/// Throws Error listing the keys present when nothing fits.
std::map<std::string, torch::Tensor> stateDictFrom(const ValuePtr& v, const std::string& key = {});

/// The sub-tree at @p path ("a/b/0": dict keys, list indices); throws Error listing the keys
/// available where a step does not exist.
ValuePtr lookupPath(const ValuePtr& v, const std::string& path);

/// "float32", "float64", "float16", "bfloat16", "int64", "uint8", "bool", ... (NumPy names).
std::string dtypeName(torch::ScalarType t);
/// A tensor's shape as Python prints a tuple: "(64, 3, 3, 3)", "(10,)", "()".
std::string shapeText(const torch::Tensor& t);

/// The text `repalign-cli pth ls` prints: one line per node with keys, types, dtypes,
/// shapes and scalar values (short lists of numbers inline).
std::string listing(const ValuePtr& v);

} // namespace repalign::pth
