#include "run/checkpoint.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "io/pth.h"
#include "models/registry.h"
#include "run/pth_checkpoint.h"

#include <torch/serialize.h>

namespace repalign {

namespace {

using GenericDict = c10::impl::GenericDict;

GenericDict newDict()
{
    return GenericDict(c10::StringType::get(), c10::AnyType::get());
}

GenericDict tensorDict(const std::map<std::string, torch::Tensor>& m)
{
    GenericDict d(c10::StringType::get(), c10::TensorType::get());
    for (const auto& [k, v] : m)
        d.insert(k, v.detach().to(torch::kCPU).contiguous());
    return d;
}

std::map<std::string, torch::Tensor> toTensorMap(const c10::IValue& v)
{
    std::map<std::string, torch::Tensor> out;
    if (!v.isGenericDict())
        return out;
    for (const auto& e : v.toGenericDict())
        if (e.key().isString() && e.value().isTensor())
            out[e.key().toStringRef()] = e.value().toTensor();
    return out;
}

} // namespace

void saveCheckpoint(const std::string& path, const Checkpoint& c)
{
    GenericDict d = newDict();
    d.insert("format", std::string("repalign-checkpoint"));
    d.insert("version", static_cast<std::int64_t>(1));
    d.insert("model", c.model);
    d.insert("epoch", c.epoch);
    d.insert("global_step", c.globalStep);
    // Keep PyTorch's state-dict order where we have it: callers pass an ordered map by name,
    // which torch.load in Python reads as a plain dict; names, not order, are what matters.
    d.insert("state_dict", tensorDict(c.stateDict));
    GenericDict opt = newDict();
    opt.insert("type", c.optimizerType);
    opt.insert("step", c.optimizerStep);
    GenericDict optState = newDict();
    for (const auto& [name, st] : c.optimizerState)
        optState.insert(name, tensorDict(st));
    opt.insert("state", optState);
    d.insert("optimizer", opt);
    d.insert("best_val_loss", c.bestValLoss);
    d.insert("best_val_acc", c.bestValAcc);
    d.insert("seed", static_cast<std::int64_t>(c.seed));
    GenericDict scalars(c10::StringType::get(), c10::FloatType::get());
    for (const auto& [k, v] : c.scalars)
        scalars.insert(k, v);
    d.insert("scalars", scalars);
    d.insert("extra_tensors", tensorDict(c.extraTensors));
    d.insert("config", c.config);
    std::vector<char> bytes = torch::pickle_save(c10::IValue(d));
    writeFileAtomic(path, bytes.data(), bytes.size());
}

Checkpoint loadCheckpoint(const std::string& path, const std::string& key)
{
    if (!fileExists(path))
        throw Error("checkpoint " + path + " does not exist");
    std::vector<char> bytes = readFileBytes(path);
    c10::IValue v;
    try {
        v = torch::pickle_load(bytes);
    } catch (const std::exception& e) {
        // Files LibTorch's reader cannot take (OrderedDict state dicts, the legacy format,
        // training scripts' checkpoint dicts) go through the data-only torch.save reader.
        if (pth::looksLikeTorchSave(bytes.data(), bytes.size()))
            return pth::checkpointFromTorchSave(path, key);
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        throw Error(path + ": not a checkpoint this program can read (" + what + ")");
    }
    if (!v.isGenericDict()) {
        if (pth::looksLikeTorchSave(bytes.data(), bytes.size()))
            return pth::checkpointFromTorchSave(path, key);
        throw Error(path + ": not a checkpoint (top level is not a dict)");
    }
    Checkpoint c;
    c.source = "repalign";
    GenericDict d = v.toGenericDict();
    auto get = [&d](const char* k) -> c10::IValue {
        auto it = d.find(c10::IValue(std::string(k)));
        return it == d.end() ? c10::IValue() : it->value();
    };
    const bool own = get("format").isString() && get("format").toStringRef() == "repalign-checkpoint";
    if (!own) {
        // The torch.save reader also fills best values, the architecture and scalars.
        try {
            return pth::checkpointFromTorchSave(path, key);
        } catch (const Error&) {
        }
        // A plain torch dict that pickle_load could read: find the state dict as PyTorch scripts store it.
        std::vector<std::string> keys = key.empty()
            ? std::vector<std::string> {"state_dict", "model", "model_state_dict", "student_state_dict"}
            : std::vector<std::string> {key};
        for (const auto& k : keys)
            if (get(k.c_str()).isGenericDict()) {
                c.stateDict = toTensorMap(get(k.c_str()));
                break;
            }
        if (c.stateDict.empty())
            c.stateDict = toTensorMap(v);
        if (c.stateDict.empty())
            throw Error(path + ": no state dict found (looked for keys " + joinChoices(keys) + " and a bare state dict)");
        c.source = "pytorch";
        if (get("epoch").isInt())
            c.epoch = get("epoch").toInt();
        return c;
    }
    if (get("model").isString())
        c.model = get("model").toStringRef();
    c.epoch = get("epoch").isInt() ? get("epoch").toInt() : 0;
    c.globalStep = get("global_step").isInt() ? get("global_step").toInt() : 0;
    c.stateDict = toTensorMap(get("state_dict"));
    if (get("optimizer").isGenericDict()) {
        GenericDict opt = get("optimizer").toGenericDict();
        for (const auto& e : opt) {
            const std::string k = e.key().toStringRef();
            if (k == "type" && e.value().isString())
                c.optimizerType = e.value().toStringRef();
            else if (k == "step" && e.value().isInt())
                c.optimizerStep = e.value().toInt();
            else if (k == "state" && e.value().isGenericDict())
                for (const auto& s : e.value().toGenericDict())
                    c.optimizerState[s.key().toStringRef()] = toTensorMap(s.value());
        }
    }
    if (get("best_val_loss").isDouble())
        c.bestValLoss = get("best_val_loss").toDouble();
    if (get("best_val_acc").isDouble())
        c.bestValAcc = get("best_val_acc").toDouble();
    if (get("seed").isInt())
        c.seed = static_cast<std::uint64_t>(get("seed").toInt());
    if (get("scalars").isGenericDict())
        for (const auto& e : get("scalars").toGenericDict())
            c.scalars[e.key().toStringRef()] = e.value().toDouble();
    c.extraTensors = toTensorMap(get("extra_tensors"));
    if (get("config").isString())
        c.config = get("config").toStringRef();
    return c;
}

TapNet modelFromCheckpoint(const Checkpoint& ckpt, const std::string& modelHint, const std::string& path)
{
    std::string name = ckpt.model;
    if (name.empty() && modelHint.empty())
        throw Error(path + " does not record its architecture; give it with --model (valid: " + joinChoices(modelNames()) + ")");
    if (!name.empty() && !modelHint.empty() && name != modelHint)
        throw Error(path + " holds a " + name + ", not the requested " + modelHint);
    if (name.empty())
        name = modelHint;
    requireModelName(name);
    int numClasses = 10;
    for (const char* fc : {"fc.weight", "classifier.6.weight", "linear.weight"}) {
        auto it = ckpt.stateDict.find(fc);
        if (it != ckpt.stateDict.end() && it->second.dim() == 2)
            numClasses = static_cast<int>(it->second.size(0));
    }
    TapNet model = createModel(name, numClasses);
    try {
        loadStateDict(*model, ckpt.stateDict, /*strict=*/true);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
    return model;
}

} // namespace repalign
