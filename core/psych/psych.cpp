#include "psych/psych.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "io/h5.h"
#include "psych/json.h"
#include "psych/psych_internal.h"

#include <algorithm>
#include <sstream>

namespace repalign::psych {

const char* trialKindName(TrialKind kind)
{
    switch (kind) {
    case TrialKind::Practice:
        return "practice";
    case TrialKind::Main:
        return "main";
    case TrialKind::Catch:
        return "catch";
    }
    return "main";
}

TrialKind parseTrialKind(const std::string& name)
{
    if (name == "practice")
        return TrialKind::Practice;
    if (name == "main")
        return TrialKind::Main;
    if (name == "catch")
        return TrialKind::Catch;
    throw Error("unknown trial kind '" + name + "' (valid: practice, main, catch)");
}

// --- PRNG -------------------------------------------------------------------------------

std::uint32_t fnv1a32(const std::string& text)
{
    std::uint32_t h = 2166136261u;
    for (const char c : text) {
        h ^= static_cast<std::uint8_t>(c);
        h *= 16777619u;
    }
    return h;
}

std::uint32_t Mulberry32::next()
{
    m_state += 0x6D2B79F5u;
    std::uint32_t t = m_state;
    t = (t ^ (t >> 15)) * (1u | t);
    t = (t + (t ^ (t >> 7)) * (61u | t)) ^ t;
    return t ^ (t >> 14);
}

std::uint32_t Mulberry32::below(std::uint32_t n)
{
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(next()) * n) >> 32);
}

std::uint32_t participantSeed(std::uint64_t planSeed, const std::string& participantId)
{
    return fnv1a32(std::to_string(planSeed) + ":" + participantId);
}

std::vector<Presentation> participantSchedule(const PsychPlan& plan, const std::string& participantId)
{
    std::vector<int> practice, rest;
    for (std::size_t i = 0; i < plan.trials.size(); ++i)
        (plan.trials[i].kind == TrialKind::Practice ? practice : rest).push_back(static_cast<int>(i));
    Mulberry32 rng(participantSeed(plan.seed, participantId));
    for (std::size_t i = rest.size(); i > 1; --i) {
        const std::uint32_t j = rng.below(static_cast<std::uint32_t>(i));
        std::swap(rest[i - 1], rest[j]);
    }
    std::vector<Presentation> out;
    out.reserve(plan.trials.size());
    for (const int t : practice)
        out.push_back({t, true});
    for (const int t : rest)
        out.push_back({t, true});
    for (Presentation& p : out)
        p.correctOnLeft = rng.below(2) == 0;
    return out;
}

// --- plan.json --------------------------------------------------------------------------

namespace {

std::string number(double v)
{
    if (!std::isfinite(v))
        return "null";
    std::ostringstream s;
    s.precision(9);
    s << v;
    return s.str();
}

std::string imageJson(const PsychImage& im)
{
    return "{\"file\": " + jsonQuote(im.file) + ", \"index\": " + std::to_string(im.datasetIndex)
        + ", \"activation\": " + number(im.activation) + "}";
}

std::string imagesJson(const std::vector<PsychImage>& v)
{
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + imageJson(v[i]);
    return s + "]";
}

struct PlanReader {
    std::string file;

    [[noreturn]] void fail(const std::string& where, const std::string& what) const
    {
        throw Error(file + ": " + where + ": " + what);
    }
    const JsonValue& member(const JsonValue& o, const std::string& key, const std::string& where) const
    {
        const JsonValue* v = o.isObject() ? o.find(key) : nullptr;
        if (!v)
            fail(where, "missing field \"" + key + "\"");
        return *v;
    }
    std::string str(const JsonValue& o, const std::string& key, const std::string& where) const
    {
        const JsonValue& v = member(o, key, where);
        if (!v.isString())
            fail(where + "." + key, "expected a string");
        return v.text;
    }
    double num(const JsonValue& o, const std::string& key, const std::string& where) const
    {
        const JsonValue& v = member(o, key, where);
        if (!v.isNumber())
            fail(where + "." + key, "expected a number");
        return v.number;
    }
    std::int64_t integer(const JsonValue& o, const std::string& key, const std::string& where) const
    {
        const double d = num(o, key, where);
        if (d != std::floor(d) || std::fabs(d) > 9.0e15)
            fail(where + "." + key, "expected an integer, got " + member(o, key, where).text);
        return static_cast<std::int64_t>(d);
    }
    PsychImage image(const JsonValue& o, const std::string& where) const
    {
        if (!o.isObject())
            fail(where, "expected an object {file, index, activation}");
        PsychImage im;
        im.file = str(o, "file", where);
        if (im.file.empty() || im.file[0] == '/' || im.file.find("..") != std::string::npos)
            fail(where + ".file", "'" + im.file + "' is not a path inside the experiment folder");
        im.datasetIndex = integer(o, "index", where);
        const JsonValue& a = member(o, "activation", where);
        im.activation = a.isNumber() ? a.number : NAN;
        return im;
    }
    std::vector<PsychImage> images(const JsonValue& o, const std::string& key, const std::string& where) const
    {
        const JsonValue& a = member(o, key, where);
        if (!a.isArray())
            fail(where + "." + key, "expected an array of images");
        std::vector<PsychImage> out;
        for (std::size_t i = 0; i < a.items.size(); ++i)
            out.push_back(image(a.items[i], where + "." + key + "[" + std::to_string(i) + "]"));
        return out;
    }
};

} // namespace

