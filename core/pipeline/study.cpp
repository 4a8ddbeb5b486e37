#include "pipeline/study.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "data/nsd_bundle.h"
#include "interpret/analysis.h"
#include "interpret/stats.h"
#include "io/h5.h"
#include "models/registry.h"
#include "run/analyze_config.h"
#include "run/config.h"
#include "run/dataspec.h"
#include "run/project.h"
#include "run/rundir.h"
#include "run/tune_config.h"
#include "run/yaml_util.h"
#include "train/distributed.h"

#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace repalign {

namespace {

std::string fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* format, ...)
{
    va_list a;
    va_start(a, format);
    char buf[512];
    const int n = std::vsnprintf(buf, sizeof buf, format, a);
    va_end(a);
    return n < 0 ? std::string() : std::string(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

const std::vector<std::string> kStages {"train", "tune", "analyze"};

std::string flowText(const YAML::Node& n)
{
    if (n.IsScalar())
        return n.Scalar();
    YAML::Emitter e;
    e.SetMapFormat(YAML::Flow);
    e.SetSeqFormat(YAML::Flow);
    e << n;
    return e.c_str();
}

std::string sanitize(const std::string& s)
{
    std::string out;
    for (char c : s) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
            || c == '+' || c == '-';
        out += ok ? c : '_';
    }
    return out.empty() ? std::string("_") : out;
}

std::string lastComponent(const std::string& key)
{
    const auto dot = key.rfind('.');
    return dot == std::string::npos ? key : key.substr(dot + 1);
}

bool isNumberText(const std::string& s)
{
    if (s.empty())
        return false;
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    return end && *end == '\0';
}

/// The name fragment of one value ("alpha0.5", "V1+V4", "layer4", "s1").
std::string valueLabel(const std::string& key, const YAML::Node& v, bool prefixStrings)
{
    if (key == "seed" || lastComponent(key) == "seed")
        return "s" + sanitize(flowText(v));
    if (v.IsSequence()) {
        std::string s;
        for (const auto& e : v)
            s += (s.empty() ? "" : "+") + flowText(e);
        return sanitize((prefixStrings ? lastComponent(key) + "_" : std::string()) + s);
    }
    const std::string text = flowText(v);
    if (v.IsScalar()) {
        const bool isBool = text == "true" || text == "false" || text == "True" || text == "False";
        if (isNumberText(text) || isBool)
            return sanitize(lastComponent(key) + text);
        return sanitize((prefixStrings ? lastComponent(key) + "_" : std::string()) + text);
    }
    return sanitize(lastComponent(key) + "_" + text);
}

/// Sets @p path (dotted) inside @p root to @p value, creating maps on the way.
void setPath(YAML::Node root, const std::string& path, const YAML::Node& value)
{
    std::vector<std::string> parts;
    std::stringstream ss(path);
    for (std::string p; std::getline(ss, p, '.');)
        parts.push_back(p);
    // yaml-cpp nodes are references: walk with fresh handles so no assignment rebinds a parent.
    std::vector<YAML::Node> chain {root};
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        YAML::Node cur = chain.back();
        YAML::Node next = cur[parts[i]];
        if (!next.IsMap()) {
            cur[parts[i]] = YAML::Node(YAML::NodeType::Map);
            next = cur[parts[i]];
        }
        chain.push_back(next);
    }
    chain.back()[parts.back()] = YAML::Clone(value);
}

std::string emitYaml(const YAML::Node& n)
{
    YAML::Emitter e;
    e << n;
    return std::string(e.c_str()) + "\n";
}

std::string absolutePath(const std::string& p)
{
    if (p.empty())
        return fs::current_path().string();
    std::error_code ec;
    fs::path a = fs::absolute(p, ec);
    return (ec ? fs::path(p) : a).lexically_normal().string();
}

std::string trimSlash(std::string s)
{
    while (s.size() > 1 && s.back() == '/')
        s.pop_back();
    return s;
}

struct StageBases {
    YAML::Node train, tune, analyze;
    bool hasTune = false;
};

/// A full grid point: one value index per axis.
using Point = std::vector<std::size_t>;

std::vector<Point> expandGrid(const std::vector<StudyAxis>& axes, std::size_t zipCount)
{
    // Dimensions: each crossed axis, and each zip group once (at its first axis).
    struct Dim {
        std::vector<std::size_t> axes;
        std::size_t size = 0;
    };
    std::vector<Dim> dims;
    std::vector<int> zipDim(zipCount, -1);
    for (std::size_t a = 0; a < axes.size(); ++a) {
        const int z = axes[a].zipGroup;
        if (z >= 0 && zipDim[static_cast<std::size_t>(z)] >= 0) {
            dims[static_cast<std::size_t>(zipDim[static_cast<std::size_t>(z)])].axes.push_back(a);
            continue;
        }
        if (z >= 0)
            zipDim[static_cast<std::size_t>(z)] = static_cast<int>(dims.size());
        dims.push_back({{a}, axes[a].values.size()});
    }
    std::vector<Point> points;
    std::vector<std::size_t> idx(dims.size(), 0);
    while (true) {
        Point p(axes.size(), 0);
        for (std::size_t d = 0; d < dims.size(); ++d)
            for (std::size_t a : dims[d].axes)
                p[a] = idx[d];
        points.push_back(p);
        // Odometer: the last dimension varies fastest.
        std::size_t d = dims.size();
        while (d > 0) {
            --d;
            if (++idx[d] < dims[d].size)
                break;
            idx[d] = 0;
            if (d == 0)
                return points;
        }
        if (dims.empty())
            return points;
    }
}

bool axisApplies(const StudyAxis& axis, const std::string& stage)
{
    const auto st = axis.stages();
    return std::find(st.begin(), st.end(), stage) != st.end();
}

/// Applies @p axis's value @p v to the stage node.
void applyAxis(YAML::Node node, const StudyAxis& axis, const std::string& stage, const YAML::Node& v)
{
    if (axis.key == "seed")
        setPath(node, "seed", v);
    else
        setPath(node, axis.key.substr(stage.size() + 1), v);
}

struct Parsed {
    std::string config; ///< resolved YAML
    std::string model; ///< train: the architecture
    std::string tap; ///< tune
    std::string layer; ///< analyze
    std::string checkpointsTrainBest;
};

/// Parses a stage node; returns the resolved YAML text. Throws the parser's Error.
std::string parseStage(const std::string& stage, const YAML::Node& node, const std::string& origin, const std::string& baseDir,
    const std::string& model, std::string* archOut = nullptr)
{
    const std::string text = emitYaml(node);
    if (stage == "train") {
        TrainConfig c = parseTrainConfig(text, origin);
        if (archOut)
            *archOut = c.model;
        return trainConfigToYaml(c);
    }
    if (stage == "tune") {
        TuneConfig c = parseTuneConfig(text, origin, {}, baseDir);
        if (!model.empty()) {
            const auto taps = modelTaps(model);
            if (std::find(taps.begin(), taps.end(), c.tap) == taps.end())
                throw Error(origin + ": key 'tap' has invalid value '" + c.tap + "' for " + model
                    + " (valid: " + joinChoices(taps) + ")");
        }
        return tuneConfigToYaml(c);
    }
    AnalyzeOptions o = parseAnalyzeConfig(text, origin, baseDir);
    if (!model.empty())
        requireAnalyzeLayer(o.layer, model, origin);
    return analyzeConfigToYaml(o);
}

std::string axesText(const std::vector<std::pair<std::string, std::string>>& axes)
{
    std::string s;
    for (const auto& [k, v] : axes)
        s += (s.empty() ? "" : ", ") + k + "=" + v;
    return s.empty() ? std::string("(no axes)") : s;
}

} // namespace

std::vector<std::string> StudyAxis::stages() const
{
    if (key == "seed")
        return {"train", "tune"};
    for (const auto& s : kStages)
        if (key.rfind(s + ".", 0) == 0)
            return {s};
    return {};
}

std::string StudyRun::axisValue(const std::string& key) const
{
    for (const auto& [k, v] : axes)
        if (k == key)
            return v;
    return {};
}

const StudyRun* StudyPlan::find(const std::string& name) const
{
    for (const auto& r : runs)
        if (r.name == name)
            return &r;
    return nullptr;
}

std::vector<const StudyRun*> StudyPlan::stage(const std::string& s) const
{
    std::vector<const StudyRun*> out;
    for (const auto& r : runs)
        if (r.stage == s)
            out.push_back(&r);
    return out;
}

std::string StudyPlan::runDir(const std::string& name) const
{
    return studyDir + "/runs/" + name;
}
std::string StudyPlan::configPath(const std::string& name) const
{
    return studyDir + "/configs/" + name + ".yaml";
}
std::string StudyPlan::logPath(const std::string& name) const
{
    return studyDir + "/logs/" + name + ".out";
}
std::string StudyPlan::analysisPath(const std::string& name) const
{
    return runDir(name) + "/analysis.h5";
}

