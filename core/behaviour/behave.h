#pragma once
/// @file behave.h
/// The behaviour job (`repalign-cli behave`): a checkpoint evaluated on a data split, with
/// calibration, CIFAR-10H human agreement, CIFAR-10-C accuracy and PGD robustness, written as
/// /behaviour (behaviour_file.h) into a new file or an existing analysis .h5. Torch-free.
#include "behaviour/behaviour_file.h"
#include "common/progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign::behaviour {

/// One --pgd value: a norm and its eps list as given on the command line (linf in /255 units,
/// l2 in [0, 1] pixel units).
struct PgdRequest {
    std::string norm;
    std::vector<double> eps;
};

/// Parses "linf:1,2,4,8" or "l2:0.25,0.5,1"; one-line Error for an unknown norm (valid: linf,
/// l2), a missing or empty eps list, a value that is not a number, a negative or non-finite eps.
PgdRequest parsePgdRequest(const std::string& text);

struct BehaveOptions {
    std::string checkpoint, checkpointKey, model;
    std::string data; ///< data spec
    std::string split = "test";
    std::string out; ///< new .h5 or an existing one that gains /behaviour
    std::int64_t maxImages = -1; ///< the first N images of the split (-1 = all)
    std::string human; ///< cifar10h-probs.npy or cifar10h-counts.npy
    std::string humanRaw; ///< cifar10h-raw.csv (optional, needs human)
    std::string corruptions; ///< CIFAR-10-C folder
    std::vector<std::string> corruptionNames; ///< subset of the folder's (empty = all)
    std::string reference; ///< a behave .h5 of the reference model for CE / relative CE (optional)
    std::vector<PgdRequest> pgd;
    int pgdSteps = 10;
    double pgdStepFraction = 0.25; ///< step size = eps * fraction
    bool pgdRandomStart = false;
    std::int64_t pgdImages = 1000; ///< the first N evaluated images (-1 = all)
    std::uint64_t seed = 0; ///< random starts and bootstrap resamples
    int bins = 15;
    int bootstrap = 2000; ///< resamples of the human metrics' CIs
    int batchSize = 128;
    std::string device = "cpu";
    int threads = 0;
    std::string precision = "fp32"; ///< fp32 | bf16 | fp16 (CUDA): the model's forward passes under autocast
};

struct BehaveResult {
    BehaviourData data;
    bool appended = false; ///< /behaviour was added to an existing file
    double seconds = 0;
};

/// Runs the whole profile. Throws Error for bad options or input (before the long work where it
/// can be checked first) and Cancelled when @p cancel fires (no file written, an existing file
/// unchanged). With an empty @p o.out nothing is written (the demo prints the result).
BehaveResult runBehave(const BehaveOptions& o, ProgressSink& sink, const CancelToken& cancel);

} // namespace repalign::behaviour
