// The static facts of the reference architectures: names, tap names and parameter counts,
// without building a model (the GUI asks for them while the user types). test_models checks
// every entry against the model createModel() builds.
#include "models/registry.h"

#include "common/error.h"

#include <algorithm>

namespace repalign {

namespace {

struct Architecture {
    const char* name;
    std::int64_t parameterCount; ///< with 10 classes
    int vggFeatureModules; ///< VGG: modules in `features` (conv, bn, relu per layer, 1 per pool); 0 = ResNet
};

// Parameter counts for numClasses = 10 (the CIFAR heads), as torch counts model.parameters().
constexpr Architecture kArchitectures[] = {
    {"resnet18_cifar10", 11173962, 0},
    {"resnet34_cifar10", 21282122, 0},
    {"resnet50_cifar10", 23520842, 0},
    {"vgg11_cifar10", 28149514, 29},
    {"vgg13_cifar10", 28334410, 35},
    {"vgg16_cifar10", 33646666, 44},
    {"vgg19_cifar10", 38958922, 53},
};
constexpr int kVggClassifierModules = 7; // Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear

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
    if (a.vggFeatureModules == 0)
        return {"conv1", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"};
    std::vector<std::string> taps;
    for (int i = 0; i < a.vggFeatureModules; ++i)
        taps.push_back("features." + std::to_string(i));
    taps.emplace_back("avgpool");
    for (int i = 0; i < kVggClassifierModules; ++i)
        taps.push_back("classifier." + std::to_string(i));
    return taps;
}

std::int64_t modelParameterCount(const std::string& name)
{
    return find(name).parameterCount;
}

} // namespace repalign