std::vector<std::string> studyAxisExamples()
{
    return {"seed", "train.model", "train.optimization.epochs", "train.optimization.optimizer_params.lr", "tune.alpha",
        "tune.rois", "tune.tap", "tune.readout.pooling", "tune.optimization.epochs", "analyze.layer", "analyze.aggregation",
        "analyze.k"};
}

std::vector<StudyGridEntry> studyGridOf(const std::string& yamlText, std::vector<std::vector<std::string>>* zips)
{
    std::vector<StudyGridEntry> out;
    YAML::Node root = yamlutil::parse(yamlText, "study");
    if (!root.IsMap())
        return out;
    if (root["grid"] && root["grid"].IsMap())
        for (const auto& kv : root["grid"])
            out.push_back({kv.first.as<std::string>(), flowText(kv.second)});
    if (zips) {
        zips->clear();
        if (root["zip"] && root["zip"].IsSequence())
            for (const auto& g : root["zip"]) {
                std::vector<std::string> keys;
                if (g.IsSequence())
                    for (const auto& k : g)
                        keys.push_back(flowText(k));
                zips->push_back(keys);
            }
    }
    return out;
}

std::string studyWithGrid(
    const std::string& yamlText, const std::vector<StudyGridEntry>& grid, const std::vector<std::vector<std::string>>& zips)
{
    // Drop the top-level grid: and zip: blocks (their key line and the indented or blank lines
    // and comments that follow, up to the next top-level key).
    std::istringstream in(yamlText);
    std::ostringstream kept;
    bool skipping = false;
    for (std::string line; std::getline(in, line);) {
        const bool topLevel = !line.empty() && line[0] != ' ' && line[0] != '\t' && line[0] != '#';
        if (topLevel)
            skipping = line.rfind("grid:", 0) == 0 || line.rfind("zip:", 0) == 0;
        if (!skipping)
            kept << line << "\n";
    }
    std::string out = kept.str();
    while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n')
        out.pop_back();
    if (!out.empty() && out.back() != '\n')
        out += "\n";
    if (!grid.empty()) {
        out += "grid:\n";
        for (const auto& g : grid)
            out += "  " + g.key + ": " + g.values + "\n";
    }
    if (!zips.empty()) {
        out += "zip:\n";
        for (const auto& z : zips) {
            std::string line;
            for (const auto& k : z)
                line += (line.empty() ? "" : ", ") + k;
            out += "  - [" + line + "]\n";
        }
    }
    return out;
}

StudyPlan parseStudy(
    const std::string& yamlText, const std::string& origin, const std::string& studyDir, const std::string& baseDirIn)
{
    using yamlutil::Ctx;
    StudyPlan plan;
    plan.origin = origin;
    plan.sourceText = yamlText;
    plan.studyDir = trimSlash(absolutePath(studyDir));
    const std::string baseDir = absolutePath(baseDirIn.empty() ? fs::path(origin).parent_path().string() : baseDirIn);
    plan.baseDir = baseDir;

    YAML::Node root = yamlutil::parse(yamlText, origin);
    if (!root.IsMap())
        throw Error(origin + ": a study is a mapping with train, tune, analyze and grid keys");
    Ctx c {root, "", origin};
    c.allowOnly({"name", "train", "tune", "analyze", "grid", "zip", "compare", "checkpoints"});
    plan.name = c.str("name", fs::path(plan.studyDir).filename().string());
    Ctx cmp = c.child("compare");
    cmp.allowOnly({"metric"});
    plan.metric = cmp.choice("metric", "lpips", {"lpips", "color", "label"});
    Ctx ck = c.child("checkpoints");
    ck.allowOnly({"train", "tune"});
    const std::string trainCkpt = ck.choice("train", "best_acc.pt", {"best_acc.pt", "best_loss.pt", "last.pt"});
    const std::string tuneCkpt = ck.choice("tune", "best_r.pt", {"best_r.pt", "best_acc.pt", "best_loss.pt", "last.pt"});

    StageBases bases;
    for (const auto& s : {"train", "analyze"})
        if (!c.has(s))
            throw Error(origin + ": key '" + s + "' is required (the base "
                + (std::string(s) == "train" ? "training" : "analysis") + " config of the study)");
    auto block = [&](const std::string& s) {
        YAML::Node n = root[s];
        if (!n.IsMap())
            throw Error(c.where(s) + " must be a mapping (a " + s + " config)");
        return YAML::Clone(n);
    };
    bases.train = block("train");
    bases.analyze = block("analyze");
    bases.hasTune = c.has("tune");
    if (bases.hasTune)
        bases.tune = block("tune");

    // ---- axes
    if (c.has("grid")) {
        YAML::Node g = root["grid"];
        if (!g.IsMap())
            throw Error(c.where("grid") + " must be a mapping of key paths to value lists (e.g. tune.alpha: [0, 0.5, 1])");
        std::vector<std::string> keys;
        for (const auto& kv : g)
            keys.push_back(kv.first.as<std::string>());
        // Strings that appear as values of several axes get their key as a prefix.
        std::map<std::string, std::set<std::string>> owners;
        for (const auto& key : keys) {
            YAML::Node vals = g[key];
            if (vals.IsSequence())
                for (const auto& v : vals)
                    owners[flowText(v)].insert(key);
        }
        for (const auto& key : keys) {
            StudyAxis axis;
            axis.key = key;
            if (axis.stages().empty())
                throw Error(origin + ": axis '" + key
                    + "' is not a key path (valid: seed, or train.KEY, tune.KEY, analyze.KEY; e.g. "
                    + joinChoices(studyAxisExamples()) + ")");
            if (axis.key != "seed" && axis.stages().front() == "tune" && !bases.hasTune)
                throw Error(origin + ": axis '" + key + "' varies the tuning, but the study has no 'tune' block");
            YAML::Node vals = g[key];
            if (!vals.IsSequence())
                throw Error(origin + ": axis '" + key + "' must be a list of values (e.g. [0, 0.5, 1])");
            if (vals.size() == 0)
                throw Error(origin + ": axis '" + key + "' is empty; give at least one value");
            bool prefix = false;
            for (const auto& v : vals)
                prefix = prefix || owners[flowText(v)].size() > 1;
            for (const auto& v : vals) {
                const std::string text = flowText(v);
                if (std::find(axis.values.begin(), axis.values.end(), text) != axis.values.end())
                    throw Error(origin + ": axis '" + key + "' lists the value " + text + " twice");
                axis.values.push_back(text);
                axis.labels.push_back(valueLabel(key, v, prefix));
            }
            plan.axes.push_back(axis);
        }
    }
    auto axisIndex = [&](const std::string& key) {
        for (std::size_t i = 0; i < plan.axes.size(); ++i)
            if (plan.axes[i].key == key)
                return static_cast<int>(i);
        return -1;
    };
    if (c.has("zip")) {
        YAML::Node z = root["zip"];
        if (!z.IsSequence())
            throw Error(c.where("zip") + " must be a list of axis lists (e.g. [[tune.tap, analyze.layer]])");
        for (const auto& group : z) {
            if (!group.IsSequence() || group.size() < 2)
                throw Error(c.where("zip") + ": each entry lists two or more axes of the grid (e.g. [tune.tap, analyze.layer])");
            std::vector<std::string> keys;
            std::size_t size = 0;
            for (const auto& k : group) {
                const std::string key = flowText(k);
                const int i = axisIndex(key);
                if (i < 0)
                    throw Error(origin + ": zip names axis '" + key + "', which is not in the grid");
                StudyAxis& axis = plan.axes[static_cast<std::size_t>(i)];
                if (axis.zipGroup >= 0)
                    throw Error(origin + ": axis '" + key + "' is in two zip groups");
                if (!keys.empty() && axis.values.size() != size)
                    throw Error(origin + ": zipped axes '" + keys.front() + "' (" + std::to_string(size) + " values) and '" + key
                        + "' (" + std::to_string(axis.values.size()) + " values) must have the same length");
                size = axis.values.size();
                axis.zipGroup = static_cast<int>(plan.zips.size());
                keys.push_back(key);
            }
            plan.zips.push_back(keys);
        }
    }

    // ---- validate each axis value on its own, naming the axis and the value
    std::string baseModel;
    parseStage("train", bases.train, origin + " (train)", baseDir, "", &baseModel);
    const bool modelAxis = axisIndex("train.model") >= 0;
    for (const auto& axis : plan.axes) {
        YAML::Node vals = root["grid"][axis.key];
        std::size_t i = 0;
        for (const auto& v : vals) {
            const std::string& text = axis.values[i++];
            for (const auto& stage : axis.stages()) {
                if (stage == "tune" && !bases.hasTune)
                    continue;
                YAML::Node n = YAML::Clone(stage == "train" ? bases.train : stage == "tune" ? bases.tune : bases.analyze);
                applyAxis(n, axis, stage, v);
                if (stage == "tune")
                    setPath(n, "base.checkpoint", YAML::Node(plan.studyDir + "/runs/_/checkpoints/" + trainCkpt));
                if (stage == "analyze")
                    setPath(n, "checkpoint", YAML::Node(plan.studyDir + "/runs/_/checkpoints/" + trainCkpt));
                try {
                    // Taps and layers are checked against the model the value meets: the
                    // value itself on the train.model axis, the base model without one.
                    const std::string model = axis.key == "train.model" ? text : modelAxis ? std::string() : baseModel;
                    parseStage(stage, n, stage, baseDir, model);
                } catch (const Error& e) {
                    throw Error(origin + ": axis '" + axis.key + "' value " + text + " is rejected: " + e.what());
                }
            }
        }
    }

    // ---- expand
    const std::vector<Point> points = expandGrid(plan.axes, plan.zips.size());
    auto axesFor = [&](const Point& p, const std::function<bool(const StudyAxis&)>& pick) {
        std::vector<std::pair<std::string, std::string>> out;
        for (std::size_t a = 0; a < plan.axes.size(); ++a)
            if (pick(plan.axes[a]))
                out.emplace_back(plan.axes[a].key, plan.axes[a].values[p[a]]);
        return out;
    };
    auto labelFor = [&](const Point& p, const std::function<bool(const StudyAxis&)>& pick) {
        std::string s;
        for (std::size_t a = 0; a < plan.axes.size(); ++a)
            if (pick(plan.axes[a]))
                s += "-" + plan.axes[a].labels[p[a]];
        return s;
    };
    auto stageNode = [&](const std::string& stage, const Point& p) {
        YAML::Node n = YAML::Clone(stage == "train" ? bases.train : stage == "tune" ? bases.tune : bases.analyze);
        for (std::size_t a = 0; a < plan.axes.size(); ++a)
            if (axisApplies(plan.axes[a], stage))
                applyAxis(n, plan.axes[a], stage, root["grid"][plan.axes[a].key][p[a]]);
        return n;
    };
    auto isTrain = [](const StudyAxis& a) { return axisApplies(a, "train"); };
    auto isTune = [](const StudyAxis& a) { return axisApplies(a, "train") || axisApplies(a, "tune"); };
    auto isAnalyze = [](const StudyAxis& a) { return axisApplies(a, "analyze"); };

    std::vector<StudyRun> trains, tunes, analyses;
    std::map<std::string, std::string> modelOf; // train run -> architecture
    auto validateRun = [&](const StudyRun& r, const std::string& stage, YAML::Node n, const std::string& model) {
        try {
            return parseStage(stage, n, origin + " (" + r.name + ")", baseDir, model);
        } catch (const Error& e) {
            throw Error(origin + ": condition " + r.name + " (" + axesText(r.axes) + ") is rejected: " + e.what());
        }
    };
    auto addUnique = [](std::vector<StudyRun>& list, StudyRun r) -> StudyRun* {
        for (auto& x : list)
            if (x.name == r.name)
                return nullptr;
        list.push_back(std::move(r));
        return &list.back();
    };
    for (const Point& p : points) {
        // baseline
        StudyRun t;
        t.stage = "train";
        t.name = "train" + labelFor(p, isTrain);
        t.axes = axesFor(p, isTrain);
        t.baseline = t.name;
        std::string arch;
        if (StudyRun* added = addUnique(trains, t)) {
            added->config = parseStage("train", stageNode("train", p), origin + " (" + t.name + ")", baseDir, "", &arch);
            modelOf[t.name] = arch;
        }
        const std::string model = modelOf[t.name];
        // tuning
        std::string tunedName;
        if (bases.hasTune) {
            StudyRun u;
            u.stage = "tune";
            u.name = "tune" + labelFor(p, isTune);
            u.axes = axesFor(p, isTune);
            u.model = t.name;
            u.baseline = t.name;
            u.dependsOn = {t.name};
            tunedName = u.name;
            if (StudyRun* added = addUnique(tunes, u)) {
                YAML::Node n = stageNode("tune", p);
                setPath(n, "base.checkpoint", YAML::Node(plan.runDir(t.name) + "/checkpoints/" + trainCkpt));
                setPath(n, "base.model", YAML::Node(model));
                added->config = validateRun(*added, "tune", n, model);
            }
        }
        // analyses: the baseline, then the tuned model
        auto addAnalysis = [&](const std::string& of, const std::vector<std::pair<std::string, std::string>>& ofAxes,
                               const std::string& ckpt, const std::string& baselineAnalysis) {
            StudyRun a;
            a.stage = "analyze";
            a.name = "analyze-" + of + labelFor(p, isAnalyze);
            a.axes = ofAxes;
            for (const auto& kv : axesFor(p, isAnalyze))
                a.axes.push_back(kv);
            a.model = of;
            a.baseline = t.name;
            a.baselineAnalysis = baselineAnalysis;
            a.dependsOn = {of};
            if (StudyRun* added = addUnique(analyses, a)) {
                YAML::Node n = stageNode("analyze", p);
                setPath(n, "checkpoint", YAML::Node(plan.runDir(of) + "/checkpoints/" + ckpt));
                setPath(n, "model", YAML::Node(model));
                setPath(n, "name", YAML::Node("analysis"));
                added->config = validateRun(*added, "analyze", n, model);
            }
            return a.name;
        };
        const std::string baseAnalysis = addAnalysis(t.name, t.axes, trainCkpt, "");
        if (!tunedName.empty())
            addAnalysis(tunedName, axesFor(p, isTune), tuneCkpt, baseAnalysis);
    }
    for (auto* list : {&trains, &tunes, &analyses})
        for (auto& r : *list)
            plan.runs.push_back(std::move(r));
    std::set<std::string> names;
    for (const auto& r : plan.runs)
        if (!names.insert(r.name).second)
            throw Error(origin + ": two conditions are both named " + r.name
                + " (axis values that differ only in characters outside A-Z a-z 0-9 . _ + -); make the values distinct");
    return plan;
}

