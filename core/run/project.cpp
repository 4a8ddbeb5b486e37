#include "run/project.h"

#include "common/fsutil.h"
#include "run/config.h"
#include "run/dataspec.h"
#include "run/rundir.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace repalign {

namespace {

std::vector<fs::path> subFolders(const fs::path& dir)
{
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code e2;
        if (it->is_directory(e2) && it->path().filename().string()[0] != '.')
            out.push_back(it->path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

int rank(const std::string& file)
{
    static const char* order[] = {RunLayout::kBestAccCheckpoint, RunLayout::kBestLossCheckpoint, RunLayout::kLastCheckpoint};
    for (int i = 0; i < 3; ++i)
        if (file == order[i])
            return i;
    return 3;
}

std::vector<std::string> checkpointFiles(const std::string& runDir)
{
    std::vector<std::string> files;
    std::error_code ec;
    for (fs::directory_iterator it(fs::path(RunLayout(runDir).checkpoints()), ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const std::string ext = it->path().extension().string();
        std::error_code e2;
        if ((ext == ".pt" || ext == ".pth") && it->is_regular_file(e2))
            files.push_back(name);
    }
    std::sort(files.begin(), files.end(),
        [](const std::string& a, const std::string& b) { return rank(a) != rank(b) ? rank(a) < rank(b) : a < b; });
    return files;
}

} // namespace

bool isRunFolder(const std::string& dir)
{
    const RunLayout run(dir);
    return fileExists(run.config()) || fileExists(run.status()) || fileExists(run.metrics());
}

std::vector<std::string> listProjectRuns(const std::string& projectDir)
{
    std::vector<std::string> runs;
    for (const fs::path& d : subFolders(projectDir)) {
        if (isRunFolder(d.string())) {
            runs.push_back(d.string());
            continue;
        }
        for (const fs::path& sub : subFolders(d))
            if (isRunFolder(sub.string()))
                runs.push_back(sub.string());
    }
    return runs;
}

std::vector<ProjectCheckpoint> listProjectCheckpoints(const std::string& projectDir)
{
    std::vector<ProjectCheckpoint> out;
    const fs::path root(projectDir);
    for (const std::string& run : listProjectRuns(projectDir))
        for (const std::string& file : checkpointFiles(run))
            out.push_back({fs::path(run).lexically_relative(root).string(), run, file, RunLayout(run).checkpoint(file)});
    return out;
}

std::string preferredCheckpoint(const std::string& runDir)
{
    const std::vector<std::string> files = checkpointFiles(runDir);
    return files.empty() ? std::string() : RunLayout(runDir).checkpoint(files.front());
}

RunFacts readRunFacts(const std::string& runDir)
{
    RunFacts f;
    try {
        const YAML::Node root = YAML::LoadFile(RunLayout(runDir).config());
        if (root["run"] && root["run"]["kind"])
            f.kind = root["run"]["kind"].as<std::string>();
        if (root["model"] && root["model"].IsScalar())
            f.model = root["model"].as<std::string>();
        else if (root["base"] && root["base"]["model"] && root["base"]["model"].IsScalar())
            f.model = root["base"]["model"].as<std::string>();
        f.device = root["system"] && root["system"]["device"] ? root["system"]["device"].as<std::string>() : "cpu";
        if (root["optimization"] && root["optimization"]["batch_size"])
            f.batchSize = root["optimization"]["batch_size"].as<int>();
    } catch (const std::exception&) {
        return {};
    }
    return f;
}

double metricsImagesPerSecond(const std::string& runDir, int batchSize, double* lastWall)
{
    std::ifstream in(RunLayout(runDir).metrics());
    std::string line;
    MetricRow row;
    bool have = false;
    std::int64_t prevStep = 0;
    double prevWall = 0, steps = 0, seconds = 0;
    while (std::getline(in, line)) {
        if (!parseMetricLine(line, row) || row.split != "train" || row.name != "loss")
            continue;
        if (have && row.step > prevStep && row.wallTime > prevWall && row.wallTime - prevWall < 600) {
            steps += static_cast<double>(row.step - prevStep);
            seconds += row.wallTime - prevWall;
        }
        have = true;
        prevStep = row.step;
        prevWall = row.wallTime;
    }
    *lastWall = prevWall;
    return seconds > 0 && steps > 0 ? steps * batchSize / seconds : 0;
}

MeasuredSpeed measuredSpeedOfRuns(
    const std::vector<std::string>& runs, const std::string& kind, const std::string& device, const std::string& model)
{
    MeasuredSpeed best;
    double bestWall = -1;
    bool bestSameModel = false;
    for (const std::string& run : runs) {
        const RunFacts f = readRunFacts(run);
        if (f.kind != kind || f.batchSize <= 0 || f.device != device)
            continue;
        double lastWall = 0;
        const double speed = metricsImagesPerSecond(run, f.batchSize, &lastWall);
        if (speed <= 0)
            continue;
        const bool sameModel = f.model == model;
        // Same model beats other models; among equals the most recent run wins.
        if (bestWall >= 0 && (bestSameModel && !sameModel))
            continue;
        if (bestWall >= 0 && bestSameModel == sameModel && lastWall <= bestWall)
            continue;
        best = {speed, run, f.model, f.device};
        bestWall = lastWall;
        bestSameModel = sameModel;
    }
    return best;
}

MeasuredSpeed measuredTrainingSpeed(const std::string& projectDir, const std::string& device, const std::string& model)
{
    return measuredSpeedOfRuns(listProjectRuns(projectDir), "train", device, model);
}

namespace {

std::int64_t trainImageCount(const TrainConfig& c)
{
    TrainConfig resolved = c;
    try {
        resolveDataSpecs(resolved);
    } catch (const std::exception&) {
        return c.dataset == "mnist" || c.dataset == "fashion_mnist" ? 60000 : 50000;
    }
    DataSpec spec;
    try {
        spec = parseDataSpec(resolved.trainSpec);
    } catch (const std::exception&) {
        return 0;
    }
    if (spec.kind == "shapes")
        return spec.count;
    if (spec.kind == "idx")
        return 60000;
    std::int64_t n = 0;
    std::error_code ec;
    if (spec.kind == "cifar10") {
        // data_batch_N.bin: 3073 bytes per image (label + 32x32x3).
        for (fs::directory_iterator it(spec.path, ec), end; !ec && it != end; it.increment(ec)) {
            const std::string name = it->path().filename().string();
            std::error_code e2;
            if (name.rfind("data_batch_", 0) == 0 && it->path().extension() == ".bin")
                n += static_cast<std::int64_t>(it->file_size(e2) / 3073);
        }
        return n > 0 ? n : 50000;
    }
    for (fs::recursive_directory_iterator it(spec.path, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code e2;
        if (it->is_regular_file(e2))
            ++n;
    }
    return n;
}

} // namespace

DurationEstimate estimateTrainingDuration(const std::string& projectDir, const TrainConfig& config)
{
    DurationEstimate e;
    const std::int64_t count = trainImageCount(config);
    std::int64_t steps = (count + config.batchSize - 1) / std::max(1, config.batchSize);
    if (config.maxStepsPerEpoch > 0)
        steps = std::min<std::int64_t>(steps, config.maxStepsPerEpoch);
    e.imagesPerEpoch = std::min<std::int64_t>(count, steps * config.batchSize);
    e.images = e.imagesPerEpoch * config.epochs;
    e.speed = measuredTrainingSpeed(projectDir, config.device, config.model);
    if (e.speed.imagesPerSecond > 0)
        e.seconds = static_cast<double>(e.images) / e.speed.imagesPerSecond;
    return e;
}

namespace {
std::string validationDataFrom(const YAML::Node& root, int depth);

std::string validationDataOf(const std::string& checkpoint, const std::string& recordedConfig, int depth)
{
    if (depth > 4)
        return {};
    std::vector<std::string> texts;
    const std::string run = RunLayout::runOfCheckpoint(checkpoint);
    if (!run.empty()) {
        const std::string runYaml = RunLayout(run).config();
        if (fileExists(runYaml)) {
            try {
                texts.push_back(readFileText(runYaml));
            } catch (const std::exception&) {
            }
        }
    }
    texts.push_back(recordedConfig);
    for (const std::string& text : texts) {
        if (text.empty())
            continue;
        try {
            const std::string spec = validationDataFrom(YAML::Load(text), depth);
            if (!spec.empty())
                return spec;
        } catch (const std::exception&) {
        }
    }
    return {};
}

std::string validationDataFrom(const YAML::Node& root, int depth)
{
    if (!root.IsMap())
        return {};
    // A training run: the data it was validated on.
    if (root["data"] && root["data"].IsMap() && root["data"]["val"] && root["data"]["val"].IsScalar())
        if (const std::string v = root["data"]["val"].Scalar(); !v.empty())
            return v;
    // A tuned run: the accuracy data it was given, else what its own base was validated on.
    if (root["classification_val"] && root["classification_val"].IsScalar()) {
        const std::string v = root["classification_val"].Scalar();
        if (!v.empty() && v != "auto" && v != "none")
            return v;
    }
    if (root["base"] && root["base"].IsMap() && root["base"]["checkpoint"] && root["base"]["checkpoint"].IsScalar())
        return validationDataOf(root["base"]["checkpoint"].Scalar(), {}, depth + 1);
    return {};
}
} // namespace

std::string baseRunValidationData(const std::string& baseCheckpoint, const std::string& recordedConfig)
{
    return validationDataOf(baseCheckpoint, recordedConfig, 0);
}

std::string formatDuration(double seconds)
{
    char buf[64];
    if (!(seconds >= 0) || std::isinf(seconds))
        return "?";
    const long long s = std::llround(seconds);
    if (s < 60)
        std::snprintf(buf, sizeof buf, "%lld s", s);
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%lld min", (s + 30) / 60);
    else if (s < 48 * 3600)
        std::snprintf(buf, sizeof buf, "%lld h %02lld min", s / 3600, (s % 3600 + 30) / 60 == 60 ? 59 : (s % 3600 + 30) / 60);
    else
        std::snprintf(buf, sizeof buf, "%.1f days", seconds / 86400.0);
    return buf;
}

} // namespace repalign
