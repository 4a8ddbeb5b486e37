#include "run/pth_checkpoint.h"
#include "common/error.h"
#include "io/pth.h"
#include "models/registry.h"

namespace repalign::pth {

namespace {

bool number(const ValuePtr& v, double& out)
{
    if (!v)
        return false;
    switch (v->kind) {
    case Value::Kind::Float:
        out = v->number;
        return true;
    case Value::Kind::Int:
        out = static_cast<double>(v->integer);
        return true;
    case Value::Kind::Bool:
        out = v->boolean ? 1 : 0;
        return true;
    case Value::Kind::Tensor:
        if (v->tensor.numel() == 1 && !v->tensor.is_complex()) {
            out = v->tensor.to(torch::kDouble).item<double>();
            return true;
        }
        return false;
    default:
        return false;
    }
}

// The notebook's tuned checkpoint: the student's Linear readout sits among the backbone's
// weights as neural_predict.*; it moves to extraTensors so the backbone loads strictly.
void adoptNotebookReadout(Checkpoint& c, const std::string& path)
{
    auto& sd = c.stateDict;
    auto w = sd.find(kNotebookReadoutWeight), b = sd.find(kNotebookReadoutBias);
    if (w == sd.end() || b == sd.end())
        return;
    if (w->second.dim() != 2 || b->second.dim() != 1 || b->second.size(0) != w->second.size(0))
        throw Error(path + ": neural_predict.weight " + std::to_string(w->second.dim()) + "-D and neural_predict.bias "
            + std::to_string(b->second.dim()) + "-D are not a Linear readout (weight [V, features], bias [V])");
    c.extraTensors[kNotebookReadoutWeight] = w->second.to(torch::kFloat32).contiguous();
    c.extraTensors[kNotebookReadoutBias] = b->second.to(torch::kFloat32).contiguous();
    sd.erase(w);
    sd.erase(b);
}

} // namespace

Checkpoint checkpointFromTorchSave(const std::string& path, const std::string& key)
{
    ValuePtr root = loadFile(path);
    Checkpoint c;
    c.source = "pytorch";
    try {
        for (auto& [name, t] : stateDictFrom(root, key))
            c.stateDict[name] = t.is_contiguous() ? t : t.contiguous();
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
    if (!root->isDict())
        return c;
    auto first = [&](std::initializer_list<const char*> keys, double& out) {
        for (const char* k : keys)
            if (number(root->find(k), out))
                return true;
        return false;
    };
    double x = 0;
    if (first({"epoch", "epochs"}, x))
        c.epoch = static_cast<std::int64_t>(x);
    if (first({"global_step", "step", "steps"}, x))
        c.globalStep = static_cast<std::int64_t>(x);
    if (first({"best_val_loss", "best_loss"}, x))
        c.bestValLoss = x;
    if (first({"best_val_acc", "best_acc"}, x))
        c.bestValAcc = x;
    if (first({"seed"}, x) && x >= 0)
        c.seed = static_cast<std::uint64_t>(x);
    for (const char* k : {"model", "arch", "architecture", "model_name"})
        if (auto v = root->find(k); v && v->kind == Value::Kind::Str && isModelName(v->text)) {
            c.model = v->text;
            break;
        }
    if (auto v = root->find("config"); v && v->kind == Value::Kind::Str)
        c.config = v->text;
    adoptNotebookReadout(c, path);
    for (const auto& [k, v] : root->entries)
        if (k->kind == Value::Kind::Str && v->kind != Value::Kind::Tensor && number(v, x))
            c.scalars[k->text] = x;
    return c;
}

} // namespace repalign::pth