StudyPlan loadStudy(const std::string& path, const std::string& studyDir)
{
    if (!fileExists(path))
        throw Error("study file " + path + " does not exist");
    return parseStudy(readFileText(path), path, studyDir);
}

// ---- the study folder ------------------------------------------------------------------

void writeStudyFolder(const StudyPlan& plan)
{
    makeDirs(plan.studyDir + "/configs");
    makeDirs(plan.studyDir + "/runs");
    makeDirs(plan.studyDir + "/logs");
    writeFileAtomic(plan.studyDir + "/study.yaml", plan.sourceText);
    std::ostringstream o;
    o << "#study\t" << plan.name << "\n#origin\t" << plan.origin << "\n#base_dir\t" << plan.baseDir << "\n";
    o << "name\tstage\tdepends_on\tmodel\tbaseline\tbaseline_analysis";
    for (const auto& a : plan.axes)
        o << "\t" << a.key;
    o << "\n";
    for (const auto& r : plan.runs) {
        std::string deps;
        for (const auto& d : r.dependsOn)
            deps += (deps.empty() ? "" : ",") + d;
        o << r.name << "\t" << r.stage << "\t" << deps << "\t" << r.model << "\t" << r.baseline << "\t" << r.baselineAnalysis;
        for (const auto& a : plan.axes)
            o << "\t" << r.axisValue(a.key);
        o << "\n";
        writeFileAtomic(plan.configPath(r.name), r.config);
    }
    writeFileAtomic(plan.studyDir + "/plan.tsv", o.str());
}

StudyPlan readStudyFolder(const std::string& studyDirIn)
{
    const std::string dir = trimSlash(absolutePath(studyDirIn));
    const std::string planFile = dir + "/plan.tsv";
    if (!fileExists(planFile) || !fileExists(dir + "/study.yaml"))
        throw Error(dir + " is not a study folder (no plan.tsv / study.yaml; create it with study run, or study export-slurm)");
    std::string origin = dir + "/study.yaml", baseDir = dir;
    std::istringstream in(readFileText(planFile));
    for (std::string line; std::getline(in, line) && !line.empty() && line[0] == '#';) {
        const auto tab = line.find('\t');
        if (tab == std::string::npos)
            continue;
        const std::string key = line.substr(1, tab - 1), value = line.substr(tab + 1);
        if (key == "base_dir")
            baseDir = value;
        else if (key == "origin")
            origin = value;
    }
    StudyPlan plan = parseStudy(readFileText(dir + "/study.yaml"), origin, dir, baseDir);
    return plan;
}

