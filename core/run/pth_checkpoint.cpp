#include "run/pth_checkpoint.h"
#include "common/error.h"
#include "io/pth.h"
#include "models/registry.h"

#include <algorithm>
#include <cstdio>

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

bool startsWith(const std::string& s, const char* prefix)
{
    return s.rfind(prefix, 0) == 0;
}

// robustness.attacker.AttackerModel's state dict (its "module." DataParallel prefix is already
// gone): normalizer.new_mean/new_std [3,1,1], model.* (the classifier), attacker.normalize.* and
// attacker.model.* (the same tensors again, for the attack). Keeps model.* as the weights.
void adoptRobustnessLayout(Checkpoint& c, const std::string& path)
{
    auto& sd = c.stateDict;
    if (!sd.count(kNormalizerMean) || !sd.count(kNormalizerStd))
        return;
    if (std::none_of(sd.begin(), sd.end(), [](const auto& kv) { return startsWith(kv.first, "model."); }))
        return;
    std::map<std::string, torch::Tensor> weights;
    for (auto& [k, t] : sd) {
        if (startsWith(k, "model."))
            weights[k.substr(6)] = t;
        else if (!startsWith(k, "attacker.") && !startsWith(k, "normalizer."))
            weights[k] = t; // left for the strict load to name
    }
    for (const char* k : {kNormalizerMean, kNormalizerStd}) {
        torch::Tensor t = sd[k].to(torch::kFloat32).reshape({-1});
        if (t.numel() != 3 || !torch::isfinite(t).all().item<bool>())
            throw Error(path + ": " + k + " must hold 3 finite values (one per RGB channel), found " + std::to_string(t.numel()));
        if (std::string(k) == kNormalizerStd && !(t > 0).all().item<bool>())
            throw Error(path + ": " + k + " must be positive");
        c.extraTensors[k] = t.contiguous();
    }
    sd.swap(weights);
    if (c.model.empty() && sd.count("linear.weight") && sd.count("layer1.0.shortcut.0.weight")
        && sd.count("layer4.2.conv3.weight"))
        c.model = "resnet50_madry";
}

} // namespace

bool applyStoredNormalizer(const Checkpoint& ckpt, TransformConfig& transform)
{
    auto m = ckpt.extraTensors.find(kNormalizerMean), s = ckpt.extraTensors.find(kNormalizerStd);
    if (m == ckpt.extraTensors.end() || s == ckpt.extraTensors.end())
        return false;
    torch::Tensor mean = m->second.to(torch::kDouble).reshape({-1}), std = s->second.to(torch::kDouble).reshape({-1});
    for (int i = 0; i < 3; ++i) {
        transform.mean[static_cast<std::size_t>(i)] = mean[i].item<double>();
        transform.std[static_cast<std::size_t>(i)] = std[i].item<double>();
    }
    return true;
}

std::vector<std::string> fitEvalTransform(
    const Checkpoint& ckpt, const std::string& architecture, int imageSide, TransformConfig& transform)
{
    std::vector<std::string> notes;
    if (applyStoredNormalizer(ckpt, transform)) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
            "input normalised by the checkpoint's own normaliser: mean (%.4g, %.4g, %.4g), std (%.4g, %.4g, %.4g)",
            transform.mean[0], transform.mean[1], transform.mean[2], transform.std[0], transform.std[1], transform.std[2]);
        notes.emplace_back(buf);
    }
    const std::string resized = fitModelInputSize(architecture, imageSide, transform);
    if (!resized.empty())
        notes.push_back(resized);
    return notes;
}

std::string fitModelInputSize(const std::string& architecture, int imageSide, TransformConfig& transform)
{
    const int side = isModelName(architecture) ? modelInputSize(architecture) : 0;
    if (transform.resize > 0 || side <= 0 || imageSide == side)
        return {};
    transform.resize = side;
    return "images resized from " + std::to_string(imageSide) + " to " + std::to_string(side) + " px, the input size of "
        + architecture + " (as the reference's cifar10_224: Resize(" + std::to_string(side) + ") on the PIL image)";
}

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
    adoptRobustnessLayout(c, path);
    adoptNotebookReadout(c, path);
    for (const auto& [k, v] : root->entries)
        if (k->kind == Value::Kind::Str && v->kind != Value::Kind::Tensor && number(v, x))
            c.scalars[k->text] = x;
    return c;
}

} // namespace repalign::pth
