#include "models/nets.h"
#include "common/error.h"
#include "models/registry.h"

#include <sstream>

namespace repalign {

namespace bnsync {

/// torch::nn::BatchNorm2d (the same parameters, buffers, initial values and forward, so
/// state dicts and numbers are BatchNorm2d's) with an optional all-ranks statistic
/// (SyncBatchNorm for data-parallel training). A module of its own: LibTorch does not export
/// what a subclass of BatchNorm2dImpl needs.
class SyncableBatchNorm2dImpl : public torch::nn::Cloneable<SyncableBatchNorm2dImpl> {
public:
    explicit SyncableBatchNorm2dImpl(std::int64_t features)
        : SyncableBatchNorm2dImpl(torch::nn::BatchNorm2dOptions(features))
    {
    }
    explicit SyncableBatchNorm2dImpl(const torch::nn::BatchNorm2dOptions& o)
        : options(o)
    {
        reset();
    }

    void reset() override
    {
        // NormImplBase::reset: the registration order is the state dict's.
        const std::int64_t n = options.num_features();
        weight = register_parameter("weight", options.affine() ? torch::ones({n}) : torch::Tensor(), options.affine());
        bias = register_parameter("bias", options.affine() ? torch::zeros({n}) : torch::Tensor(), options.affine());
        const bool track = options.track_running_stats();
        running_mean = register_buffer("running_mean", track ? torch::zeros({n}) : torch::Tensor());
        running_var = register_buffer("running_var", track ? torch::ones({n}) : torch::Tensor());
        num_batches_tracked
            = register_buffer("num_batches_tracked", track ? torch::tensor(0, torch::dtype(torch::kLong)) : torch::Tensor());
    }

    void pretty_print(std::ostream& stream) const override
    {
        stream << "torch::nn::BatchNorm2d(" << options.num_features() << ", eps=" << options.eps() << ")";
    }

    torch::Tensor forward(const torch::Tensor& x)
    {
        if (x.dim() != 4)
            throw Error("BatchNorm2d expects a 4-D input, got " + std::to_string(x.dim()) + "-D");
        if (!allReduceSum || !is_training())
            return localForward(x);
        // Two passes as one process would make them: the mean over all ranks' images, then
        // the (biased) variance around it; both sums differentiable across ranks (their
        // backward sums the gradients over ranks: torch's sum_dy and sum_dy_xmu all-reduce).
        // In double, as LibTorch's CPU batch_norm accumulates float statistics (acc_type of
        // float is double) and its backward sums: with float sums the rounding difference to
        // one process with the double batch was 4.5e-4 in the weights after 2 steps, with
        // double sums 9e-7, the same as one process on 1 or 2 threads (see test_distributed).
        const std::int64_t c = x.size(1);
        const torch::Tensor xs = x.to(torch::kFloat64);
        const torch::Tensor local = torch::cat({xs.sum({0, 2, 3}), torch::full({1}, double(x.numel() / c), xs.options())});
        const torch::Tensor s1 = allReduceSum(local);
        const torch::Tensor n = s1.narrow(0, c, 1);
        const torch::Tensor mean = s1.narrow(0, 0, c) / n;
        const torch::Tensor centered = xs - mean.view({1, c, 1, 1});
        const torch::Tensor var = allReduceSum((centered * centered).sum({0, 2, 3})) / n;
        if (options.track_running_stats()) {
            torch::NoGradGuard noGrad;
            num_batches_tracked += 1;
            const double m = options.momentum() ? *options.momentum() : 1.0 / num_batches_tracked.item<double>();
            const double count = n.item<double>();
            running_mean.mul_(1 - m).add_((mean.detach() * m).to(running_mean.scalar_type()));
            running_var.mul_(1 - m).add_((var.detach() * (count / std::max(1.0, count - 1)) * m).to(running_var.scalar_type()));
        }
        torch::Tensor y = (centered * torch::rsqrt(var + options.eps()).view({1, c, 1, 1})).to(x.scalar_type());
        if (options.affine())
            y = y * weight.view({1, c, 1, 1}) + bias.view({1, c, 1, 1});
        return y;
    }