std::string planJson(const PsychPlan& plan, const std::vector<std::pair<std::string, std::string>>& extraStrings)
{
    std::string s = "{\n  \"format\": \"repalign-psych-plan\",\n  \"version\": 1,\n";
    s += "  \"seed\": " + std::to_string(plan.seed) + ",\n";
    s += "  \"k\": " + std::to_string(plan.k) + ",\n";
    s += "  \"catch_threshold\": " + number(plan.catchThreshold) + ",\n";
    for (const auto& kv : extraStrings)
        s += "  " + jsonQuote(kv.first) + ": " + jsonQuote(kv.second) + ",\n";
    s += "  \"models\": [\n";
    for (std::size_t m = 0; m < plan.models.size(); ++m) {
        const PsychModel& pm = plan.models[m];
        s += "    {\"label\": " + jsonQuote(pm.label) + ", \"analysis\": " + jsonQuote(pm.analysis)
            + ", \"model\": " + jsonQuote(pm.model) + ", \"checkpoint\": " + jsonQuote(pm.checkpoint)
            + ", \"layer\": " + jsonQuote(pm.layer) + "}" + (m + 1 < plan.models.size() ? ",\n" : "\n");
    }
    s += "  ],\n  \"trials\": [\n";
    for (std::size_t t = 0; t < plan.trials.size(); ++t) {
        const PsychTrial& tr = plan.trials[t];
        s += "    {\"id\": " + jsonQuote(tr.id) + ", \"kind\": \"" + trialKindName(tr.kind)
            + "\", \"model\": " + std::to_string(tr.model) + ", \"unit\": " + std::to_string(tr.unit) + ",\n";
        s += "     \"max_refs\": " + imagesJson(tr.maxRefs) + ",\n";
        s += "     \"min_refs\": " + imagesJson(tr.minRefs) + ",\n";
        s += "     \"query_max\": " + imageJson(tr.queryMax) + ", \"query_min\": " + imageJson(tr.queryMin) + ", \"ii_lpips\": "
            + number(tr.iiLpips) + ", \"ii_color\": " + number(tr.iiColor) + "}" + (t + 1 < plan.trials.size() ? ",\n" : "\n");
    }
    s += "  ]\n}\n";
    return s;
}

