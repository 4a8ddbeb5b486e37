// Studies, the plan room: study.yaml parsed, expanded and validated into a StudyPlan; the
// study folder written and read back. Estimates: study_estimate.cpp; running: study_runner.cpp;
// the comparison: study_compare.cpp; SLURM: study_slurm.cpp.
#include "pipeline/study.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "common/name_table.h"
#include "models/registry.h"
#include "pipeline/study_internal.h"
#include "run/analyze_config.h"
#include "run/config.h"
#include "run/rundir.h"
#include "run/tune_config.h"
#include "run/yaml_util.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace repalign {

namespace {
constexpr std::pair<StudyStage, const char*> kStageNames[] = {
    {StudyStage::Train, "train"}, {StudyStage::Tune, "tune"}, {StudyStage::Analyze, "analyze"}, {StudyStage::Behave, "behave"}};
} // namespace

const char* toString(StudyStage stage)
{
    return nameOf(kStageNames, stage);
}

bool parseStudyStage(const std::string& text, StudyStage& stage)
{
    return valueOf(kStageNames, text, stage);
}

const std::vector<StudyStage>& studyStages()
{
    static const std::vector<StudyStage> stages = [] {
        std::vector<StudyStage> all;
        for (const auto& entry : kStageNames)
            all.push_back(entry.first);
        return all;
    }();
    return stages;
}

namespace study_detail {

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

} // namespace study_detail