namespace {

std::string durationText(double s)
{
    return formatDuration(s);
}

struct StageSpeed {
    double imagesPerSecond = 0; ///< 0: nothing measured
    std::string run, model;
    std::int64_t images = 0; ///< analyses: the images the measured analysis read
    std::string data; ///< analyses: its data spec and split ("spec|split")
};

/// Where earlier runs are looked for: the study's own runs, then the project around it (the
/// study folder's parent and the study file's folder, each as a project: runs one or two
/// folders deep).
std::vector<std::string> measuredRunFolders(const StudyPlan& plan)
{
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const std::string& root : {plan.studyDir + "/runs", fs::path(plan.studyDir).parent_path().string(), plan.baseDir}) {
        if (root.empty() || !isDirectory(root))
            continue;
        for (const std::string& run : listProjectRuns(root))
            if (seen.insert(fs::weakly_canonical(run).string()).second)
                out.push_back(run);
    }
    return out;
}

/// The measurement to trust of @p kind (train | tune) on @p device (run/project's rule).
StageSpeed measuredSpeed(
    const std::vector<std::string>& runs, const std::string& kind, const std::string& device, const std::string& model)
{
    const MeasuredSpeed m = measuredSpeedOfRuns(runs, kind, device, model);
    return {m.imagesPerSecond, m.run, m.model, 0, {}};
}

/// Finished analyses the study runner timed (status.json "analysed in S s" next to
/// analysis.h5): images read per second.
std::vector<StageSpeed> measuredAnalyses(const std::vector<std::string>& runs)
{
    std::vector<StageSpeed> out;
    for (const std::string& run : runs) {
        const std::string file = run + "/analysis.h5";
        if (!fileExists(file))
            continue;
        const RunStatus st = readRunStatus(run);
        double seconds = 0;
        if (st.state != "finished" || std::sscanf(st.message.c_str(), "analysed in %lf s", &seconds) != 1 || seconds <= 0)
            continue;
        try {
            const AnalysisFile f(file);
            if (f.images <= 0)
                continue;
            out.push_back({static_cast<double>(f.images) / seconds, run, f.model, f.images, f.data + "|" + f.split});
        } catch (const std::exception&) {
        }
    }
    return out;
}

/// Images one analysis reads: shapes:N's N (or max_images), else what a measured analysis of
/// the same data read; -1 when unknown.
std::int64_t analysisImages(const AnalyzeOptions& a, const std::vector<StageSpeed>& measured)
{
    std::int64_t n = -1;
    try {
        const DataSpec spec = parseDataSpec(a.data);
        if (spec.kind == "shapes")
            n = spec.count;
    } catch (const std::exception&) {
    }
    if (n < 0)
        for (const auto& m : measured)
            if (m.data == a.data + "|" + a.split)
                n = m.images;
    if (a.maxImages > 0)
        n = n < 0 ? a.maxImages : std::min(n, a.maxImages);
    return n;
}

} // namespace

std::string formatStudyPlan(const StudyPlan& plan)
{
    std::ostringstream o;
    o << "study " << plan.name << " (" << plan.origin << ") -> " << plan.studyDir << "\n";
    if (plan.axes.empty())
        o << "no grid: one condition\n";
    for (const auto& a : plan.axes) {
        o << "  axis " << a.key << ": ";
        for (std::size_t i = 0; i < a.values.size(); ++i)
            o << (i ? ", " : "") << a.values[i];
        if (a.zipGroup >= 0)
            o << "  (zipped with " << joinChoices(plan.zips[static_cast<std::size_t>(a.zipGroup)]) << ")";
        o << "\n";
    }
    const std::vector<std::string> earlier = measuredRunFolders(plan);
    std::vector<StageSpeed> analyses;
    bool analysesRead = false;
    std::map<std::string, std::int64_t> bundleTrain; // bundle -> training images
    struct StageTotal {
        double seconds = 0;
        int estimated = 0;
        std::set<std::string> from; ///< "model: X images/s (RUN)"
    };
    std::map<std::string, StageTotal> totals;
    // Seconds for one run, or -1 (no measurement, or a size that cannot be known yet).
    auto estimate = [&](const StudyRun& r, std::string* from) -> double {
        if (r.stage == "train") {
            const TrainConfig cfg = parseTrainConfig(r.config, r.name);
            const DurationEstimate e = estimateTrainingDuration(plan.studyDir + "/runs", cfg);
            if (e.images <= 0)
                return -1;
            const StageSpeed sp = measuredSpeed(earlier, "train", cfg.device, cfg.model);
            if (sp.imagesPerSecond <= 0)
                return -1;
            *from = fmt("%s %.1f images/s (%s)", sp.model.c_str(), sp.imagesPerSecond, sp.run.c_str());
            return static_cast<double>(e.images) / sp.imagesPerSecond;
        }
        if (r.stage == "tune") {
            const TuneConfig cfg = parseTuneConfig(r.config, r.name);
            auto it = bundleTrain.find(cfg.bundle);
            if (it == bundleTrain.end()) {
                std::int64_t n = -1;
                try {
                    n = inspectBundle(cfg.bundle).train;
                } catch (const std::exception&) {
                }
                it = bundleTrain.emplace(cfg.bundle, n).first;
            }
            if (it->second <= 0)
                return -1;
            std::int64_t perEpoch = it->second;
            if (cfg.maxStepsPerEpoch > 0)
                perEpoch = std::min<std::int64_t>(perEpoch, cfg.maxStepsPerEpoch * std::max(1, cfg.batchSize));
            const StageSpeed sp = measuredSpeed(earlier, "tune", cfg.device, cfg.baseModel);
            if (sp.imagesPerSecond <= 0)
                return -1;
            *from = fmt("%s %.1f images/s (%s)", sp.model.c_str(), sp.imagesPerSecond, sp.run.c_str());
            return static_cast<double>(perEpoch * cfg.epochs) / sp.imagesPerSecond;
        }
        if (!analysesRead) {
            analyses = measuredAnalyses(earlier);
            analysesRead = true;
        }
        const AnalyzeOptions a = parseAnalyzeConfig(r.config, r.name);
        const std::int64_t n = analysisImages(a, analyses);
        const StageSpeed* sp = nullptr;
        for (const auto& m : analyses)
            if (!sp || (m.model == a.model && sp->model != a.model))
                sp = &m;
        if (n <= 0 || !sp)
            return -1;
        *from = fmt("%s %.1f images/s (%s)", sp->model.c_str(), sp->imagesPerSecond, sp->run.c_str());
        return static_cast<double>(n) / sp->imagesPerSecond;
    };
    for (const auto& stage : kStages) {
        const auto runs = plan.stage(stage);
        if (runs.empty())
            continue;
        o << "\n" << stage << " (" << runs.size() << "):\n";
        for (const StudyRun* r : runs) {
            o << "  " << r->name;
            if (!r->dependsOn.empty())
                o << "  <- " << joinChoices(r->dependsOn);
            try {
                std::string from;
                const double secs = estimate(*r, &from);
                if (secs >= 0) {
                    o << "  (~" << durationText(secs) << ")";
                    StageTotal& t = totals[stage];
                    t.seconds += secs;
                    t.estimated++;
                    t.from.insert(from);
                }
            } catch (const std::exception&) {
            }
            o << "\n";
        }
    }
    o << "\n"
      << plan.runs.size() << " runs: " << plan.stage("train").size() << " train, " << plan.stage("tune").size() << " tune, "
      << plan.stage("analyze").size() << " analyze, then the comparison\n";
    o << "estimated time, one run at a time, from the images/s of earlier runs on the same device (in " << plan.studyDir
      << "/runs, else the project around it):\n";
    double all = 0;
    int estimatedStages = 0, stages = 0;
    for (const auto& stage : kStages) {
        const std::size_t n = plan.stage(stage).size();
        if (n == 0)
            continue;
        ++stages;
        o << "  " << stage << ":" << std::string(8 - stage.size(), ' ');
        const auto it = totals.find(stage);
        if (it == totals.end()) {
            o << "no estimate (no measured run yet)\n";
            continue;
        }
        ++estimatedStages;
        all += it->second.seconds;
        o << "~" << durationText(it->second.seconds);
        if (static_cast<std::size_t>(it->second.estimated) < n)
            o << " for " << it->second.estimated << " of " << n << " runs";
        o << ", from ";
        bool first = true;
        for (const auto& f : it->second.from) {
            o << (first ? "" : "; ") << f;
            first = false;
        }
        o << "\n";
    }
    if (estimatedStages > 0)
        o << "  total:   ~" << durationText(all) << (estimatedStages < stages ? " (stages with an estimate)" : "") << "\n";
    return o.str();
}

// ---- state ---------------------------------------------------------------------------------

namespace {

bool runFinished(const StudyPlan& plan, const StudyRun& r)
{
    if (readRunStatus(plan.runDir(r.name)).state != "finished")
        return false;
    return r.stage != "analyze" || fileExists(plan.analysisPath(r.name));
}

void writeAnalyzeStatus(
    const StudyPlan& plan, const StudyRun& r, const std::string& state, double progress, const std::string& msg)
{
    makeDirs(plan.runDir(r.name));
    std::ostringstream o;
    o << "{\"state\": " << jsonQuote(state) << ", \"progress\": " << progress << ", \"message\": " << jsonQuote(msg)
      << ", \"kind\": \"analyze\", \"updated\": " << jsonQuote(isoTimestamp()) << "}\n";
    writeFileAtomic(plan.runDir(r.name) + "/status.json", o.str());
}

} // namespace