PsychPlan readPlan(const std::string& experimentDirIn)
{
    std::string experimentDir = experimentDirIn;
    while (experimentDir.size() > 1 && experimentDir.back() == '/')
        experimentDir.pop_back();
    const std::string file = experimentDir + "/plan.json";
    if (!isDirectory(experimentDir))
        throw Error(
            "experiment folder '" + experimentDir + "' does not exist (create it with: repalign-cli psych plan --out DIR)");
    if (!fileExists(file))
        throw Error(
            "'" + experimentDir + "' is not a psychophysics experiment: no plan.json (create it with: repalign-cli psych plan)");
    const JsonValue root = parseJson(readFileText(file), file);
    PlanReader r {file};
    if (!root.isObject())
        r.fail("top level", "expected an object");
    const JsonValue* format = root.find("format");
    if (!format || format->text != "repalign-psych-plan")
        r.fail("format", "expected \"repalign-psych-plan\" (not a RepAlign psychophysics plan)");
    PsychPlan plan;
    plan.dir = experimentDir;
    const std::int64_t seed = r.integer(root, "seed", "top level");
    if (seed < 0 || seed > 4294967295LL)
        r.fail("seed", std::to_string(seed) + " is out of range (valid: 0..4294967295)");
    plan.seed = static_cast<std::uint64_t>(seed);
    plan.k = static_cast<int>(r.integer(root, "k", "top level"));
    if (plan.k < 1)
        r.fail("k", std::to_string(plan.k) + " is out of range (valid: 1 or more references per side)");
    plan.catchThreshold = r.num(root, "catch_threshold", "top level");
    if (!(plan.catchThreshold >= 0 && plan.catchThreshold <= 1))
        r.fail("catch_threshold", "expected a share in 0..1");
    const JsonValue& models = r.member(root, "models", "top level");
    if (!models.isArray() || models.items.empty())
        r.fail("models", "expected a non-empty array");
    for (std::size_t m = 0; m < models.items.size(); ++m) {
        const std::string where = "models[" + std::to_string(m) + "]";
        const JsonValue& o = models.items[m];
        PsychModel pm;
        pm.label = r.str(o, "label", where);
        pm.analysis = r.str(o, "analysis", where);
        pm.model = r.str(o, "model", where);
        pm.checkpoint = r.str(o, "checkpoint", where);
        pm.layer = r.str(o, "layer", where);
        plan.models.push_back(pm);
    }
    const JsonValue& trials = r.member(root, "trials", "top level");
    if (!trials.isArray() || trials.items.empty())
        r.fail("trials", "expected a non-empty array");
    for (std::size_t t = 0; t < trials.items.size(); ++t) {
        const std::string where = "trials[" + std::to_string(t) + "]";
        const JsonValue& o = trials.items[t];
        PsychTrial tr;
        tr.id = r.str(o, "id", where);
        try {
            tr.kind = parseTrialKind(r.str(o, "kind", where));
        } catch (const Error& e) {
            r.fail(where + ".kind", e.what());
        }
        tr.model = static_cast<int>(r.integer(o, "model", where));
        if (tr.model < 0 || tr.model >= static_cast<int>(plan.models.size()))
            r.fail(where + ".model",
                std::to_string(tr.model) + " is out of range (valid: 0.." + std::to_string(plan.models.size() - 1) + ")");
        tr.unit = r.integer(o, "unit", where);
        tr.maxRefs = r.images(o, "max_refs", where);
        tr.minRefs = r.images(o, "min_refs", where);
        if (tr.maxRefs.empty() || tr.minRefs.empty())
            r.fail(where, "max_refs and min_refs must not be empty");
        tr.queryMax = r.image(r.member(o, "query_max", where), where + ".query_max");
        tr.queryMin = r.image(r.member(o, "query_min", where), where + ".query_min");
        if (const JsonValue* v = o.find("ii_lpips"); v && v->isNumber())
            tr.iiLpips = v->number;
        if (const JsonValue* v = o.find("ii_color"); v && v->isNumber())
            tr.iiColor = v->number;
        for (const PsychTrial& other : plan.trials)
            if (other.id == tr.id)
                r.fail(where + ".id", "'" + tr.id + "' is used twice");
        plan.trials.push_back(std::move(tr));
    }
    return plan;
}

// --- CSV --------------------------------------------------------------------------------

std::string csvField(const std::string& value)
{
    if (value.find_first_of(",\"\r\n") == std::string::npos)
        return value;
    std::string s = "\"";
    for (const char c : value) {
        if (c == '"')
            s += '"';
        s += c;
    }
    return s + "\"";
}

std::vector<std::vector<std::string>> parseCsv(const std::string& text, const std::string& what)
{
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, any = false;
    int line = 1, quoteLine = 0;
    std::size_t i = 0;
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0)
        i = 3; // UTF-8 byte order mark (spreadsheet exports)
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else
                    quoted = false;
            } else {
                if (c == '\n')
                    ++line;
                field += c;
            }
            continue;
        }
        if (c == '"') {
            quoted = true;
            quoteLine = line;
            any = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
            any = true;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            ++line;
            if (any || !field.empty()) {
                row.push_back(std::move(field));
                rows.push_back(std::move(row));
            }
            row.clear();
            field.clear();
            any = false;
        } else {
            field += c;
            any = true;
        }
    }
    if (quoted)
        throw Error(what + ": line " + std::to_string(quoteLine) + ": a quoted field is not closed (truncated file?)");
    if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
    }
    return rows;
}

bool validParticipantId(const std::string& id)
{
    if (id.empty() || id.size() > 128)
        return false;
    for (const char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '@' || c == ':'
                || c == '+'))
            return false;
    return true;
}

