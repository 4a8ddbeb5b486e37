#pragma once
/// @file demo.h
/// The built-in demo project: small real data, a baseline run, and (as those parts exist)
/// tuning on the virtual cortex, analysis of both models and their comparison. The CLI's
/// `demo` command and the GUI's "Run demo pipeline" button run the same steps.
#include "common/progress.h"

#include <string>
#include <vector>

namespace repalign {

struct DemoOptions {
    std::string projectDir; ///< runs go to projectDir/<name>
    int trainImages = 2500; ///< class-balanced subset of the source data
    int valImages = 500;
    int epochs = 2;
    int batchSize = 64;
    int threads = 0;
    std::uint64_t seed = 0;
    std::string source; ///< data spec to draw from; empty = Fashion-MNIST if installed, else shapes
    std::string brainImages; ///< images the virtual cortex responds to; empty = the demo's own training images
    int brainImageCount = 1200;
    int tuneEpochs = 3;
    int tuneBatchSize = 64;
    std::string lpipsWeights; ///< empty = the official files when found, else random:0 (uncalibrated)
    bool tune = true; ///< run the tuning, analysis and comparison steps
    /// The behavioural profile of both models (behave) after the analyses: a small CIFAR-10-C of
    /// the demo's own test images (two corruptions, five severities), PGD and calibration.
    bool behave = true;
    int behaveImages = 200; ///< test images evaluated (and corrupted)
    int behavePgdImages = 40; ///< PGD on the first of them
};

struct DemoResult {
    std::string dataDir; ///< the prepared CIFAR-10-format data
    std::string baselineRun;
    std::string bundle; ///< virtual-cortex bundle
    std::string tunedRun;
    std::string baselineAnalysis, tunedAnalysis;
    std::string comparison; ///< the compare table (text)
    std::string baselineBehaviour, tunedBehaviour; ///< behave files (/behaviour)
    std::string behaviourComparison; ///< compare --metric behaviour (text)
    JobStatus status = JobStatus::Failed;
    std::vector<std::string> summary; ///< human-readable lines (accuracy, ...)
};

/// The data the demo draws from: Fashion-MNIST from /usr/share/datasets/fashion-mnist when
/// installed, else the procedural shapes set.
std::string demoSourceSpec();

/// Writes class-balanced subsets of @p sourceSpec as CIFAR-10 binary batches
/// (data_batch_1.bin, test_batch.bin, batches.meta.txt) into @p dir.
void writeCifarSubset(const std::string& sourceSpec, const std::string& dir, int trainImages, int valImages, std::uint64_t seed);

/// The demo's baseline config (resnet18_cifar10, the reference recipe scaled down) as YAML.
std::string demoBaselineYaml(const DemoOptions& options, const std::string& dataDir);

/// Runs the whole demo pipeline.
DemoResult runDemo(const DemoOptions& options, ProgressSink& sink, const CancelToken& cancel);

} // namespace repalign
