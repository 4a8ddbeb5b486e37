#pragma once
// A seeded random-init model saved as an ordinary checkpoint, for the tests that need a tuning
// base or a file to load (test_tune, test_nsd, test_distributed, test_inputs). Header-only: only
// tests that already include LibTorch pay for it.
#include "models/nets.h"
#include "run/checkpoint.h"

#include <torch/torch.h>

#include <functional>
#include <string>

namespace testutil {

/// Saves createModel(@p model) initialised from torch::manual_seed(@p seed) to @p path;
/// @p edit may change the state dict first (e.g. plant a NaN). Returns @p path.
inline std::string saveRandomInitCheckpoint(const std::string& path, const std::string& model = "resnet18_cifar10", int seed = 1,
    const std::function<void(repalign::Checkpoint&)>& edit = {})
{
    torch::manual_seed(seed);
    repalign::TapNet m = repalign::createModel(model);
    repalign::Checkpoint ck;
    ck.model = model;
    for (auto& [n, t] : m->stateDict())
        ck.stateDict[n] = t.clone();
    if (edit)
        edit(ck);
    repalign::saveCheckpoint(path, ck);
    return path;
}

} // namespace testutil
