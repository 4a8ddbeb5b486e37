// The static facts of the reference architectures: names, tap names and parameter counts,
// without building a model (the GUI asks for them while the user types). test_models checks
// every entry against the model createModel() builds.
#include "models/registry.h"

#include "common/error.h"

#include <algorithm>

namespace repalign {

namespace {

enum class Family { CifarResNet, Vgg, ImageNetResNet, MadryResNet, AlexNet };

struct Architecture {
    const char* name;
    std::int64_t parameterCount; ///< with 10 classes
    Family family;
    int vggFeatureModules; ///< VGG: modules in `features` (conv, bn, relu per layer, 1 per pool)
    int inputSize; ///< the side the model is used at (CIFAR 32; torchvision ImageNet models 224)
};

// Parameter counts for numClasses = 10 (the CIFAR heads), as torch counts model.parameters().
constexpr Architecture kArchitectures[] = {
    {"resnet18_cifar10", 11173962, Family::CifarResNet, 0, 32},
    {"resnet34_cifar10", 21282122, Family::CifarResNet, 0, 32},
    {"resnet50_cifar10", 23520842, Family::CifarResNet, 0, 32},
    {"vgg11_cifar10", 28149514, Family::Vgg, 29, 32},
    {"vgg13_cifar10", 28334410, Family::Vgg, 35, 32},
    {"vgg16_cifar10", 33646666, Family::Vgg, 44, 32},
    {"vgg19_cifar10", 38958922, Family::Vgg, 53, 32},
    {"alexnet", 57044810, Family::AlexNet, 0, 224},
    {"resnet50", 23528522, Family::ImageNetResNet, 0, 224},
    {"resnet50_madry", 23520842, Family::MadryResNet, 0, 32},
};
constexpr int kVggClassifierModules = 7; // Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear
constexpr int kAlexNetFeatureModules = 13; // 5 conv + 5 ReLU + 3 max-pool
constexpr int kAlexNetClassifierModules = 7; // Dropout, Linear, ReLU, Dropout, Linear, ReLU, Linear

const Architecture& find(const std::string& name)
{
    for (const Architecture& a : kArchitectures)
        if (name == a.name)
            return a;
    throw Error("unknown model '" + name + "' (valid: " + joinChoices(modelNames()) + ")");
}

} // namespace

std::vector<std::string> modelNames()
{
    std::vector<std::string> names;
    for (const Architecture& a : kArchitectures)
        names.emplace_back(a.name);
    return names;
}

bool isModelName(const std::string& name)
{
    return std::any_of(
        std::begin(kArchitectures), std::end(kArchitectures), [&](const Architecture& a) { return name == a.name; });
}

void requireModelName(const std::string& name)
{
    find(name);
}

std::vector<std::string> modelTaps(const std::string& name)
{
    const Architecture& a = find(name);
    auto sequential = [](std::vector<std::string>& taps, const char* prefix, int count) {
        for (int i = 0; i < count; ++i)
            taps.push_back(prefix + std::to_string(i));
    };
    std::vector<std::string> taps;
    switch (a.family) {
    case Family::CifarResNet:
    case Family::ImageNetResNet:
        return {"conv1", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"};
    case Family::MadryResNet:
        return {"conv1", "layer1", "layer2", "layer3", "layer4", "avgpool", "linear"};
    case Family::AlexNet:
        sequential(taps, "features.", kAlexNetFeatureModules);
        taps.emplace_back("avgpool");
        sequential(taps, "classifier.", kAlexNetClassifierModules);
        return taps;
    case Family::Vgg:
        break;
    }
    sequential(taps, "features.", a.vggFeatureModules);
    taps.emplace_back("avgpool");
    sequential(taps, "classifier.", kVggClassifierModules);
    return taps;
}

int modelInputSize(const std::string& name)
{
    return find(name).inputSize;
}

std::int64_t modelParameterCount(const std::string& name)
{
    return find(name).parameterCount;
}

} // namespace repalign