    torch::nn::BatchNorm2dOptions options;
    torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;
    std::function<torch::Tensor(const torch::Tensor&)> allReduceSum;

private:
    /// BatchNormImplBase::forward, line for line.
    torch::Tensor localForward(const torch::Tensor& x)
    {
        double factor = options.momentum() ? *options.momentum() : 0.0;
        if (is_training() && options.track_running_stats() && num_batches_tracked.defined()) {
            num_batches_tracked += 1;
            factor = options.momentum() ? *options.momentum() : 1.0 / num_batches_tracked.item<double>();
        }
        return torch::nn::functional::detail::batch_norm(
            x, running_mean, running_var, weight, bias, is_training() || !options.track_running_stats(), factor, options.eps());
    }
};
TORCH_MODULE(SyncableBatchNorm2d);

} // namespace bnsync

// torch::nn with BatchNorm2d made syncable: every model below builds its BatchNorm through it.
namespace nnsync {
using namespace torch::nn;
using BatchNorm2d = bnsync::SyncableBatchNorm2d;
} // namespace nnsync
namespace nn = nnsync;

int setBatchNormSync(TapNetImpl& model, std::function<torch::Tensor(const torch::Tensor&)> allReduceSum)
{
    int n = 0;
    for (auto& m : model.modules(/*include_self=*/false))
        if (auto* bn = dynamic_cast<bnsync::SyncableBatchNorm2dImpl*>(m.get())) {
            bn->allReduceSum = allReduceSum;
            ++n;
        }
    return n;
}

torch::Tensor TapNetImpl::forward(torch::Tensor x)
{
    for (const auto& s : m_stages)
        x = s.fn(x);
    return x;
}

torch::Tensor TapNetImpl::forwardTaps(
    torch::Tensor x, const std::vector<std::string>& taps, std::map<std::string, torch::Tensor>& out, bool fullForward)
{
    std::size_t found = 0;
    for (const auto& s : m_stages) {
        x = s.fn(x);
        if (s.tap && std::find(taps.begin(), taps.end(), s.name) != taps.end()) {
            out[s.name] = x;
            if (++found == taps.size() && !fullForward)
                return {};
        }
    }
    return x;
}

std::vector<std::string> TapNetImpl::tapNames() const
{
    std::vector<std::string> names;
    for (const auto& s : m_stages)
        if (s.tap)
            names.push_back(s.name);
    return names;
}

bool TapNetImpl::hasTap(const std::string& name) const
{
    for (const auto& s : m_stages)
        if (s.tap && s.name == name)
            return true;
    return false;
}

void TapNetImpl::addStage(const std::string& name, bool tap, Stage fn)
{
    m_stages.push_back({name, tap, std::move(fn)});
}

std::vector<std::pair<std::string, torch::Tensor>> TapNetImpl::stateDict()
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& item : named_modules(/*name_prefix=*/"", /*include_self=*/true)) {
        const std::string prefix = item.key().empty() ? "" : item.key() + ".";
        for (const auto& p : item.value()->named_parameters(/*recurse=*/false))
            out.emplace_back(prefix + p.key(), p.value());
        for (const auto& b : item.value()->named_buffers(/*recurse=*/false))
            out.emplace_back(prefix + b.key(), b.value());
    }
    return out;
}

namespace {

nn::Conv2d conv(int in, int out, int k, int stride, int pad, bool bias)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(pad).bias(bias));
}

void initConvBn(nn::Module& m)
{
    for (auto& mod : m.modules(/*include_self=*/false)) {
        if (auto* c = mod->as<nn::Conv2d>()) {
            nn::init::kaiming_normal_(c->weight, /*a=*/0.0, torch::kFanOut, torch::kReLU);
            if (c->options.bias())
                nn::init::zeros_(c->bias);
        } else if (auto* b = mod->as<nn::BatchNorm2d>()) {
            nn::init::ones_(b->weight);
            nn::init::zeros_(b->bias);
        }
    }
}