void writeResponsesCsv(const std::string& path, const std::vector<PsychResponse>& responses)
{
    std::string s
        = "participant,trial_id,position,correct_side,response,correct,confidence,rt,confidence_rt,source,task,observer_noise\n";
    for (const PsychResponse& r : responses) {
        s += csvField(r.participant) + "," + csvField(r.trialId) + "," + std::to_string(r.position) + ","
            + (r.correctOnLeft ? "left" : "right") + "," + (r.choseLeft ? "left" : "right") + "," + (r.correct ? "1" : "0") + ","
            + std::to_string(r.confidence) + "," + number(r.rtMs) + "," + number(r.confidenceRtMs) + "," + csvField(r.source)
            + ",psych_response," + (std::isfinite(r.observerNoise) ? number(r.observerNoise) : std::string()) + "\n";
    }
    writeFileAtomic(path, s);
}

// --- /psych -----------------------------------------------------------------------------

namespace {

std::string joinComma(const std::vector<std::string>& v)
{
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? "," : "") + v[i];
    return s;
}

std::vector<std::string> splitComma(const std::string& s)
{
    std::vector<std::string> out;
    if (s.empty())
        return out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t c = s.find(',', start);
        out.push_back(s.substr(start, c == std::string::npos ? std::string::npos : c - start));
        if (c == std::string::npos)
            return out;
        start = c + 1;
    }
}

void writeF64(H5File& f, const std::string& name, const std::vector<double>& v)
{
    f.write(name, H5Type::Float64, {static_cast<std::uint64_t>(v.size())}, v.data());
}

} // namespace

void writePsychSummary(H5File& f, const PsychSummary& s)
{
    const auto R = static_cast<std::uint64_t>(s.unitModel.size());
    const auto M = static_cast<std::uint64_t>(s.modelLabels.size());
    f.writeI64("/psych/units/model", {R}, s.unitModel);
    f.writeI64("/psych/units/unit", {R}, s.unitIndex);
    f.writeI64("/psych/units/trials", {R}, s.unitTrials);
    f.writeI64("/psych/units/correct", {R}, s.unitCorrect);
    writeF64(f, "/psych/units/accuracy", s.unitAccuracy);
    writeF64(f, "/psych/units/ci_low", s.unitCiLow);
    writeF64(f, "/psych/units/ci_high", s.unitCiHigh);
    writeF64(f, "/psych/units/ii_lpips", s.unitIiLpips);
    writeF64(f, "/psych/units/ii_color", s.unitIiColor);
    writeF64(f, "/psych/models/accuracy", s.modelAccuracy);
    writeF64(f, "/psych/models/ci_low", s.modelCiLow);
    writeF64(f, "/psych/models/ci_high", s.modelCiHigh);
    f.writeI64("/psych/models/trials", {M}, s.modelTrials);
    writeF64(f, "/psych/correlation/lpips", {s.spearmanLpips, s.spearmanLpipsLow, s.spearmanLpipsHigh, s.spearmanLpipsP});
    writeF64(f, "/psych/correlation/color", {s.spearmanColor, s.spearmanColorLow, s.spearmanColorHigh, s.spearmanColorP});
    writeF64(f, "/psych/participants/catch_accuracy", s.participantCatchAccuracy);
    writeF64(f, "/psych/participants/accuracy", s.participantAccuracy);
    f.write("/psych/participants/excluded", H5Type::UInt8, {static_cast<std::uint64_t>(s.participantExcluded.size())},
        s.participantExcluded.data());
    f.setAttr("/psych", "source", s.source);
    f.setAttr("/psych", "plan", s.plan);
    f.setAttr("/psych", "catch_threshold", s.catchThreshold);
    f.setAttr("/psych", "observer_noise", s.observerNoise);
    f.setAttr("/psych", "model_labels", joinComma(s.modelLabels));
    f.setAttr("/psych", "model_names", joinComma(s.modelNames));
    f.setAttr("/psych", "participants", joinComma(s.participants));
    f.setAttr("/psych", "comparison_method", s.comparisonMethod);
    f.setAttr("/psych", "comparison_statistic", s.comparisonStatistic);
    f.setAttr("/psych", "comparison_p", s.comparisonP);
}

bool hasPsychSummary(const std::string& h5Path)
{
    if (!fileExists(h5Path))
        return false;
    try {
        H5File f(h5Path, H5File::Mode::Read);
        return f.exists("/psych/units/accuracy");
    } catch (const Error&) {
        return false;
    }
}