namespace {

using study_detail::sanitize;

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
    YAML::Node train, tune, analyze, behave;
    bool hasTune = false, hasBehave = false;
    /// The base block of @p stage (a clone: axes are applied to it).
    YAML::Node of(StudyStage stage) const
    {
        switch (stage) {
        case StudyStage::Train:
            return YAML::Clone(train);
        case StudyStage::Tune:
            return YAML::Clone(tune);
        case StudyStage::Behave:
            return YAML::Clone(behave);
        case StudyStage::Analyze:
            break;
        }
        return YAML::Clone(analyze);
    }
    bool has(StudyStage stage) const
    {
        return (stage != StudyStage::Tune || hasTune) && (stage != StudyStage::Behave || hasBehave);
    }
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

bool axisApplies(const StudyAxis& axis, StudyStage stage)
{
    const auto st = axis.stages();
    return std::find(st.begin(), st.end(), stage) != st.end();
}

/// Applies @p axis's value @p v to the stage node.
void applyAxis(YAML::Node node, const StudyAxis& axis, StudyStage stage, const YAML::Node& v)
{
    if (axis.key == "seed")
        setPath(node, "seed", v);
    else
        setPath(node, axis.key.substr(std::string(toString(stage)).size() + 1), v);
}

/// Parses a stage node; returns the resolved YAML text. Throws the parser's Error.
std::string parseStage(StudyStage stage, const YAML::Node& node, const std::string& origin, const std::string& baseDir,
    const std::string& model, std::string* archOut = nullptr)
{
    const std::string text = emitYaml(node);
    if (stage == StudyStage::Train) {
        TrainConfig c = parseTrainConfig(text, origin);
        if (archOut)
            *archOut = c.model;
        return trainConfigToYaml(c);
    }
    if (stage == StudyStage::Tune) {
        TuneConfig c = parseTuneConfig(text, origin, {}, baseDir);
        if (!model.empty()) {
            const auto taps = modelTaps(model);
            if (std::find(taps.begin(), taps.end(), c.tap) == taps.end())
                throw Error(origin + ": key 'tap' has invalid value '" + c.tap + "' for " + model
                    + " (valid: " + joinChoices(taps) + ")");
        }
        return tuneConfigToYaml(c);
    }
    if (stage == StudyStage::Behave)
        return study_detail::parseBehaveStage(text, origin, baseDir);
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

std::vector<StudyStage> StudyAxis::stages() const
{
    if (key == "seed")
        return {StudyStage::Train, StudyStage::Tune};
    for (StudyStage s : studyStages())
        if (key.rfind(std::string(toString(s)) + ".", 0) == 0)
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

std::vector<const StudyRun*> StudyPlan::stage(StudyStage s) const
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
    return RunLayout(runDir(name)).analysisFile();
}
std::string StudyPlan::behaviourPath(const std::string& name) const
{
    return RunLayout(runDir(name)).behaviourFile();
}

std::vector<std::string> studyAxisExamples()
{
    return {"seed", "train.model", "train.optimization.epochs", "train.optimization.optimizer_params.lr", "tune.alpha",
        "tune.rois", "tune.tap", "tune.readout.pooling", "tune.optimization.epochs", "analyze.layer", "analyze.aggregation",
        "analyze.k", "behave.pgd_steps"};
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

namespace {

using Axes = std::vector<std::pair<std::string, std::string>>;

/// parseStudy in steps: the header and stage blocks, the grid axes, the zip groups, each axis
/// value validated on its own, then the expansion into runs (each validated as a condition).
class StudyParser {
public:
    StudyParser(const std::string& yamlText, const std::string& origin, const std::string& studyDir, const std::string& baseDir)
        : m_origin(origin)
    {
        m_plan.origin = origin;
        m_plan.sourceText = yamlText;
        m_plan.studyDir = trimSlash(absolutePath(studyDir));
        m_baseDir = absolutePath(baseDir.empty() ? fs::path(origin).parent_path().string() : baseDir);
        m_plan.baseDir = m_baseDir;
        m_root = yamlutil::parse(yamlText, origin);
    }

    StudyPlan parse()
    {
        readHeader();
        readAxes();
        readZips();
        validateAxisValues();
        expand();
        return std::move(m_plan);
    }

private:
    void readHeader();
    void readAxes();
    void readZips();
    void validateAxisValues();
    void expand();
    int axisIndex(const std::string& key) const;
    Axes axesFor(const Point& p, const std::function<bool(const StudyAxis&)>& pick) const;
    std::string labelFor(const Point& p, const std::function<bool(const StudyAxis&)>& pick) const;
    YAML::Node stageNode(StudyStage stage, const Point& p) const;
    std::string validateRun(const StudyRun& r, StudyStage stage, YAML::Node n, const std::string& model) const;
    /// Adds the analysis (and the behave condition) of model run @p of at grid point @p p.
    std::string addModelStages(const Point& p, const StudyRun& of, const Axes& ofAxes, const std::string& ckpt,
        const std::string& model, const std::string& baseline, const std::string& baselineAnalysis);

    std::string m_origin, m_baseDir;
    YAML::Node m_root;
    StudyPlan m_plan;
    StageBases m_bases;
    std::string m_trainCkpt, m_tuneCkpt;
    std::vector<StudyRun> m_trains, m_tunes, m_analyses, m_behaves;
};

StudyRun* addUnique(std::vector<StudyRun>& list, StudyRun r)
{
    for (auto& x : list)
        if (x.name == r.name)
            return nullptr;
    list.push_back(std::move(r));
    return &list.back();
}

void StudyParser::readHeader()
{
    if (!m_root.IsMap())
        throw Error(m_origin + ": a study is a mapping with train, tune, analyze and grid keys");
    yamlutil::Ctx c {m_root, "", m_origin};
    c.allowOnly({"name", "train", "tune", "analyze", "behave", "grid", "zip", "compare", "checkpoints"});
    m_plan.name = c.str("name", fs::path(m_plan.studyDir).filename().string());
    yamlutil::Ctx cmp = c.child("compare");
    cmp.allowOnly({"metric"});
    m_plan.metric = cmp.choice("metric", "lpips", {"lpips", "color", "label"});
    yamlutil::Ctx ck = c.child("checkpoints");
    ck.allowOnly({"train", "tune"});
    m_trainCkpt = ck.choice(toString(StudyStage::Train), RunLayout::kBestAccCheckpoint,
        {RunLayout::kBestAccCheckpoint, RunLayout::kBestLossCheckpoint, RunLayout::kLastCheckpoint});
    m_tuneCkpt = ck.choice(toString(StudyStage::Tune), RunLayout::kBestRCheckpoint,
        {RunLayout::kBestRCheckpoint, RunLayout::kBestAccCheckpoint, RunLayout::kBestLossCheckpoint, RunLayout::kLastCheckpoint});
    for (StudyStage s : {StudyStage::Train, StudyStage::Analyze})
        if (!c.has(toString(s)))
            throw Error(m_origin + ": key '" + toString(s) + "' is required (the base "
                + (s == StudyStage::Train ? "training" : "analysis") + " config of the study)");
    auto block = [&](const std::string& s) {
        YAML::Node n = m_root[s];
        if (!n.IsMap())
            throw Error(c.where(s) + " must be a mapping (a " + s + " config)");
        return YAML::Clone(n);
    };
    m_bases.train = block(toString(StudyStage::Train));
    m_bases.analyze = block(toString(StudyStage::Analyze));
    m_bases.hasTune = c.has(toString(StudyStage::Tune));
    if (m_bases.hasTune)
        m_bases.tune = block(toString(StudyStage::Tune));
    m_bases.hasBehave = c.has(toString(StudyStage::Behave));
    if (m_bases.hasBehave)
        m_bases.behave = block(toString(StudyStage::Behave));
}

void StudyParser::readAxes()
{
    if (!m_root["grid"])
        return;
    YAML::Node g = m_root["grid"];
    if (!g.IsMap())
        throw Error(m_origin + ": key 'grid' must be a mapping of key paths to value lists (e.g. tune.alpha: [0, 0.5, 1])");
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
            throw Error(m_origin + ": axis '" + key
                + "' is not a key path (valid: seed, or train.KEY, tune.KEY, analyze.KEY, behave.KEY; e.g. "
                + joinChoices(studyAxisExamples()) + ")");
        const StudyStage first = axis.stages().front();
        if (axis.key != "seed" && !m_bases.has(first))
            throw Error(m_origin + ": axis '" + key + "' varies the " + (first == StudyStage::Tune ? "tuning" : "behaviour")
                + ", but the study has no '" + toString(first) + "' block");
        YAML::Node vals = g[key];
        if (!vals.IsSequence())
            throw Error(m_origin + ": axis '" + key + "' must be a list of values (e.g. [0, 0.5, 1])");
        if (vals.size() == 0)
            throw Error(m_origin + ": axis '" + key + "' is empty; give at least one value");
        bool prefix = false;
        for (const auto& v : vals)
            prefix = prefix || owners[flowText(v)].size() > 1;
        for (const auto& v : vals) {
            const std::string text = flowText(v);
            if (std::find(axis.values.begin(), axis.values.end(), text) != axis.values.end())
                throw Error(m_origin + ": axis '" + key + "' lists the value " + text + " twice");
            axis.values.push_back(text);
            axis.labels.push_back(valueLabel(key, v, prefix));
        }
        m_plan.axes.push_back(axis);
    }
}

int StudyParser::axisIndex(const std::string& key) const
{
    for (std::size_t i = 0; i < m_plan.axes.size(); ++i)
        if (m_plan.axes[i].key == key)
            return static_cast<int>(i);
    return -1;
}

void StudyParser::readZips()
{
    if (!m_root["zip"])
        return;
    YAML::Node z = m_root["zip"];
    const std::string where = m_origin + ": key 'zip'";
    if (!z.IsSequence())
        throw Error(where + " must be a list of axis lists (e.g. [[tune.tap, analyze.layer]])");
    for (const auto& group : z) {
        if (!group.IsSequence() || group.size() < 2)
            throw Error(where + ": each entry lists two or more axes of the grid (e.g. [tune.tap, analyze.layer])");
        std::vector<std::string> keys;
        std::size_t size = 0;
        for (const auto& k : group) {
            const std::string key = flowText(k);
            const int i = axisIndex(key);
            if (i < 0)
                throw Error(m_origin + ": zip names axis '" + key + "', which is not in the grid");
            StudyAxis& axis = m_plan.axes[static_cast<std::size_t>(i)];
            if (axis.zipGroup >= 0)
                throw Error(m_origin + ": axis '" + key + "' is in two zip groups");
            if (!keys.empty() && axis.values.size() != size)
                throw Error(m_origin + ": zipped axes '" + keys.front() + "' (" + std::to_string(size) + " values) and '" + key
                    + "' (" + std::to_string(axis.values.size()) + " values) must have the same length");
            size = axis.values.size();
            axis.zipGroup = static_cast<int>(m_plan.zips.size());
            keys.push_back(key);
        }
        m_plan.zips.push_back(keys);
    }
}

void StudyParser::validateAxisValues()
{
    // Each axis value on its own, naming the axis and the value.
    std::string baseModel;
    parseStage(StudyStage::Train, m_bases.train, m_origin + " (train)", m_baseDir, "", &baseModel);
    const bool modelAxis = axisIndex("train.model") >= 0;
    const std::string checkpoint = RunLayout(m_plan.runDir("_")).checkpoint(m_trainCkpt);
    for (const auto& axis : m_plan.axes) {
        YAML::Node vals = m_root["grid"][axis.key];
        std::size_t i = 0;
        for (const auto& v : vals) {
            const std::string& text = axis.values[i++];
            for (StudyStage stage : axis.stages()) {
                if (!m_bases.has(stage))
                    continue;
                YAML::Node n = m_bases.of(stage);
                applyAxis(n, axis, stage, v);
                if (stage == StudyStage::Tune)
                    setPath(n, "base.checkpoint", YAML::Node(checkpoint));
                if (stage == StudyStage::Analyze || stage == StudyStage::Behave)
                    setPath(n, "checkpoint", YAML::Node(checkpoint));
                try {
                    // Taps and layers are checked against the model the value meets: the
                    // value itself on the train.model axis, the base model without one.
                    const std::string model = axis.key == "train.model" ? text : modelAxis ? std::string() : baseModel;
                    parseStage(stage, n, toString(stage), m_baseDir, model);
                } catch (const Error& e) {
                    throw Error(m_origin + ": axis '" + axis.key + "' value " + text + " is rejected: " + e.what());
                }
            }
        }
    }
    if (m_bases.hasBehave && std::none_of(m_plan.axes.begin(), m_plan.axes.end(), [](const StudyAxis& a) {
            return axisApplies(a, StudyStage::Behave);
        })) {
        YAML::Node n = m_bases.of(StudyStage::Behave);
        setPath(n, "checkpoint", YAML::Node(checkpoint));
        parseStage(StudyStage::Behave, n, m_origin + " (behave)", m_baseDir, "");
    }
}

Axes StudyParser::axesFor(const Point& p, const std::function<bool(const StudyAxis&)>& pick) const
{
    Axes out;
    for (std::size_t a = 0; a < m_plan.axes.size(); ++a)
        if (pick(m_plan.axes[a]))
            out.emplace_back(m_plan.axes[a].key, m_plan.axes[a].values[p[a]]);
    return out;
}

std::string StudyParser::labelFor(const Point& p, const std::function<bool(const StudyAxis&)>& pick) const
{
    std::string s;
    for (std::size_t a = 0; a < m_plan.axes.size(); ++a)
        if (pick(m_plan.axes[a]))
            s += "-" + m_plan.axes[a].labels[p[a]];
    return s;
}

YAML::Node StudyParser::stageNode(StudyStage stage, const Point& p) const
{
    YAML::Node n = m_bases.of(stage);
    for (std::size_t a = 0; a < m_plan.axes.size(); ++a)
        if (axisApplies(m_plan.axes[a], stage))
            applyAxis(n, m_plan.axes[a], stage, m_root["grid"][m_plan.axes[a].key][p[a]]);
    return n;
}

std::string StudyParser::validateRun(const StudyRun& r, StudyStage stage, YAML::Node n, const std::string& model) const
{
    try {
        return parseStage(stage, n, m_origin + " (" + r.name + ")", m_baseDir, model);
    } catch (const Error& e) {
        throw Error(m_origin + ": condition " + r.name + " (" + axesText(r.axes) + ") is rejected: " + e.what());
    }
}

std::string StudyParser::addModelStages(const Point& p, const StudyRun& of, const Axes& ofAxes, const std::string& ckpt,
    const std::string& model, const std::string& baseline, const std::string& baselineAnalysis)
{
    const std::string checkpoint = RunLayout(m_plan.runDir(of.name)).checkpoint(ckpt);
    auto derived = [&](StudyStage stage) {
        StudyRun a;
        a.stage = stage;
        a.name = toString(stage) + ("-" + of.name) + labelFor(p, [&](const StudyAxis& x) { return axisApplies(x, stage); });
        a.axes = ofAxes;
        for (const auto& kv : axesFor(p, [&](const StudyAxis& x) { return axisApplies(x, stage); }))
            a.axes.push_back(kv);
        a.model = of.name;
        a.baseline = baseline;
        a.dependsOn = {of.name};
        return a;
    };
    StudyRun a = derived(StudyStage::Analyze);
    a.baselineAnalysis = baselineAnalysis;
    if (StudyRun* added = addUnique(m_analyses, a)) {
        YAML::Node n = stageNode(StudyStage::Analyze, p);
        setPath(n, "checkpoint", YAML::Node(checkpoint));
        setPath(n, "model", YAML::Node(model));
        setPath(n, "name", YAML::Node("analysis"));
        added->config = validateRun(*added, StudyStage::Analyze, n, model);
    }
    if (m_bases.hasBehave) {
        StudyRun b = derived(StudyStage::Behave);
        if (StudyRun* added = addUnique(m_behaves, b)) {
            YAML::Node n = stageNode(StudyStage::Behave, p);
            setPath(n, "checkpoint", YAML::Node(checkpoint));
            setPath(n, "model", YAML::Node(model));
            added->config = validateRun(*added, StudyStage::Behave, n, model);
        }
    }
    return a.name;
}

void StudyParser::expand()
{
    const std::vector<Point> points = expandGrid(m_plan.axes, m_plan.zips.size());
    auto isTrain = [](const StudyAxis& a) { return axisApplies(a, StudyStage::Train); };
    auto isTune = [](const StudyAxis& a) { return axisApplies(a, StudyStage::Train) || axisApplies(a, StudyStage::Tune); };
    std::map<std::string, std::string> modelOf; // train run -> architecture
    for (const Point& p : points) {
        // baseline
        StudyRun t;
        t.stage = StudyStage::Train;
        t.name = toString(StudyStage::Train) + labelFor(p, isTrain);
        t.axes = axesFor(p, isTrain);
        t.baseline = t.name;
        std::string arch;
        if (StudyRun* added = addUnique(m_trains, t)) {
            added->config = parseStage(
                StudyStage::Train, stageNode(StudyStage::Train, p), m_origin + " (" + t.name + ")", m_baseDir, "", &arch);
            modelOf[t.name] = arch;
        }
        const std::string model = modelOf[t.name];
        // tuning
        StudyRun u;
        if (m_bases.hasTune) {
            u.stage = StudyStage::Tune;
            u.name = toString(StudyStage::Tune) + labelFor(p, isTune);
            u.axes = axesFor(p, isTune);
            u.model = t.name;
            u.baseline = t.name;
            u.dependsOn = {t.name};
            if (StudyRun* added = addUnique(m_tunes, u)) {
                YAML::Node n = stageNode(StudyStage::Tune, p);
                setPath(n, "base.checkpoint", YAML::Node(RunLayout(m_plan.runDir(t.name)).checkpoint(m_trainCkpt)));
                setPath(n, "base.model", YAML::Node(model));
                added->config = validateRun(*added, StudyStage::Tune, n, model);
            }
        }
        // analyses (and behaviour): the baseline, then the tuned model
        const std::string baseAnalysis = addModelStages(p, t, t.axes, m_trainCkpt, model, t.name, "");
        if (m_bases.hasTune)
            addModelStages(p, u, axesFor(p, isTune), m_tuneCkpt, model, t.name, baseAnalysis);
    }
    for (auto* list : {&m_trains, &m_tunes, &m_analyses, &m_behaves})
        for (auto& r : *list)
            m_plan.runs.push_back(std::move(r));
    std::set<std::string> names;
    for (const auto& r : m_plan.runs)
        if (!names.insert(r.name).second)
            throw Error(m_origin + ": two conditions are both named " + r.name
                + " (axis values that differ only in characters outside A-Z a-z 0-9 . _ + -); make the values distinct");
}

} // namespace

StudyPlan parseStudy(
    const std::string& yamlText, const std::string& origin, const std::string& studyDir, const std::string& baseDir)
{
    return StudyParser(yamlText, origin, studyDir, baseDir).parse();
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
        o << r.name << "\t" << toString(r.stage) << "\t" << deps << "\t" << r.model << "\t" << r.baseline << "\t"
          << r.baselineAnalysis;
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
} // namespace repalign