// torchvision's BasicBlock / Bottleneck, same member names. The MadryLab robustness library's
// CIFAR Bottleneck (robustness/cifar_models/resnet.py) is the same block with the projection
// named `shortcut` (@p projectionName).
struct BlockImpl : nn::Module {
    bool bottleneck;
    nn::Conv2d conv1 {nullptr}, conv2 {nullptr}, conv3 {nullptr};
    nn::BatchNorm2d bn1 {nullptr}, bn2 {nullptr}, bn3 {nullptr};
    nn::Sequential downsample {nullptr};

    BlockImpl(int inplanes, int planes, int stride, bool isBottleneck, const std::string& projectionName = "downsample")
        : bottleneck(isBottleneck)
    {
        const int expansion = bottleneck ? 4 : 1;
        if (bottleneck) {
            conv1 = register_module("conv1", conv(inplanes, planes, 1, 1, 0, false));
            bn1 = register_module("bn1", nn::BatchNorm2d(planes));
            conv2 = register_module("conv2", conv(planes, planes, 3, stride, 1, false));
            bn2 = register_module("bn2", nn::BatchNorm2d(planes));
            conv3 = register_module("conv3", conv(planes, planes * 4, 1, 1, 0, false));
            bn3 = register_module("bn3", nn::BatchNorm2d(planes * 4));
        } else {
            conv1 = register_module("conv1", conv(inplanes, planes, 3, stride, 1, false));
            bn1 = register_module("bn1", nn::BatchNorm2d(planes));
            conv2 = register_module("conv2", conv(planes, planes, 3, 1, 1, false));
            bn2 = register_module("bn2", nn::BatchNorm2d(planes));
        }
        if (stride != 1 || inplanes != planes * expansion) {
            downsample = register_module(projectionName,
                nn::Sequential(conv(inplanes, planes * expansion, 1, stride, 0, false), nn::BatchNorm2d(planes * expansion)));
        }
    }

    torch::Tensor forward(const torch::Tensor& x)
    {
        torch::Tensor out = torch::relu(bn1(conv1(x)));
        out = bn2(conv2(out));
        if (bottleneck)
            out = bn3(conv3(torch::relu(out)));
        torch::Tensor identity = downsample ? downsample->forward(x) : x;
        return torch::relu(out + identity);
    }
};
TORCH_MODULE(Block);

class ResNetImpl : public TapNetImpl {
public:
    /// @p imagenetStem: torchvision's 7x7 stride-2 stem (ImageNet models); else the
    /// reference's CIFAR stem, 3x3 stride 1 (both keep the max-pool).
    ResNetImpl(const std::string& arch, std::vector<int> layers, bool bottleneck, int numClasses, bool imagenetStem = false)
    {
        m_arch = arch;
        const int expansion = bottleneck ? 4 : 1;
        conv1 = register_module("conv1", imagenetStem ? conv(3, 64, 7, 2, 3, false) : conv(3, 64, 3, 1, 1, false));
        bn1 = register_module("bn1", nn::BatchNorm2d(64));
        int inplanes = 64;
        const int planes[4] = {64, 128, 256, 512};
        for (int l = 0; l < 4; ++l) {
            nn::Sequential seq;
            for (int b = 0; b < layers[static_cast<std::size_t>(l)]; ++b) {
                const int stride = (b == 0 && l > 0) ? 2 : 1;
                seq->push_back(Block(inplanes, planes[l], stride, bottleneck));
                inplanes = planes[l] * expansion;
            }
            stages[l] = register_module("layer" + std::to_string(l + 1), seq);
        }
        fc = register_module("fc", nn::Linear(512 * expansion, numClasses));
        initConvBn(*this);

        addStage("conv1", true, [this](const torch::Tensor& x) { return conv1(x); });
        addStage("bn1", false, [this](const torch::Tensor& x) { return torch::relu(bn1(x)); });
        addStage("maxpool", false, [](const torch::Tensor& x) { return torch::max_pool2d(x, 3, 2, 1); });
        for (int l = 0; l < 4; ++l)
            addStage("layer" + std::to_string(l + 1), true, [this, l](const torch::Tensor& x) { return stages[l]->forward(x); });
        addStage("avgpool", true, [](const torch::Tensor& x) { return torch::adaptive_avg_pool2d(x, {1, 1}); });
        addStage("fc", true, [this](const torch::Tensor& x) { return fc(torch::flatten(x, 1)); });
    }

private:
    nn::Conv2d conv1 {nullptr};
    nn::BatchNorm2d bn1 {nullptr};
    nn::Sequential stages[4];
    nn::Linear fc {nullptr};
};

