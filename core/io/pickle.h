#pragma once
// Core-internal (LibTorch): a data-only unpickler for what torch.save writes.
//
// It understands pickle protocols 2-5 as far as plain data goes (dict, OrderedDict, list,
// tuple, set, int, float, str, bytes, bool, None), persistent ids (the storages of torch.save)
// and a short list of allowed globals (tensor/parameter rebuild functions, storage classes,
// OrderedDict, set, numpy scalars). It never imports or executes anything: any other global
// is an Error naming it. Every length read from the input is checked against the bytes left
// before anything is allocated, and the finished tree is checked for cycles and depth.
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace repalign::pth {

struct Value;
using ValuePtr = std::shared_ptr<const Value>;

/// One node of an unpickled object tree.
struct Value {
    enum class Kind {
        None,
        Bool,
        Int, ///< fits int64: `integer`
        BigInt, ///< wider: `text` holds the little-endian two's complement bytes
        Float, ///< `number`
        Str, ///< UTF-8 in `text`
        Bytes, ///< raw bytes in `text`
        List, ///< `items`
        Tuple, ///< `items`
        Set, ///< `items` (set or frozenset)
        Dict, ///< `entries` in insertion order; keys may be any scalar
        Tensor, ///< `tensor` (CPU; may be a view sharing memory with other tensors)
        Storage, ///< a bare storage: `tensor` is its 1-D data
        Global, ///< an allowed class/function reference left in the data: `text` = "module.name"
    };
    Kind kind = Kind::None;
    bool boolean = false;
    std::int64_t integer = 0;
    double number = 0;
    std::string text;
    std::vector<ValuePtr> items;
    std::vector<std::pair<ValuePtr, ValuePtr>> entries;
    torch::Tensor tensor;
    /// Python type for containers/objects: "dict", "collections.OrderedDict", "list", ...;
    /// for tensors "torch.Tensor" or "torch.nn.Parameter".
    std::string className;
    /// State set by BUILD (an OrderedDict state dict's {'_metadata': ...}); null when none.
    ValuePtr state;
    bool requiresGrad = false;

    bool isDict() const { return kind == Kind::Dict; }
    bool isSequence() const { return kind == Kind::List || kind == Kind::Tuple || kind == Kind::Set; }
    bool isScalar() const;
    /// Dict lookup by string key; null when absent or not a dict.
    ValuePtr find(const std::string& key) const;
    /// Python-like short text of a scalar or key ("'abc'", "3", "inf", "None", "b'..'").
    std::string scalarText() const;
    /// "dict", "OrderedDict", "list", "tensor", "int", ... for listings and errors.
    std::string typeText() const;
};

/// Called for a persistent id (the tuple torch.save writes for a storage); returns the
/// Storage value. Throws Error for ids it does not know.
using PersistentLoad = std::function<ValuePtr(const Value& pid)>;

/// Unpickles one pickle starting at @p pos in data[0, size) and advances @p pos past its STOP
/// opcode. @p name names the input in errors ("alex.pth: data.pkl").
ValuePtr unpickle(
    const std::uint8_t* data, std::size_t size, std::size_t& pos, const std::string& name, const PersistentLoad& persistentLoad);

/// Builds a tensor as torch._utils._rebuild_tensor_v2 does: a strided view of @p storage
/// (1-D), after checking offset, sizes and strides against its length. Throws Error.
torch::Tensor viewOfStorage(const torch::Tensor& storage, std::int64_t offset, const std::vector<std::int64_t>& sizes,
    const std::vector<std::int64_t>& strides, const std::string& name);

/// Storage class name ("FloatStorage", "torch.cuda.HalfStorage", "UntypedStorage") to dtype;
/// returns false for names that are not storage classes.
bool storageDtype(const std::string& globalName, torch::ScalarType& dtype);

} // namespace repalign::pth
