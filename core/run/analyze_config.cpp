#include "run/analyze_config.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "common/precision.h"
#include "models/registry.h"
#include "run/dataspec.h"
#include "run/yaml_util.h"

#include <algorithm>
#include <sstream>

namespace repalign {

using yamlutil::Ctx;

std::vector<std::string> aggregationNames()
{
    return {"mean", "max", "min", "median", "center", "flatten"};
}

void requireAggregation(const std::string& name)
{
    for (const auto& a : aggregationNames())
        if (a == name)
            return;
    throw Error("unknown aggregation '" + name + "' (valid: " + joinChoices(aggregationNames()) + ")");
}

IIDiagonal parseIIDiagonal(const std::string& text)
{
    if (text == "exclude")
        return IIDiagonal::Exclude;
    if (text == "include")
        return IIDiagonal::Include;
    throw Error("invalid ii_diagonal '" + text + "' (valid: include, exclude)");
}

const char* iiDiagonalName(IIDiagonal d)
{
    return d == IIDiagonal::Include ? "include" : "exclude";
}

namespace {

std::string stem(const std::string& out)
{
    std::string name = out.substr(out.find_last_of('/') == std::string::npos ? 0 : out.find_last_of('/') + 1);
    if (name.size() > 3 && name.compare(name.size() - 3, 3, ".h5") == 0)
        name.resize(name.size() - 3);
    return name;
}

} // namespace

std::vector<std::string> analyzeConfigKeys()
{
    return {"name", "checkpoint", "checkpoint_key", "model", "data", "split", "max_images", "layer", "aggregation", "k",
        "bottom_k", "lpips_weights", "lpips_resize", "ii_diagonal", "ii_on", "tuned_area", "device", "threads", "batch_size",
        "precision"};
}

void requireAnalyzeLayer(const std::string& layer, const std::string& model, const std::string& origin)
{
    const std::vector<std::string> taps = modelTaps(model);
    if (std::find(taps.begin(), taps.end(), layer) == taps.end())
        throw Error(
            origin + ": key 'layer' has invalid value '" + layer + "' for " + model + " (valid: " + joinChoices(taps) + ")");
}

void requireIIOn(const std::string& iiOn, const std::string& origin)
{
    if (iiOn != "dataset" && iiOn != "synth" && !(iiOn.rfind("synth:", 0) == 0 && iiOn.size() > 6))
        throw Error(origin + ": key 'ii_on' has invalid value '" + iiOn + "' (valid: dataset, synth, synth:FILE)");
}

AnalyzeOptions parseAnalyzeConfig(
    const std::string& text, const std::string& origin, const std::string& baseDir, const std::vector<std::string>& overrides)
{
    YAML::Node root = yamlutil::parse(text, origin);
    for (const auto& a : overrides)
        yamlutil::applyOverride(root, a, origin);
    if (root && !root.IsNull() && !root.IsMap())
        throw Error(origin + ": an analysis config is a mapping of keys (" + joinChoices(analyzeConfigKeys()) + ")");
    Ctx c {root, "", origin};
    c.allowOnly(analyzeConfigKeys());
    AnalyzeOptions o;

    const std::string name = c.str("name", "");
    if (!name.empty()) {
        if (name.find('/') != std::string::npos || name[0] == '.')
            throw Error(c.where("name") + " must be a file name (no '/', not starting with '.'), got '" + name + "'");
        o.out = name + ".h5";
    }
    o.iiOn = c.str("ii_on", o.iiOn);
    requireIIOn(o.iiOn, origin);
    if (o.iiOn.rfind("synth:", 0) == 0) {
        o.iiOn = "synth:" + yamlutil::resolvePath(o.iiOn.substr(6), baseDir);
        if (!fileExists(o.iiOn.substr(6)))
            throw Error(c.where("ii_on") + " names '" + o.iiOn.substr(6)
                + "', which does not exist (synth:FILE: a file with /synth, written by repalign-cli visualize)");
    }
    const bool onDataset = o.iiOn == "dataset"; // the synth modes read no checkpoint or data
    o.checkpoint = yamlutil::resolvePath(c.str("checkpoint", ""), baseDir);
    if (o.checkpoint.empty() && onDataset)
        throw Error(c.where("checkpoint") + " is required: the checkpoint to analyse (.pt / .pth)");
    o.checkpointKey = c.str("checkpoint_key", "");
    o.model = c.str("model", "");
    if (!o.model.empty() && !isModelName(o.model))
        throw Error(c.where("model") + " has invalid value '" + o.model + "' (valid: " + joinChoices(modelNames()) + ")");
    o.data = c.str("data", "");
    if (o.data.empty() && onDataset)
        throw Error(c.where("data") + " is required (cifar10:DIR, idx:DIR, folder:DIR or shapes:N[:SEED])");
    try {
        if (!o.data.empty())
            parseDataSpec(o.data);
    } catch (const Error& e) {
        throw Error(c.where("data") + " is invalid: " + e.what());
    }
    o.split = c.choice("split", o.split, {"test", "train", "val"});
    o.maxImages = c.integer("max_images", 0, 0, 1LL << 40);
    o.layer = c.str("layer", o.layer);
    if (o.layer.empty())
        throw Error(c.where("layer") + " must name one of the model's taps (e.g. layer4)");
    if (!o.model.empty())
        requireAnalyzeLayer(o.layer, o.model, origin);
    o.aggregation = c.choice("aggregation", o.aggregation, aggregationNames());
    o.k = static_cast<int>(c.integer("k", o.k, 2, 1000));
    o.bottomK = c.boolean("bottom_k", false);
    o.lpipsWeights = c.str("lpips_weights", "");
    if (!o.lpipsWeights.empty() && o.lpipsWeights.rfind("random:", 0) != 0) {
        std::string resolved;
        std::stringstream parts(o.lpipsWeights);
        for (std::string part; std::getline(parts, part, ',');) {
            part = yamlutil::resolvePath(part, baseDir);
            if (!fileExists(part) && !isDirectory(part))
                throw Error(c.where("lpips_weights") + " names '" + part
                    + "', which does not exist (FILE,FILE or a folder; leave empty to search, or random:SEED)");
            resolved += (resolved.empty() ? "" : ",") + part;
        }
        o.lpipsWeights = resolved;
    }
    o.lpipsResize = static_cast<int>(c.integer("lpips_resize", o.lpipsResize, 0, 4096));
    if (o.lpipsResize > 0 && o.lpipsResize < 31)
        throw Error(c.where("lpips_resize") + " = " + std::to_string(o.lpipsResize)
            + " is too small for LPIPS's AlexNet (valid: 0 = as is, or 31..4096)");
    o.iiDiagonal = parseIIDiagonal(c.choice("ii_diagonal", "exclude", {"exclude", "include"}));
    o.tunedArea = c.str("tuned_area", "");
    o.device = c.str("device", o.device);
    if (o.device != "cpu" && o.device != "cuda" && o.device.rfind("cuda:", 0) != 0)
        throw Error(c.where("device") + " has invalid value '" + o.device + "' (valid: cpu, cuda, cuda:N)");
    o.threads = static_cast<int>(c.integer("threads", 0, 0, 1024));
    o.batchSize = static_cast<int>(c.integer("batch_size", o.batchSize, 1, 65536));
    o.precision = c.str("precision", o.precision);
    checkPrecision(o.precision, o.device, c.where("precision"));
    return o;
}

AnalyzeOptions loadAnalyzeConfig(const std::string& path)
{
    if (!fileExists(path))
        throw Error("config file " + path + " does not exist");
    const auto slash = path.find_last_of('/');
    return parseAnalyzeConfig(readFileText(path), path, slash == std::string::npos ? std::string() : path.substr(0, slash));
}

std::string analyzeConfigToYaml(const AnalyzeOptions& o)
{
    std::ostringstream y;
    y << "# Analysis config (keys = repalign-cli analyze options)\n";
    if (!o.out.empty())
        y << "name: " << yamlutil::quote(stem(o.out)) << "\n";
    y << "checkpoint: " << yamlutil::quote(o.checkpoint) << "\n";
    if (!o.checkpointKey.empty())
        y << "checkpoint_key: " << yamlutil::quote(o.checkpointKey) << "\n";
    if (!o.model.empty())
        y << "model: " << o.model << "\n";
    y << "data: " << yamlutil::quote(o.data) << "\n";
    y << "split: " << o.split << "\n";
    y << "max_images: " << o.maxImages << "\n";
    y << "layer: " << yamlutil::quote(o.layer) << "\n";
    y << "aggregation: " << o.aggregation << "\n";
    y << "k: " << o.k << "\n";
    y << "bottom_k: " << (o.bottomK ? "true" : "false") << "\n";
    y << "lpips_weights: " << yamlutil::quote(o.lpipsWeights) << "\n";
    y << "lpips_resize: " << o.lpipsResize << "\n";
    y << "ii_diagonal: " << iiDiagonalName(o.iiDiagonal) << "\n";
    if (o.iiOn != "dataset")
        y << "ii_on: " << yamlutil::quote(o.iiOn) << "\n";
    if (!o.tunedArea.empty())
        y << "tuned_area: " << yamlutil::quote(o.tunedArea) << "\n";
    y << "device: " << o.device << "\n";
    y << "threads: " << o.threads << "\n";
    y << "batch_size: " << o.batchSize << "\n";
    if (o.precision != "fp32")
        y << "precision: " << o.precision << "\n";
    return y.str();
}

void writeAnalyzeConfig(const std::string& path, const AnalyzeOptions& options)
{
    writeFileAtomic(path, analyzeConfigToYaml(options));
}

} // namespace repalign
