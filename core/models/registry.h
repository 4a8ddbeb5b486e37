#pragma once
/// @file registry.h
/// Facts about the reference models without LibTorch types (for the CLI, GUI and tests).
/// modelNames, modelTaps and modelParameterCount come from a static table (microseconds, no
/// model is built: the GUI calls them as the user types); describeModel builds the model.
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

struct TensorInfo {
    std::string name;
    std::vector<std::int64_t> shape;
    std::string dtype; ///< "float32", "int64", ...
};

struct ModelInfo {
    std::string name;
    std::int64_t parameterCount = 0; ///< trainable parameters
    std::vector<TensorInfo> stateDict; ///< PyTorch order, buffers included
    int inputSize = 32; ///< the input side the model is used at (modelInputSize)
    std::vector<TensorInfo> taps; ///< output shape per tap for one 3 x inputSize x inputSize input (batch dim omitted)
};

/// resnet18_cifar10, resnet34_cifar10, resnet50_cifar10, vgg11/13/16/19_cifar10, alexnet and
/// resnet50 (torchvision, 224-pixel input), resnet50_madry (the robustness library's CIFAR ResNet-50).
std::vector<std::string> modelNames();
bool isModelName(const std::string& name);
/// Throws Error listing the valid names for an unknown model.
void requireModelName(const std::string& name);
/// Builds the model and runs one image of its input size through it (tens of milliseconds to
/// seconds: never on the UI thread).
ModelInfo describeModel(const std::string& name);
/// Tap names in forward order (static table). Throws Error listing the valid names.
std::vector<std::string> modelTaps(const std::string& name);
/// The input side the model is built for (static table): 224 for the torchvision ImageNet
/// models (alexnet, resnet50, used with the cifar10_224 data set), 32 for the CIFAR models.
/// Throws Error listing the valid names.
int modelInputSize(const std::string& name);
/// Trainable parameters with the 10-class head (static table). Throws Error listing the valid names.
std::int64_t modelParameterCount(const std::string& name);

} // namespace repalign
