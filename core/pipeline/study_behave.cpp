// Studies, the behave stage: study.yaml's `behave:` block (the options of `repalign-cli behave`
// as keys) validated before anything runs, resolved into each behave condition's config, and
// turned back into the behave command line.
#include "behaviour/behave.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "pipeline/study_internal.h"
#include "run/dataspec.h"
#include "run/yaml_util.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <sstream>

namespace repalign::study_detail {

const std::vector<std::string>& behaveKeys()
{
    static const std::vector<std::string> keys {"checkpoint", "checkpoint_key", "model", "data", "split", "max_images", "human",
        "human_raw", "corruptions", "corruption_names", "reference", "pgd", "pgd_steps", "pgd_step_fraction", "pgd_random_start",
        "pgd_images", "bins", "bootstrap", "seed", "batch_size", "device", "threads"};
    return keys;
}

namespace {

std::string existingPath(const yamlutil::Ctx& c, const std::string& key, const std::string& baseDir, bool folder)
{
    const std::string given = c.str(key, "");
    if (given.empty())
        return {};
    const std::string path = yamlutil::resolvePath(given, baseDir);
    if (folder ? !isDirectory(path) : !fileExists(path))
        throw Error(c.where(key) + ": " + (folder ? "folder " : "file ") + path + " does not exist");
    return path;
}

} // namespace

std::string parseBehaveStage(const std::string& yamlText, const std::string& origin, const std::string& baseDir)
{
    YAML::Node root = yamlutil::parse(yamlText, origin);
    if (!root.IsMap())
        throw Error(origin + ": the behave block is a mapping of behave options (data, pgd, corruptions, human, ...)");
    yamlutil::Ctx c {root, "", origin};
    c.allowOnly(behaveKeys());
    const std::string checkpoint = yamlutil::resolvePath(c.str("checkpoint", ""), baseDir);
    const std::string data = c.str("data", "");
    if (data.empty())
        throw Error(c.where("data") + " is required (the images the behaviour is measured on: cifar10:DIR, shapes:N, ...)");
    try {
        parseDataSpec(data);
    } catch (const Error& e) {
        throw Error(c.where("data") + " is invalid: " + e.what());
    }
    const std::string split = c.choice("split", "test", {"train", "test", "val"});
    const long long maxImages = c.integer("max_images", -1, -1, 1LL << 40);
    if (maxImages == 0)
        throw Error(c.where("max_images") + " must be -1 (all) or a positive count");
    const std::string human = existingPath(c, "human", baseDir, false);
    const std::string humanRaw = existingPath(c, "human_raw", baseDir, false);
    if (!humanRaw.empty() && human.empty())
        throw Error(c.where("human_raw") + " needs key 'human' (cifar10h-probs.npy or cifar10h-counts.npy) as well");
    if (!human.empty() && parseSplit(split) != Split::Test)
        throw Error(c.where("human") + ": CIFAR-10H labels the CIFAR-10 test split only (split: test, got " + split + ")");
    const std::string corruptions = existingPath(c, "corruptions", baseDir, true);
    const std::vector<std::string> names = c.strList("corruption_names", {});
    if (!names.empty() && corruptions.empty())
        throw Error(c.where("corruption_names") + " needs key 'corruptions' (a CIFAR-10-C folder)");
    for (const auto& n : names)
        if (!fileExists(corruptions + "/" + n + ".npy"))
            throw Error(c.where("corruption_names") + ": " + corruptions + " has no " + n + ".npy");
    const std::string reference = existingPath(c, "reference", baseDir, false);
    std::vector<std::string> pgd;
    if (c.has("pgd"))
        pgd = root["pgd"].IsSequence() ? c.strList("pgd", {}) : std::vector<std::string> {c.str("pgd", "")};
    for (const auto& p : pgd) {
        try {
            behaviour::parsePgdRequest(p);
        } catch (const Error& e) {
            throw Error(c.where("pgd") + ": " + e.what());
        }
    }
    const long long pgdSteps = c.integer("pgd_steps", 10, 1, 100000);
    const double stepFraction = c.positive("pgd_step_fraction", 0.25);
    const bool randomStart = c.boolean("pgd_random_start", false);
    const long long pgdImages = c.integer("pgd_images", 1000, -1, 1LL << 40);
    if (pgdImages == 0)
        throw Error(c.where("pgd_images") + " must be -1 (all) or a positive count");
    const long long bins = c.integer("bins", 15, 1, 1000);
    const long long bootstrap = c.integer("bootstrap", 2000, 1, 10000000);
    const long long seed = c.integer("seed", 0, 0, (1LL << 62));
    const long long batch = c.integer("batch_size", 128, 1, 65536);
    const std::string device = c.str("device", "cpu");
    if (device != "cpu" && device != "cuda" && device.rfind("cuda:", 0) != 0)
        throw Error(c.where("device") + " has invalid value '" + device + "' (valid: cpu, cuda, cuda:N)");
    const long long threads = c.integer("threads", 0, 0, 4096);
    const std::string precision = c.choice("precision", "fp32", {"fp32", "bf16", "fp16"});

    std::ostringstream y;
    y << "checkpoint: " << yamlutil::quote(checkpoint) << "\n";
    y << "checkpoint_key: " << yamlutil::quote(c.str("checkpoint_key", "")) << "\n";
    y << "model: " << yamlutil::quote(c.str("model", "")) << "\n";
    y << "data: " << yamlutil::quote(data) << "\nsplit: " << split << "\nmax_images: " << maxImages << "\n";
    y << "human: " << yamlutil::quote(human) << "\nhuman_raw: " << yamlutil::quote(humanRaw) << "\n";
    y << "corruptions: " << yamlutil::quote(corruptions) << "\ncorruption_names: [";
    for (std::size_t i = 0; i < names.size(); ++i)
        y << (i ? ", " : "") << yamlutil::quote(names[i]);
    y << "]\nreference: " << yamlutil::quote(reference) << "\npgd: [";
    for (std::size_t i = 0; i < pgd.size(); ++i)
        y << (i ? ", " : "") << yamlutil::quote(pgd[i]);
    y << "]\npgd_steps: " << pgdSteps << "\npgd_step_fraction: " << stepFraction
      << "\npgd_random_start: " << (randomStart ? "true" : "false") << "\npgd_images: " << pgdImages << "\nbins: " << bins
      << "\nbootstrap: " << bootstrap << "\nseed: " << seed << "\nbatch_size: " << batch << "\ndevice: " << device
      << "\nthreads: " << threads << "\nprecision: " << precision << "\n";
    return y.str();
}

std::vector<std::string> behaveCommand(
    const std::string& configYaml, const std::string& origin, const std::string& exe, const std::string& out, int threads)
{
    YAML::Node n = yamlutil::parse(configYaml, origin);
    auto text = [&](const char* key) { return n[key] ? n[key].as<std::string>() : std::string(); };
    std::vector<std::string> argv {exe, "behave", "--checkpoint", text("checkpoint"), "--data", text("data"), "--split",
        text("split"), "--out", out, "--quiet"};
    auto option = [&](const char* key, const char* flag) {
        const std::string v = text(key);
        if (!v.empty())
            argv.insert(argv.end(), {flag, v});
    };
    option("checkpoint_key", "--checkpoint-key");
    option("model", "--model");
    option("max_images", "--max-images");
    option("human", "--human");
    option("human_raw", "--human-raw");
    option("corruptions", "--corruptions");
    option("reference", "--reference");
    std::string names;
    for (const auto& v : n["corruption_names"])
        names += (names.empty() ? "" : ",") + v.as<std::string>();
    if (!names.empty())
        argv.insert(argv.end(), {"--corruption-names", names});
    for (const auto& v : n["pgd"])
        argv.insert(argv.end(), {"--pgd", v.as<std::string>()});
    option("pgd_steps", "--pgd-steps");
    option("pgd_step_fraction", "--pgd-step-fraction");
    argv.insert(argv.end(), {"--pgd-random-start", n["pgd_random_start"] && n["pgd_random_start"].as<bool>() ? "on" : "off"});
    option("pgd_images", "--pgd-images");
    option("bins", "--bins");
    option("bootstrap", "--bootstrap");
    option("seed", "--seed");
    option("batch_size", "--batch-size");
    option("device", "--device");
    option("precision", "--precision");
    const std::string t = threads > 0 ? std::to_string(threads) : text("threads");
    if (!t.empty() && t != "0")
        argv.insert(argv.end(), {"--threads", t});
    return argv;
}

} // namespace repalign::study_detail