std::vector<StudyRunState> studyStatus(const StudyPlan& plan)
{
    std::vector<StudyRunState> out;
    for (const auto& r : plan.runs) {
        StudyRunState s;
        s.name = r.name;
        s.stage = r.stage;
        const std::string dir = plan.runDir(r.name);
        if (!isDirectory(dir)) {
            s.state = "pending";
        } else {
            const RunStatus st = readRunStatus(dir);
            s.state = st.state.empty() ? "queued" : st.state;
            s.progress = st.progress;
            s.message = st.message;
            // A "running" run whose lock nobody holds was stopped without a word (killed).
            RunLockHolder holder;
            if (s.state == "running" && r.stage != "analyze" && fileExists(dir + "/job.lock") && !runLockHolder(dir, holder))
                s.state = "stopped";
        }
        out.push_back(s);
    }
    return out;
}

std::string formatStudyStatus(const std::vector<StudyRunState>& states)
{
    std::size_t w = 4;
    for (const auto& s : states)
        w = std::max(w, s.name.size());
    std::ostringstream o;
    o << std::string("run") << std::string(w - 3 + 2, ' ') << "stage    state      progress  message\n";
    std::map<std::string, int> counts;
    for (const auto& s : states) {
        counts[s.state]++;
        std::string msg = s.message.substr(0, 60);
        o << s.name << std::string(w - s.name.size() + 2, ' ')
          << fmt("%-8s %-10s %7.1f%%  ", s.stage.c_str(), s.state.c_str(), 100.0 * s.progress) << msg << "\n";
    }
    o << states.size() << " runs:";
    bool first = true;
    for (const auto& [state, n] : counts) {
        o << (first ? " " : ", ") << n << " " << state;
        first = false;
    }
    o << "\n";
    return o.str();
}

// ---- running -------------------------------------------------------------------------------

std::vector<std::string> studyRunCommand(const StudyPlan& plan, const StudyRun& r, const std::string& exe, int threads)
{
    const std::string dir = plan.runDir(r.name);
    std::vector<std::string> argv {exe};
    if (r.stage == "analyze") {
        argv.insert(argv.end(), {"analyze", "--config", plan.configPath(r.name), "--out", plan.analysisPath(r.name), "--quiet"});
        if (threads > 0)
            argv.insert(argv.end(), {"--threads", std::to_string(threads)});
        return argv;
    }
    argv.insert(argv.end(), {r.stage, "--config", plan.configPath(r.name), "--out", dir, "--quiet"});
    if (fileExists(dir + "/checkpoints/last.pt"))
        argv.push_back("--resume");
    if (threads > 0)
        argv.insert(argv.end(), {"--set", "system.threads=" + std::to_string(threads)});
    return argv;
}

namespace {

struct Child {
    const StudyRun* run = nullptr;
    pid_t pid = -1;
    double started = 0;
    fs::file_time_type startedFile; ///< the file clock at the start (status.json written since)
    bool finishing = false; ///< its status.json has its outcome: it only exits now
};

/// True when a train/tune child has written its outcome into status.json since it started
/// (the run's last write): what is left is its exit (threads joined, memory returned), and
/// its slot may go to the next condition.
bool childFinishing(const StudyPlan& plan, const Child& c)
{
    if (c.run->stage == "analyze")
        return false;
    const std::string status = plan.runDir(c.run->name) + "/status.json";
    std::error_code ec;
    const auto written = fs::last_write_time(status, ec);
    if (ec || written < c.startedFile)
        return false;
    const std::string state = readRunStatus(plan.runDir(c.run->name)).state;
    return state == "finished" || state == "failed" || state == "diverged" || state == "cancelled";
}

pid_t spawnChild(const std::vector<std::string>& argv, const std::string& cwd, const std::string& logPath)
{
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int fd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error("cannot open " + logPath + " for the condition's output");
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fd);
        throw Error("cannot start " + argv[0] + " (fork failed)");
    }
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec.
        if (::chdir(cwd.c_str()) != 0)
            ::_exit(126);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(fd);
    return pid;
}

/// Prepares a run folder before its child starts: a train/tune run without last.pt starts
/// fresh (a partial first epoch is dropped); an analysis records that it runs.
void prepareRun(const StudyPlan& plan, const StudyRun& r, ProgressSink& sink)
{
    const std::string dir = plan.runDir(r.name);
    if (r.stage == "analyze") {
        writeAnalyzeStatus(plan, r, "running", 0, "analysing " + r.model);
        return;
    }
    if (!fileExists(dir + "/checkpoints/last.pt") && fileExists(dir + "/metrics.csv")) {
        sink.log(LogLevel::Notice, r.name + ": no checkpoint from the earlier attempt; starting it again");
        std::error_code ec;
        fs::remove(dir + "/metrics.csv", ec);
        fs::remove(dir + "/status.json", ec);
    }
}

JobStatus finishRun(const StudyPlan& plan, const StudyRun& r, int waitStatus, double seconds)
{
    const int code = WIFEXITED(waitStatus) ? WEXITSTATUS(waitStatus) : 128 + (WIFSIGNALED(waitStatus) ? WTERMSIG(waitStatus) : 0);
    if (r.stage == "analyze") {
        const bool ok = code == 0 && fileExists(plan.analysisPath(r.name));
        const JobStatus st = ok ? JobStatus::Finished : code == 130 ? JobStatus::Cancelled : JobStatus::Failed;
        writeAnalyzeStatus(plan, r, jobStatusName(st), ok ? 1.0 : 0.0,
            ok ? fmt("analysed in %.1f s", seconds)
               : "analysis exited with status " + std::to_string(code) + "; see " + plan.logPath(r.name));
        return st;
    }
    const RunStatus s = readRunStatus(plan.runDir(r.name));
    JobStatus st = JobStatus::Failed;
    if (code == 0 && s.state == "finished")
        return JobStatus::Finished;
    if (parseJobStatus(s.state, st) && st != JobStatus::Finished)
        return st;
    return code == 130 ? JobStatus::Cancelled : code == 3 ? JobStatus::Diverged : JobStatus::Failed;
}

std::string tailOf(const std::string& path)
{
    if (!fileExists(path))
        return {};
    std::string text = readFileText(path);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    const auto nl = text.rfind('\n');
    return nl == std::string::npos ? text : text.substr(nl + 1);
}

} // namespace

