// Precompiled header for repalign_core: the heavy third-party headers, parsed once.
#pragma once
#include <algorithm>
#include <map>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <torch/torch.h>
#include <vector>
#include <yaml-cpp/yaml.h>