class VggImpl : public TapNetImpl {
public:
    VggImpl(const std::string& arch, const std::vector<int>& cfg, int numClasses)
    {
        m_arch = arch;
        features = register_module("features", nn::Sequential());
        int in = 3;
        for (int v : cfg) {
            if (v == 0) {
                features->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)));
            } else {
                features->push_back(conv(in, v, 3, 1, 1, true));
                features->push_back(nn::BatchNorm2d(v));
                features->push_back(nn::ReLU(nn::ReLUOptions(/*inplace=*/false)));
                in = v;
            }
        }
        classifier = register_module("classifier",
            nn::Sequential(nn::Linear(512, 4096), nn::ReLU(), nn::Dropout(0.5), nn::Linear(4096, 4096), nn::ReLU(),
                nn::Dropout(0.5), nn::Linear(4096, numClasses)));
        initConvBn(*this);
        for (auto& mod : classifier->modules(false))
            if (auto* lin = mod->as<nn::Linear>()) {
                nn::init::normal_(lin->weight, 0.0, 0.01);
                nn::init::zeros_(lin->bias);
            }

        for (std::size_t i = 0; i < features->size(); ++i)
            addStage("features." + std::to_string(i), true,
                [this, i](const torch::Tensor& x) { return featureModules()[i].forward(x); });
        addStage("avgpool", true, [](const torch::Tensor& x) { return torch::adaptive_avg_pool2d(x, {1, 1}); });
        for (std::size_t i = 0; i < classifier->size(); ++i)
            addStage("classifier." + std::to_string(i), true,
                [this, i](const torch::Tensor& x) { return classifierAt(i, i == 0 ? torch::flatten(x, 1) : x); });
    }

private:
    torch::Tensor classifierAt(std::size_t i, const torch::Tensor& x) { return classifierModules()[i].forward(x); }
    std::vector<nn::AnyModule>& featureModules()
    {
        if (m_feat.empty())
            for (auto it = features->begin(); it != features->end(); ++it)
                m_feat.push_back(*it);
        return m_feat;
    }
    std::vector<nn::AnyModule>& classifierModules()
    {
        if (m_cls.empty())
            for (auto it = classifier->begin(); it != classifier->end(); ++it)
                m_cls.push_back(*it);
        return m_cls;
    }
    nn::Sequential features {nullptr}, classifier {nullptr};
    std::vector<nn::AnyModule> m_feat, m_cls;
};

// Children of a Sequential as AnyModules, to run them one at a time (taps between them).
std::vector<nn::AnyModule> moduleList(const nn::Sequential& seq)
{
    std::vector<nn::AnyModule> out;
    for (auto it = seq->begin(); it != seq->end(); ++it)
        out.push_back(*it);
    return out;
}