StudyRunSummary runStudy(const StudyPlan& plan, const StudyRunOptions& options, ProgressSink& sink, const CancelToken& cancel)
{
    const double t0 = wallClockSeconds();
    StudyRunSummary sum;
    if (options.executable.empty() || !fileExists(options.executable))
        throw Error("study run: the program to start for each condition (" + options.executable + ") does not exist");
    // Children start in the study's base folder: a relative program path would not be found there.
    const std::string executable = fs::absolute(options.executable).lexically_normal().string();
    const int jobs = std::max(1, options.jobs);
    const int total = options.threads > 0 ? options.threads : hardwareThreads();
    const int threads = std::max(1, total / jobs);
    writeStudyFolder(plan);

    std::vector<const StudyRun*> todo;
    std::map<std::string, std::string> state; // name -> finished | failed | blocked
    for (const auto& r : plan.runs) {
        if (!options.only.empty() && std::find(options.only.begin(), options.only.end(), r.name) == options.only.end())
            continue;
        if (runFinished(plan, r)) {
            state[r.name] = "finished";
            ++sum.skipped;
            sink.log(LogLevel::Info, r.name + ": finished earlier, skipped");
            continue;
        }
        todo.push_back(&r);
    }
    std::vector<Child> running;
    auto depState = [&](const StudyRun& r) {
        // "ok" when every dependency finished, "wait" while one may still finish, "blocked" otherwise.
        for (const auto& d : r.dependsOn) {
            auto it = state.find(d);
            if (it != state.end()) {
                if (it->second != "finished")
                    return std::string("blocked");
                continue;
            }
            // Still queued or running (a child that exited is reaped before it counts).
            const bool scheduled = std::any_of(todo.begin(), todo.end(), [&](const StudyRun* t) { return t->name == d; })
                || std::any_of(running.begin(), running.end(), [&](const Child& c) { return c.run->name == d; });
            if (scheduled)
                return std::string("wait");
            const StudyRun* dr = plan.find(d);
            if (dr && runFinished(plan, *dr)) {
                state[d] = "finished";
                continue;
            }
            return std::string("blocked");
        }
        return std::string("ok");
    };
    const std::size_t count = todo.size();
    std::size_t done = 0;
    auto report = [&](const std::string& phase) {
        ProgressEvent ev;
        ev.phase = phase;
        ev.done = static_cast<std::int64_t>(done);
        ev.total = static_cast<std::int64_t>(count);
        ev.fraction = count ? double(done) / double(count) : 1.0;
        sink.progress(ev);
    };
    report("study");
    bool cancelled = false;
    while (!todo.empty() || !running.empty()) {
        if (cancel.cancelled() && !cancelled) {
            cancelled = true;
            sink.log(LogLevel::Notice, "study cancelled: stopping " + std::to_string(running.size()) + " running conditions");
            for (const Child& c : running)
                ::kill(c.pid, SIGTERM);
            todo.clear();
        }
        // Start what can start.
        // A child that has written its outcome only exits now: its slot is free (the next
        // condition starts while it returns its memory; dependents still wait for its reaping).
        for (Child& c : running)
            if (!c.finishing)
                c.finishing = childFinishing(plan, c);
        auto busy = [&] {
            return static_cast<int>(std::count_if(running.begin(), running.end(), [](const Child& c) { return !c.finishing; }));
        };
        for (auto it = todo.begin(); !cancelled && it != todo.end() && busy() < jobs;) {
            const StudyRun& r = **it;
            const std::string ds = depState(r);
            if (ds == "wait") {
                ++it;
                continue;
            }
            if (ds == "blocked") {
                state[r.name] = "blocked";
                ++sum.blocked;
                ++done;
                sink.log(LogLevel::Warning, r.name + ": not started, a run it depends on did not finish");
                it = todo.erase(it);
                continue;
            }
            prepareRun(plan, r, sink);
            const auto argv = studyRunCommand(plan, r, executable, threads);
            Child c;
            c.run = &r;
            c.started = wallClockSeconds();
            c.startedFile = fs::file_time_type::clock::now();
            c.pid = spawnChild(argv, plan.baseDir, plan.logPath(r.name));
            running.push_back(c);
            sink.log(LogLevel::Info, "started " + r.name + " (" + std::to_string(threads) + " threads)");
            it = todo.erase(it);
        }
        // Reap.
        bool reaped = false;
        for (auto it = running.begin(); it != running.end();) {
            int ws = 0;
            const pid_t p = ::waitpid(it->pid, &ws, WNOHANG);
            if (p == 0) {
                ++it;
                continue;
            }
            const StudyRun& r = *it->run;
            const double secs = wallClockSeconds() - it->started;
            const JobStatus st = p < 0 ? JobStatus::Failed : finishRun(plan, r, ws, secs);
            if (p > 0 && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0)) {
                // Say how the child ended in its log (a crash or a failed exec leaves no words of its own).
                std::ofstream log(plan.logPath(r.name), std::ios::app);
                log << "[study runner] " << r.name << " ended "
                    << (WIFSIGNALED(ws) ? "by signal " + std::to_string(WTERMSIG(ws))
                                        : "with exit status " + std::to_string(WIFEXITED(ws) ? WEXITSTATUS(ws) : -1))
                    << fmt(" after %.1f s\n", secs);
            }
            state[r.name] = st == JobStatus::Finished ? "finished" : "failed";
            ++done;
            if (st == JobStatus::Finished) {
                ++sum.finished;
                sink.log(LogLevel::Info, fmt("finished %s (%.1f s)", r.name.c_str(), secs));
            } else {
                ++sum.failed;
                const std::string last = tailOf(plan.logPath(r.name));
                sink.log(st == JobStatus::Cancelled ? LogLevel::Notice : LogLevel::Warning,
                    r.name + ": " + jobStatusName(st) + (last.empty() ? "" : " (" + last + ")"));
            }
            it = running.erase(it);
            reaped = true;
        }
        if (reaped)
            report("study");
        if (!reaped && (!running.empty() || !todo.empty()))
            std::this_thread::sleep_for(std::chrono::milliseconds(running.empty() ? 1 : 50));
        if (running.empty() && !todo.empty()) {
            // Nothing runs and nothing can start: the rest waits on runs outside this selection.
            bool anyReady = false;
            for (const StudyRun* r : todo)
                anyReady = anyReady || depState(*r) != "wait";
            if (!anyReady) {
                for (const StudyRun* r : todo) {
                    ++sum.blocked;
                    sink.log(LogLevel::Warning, r->name + ": not started, it waits for runs that are not part of this run");
                }
                todo.clear();
            }
        }
    }
    sum.seconds = wallClockSeconds() - t0;
    if (cancelled)
        sum.status = JobStatus::Cancelled;
    else if (sum.failed > 0 || sum.blocked > 0)
        sum.status = JobStatus::Failed;
    if (!cancelled && options.only.empty()) {
        bool all = true;
        for (const StudyRun* a : plan.stage("analyze"))
            all = all && runFinished(plan, *a);
        if (all) {
            const std::string csv = writeStudyComparison(plan, compareStudy(plan, plan.metric));
            sink.log(LogLevel::Info, "comparison written: " + csv);
        }
    }
    return sum;
}

