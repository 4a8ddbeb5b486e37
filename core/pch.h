// Precompiled header for repalign_core: the heavy third-party headers, parsed once.
#pragma once
#include <torch/torch.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <yaml-cpp/yaml.h>
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>