// torchvision's AlexNet (the "one weird trick" variant, models/alexnet.py) with
// classifier.6 replaced by Linear(4096, numClasses), as the reference's factory does. No init
// of its own: PyTorch's default layer init, which LibTorch's layers reproduce.
class AlexNetImpl : public TapNetImpl {
public:
    AlexNetImpl(const std::string& arch, int numClasses)
    {
        m_arch = arch;
        auto relu = [] { return nn::ReLU(nn::ReLUOptions(/*inplace=*/false)); };
        auto pool = [] { return nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2)); };
        features = register_module("features",
            nn::Sequential(conv(3, 64, 11, 4, 2, true), relu(), pool(), conv(64, 192, 5, 1, 2, true), relu(), pool(),
                conv(192, 384, 3, 1, 1, true), relu(), conv(384, 256, 3, 1, 1, true), relu(), conv(256, 256, 3, 1, 1, true),
                relu(), pool()));
        classifier = register_module("classifier",
            nn::Sequential(nn::Dropout(0.5), nn::Linear(256 * 6 * 6, 4096), relu(), nn::Dropout(0.5), nn::Linear(4096, 4096),
                relu(), nn::Linear(4096, numClasses)));
        m_feat = moduleList(features);
        m_cls = moduleList(classifier);
        for (std::size_t i = 0; i < m_feat.size(); ++i)
            addStage("features." + std::to_string(i), true, [this, i](const torch::Tensor& x) { return m_feat[i].forward(x); });
        addStage("avgpool", true, [](const torch::Tensor& x) { return torch::adaptive_avg_pool2d(x, {6, 6}); });
        for (std::size_t i = 0; i < m_cls.size(); ++i)
            addStage("classifier." + std::to_string(i), true,
                [this, i](const torch::Tensor& x) { return m_cls[i].forward(i == 0 ? torch::flatten(x, 1) : x); });
    }

private:
    nn::Sequential features {nullptr}, classifier {nullptr};
    std::vector<nn::AnyModule> m_feat, m_cls;
};

// robustness.cifar_models.ResNet50: 3x3 stride-1 stem, no max-pool, avg_pool2d(4), `linear`;
// PyTorch's default init (the library sets none).
class MadryResNetImpl : public TapNetImpl {
public:
    MadryResNetImpl(const std::string& arch, int numClasses)
    {
        m_arch = arch;
        conv1 = register_module("conv1", conv(3, 64, 3, 1, 1, false));
        bn1 = register_module("bn1", nn::BatchNorm2d(64));
        const int blocks[4] = {3, 4, 6, 3};
        const int planes[4] = {64, 128, 256, 512};
        int inPlanes = 64;
        for (int l = 0; l < 4; ++l) {
            nn::Sequential seq;
            for (int b = 0; b < blocks[l]; ++b) {
                seq->push_back(Block(inPlanes, planes[l], (b == 0 && l > 0) ? 2 : 1, true, "shortcut"));
                inPlanes = planes[l] * 4;
            }
            stages[l] = register_module("layer" + std::to_string(l + 1), seq);
        }
        linear = register_module("linear", nn::Linear(2048, numClasses));

        addStage("conv1", true, [this](const torch::Tensor& x) { return conv1(x); });
        addStage("bn1", false, [this](const torch::Tensor& x) { return torch::relu(bn1(x)); });
        for (int l = 0; l < 4; ++l)
            addStage("layer" + std::to_string(l + 1), true, [this, l](const torch::Tensor& x) { return stages[l]->forward(x); });
        addStage("avgpool", true, [](const torch::Tensor& x) { return torch::avg_pool2d(x, 4); });
        addStage("linear", true, [this](const torch::Tensor& x) { return linear(torch::flatten(x, 1)); });
    }

private:
    nn::Conv2d conv1 {nullptr};
    nn::BatchNorm2d bn1 {nullptr};
    nn::Sequential stages[4];
    nn::Linear linear {nullptr};
};