JobStatus runStudyCondition(const StudyPlan& plan, const std::string& name, const std::string& executable, int threads,
    ProgressSink& sink, const CancelToken& cancel)
{
    const StudyRun* r = plan.find(name);
    if (!r)
        throw Error("study " + plan.studyDir + " has no condition named '" + name + "'");
    if (runFinished(plan, *r)) {
        sink.log(LogLevel::Info, name + ": finished earlier, skipped");
        return JobStatus::Finished;
    }
    for (const auto& d : r->dependsOn) {
        const StudyRun* dr = plan.find(d);
        if (dr && !runFinished(plan, *dr))
            throw Error(name + " depends on " + d + ", which has not finished");
    }
    // Several tasks of one SLURM step (or a torchrun-style launch): each is a rank of the
    // condition's data-parallel run. Rank 0 runs it as a single process would (the study folder,
    // the run folder's preparation, the outcome); the other ranks only start their child, which
    // joins rank 0's process group and writes nothing. An analysis is one process: rank 0's.
    const DistributedEnv env = distributedEnvFromEnvironment();
    if (env.worldSize > 1 && env.rank > 0) {
        if (r->stage == "analyze") {
            sink.log(LogLevel::Info,
                name + ": an analysis runs on rank 0 only; rank " + std::to_string(env.rank) + " has nothing to do");
            return JobStatus::Finished;
        }
        const auto argv = studyRunCommand(plan, *r, executable, threads);
        const pid_t pid = spawnChild(argv, plan.baseDir, plan.logPath(name) + ".rank" + std::to_string(env.rank));
        int ws = 0;
        while (true) {
            const pid_t p = ::waitpid(pid, &ws, WNOHANG);
            if (p == pid)
                break;
            if (p < 0)
                return JobStatus::Failed;
            if (cancel.cancelled())
                ::kill(pid, SIGTERM);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        const int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
        return code == 0  ? JobStatus::Finished
            : code == 130 ? JobStatus::Cancelled
            : code == 3   ? JobStatus::Diverged
                          : JobStatus::Failed;
    }
    if (env.worldSize > 1 && r->stage == "analyze")
        sink.log(LogLevel::Info, name + ": an analysis is one process; it runs on rank 0 alone");
    StudyRunOptions o;
    o.executable = executable;
    o.jobs = 1;
    o.threads = threads;
    o.only = {name};
    const StudyRunSummary s = runStudy(plan, o, sink, cancel);
    if (s.status == JobStatus::Cancelled)
        return JobStatus::Cancelled;
    return s.finished == 1                                 ? JobStatus::Finished
        : finishRun(plan, *r, 0, 0) == JobStatus::Finished ? JobStatus::Finished
                                                           : JobStatus::Failed;
}

// ---- comparison ----------------------------------------------------------------------------

std::vector<double> holmAdjust(const std::vector<double>& p)
{
    const std::size_t m = p.size();
    std::vector<std::size_t> order(m);
    for (std::size_t i = 0; i < m; ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
    std::vector<double> out(m, 1.0);
    double running = 0;
    for (std::size_t k = 0; k < m; ++k) {
        const double adj = std::min(1.0, double(m - k) * p[order[k]]);
        running = std::max(running, adj);
        out[order[k]] = running;
    }
    return out;
}

StudyTable compareStudy(const StudyPlan& plan, const std::string& metric)
{
    if (metric != "lpips" && metric != "color" && metric != "label")
        throw Error("study compare: unknown metric '" + metric + "' (valid: lpips, color, label)");
    StudyTable t;
    t.metric = metric;
    for (const auto& a : plan.axes)
        t.axisKeys.push_back(a.key);
    std::map<std::string, std::size_t> rowOf;
    std::map<std::string, std::string> layerOf;
    std::vector<std::string> missing;
    bool uncalibrated = false;
    for (const StudyRun* a : plan.stage("analyze")) {
        if (!runFinished(plan, *a)) {
            missing.push_back(a->name);
            continue;
        }
        AnalysisFile f(plan.analysisPath(a->name));
        StudyRow row;
        row.analysis = a->name;
        row.model = a->model;
        const StudyRun* m = plan.find(a->model);
        row.stage = m ? m->stage : "train";
        for (const auto& key : t.axisKeys)
            row.axes.emplace_back(key, a->axisValue(key));
        row.accuracy = f.accuracy;
        uncalibrated = uncalibrated || (metric == "lpips" && !f.lpipsCalibrated);
        for (float v : f.metric(metric))
            row.values.push_back(v);
        row.mean = stats::mean(row.values);
        row.std = stats::sampleStd(row.values);
        row.baselineAnalysis = a->baselineAnalysis;
        layerOf[a->name] = f.layer;
        if (m && m->stage == "tune") {
            try {
                const TuneConfig tc = parseTuneConfig(m->config, m->name);
                const std::string pf = plan.runDir(m->name) + "/predictivity.h5";
                if (fileExists(pf)) {
                    H5File h(pf, H5File::Mode::Read);
                    for (const auto& roi : tc.rois) {
                        StudyRoiScore s;
                        s.roi = roi;
                        if (h.exists("/r/" + roi)) {
                            const auto r = h.readF64("/r/" + roi);
                            s.rMedian = stats::median(r);
                        }
                        if (h.exists("/normalized/" + roi)) {
                            const auto nc = h.readF64("/normalized/" + roi);
                            s.normalizedMedian = nc.empty() ? -1 : stats::median(nc);
                        }
                        row.rois.push_back(s);
                    }
                }
            } catch (const std::exception& e) {
                t.notes.push_back(m->name + ": predictivity not read (" + std::string(e.what()) + ")");
            }
        }
        rowOf[a->name] = t.rows.size();
        t.rows.push_back(std::move(row));
    }
    // Each tuned condition against its own baseline's analysis.
    std::vector<std::size_t> tested;
    std::vector<double> ps;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        StudyRow& row = t.rows[i];
        if (row.stage != "tune" || row.baselineAnalysis.empty())
            continue;
        auto it = rowOf.find(row.baselineAnalysis);
        if (it == rowOf.end())
            continue;
        const StudyRow& base = t.rows[it->second];
        const bool paired = base.values.size() == row.values.size() && layerOf[row.analysis] == layerOf[base.analysis];
        bool anyDiff = false;
        for (std::size_t k = 0; paired && k < row.values.size(); ++k)
            anyDiff = anyDiff || row.values[k] != base.values[k];
        stats::TestResult r;
        if (paired && anyDiff) {
            r = stats::wilcoxonSignedRank(row.values, base.values);
            row.test = "Wilcoxon signed-rank";
        } else {
            r = stats::mannWhitneyU(row.values, base.values);
            row.test = "Mann-Whitney U";
        }
        row.statistic = r.statistic;
        row.p = r.pValue;
        row.cohensD = stats::cohensD(row.values, base.values);
        tested.push_back(i);
        ps.push_back(r.pValue);
    }
    const auto adj = holmAdjust(ps);
    for (std::size_t k = 0; k < tested.size(); ++k)
        t.rows[tested[k]].pHolm = adj[k];
    if (!tested.empty())
        t.notes.push_back("p_holm: Holm-Bonferroni correction across the " + std::to_string(tested.size())
            + " tuned conditions, each tested against its own baseline (Wilcoxon signed-rank on paired units where both "
              "analyses have the same units, else Mann-Whitney U; two-sided)");
    if (uncalibrated)
        t.notes.push_back("II-LPIPS from uncalibrated (random) LPIPS weights in at least one analysis");
    if (!missing.empty())
        t.notes.push_back(std::to_string(missing.size()) + " analyses not finished yet: " + joinChoices(missing));
    return t;
}

namespace {

std::string num(double v, int digits)
{
    if (!std::isfinite(v))
        return "nan";
    return fmt("%.*f", digits, v);
}

std::string pText(double p)
{
    if (p < 0)
        return "";
    if (p < 1e-300)
        return "< 1e-300";
    return fmt("%.3g", p);
}

std::vector<std::string> roiNames(const StudyTable& t)
{
    std::vector<std::string> rois;
    for (const auto& r : t.rows)
        for (const auto& s : r.rois)
            if (std::find(rois.begin(), rois.end(), s.roi) == rois.end())
                rois.push_back(s.roi);
    return rois;
}

std::string csvQuote(const std::string& s)
{
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string o = "\"";
    for (char c : s)
        o += c == '"' ? std::string("\"\"") : std::string(1, c);
    return o + "\"";
}

std::string latexEscape(const std::string& s)
{
    std::string o;
    for (char c : s) {
        if (c == '_' || c == '%' || c == '&' || c == '#' || c == '$')
            o += '\\';
        o += c;
    }
    return o;
}

} // namespace

std::string formatStudyTable(const StudyTable& t, const std::string& format)
{
    if (format != "table" && format != "csv" && format != "markdown" && format != "latex")
        throw Error("study compare: unknown format '" + format + "' (valid: table, csv, markdown, latex)");
    const std::vector<std::string> rois = roiNames(t);
    std::vector<std::string> header {"analysis"};
    for (const auto& k : t.axisKeys)
        header.push_back(k);
    header.push_back("accuracy");
    for (const auto& roi : rois) {
        header.push_back(roi + " r median");
        header.push_back(roi + " r2/ceiling");
    }
    const std::string ii = "II-" + t.metric;
    if (format == "csv") {
        header.insert(
            header.end(), {ii + " mean", ii + " std", "units", "baseline", "test", "statistic", "p", "p_holm", "cohens_d"});
    } else {
        header.insert(header.end(), {ii + " mean ± std", "vs baseline", "test", "p", "p (Holm)"});
    }
    std::vector<std::vector<std::string>> cells;
    for (const auto& r : t.rows) {
        std::vector<std::string> c {r.analysis};
        for (const auto& [k, v] : r.axes)
            c.push_back(v);
        c.push_back(num(r.accuracy, 4));
        for (const auto& roi : rois) {
            const StudyRoiScore* s = nullptr;
            for (const auto& x : r.rois)
                if (x.roi == roi)
                    s = &x;
            c.push_back(s ? num(s->rMedian, 4) : "");
            c.push_back(s && s->normalizedMedian >= 0 ? num(s->normalizedMedian, 4) : "");
        }
        const std::string test = r.p >= 0 ? r.test : "";
        const std::string base = r.p >= 0 ? r.baselineAnalysis : "";
        if (format == "csv") {
            c.insert(c.end(),
                {fmt("%.10g", r.mean), fmt("%.10g", r.std), std::to_string(r.values.size()), base, test,
                    r.p >= 0 ? fmt("%.10g", r.statistic) : "", r.p >= 0 ? fmt("%.10g", r.p) : "",
                    r.pHolm >= 0 ? fmt("%.10g", r.pHolm) : "", r.p >= 0 ? fmt("%.6g", r.cohensD) : ""});
        } else {
            const int d = t.metric == "color" ? 2 : 4;
            c.insert(c.end(), {num(r.mean, d) + " ± " + num(r.std, d), base, test, pText(r.p), pText(r.pHolm)});
        }
        cells.push_back(c);
    }
    std::ostringstream o;
    if (format == "csv") {
        for (std::size_t i = 0; i < header.size(); ++i)
            o << (i ? "," : "") << csvQuote(header[i]);
        o << "\n";
        for (const auto& row : cells) {
            for (std::size_t i = 0; i < row.size(); ++i)
                o << (i ? "," : "") << csvQuote(row[i]);
            o << "\n";
        }
        for (const auto& n : t.notes)
            o << "# " << n << "\n";
        return o.str();
    }
    if (format == "markdown") {
        o << "|";
        for (const auto& h : header)
            o << " " << h << " |";
        o << "\n|";
        for (std::size_t i = 0; i < header.size(); ++i)
            o << "---|";
        o << "\n";
        for (const auto& row : cells) {
            o << "|";
            for (const auto& c : row)
                o << " " << c << " |";
            o << "\n";
        }
        for (const auto& n : t.notes)
            o << "\n_" << n << "_\n";
        return o.str();
    }
    if (format == "latex") {
        o << "\\begin{tabular}{" << std::string(header.size(), 'l') << "}\n\\hline\n";
        for (std::size_t i = 0; i < header.size(); ++i) {
            std::string h = latexEscape(header[i]);
            const auto pm = h.find("±");
            if (pm != std::string::npos)
                h.replace(pm, std::string("±").size(), "$\\pm$");
            o << (i ? " & " : "") << h;
        }
        o << " \\\\\n\\hline\n";
        for (const auto& row : cells) {
            for (std::size_t i = 0; i < row.size(); ++i) {
                std::string c = latexEscape(row[i]);
                const auto pm = c.find("±");
                if (pm != std::string::npos)
                    c.replace(pm, std::string("±").size(), "$\\pm$");
                const auto lt = c.find("< ");
                if (lt != std::string::npos)
                    c.replace(lt, 1, "$<$");
                o << (i ? " & " : "") << c;
            }
            o << " \\\\\n";
        }
        o << "\\hline\n\\end{tabular}\n";
        for (const auto& n : t.notes)
            o << "% " << n << "\n";
        return o.str();
    }
    // Aligned text; widths in characters (± counts as one).
    auto width = [](const std::string& s) {
        std::size_t n = 0;
        for (unsigned char ch : s)
            n += (ch & 0xC0) != 0x80;
        return n;
    };
    std::vector<std::size_t> w(header.size(), 0);
    for (std::size_t i = 0; i < header.size(); ++i) {
        w[i] = width(header[i]);
        for (const auto& row : cells)
            w[i] = std::max(w[i], width(row[i]));
    }
    auto line = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size(); ++i)
            o << row[i] << (i + 1 < row.size() ? std::string(w[i] - width(row[i]) + 2, ' ') : "");
        o << "\n";
    };
    line(header);
    for (const auto& row : cells)
        line(row);
    for (const auto& n : t.notes)
        o << "note: " << n << "\n";
    return o.str();
}