PsychSummary readPsychSummary(const std::string& h5Path)
{
    if (!fileExists(h5Path))
        throw Error("psychophysics file '" + h5Path + "' does not exist");
    H5File f(h5Path, H5File::Mode::Read);
    const char* required[] = {"/psych/units/model", "/psych/units/unit", "/psych/units/trials", "/psych/units/correct",
        "/psych/units/accuracy", "/psych/units/ci_low", "/psych/units/ci_high", "/psych/units/ii_lpips", "/psych/units/ii_color",
        "/psych/models/accuracy", "/psych/models/ci_low", "/psych/models/ci_high", "/psych/models/trials",
        "/psych/correlation/lpips", "/psych/correlation/color", "/psych/participants/catch_accuracy",
        "/psych/participants/accuracy", "/psych/participants/excluded"};
    std::vector<std::string> missing;
    for (const char* d : required)
        if (!f.exists(d))
            missing.push_back(d);
    if (!missing.empty())
        throw Error(
            h5Path + ": no complete /psych summary (write one with: repalign-cli psych import): missing " + joinChoices(missing));
    PsychSummary s;
    auto str = [&](const char* key) { return f.hasAttr("/psych", key) ? f.attrString("/psych", key) : std::string(); };
    auto dbl = [&](const char* key) { return f.hasAttr("/psych", key) ? f.attrDouble("/psych", key) : NAN; };
    s.source = str("source");
    s.plan = str("plan");
    s.catchThreshold = dbl("catch_threshold");
    s.observerNoise = dbl("observer_noise");
    s.modelLabels = splitComma(str("model_labels"));
    s.modelNames = splitComma(str("model_names"));
    s.participants = splitComma(str("participants"));
    s.comparisonMethod = str("comparison_method");
    s.comparisonStatistic = dbl("comparison_statistic");
    s.comparisonP = dbl("comparison_p");
    s.unitModel = f.readI64("/psych/units/model");
    s.unitIndex = f.readI64("/psych/units/unit");
    s.unitTrials = f.readI64("/psych/units/trials");
    s.unitCorrect = f.readI64("/psych/units/correct");
    s.unitAccuracy = f.readF64("/psych/units/accuracy");
    s.unitCiLow = f.readF64("/psych/units/ci_low");
    s.unitCiHigh = f.readF64("/psych/units/ci_high");
    s.unitIiLpips = f.readF64("/psych/units/ii_lpips");
    s.unitIiColor = f.readF64("/psych/units/ii_color");
    s.modelAccuracy = f.readF64("/psych/models/accuracy");
    s.modelCiLow = f.readF64("/psych/models/ci_low");
    s.modelCiHigh = f.readF64("/psych/models/ci_high");
    s.modelTrials = f.readI64("/psych/models/trials");
    const auto lp = f.readF64("/psych/correlation/lpips");
    const auto co = f.readF64("/psych/correlation/color");
    if (lp.size() != 4 || co.size() != 4)
        throw Error(h5Path + ": /psych/correlation/lpips and /color must hold 4 values (rho, ci_low, ci_high, p)");
    s.spearmanLpips = lp[0];
    s.spearmanLpipsLow = lp[1];
    s.spearmanLpipsHigh = lp[2];
    s.spearmanLpipsP = lp[3];
    s.spearmanColor = co[0];
    s.spearmanColorLow = co[1];
    s.spearmanColorHigh = co[2];
    s.spearmanColorP = co[3];
    s.participantCatchAccuracy = f.readF64("/psych/participants/catch_accuracy");
    s.participantAccuracy = f.readF64("/psych/participants/accuracy");
    s.participantExcluded = f.readU8("/psych/participants/excluded");
    const std::size_t R = s.unitModel.size();
    if (s.unitIndex.size() != R || s.unitTrials.size() != R || s.unitAccuracy.size() != R || s.unitIiLpips.size() != R
        || s.unitIiColor.size() != R || s.unitCiLow.size() != R || s.unitCiHigh.size() != R || s.unitCorrect.size() != R)
        throw Error(h5Path + ": /psych/units datasets differ in length");
    if (s.modelAccuracy.size() != s.modelLabels.size() || s.modelTrials.size() != s.modelLabels.size())
        throw Error(h5Path + ": /psych/models does not hold one value per model label");
    if (s.participantExcluded.size() != s.participants.size() || s.participantAccuracy.size() != s.participants.size())
        throw Error(h5Path + ": /psych/participants does not hold one value per participant");
    return s;
}

} // namespace repalign::psych