std::vector<int> vggCfg(int depth)
{
    // 0 = 'M' (max-pool)
    switch (depth) {
    case 11:
        return {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
    case 13:
        return {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};
    case 16:
        return {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
    default:
        return {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0};
    }
}

} // namespace

TapNet createModel(const std::string& name, int numClasses)
{
    requireModelName(name);
    if (name == "resnet18_cifar10")
        return std::make_shared<ResNetImpl>(name, std::vector<int> {2, 2, 2, 2}, false, numClasses);
    if (name == "resnet34_cifar10")
        return std::make_shared<ResNetImpl>(name, std::vector<int> {3, 4, 6, 3}, false, numClasses);
    if (name == "resnet50_cifar10")
        return std::make_shared<ResNetImpl>(name, std::vector<int> {3, 4, 6, 3}, true, numClasses);
    if (name == "resnet50")
        return std::make_shared<ResNetImpl>(name, std::vector<int> {3, 4, 6, 3}, true, numClasses, /*imagenetStem=*/true);
    if (name == "resnet50_madry")
        return std::make_shared<MadryResNetImpl>(name, numClasses);
    if (name == "alexnet")
        return std::make_shared<AlexNetImpl>(name, numClasses);
    int depth = std::stoi(name.substr(3, 2));
    return std::make_shared<VggImpl>(name, vggCfg(depth), numClasses);
}

namespace {
std::string shapeText(const at::IntArrayRef& s)
{
    std::ostringstream o;
    o << "(";
    for (std::size_t i = 0; i < s.size(); ++i)
        o << (i ? ", " : "") << s[i];
    if (s.size() == 1)
        o << ",";
    o << ")";
    return o.str();
}
} // namespace

void loadStateDict(TapNetImpl& model, const std::map<std::string, torch::Tensor>& state, bool strict)
{
    torch::NoGradGuard noGrad;
    auto own = model.stateDict();
    std::vector<std::string> missing, mismatched, unexpected;
    std::map<std::string, bool> used;
    for (auto& [name, tensor] : own) {
        auto it = state.find(name);
        if (it == state.end()) {
            missing.push_back(name);
            continue;
        }
        used[name] = true;
        if (it->second.sizes() != tensor.sizes()) {
            mismatched.push_back(name + " expected " + shapeText(tensor.sizes()) + " found " + shapeText(it->second.sizes()));
            continue;
        }
        tensor.copy_(it->second.to(tensor.dtype()));
    }
    for (auto& [name, t] : state)
        if (!used.count(name))
            unexpected.push_back(name);
    std::string msg;
    auto add = [&msg](const char* what, const std::vector<std::string>& v) {
        if (v.empty())
            return;
        std::string list;
        for (std::size_t i = 0; i < v.size() && i < 8; ++i)
            list += (i ? ", " : "") + v[i];
        if (v.size() > 8)
            list += ", ... (" + std::to_string(v.size()) + " in all)";
        msg += std::string(msg.empty() ? "" : "; ") + what + ": " + list;
    };
    add("shape mismatch", mismatched);
    if (strict) {
        add("missing keys", missing);
        add("unexpected keys", unexpected);
    }
    if (!msg.empty())
        throw Error("state dict does not fit " + model.architecture() + ": " + msg);
}

ModelInfo describeModel(const std::string& name)
{
    torch::NoGradGuard noGrad;
    TapNet model = createModel(name);
    model->eval();
    ModelInfo info;
    info.name = name;
    for (const auto& p : model->parameters())
        info.parameterCount += p.numel();
    for (auto& [n, t] : model->stateDict()) {
        TensorInfo ti {n, t.sizes().vec(), t.scalar_type() == torch::kLong ? "int64" : "float32"};
        info.stateDict.push_back(ti);
    }
    auto taps = model->tapNames();
    std::map<std::string, torch::Tensor> out;
    info.inputSize = modelInputSize(name);
    model->forwardTaps(torch::zeros({1, 3, info.inputSize, info.inputSize}), taps, out, /*fullForward=*/true);
    for (const auto& t : taps) {
        auto s = out[t].sizes().vec();
        s.erase(s.begin());
        info.taps.push_back({t, s, "float32"});
    }
    return info;
}

} // namespace repalign