std::string writeStudyComparison(const StudyPlan& plan, const StudyTable& table)
{
    const std::string csv = plan.studyDir + "/comparison.csv";
    writeFileAtomic(csv, formatStudyTable(table, "csv"));
    writeFileAtomic(plan.studyDir + "/comparison.md", formatStudyTable(table, "markdown"));
    return csv;
}

std::vector<StudyFigurePoint> studyFigurePoints(const StudyTable& table, const std::string& x, const std::string& hue)
{
    auto has = [&](const std::string& key) {
        return std::find(table.axisKeys.begin(), table.axisKeys.end(), key) != table.axisKeys.end();
    };
    if (!has(x))
        throw Error(
            "figure --kind study: --x '" + x + "' is not an axis of the study (axes: " + joinChoices(table.axisKeys) + ")");
    if (!hue.empty() && !has(hue))
        throw Error(
            "figure --kind study: --hue '" + hue + "' is not an axis of the study (axes: " + joinChoices(table.axisKeys) + ")");
    std::vector<StudyFigurePoint> points;
    std::vector<std::vector<double>> pooled, accs;
    for (const auto& r : table.rows) {
        std::string xv, hv;
        for (const auto& [k, v] : r.axes) {
            if (k == x)
                xv = v;
            if (k == hue)
                hv = v;
        }
        if (xv.empty())
            continue;
        std::size_t i = 0;
        for (; i < points.size(); ++i)
            if (points[i].x == xv && points[i].hue == hv)
                break;
        if (i == points.size()) {
            StudyFigurePoint p;
            p.x = xv;
            p.hue = hv;
            points.push_back(p);
            pooled.emplace_back();
            accs.emplace_back();
        }
        pooled[i].insert(pooled[i].end(), r.values.begin(), r.values.end());
        accs[i].push_back(r.accuracy);
        points[i].rows++;
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
        points[i].n = static_cast<std::int64_t>(pooled[i].size());
        points[i].mean = stats::mean(pooled[i]);
        const stats::Interval ci = stats::bootstrapMeanCI(pooled[i], 0.95, 10000, 0);
        points[i].low = ci.low;
        points[i].high = ci.high;
        points[i].y2 = stats::mean(accs[i]);
    }
    return points;
}

// ---- SLURM ---------------------------------------------------------------------------------

namespace {

std::string shellQuote(const std::string& s)
{
    if (!s.empty()
        && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-+/:=@%,") == std::string::npos)
        return s;
    std::string o = "'";
    for (char c : s)
        o += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return o + "'";
}

std::string sbatchHeader(const StudyPlan& plan, const SlurmOptions& o, const std::string& job, int arraySize)
{
    std::ostringstream s;
    s << "#!/bin/bash\n";
    s << "#SBATCH --job-name=" << sanitize(plan.name) << "-" << job << "\n";
    if (arraySize > 0) {
        s << "#SBATCH --array=0-" << arraySize - 1;
        if (o.maxParallel > 0)
            s << "%" << o.maxParallel;
        s << "\n#SBATCH --output=" << plan.studyDir << "/logs/slurm-" << job << "-%A_%a.out\n";
    } else {
        s << "#SBATCH --output=" << plan.studyDir << "/logs/slurm-" << job << "-%j.out\n";
    }
    s << "#SBATCH --time=" << o.time << "\n";
    if (!o.partition.empty())
        s << "#SBATCH --partition=" << o.partition << "\n";
    if (!o.account.empty())
        s << "#SBATCH --account=" << o.account << "\n";
    // Train and tune conditions may be data-parallel (one rank per task); analyses and the
    // comparison are one process.
    const bool parallel = job == "train" || job == "tune";
    if (parallel && o.nodes > 0)
        s << "#SBATCH --nodes=" << o.nodes << "\n";
    if (parallel && o.tasksPerNode > 0)
        s << "#SBATCH --ntasks-per-node=" << o.tasksPerNode << "\n";
    else
        s << "#SBATCH --ntasks=1\n";
    if (o.cpusPerTask > 0)
        s << "#SBATCH --cpus-per-task=" << o.cpusPerTask << "\n";
    if (o.gpusPerTask > 0 && arraySize > 0)
        s << "#SBATCH --gpus-per-task=" << o.gpusPerTask << "\n";
    if (!o.memory.empty())
        s << "#SBATCH --mem=" << o.memory << "\n";
    s << "set -euo pipefail\ncd " << shellQuote(plan.baseDir) << "\n";
    return s.str();
}

} // namespace

std::vector<std::string> exportSlurm(const StudyPlan& plan, const SlurmOptions& o)
{
    if (o.executable.empty())
        throw Error("study export-slurm: the path of repalign-cli on the cluster is empty");
    writeStudyFolder(plan);
    const std::string dir = plan.studyDir + "/slurm";
    makeDirs(dir);
    std::vector<std::string> written;
    std::vector<std::string> stages;
    for (const auto& stage : kStages) {
        const auto runs = plan.stage(stage);
        if (runs.empty())
            continue;
        std::ostringstream s;
        s << sbatchHeader(plan, o, stage, static_cast<int>(runs.size()));
        s << "# " << runs.size() << " " << stage << " conditions; the array task id chooses one\nRUNS=(";
        for (const StudyRun* r : runs)
            s << "\n  " << shellQuote(r->name);
        s << "\n)\n";
        const int tasks = std::max(1, o.nodes) * std::max(1, o.tasksPerNode);
        if (tasks > 1 && stage != "analyze") {
            // One rank per task: each task's `study exec` starts its rank of a data-parallel run
            // (the child reads SLURM_PROCID, SLURM_STEP_NUM_TASKS and SLURM_JOB_NODELIST; rank 0
            // alone writes the run folder). A rank that fails ends the step.
            s << "# " << tasks << " tasks per condition: the ranks of one data-parallel run (rank 0 writes the run)\n";
            s << "exec srun --kill-on-bad-exit=1 " << shellQuote(o.executable) << " study exec " << shellQuote(plan.studyDir)
              << " \"${RUNS[$SLURM_ARRAY_TASK_ID]}\" --threads \"${SLURM_CPUS_PER_TASK:-0}\"\n";
        } else {
            s << "exec " << shellQuote(o.executable) << " study exec " << shellQuote(plan.studyDir)
              << " \"${RUNS[$SLURM_ARRAY_TASK_ID]}\" --threads \"${SLURM_CPUS_PER_TASK:-0}\"\n";
        }
        const std::string path = dir + "/" + stage + ".sbatch";
        writeFileAtomic(path, s.str());
        fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
        written.push_back(path);
        stages.push_back(stage);
    }
    {
        std::ostringstream s;
        s << sbatchHeader(plan, o, "compare", 0);
        s << "exec " << shellQuote(o.executable) << " study compare " << shellQuote(plan.studyDir) << " --metric " << plan.metric
          << "\n";
        const std::string path = dir + "/compare.sbatch";
        writeFileAtomic(path, s.str());
        written.push_back(path);
        stages.push_back("compare");
    }
    std::ostringstream s;
    s << "#!/bin/bash\n# Submits the study " << plan.name
      << ": one job array per stage, each starting when the previous one finished without error.\n"
      << "set -euo pipefail\nD=" << shellQuote(dir) << "\nprev=\"\"\n";
    for (const auto& stage : stages) {
        s << "if [ -n \"$prev\" ]; then dep=(--dependency=afterok:$prev); else dep=(); fi\n";
        s << stage << "=$(sbatch --parsable \"${dep[@]}\" \"$D/" << stage << ".sbatch\")\n";
        s << stage << "=${" << stage << "%%;*}\nprev=$" << stage << "\necho \"" << stage << ": job $" << stage << "\"\n";
    }
    const std::string submit = dir + "/submit.sh";
    writeFileAtomic(submit, s.str());
    fs::permissions(submit,
        fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    written.push_back(submit);
    return written;
}

} // namespace repalign
