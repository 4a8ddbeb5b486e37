#include "common/error.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "common/text.h"
#include "io/h5.h"
#include "psych/json.h"
#include "psych/psych_internal.h"
#include "psych/psych_jobs.h"
#include "psych/psych_stats.h"
#include "psych/zip.h"

#include <algorithm>
#include <map>
#include <set>

namespace repalign::psych {

// --- reading the three sources ----------------------------------------------------------

namespace {

/// One response record in text form, whatever the source (CSV row or JSON object).
struct RawRecord {
    std::string where; ///< "row 12" / "result 2, trial 17"
    std::map<std::string, std::string> fields;
};

const char* const kRequired[]
    = {"participant", "trial_id", "position", "correct_side", "response", "correct", "confidence", "rt"};

PsychResponse parseRecord(const RawRecord& r, const std::string& file, const std::string& defaultSource)
{
    auto fail = [&](const std::string& field, const std::string& why) -> Error {
        return Error(file + ": " + r.where + ", field " + field + ": " + why);
    };
    auto get = [&](const char* key) -> const std::string& {
        const auto it = r.fields.find(key);
        if (it == r.fields.end() || it->second.empty())
            throw fail(key, "missing value");
        return it->second;
    };
    auto side = [&](const char* key) {
        const std::string& v = get(key);
        if (v == "left")
            return true;
        if (v == "right")
            return false;
        throw fail(key, "'" + v + "' is not a side (valid: left, right)");
    };
    auto number = [&](const char* key, bool required) {
        const auto it = r.fields.find(key);
        if (it == r.fields.end() || it->second.empty() || it->second == "null") {
            if (required)
                throw fail(key, "missing value");
            return 0.0;
        }
        char* end = nullptr;
        const double v = std::strtod(it->second.c_str(), &end);
        if (end == it->second.c_str() || *end != '\0' || !std::isfinite(v) || v < 0)
            throw fail(key, "'" + it->second + "' is not a non-negative number");
        return v;
    };
    PsychResponse p;
    p.participant = get("participant");
    if (!validParticipantId(p.participant))
        throw fail("participant", "'" + p.participant + "' is not a valid id (letters, digits and _-.@:+ only, up to 128)");
    p.trialId = get("trial_id");
    const double pos = number("position", true);
    if (pos != std::floor(pos) || pos > 1e6)
        throw fail("position", "'" + get("position") + "' is not a trial position (0, 1, 2, ...)");
    p.position = static_cast<int>(pos);
    p.correctOnLeft = side("correct_side");
    p.choseLeft = side("response");
    const std::string& c = get("correct");
    if (c == "1" || c == "true")
        p.correct = true;
    else if (c == "0" || c == "false")
        p.correct = false;
    else
        throw fail("correct", "'" + c + "' is not 0/1 or true/false");
    if (p.correct != (p.correctOnLeft == p.choseLeft))
        throw fail("correct",
            "'" + c + "' disagrees with response '" + get("response") + "' and correct_side '" + get("correct_side")
                + "' (edited file?)");
    const std::string& conf = get("confidence");
    if (conf != "1" && conf != "2" && conf != "3")
        throw fail("confidence", "'" + conf + "' is not a rating (valid: 1, 2, 3)");
    p.confidence = conf[0] - '0';
    p.rtMs = number("rt", true);
    p.confidenceRtMs = number("confidence_rt", false);
    const auto s = r.fields.find("source");
    p.source = s != r.fields.end() && !s->second.empty() ? s->second : defaultSource;
    if (const auto n = r.fields.find("observer_noise"); n != r.fields.end() && !n->second.empty())
        p.observerNoise = number("observer_noise", false);
    return p;
}

bool isResponseRecord(const std::map<std::string, std::string>& fields)
{
    const auto t = fields.find("task");
    return t == fields.end() ? true : t->second == "psych_response";
}

std::vector<PsychResponse> fromCsv(const std::string& text, const std::string& file, const std::string& defaultSource)
{
    const auto rows = parseCsv(text, file);
    if (rows.empty())
        throw Error(file + ": empty file (no header row)");
    const std::vector<std::string>& header = rows[0];
    const bool hasTask = std::find(header.begin(), header.end(), "task") != header.end();
    std::vector<std::string> missing;
    for (const char* k : kRequired)
        if (std::find(header.begin(), header.end(), k) == header.end())
            missing.push_back(k);
    if (!missing.empty()) {
        if (hasTask) // a jsPsych file without one response: check there is none
            for (std::size_t i = 1; i < rows.size(); ++i)
                for (std::size_t c = 0; c < header.size() && c < rows[i].size(); ++c)
                    if (header[c] == "task" && rows[i][c] == "psych_response")
                        throw Error(file + ": responses lack the column(s) " + joinChoices(missing));
        if (!hasTask)
            throw Error(file + ": not a psychophysics result file: missing column(s) " + joinChoices(missing)
                + " (expected the CSV of the web experiment, the in-app runner or psych simulate)");
        return {};
    }
    std::vector<PsychResponse> out;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        RawRecord r;
        r.where = "row " + std::to_string(i + 1);
        if (rows[i].size() != header.size()) {
            if (rows[i].size() == 1 && rows[i][0].empty())
                continue;
            throw Error(file + ": " + r.where + ": " + std::to_string(rows[i].size()) + " fields where the header has "
                + std::to_string(header.size()) + " (truncated or edited file?)");
        }
        for (std::size_t c = 0; c < header.size(); ++c)
            r.fields[header[c]] = rows[i][c];
        if (isResponseRecord(r.fields))
            out.push_back(parseRecord(r, file, defaultSource));
    }
    return out;
}

void collectJson(const JsonValue& v, const std::string& where, const std::string& file, const std::string& defaultSource,
    std::vector<PsychResponse>& out)
{
    if (v.isArray()) {
        for (std::size_t i = 0; i < v.items.size(); ++i)
            collectJson(
                v.items[i], where + (where.empty() ? "" : ", ") + "trial " + std::to_string(i + 1), file, defaultSource, out);
        return;
    }
    if (!v.isObject())
        throw Error(file + ": " + where + ": expected jsPsych trial objects, got a " + (v.isString() ? "string" : "scalar"));
    // JATOS' metadata-wrapped exports keep the trials under "data"
    if (const JsonValue* data = v.find("data"); data && data->isArray() && !v.find("trial_type")) {
        collectJson(*data, where, file, defaultSource, out);
        return;
    }
    RawRecord r;
    r.where = where;
    for (const auto& m : v.members)
        if (!m.second.isArray() && !m.second.isObject())
            r.fields[m.first] = m.second.scalarText();
    if (r.fields.count("task") && isResponseRecord(r.fields))
        out.push_back(parseRecord(r, file, defaultSource));
}

std::vector<PsychResponse> fromJsonText(const std::string& text, const std::string& file, const std::string& defaultSource)
{
    const std::vector<JsonValue> docs = parseJsonSequence(text, file);
    std::vector<PsychResponse> out;
    for (std::size_t d = 0; d < docs.size(); ++d)
        collectJson(docs[d], docs.size() > 1 ? "result " + std::to_string(d + 1) : "", file, defaultSource, out);
    return out;
}

std::vector<PsychResponse> fromText(const std::string& text, const std::string& file, const std::string& defaultSource)
{
    std::size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
        ++i;
    if (i == text.size())
        throw Error(file + ": empty file");
    if (text[i] == '[' || text[i] == '{')
        return fromJsonText(text, file, defaultSource);
    return fromCsv(text, file, defaultSource);
}

} // namespace

std::vector<PsychResponse> readResponses(const std::string& path)
{
    if (!fileExists(path))
        throw Error("result file '" + path + "' does not exist");
    const std::string bytes = readFileText(path);
    if (looksLikeZip(bytes)) {
        std::vector<PsychResponse> out;
        int used = 0;
        for (const ZipMember& m : readZip(path)) {
            const std::string n = m.name;
            auto endsWith = [&](const std::string& tail) {
                return n.size() >= tail.size() && n.compare(n.size() - tail.size(), tail.size(), tail) == 0;
            };
            const bool data = endsWith(".txt") || endsWith(".json") || endsWith(".csv");
            if (!data || m.data.find_first_not_of(" \t\r\n") == std::string::npos)
                continue;
            ++used;
            auto part = fromText(m.data, path + ":" + n, "jatos");
            out.insert(out.end(), part.begin(), part.end());
        }
        if (used == 0)
            throw Error(path + ": the archive holds no result data (.txt/.json/.csv members)");
        return out;
    }
    const bool json = bytes.find_first_not_of(" \t\r\n") != std::string::npos
        && (bytes[bytes.find_first_not_of(" \t\r\n")] == '[' || bytes[bytes.find_first_not_of(" \t\r\n")] == '{');
    // several JSON documents (one per line) is JATOS' text export; one array is jsPsych's json()
    std::string source = "jspsych";
    if (json) {
        const auto docs = parseJsonSequence(bytes, path);
        if (docs.size() > 1)
            source = "jatos";
    }
    return fromText(bytes, path, source);
}

// --- analysis ---------------------------------------------------------------------------

namespace {

struct ParticipantStats {
    std::int64_t catchAnswered = 0, catchCorrect = 0, mainAnswered = 0, mainCorrect = 0;
    std::map<int, std::pair<std::int64_t, std::int64_t>> perModel; ///< model -> (trials, correct)
};

/// The responses to analyse: each must answer a trial of @p plan; a repeated (participant, trial)
/// keeps its first answer (noted). Sets the summary's source (simulated or human, never mixed).
std::vector<PsychResponse> checkedResponses(const PsychPlan& plan, const std::vector<PsychResponse>& responsesIn,
    const std::map<std::string, int>& trialIndex, ImportResult& result)
{
    PsychSummary& s = result.summary;
    std::set<std::pair<std::string, std::string>> seen;
    std::vector<PsychResponse> responses;
    std::set<std::string> sources;
    std::int64_t duplicates = 0;
    for (const PsychResponse& r : responsesIn) {
        if (!trialIndex.count(r.trialId))
            throw Error("psych import: participant " + r.participant + " answered trial '" + r.trialId + "', which the plan in "
                + plan.dir + " does not have (results of another experiment?)");
        if (!seen.insert({r.participant, r.trialId}).second) {
            ++duplicates;
            continue;
        }
        sources.insert(r.source);
        responses.push_back(r);
    }
    if (responses.empty())
        throw Error("psych import: the result files hold no responses");
    if (duplicates > 0)
        result.notes.push_back(std::to_string(duplicates)
            + " repeated responses (same participant and trial, e.g. a reloaded page) ignored; the first one counts");
    const bool simulated = sources.size() == 1 && *sources.begin() == "simulated";
    if (sources.count("simulated") && !simulated)
        throw Error("psych import: simulated and human responses are mixed; import them separately");
    s.source = simulated ? "simulated" : "human";
    if (simulated) {
        for (const PsychResponse& r : responses)
            if (std::isfinite(r.observerNoise)) {
                s.observerNoise = r.observerNoise;
                break;
            }
    }
    return responses;
}

/// Tallies each participant's catch and main trials into @p people, fills the summary's
/// participant columns and returns those excluded by the catch-trial rule (noted).
std::set<std::string> excludeParticipants(const PsychPlan& plan, const std::vector<PsychResponse>& responses,
    const std::map<std::string, int>& trialIndex, double catchThreshold, int mainTotal,
    std::map<std::string, ParticipantStats>& people, ImportResult& result)
{
    PsychSummary& s = result.summary;
    for (const PsychResponse& r : responses) {
        const PsychTrial& t = plan.trials[static_cast<std::size_t>(trialIndex.at(r.trialId))];
        ParticipantStats& p = people[r.participant];
        if (t.kind == TrialKind::Catch) {
            ++p.catchAnswered;
            p.catchCorrect += r.correct;
        } else if (t.kind == TrialKind::Main) {
            ++p.mainAnswered;
            p.mainCorrect += r.correct;
            auto& pm = p.perModel[t.model];
            ++pm.first;
            pm.second += r.correct;
        }
    }
    std::set<std::string> excluded;
    for (const auto& [id, p] : people) {
        const double catchAcc
            = p.catchAnswered ? static_cast<double>(p.catchCorrect) / static_cast<double>(p.catchAnswered) : NAN;
        const bool out = !(catchAcc >= catchThreshold);
        s.participants.push_back(id);
        s.participantCatchAccuracy.push_back(catchAcc);
        s.participantAccuracy.push_back(
            p.mainAnswered ? static_cast<double>(p.mainCorrect) / static_cast<double>(p.mainAnswered) : NAN);
        s.participantExcluded.push_back(out ? 1 : 0);
        if (out) {
            excluded.insert(id);
            result.notes.push_back("participant " + id + " excluded: catch-trial accuracy "
                + (p.catchAnswered
                        ? fixed(catchAcc, 3) + " (" + std::to_string(p.catchCorrect) + "/" + std::to_string(p.catchAnswered) + ")"
                        : std::string("undefined (no catch trial answered)"))
                + " is below the threshold " + fixed(catchThreshold, 2));
        }
        if (p.mainAnswered < mainTotal)
            result.notes.push_back("participant " + id + " is partial: " + std::to_string(p.mainAnswered) + " of "
                + std::to_string(mainTotal) + " main trials answered (kept; its answered trials count)");
    }
    result.notes.push_back("exclusion rule: a participant whose catch-trial accuracy is below " + fixed(catchThreshold, 2)
        + " (or who answered no catch trial) is excluded; " + std::to_string(excluded.size()) + " of "
        + std::to_string(people.size()) + " excluded");
    return excluded;
}

/// Per main-trial unit: trials, correct, accuracy and its Wilson interval (included participants only).
void unitAccuracies(const PsychPlan& plan, const std::vector<PsychResponse>& responses,
    const std::map<std::string, int>& trialIndex, const std::set<std::string>& excluded, PsychSummary& s)
{
    std::map<std::pair<int, std::int64_t>, std::pair<std::int64_t, std::int64_t>> units;
    std::map<std::pair<int, std::int64_t>, std::pair<double, double>> unitIi;
    for (const PsychTrial& t : plan.trials)
        if (t.kind == TrialKind::Main) {
            units[{t.model, t.unit}];
            unitIi[{t.model, t.unit}] = {t.iiLpips, t.iiColor};
        }
    for (const PsychResponse& r : responses) {
        if (excluded.count(r.participant))
            continue;
        const PsychTrial& t = plan.trials[static_cast<std::size_t>(trialIndex.at(r.trialId))];
        if (t.kind != TrialKind::Main)
            continue;
        auto& u = units[{t.model, t.unit}];
        ++u.first;
        u.second += r.correct;
    }
    for (const auto& [key, tc] : units) {
        s.unitModel.push_back(key.first);
        s.unitIndex.push_back(key.second);
        s.unitTrials.push_back(tc.first);
        s.unitCorrect.push_back(tc.second);
        s.unitAccuracy.push_back(tc.first ? static_cast<double>(tc.second) / static_cast<double>(tc.first) : NAN);
        const Interval ci = wilsonInterval(tc.second, tc.first);
        s.unitCiLow.push_back(ci.low);
        s.unitCiHigh.push_back(ci.high);
        s.unitIiLpips.push_back(unitIi[key].first);
        s.unitIiColor.push_back(unitIi[key].second);
    }
}

/// Per model: pooled accuracy of the included participants and its participant-cluster bootstrap CI.
void modelAccuracies(const PsychPlan& plan, const std::map<std::string, ParticipantStats>& people,
    const std::vector<std::string>& included, int resamples, std::uint64_t seed, PsychSummary& s)
{
    const std::size_t M = plan.models.size();
    s.modelAccuracy.assign(M, NAN);
    s.modelCiLow.assign(M, NAN);
    s.modelCiHigh.assign(M, NAN);
    s.modelTrials.assign(M, 0);
    std::vector<std::int64_t> modelCorrect(M, 0);
    for (const std::string& id : included)
        for (const auto& [m, tc] : people.at(id).perModel) {
            s.modelTrials[static_cast<std::size_t>(m)] += tc.first;
            modelCorrect[static_cast<std::size_t>(m)] += tc.second;
        }
    for (std::size_t m = 0; m < M; ++m)
        if (s.modelTrials[m] > 0)
            s.modelAccuracy[m] = static_cast<double>(modelCorrect[m]) / static_cast<double>(s.modelTrials[m]);
    if (!included.empty()) {
        std::vector<std::vector<double>> boots(M);
        Rng rng(mixSeed(seed, 0xC1057E2, included.size()));
        for (int r = 0; r < resamples; ++r) {
            std::vector<std::int64_t> t(M, 0), c(M, 0);
            for (std::size_t i = 0; i < included.size(); ++i)
                for (const auto& [m, tc] : people.at(included[rng.below(included.size())]).perModel) {
                    t[static_cast<std::size_t>(m)] += tc.first;
                    c[static_cast<std::size_t>(m)] += tc.second;
                }
            for (std::size_t m = 0; m < M; ++m)
                if (t[m] > 0)
                    boots[m].push_back(static_cast<double>(c[m]) / static_cast<double>(t[m]));
        }
        for (std::size_t m = 0; m < M; ++m) {
            std::sort(boots[m].begin(), boots[m].end());
            s.modelCiLow[m] = sortedQuantile(boots[m], 0.025);
            s.modelCiHigh[m] = sortedQuantile(boots[m], 0.975);
        }
    }
}

/// The paired sign-flip comparison of the first two labels (A vs B), when there are two models or more.
void compareFirstTwo(const PsychPlan& plan, const std::map<std::string, ParticipantStats>& people,
    const std::vector<std::string>& included, int resamples, std::uint64_t seed, PsychSummary& s)
{
    const std::size_t M = plan.models.size();
    std::vector<std::size_t> byLabel(M);
    for (std::size_t m = 0; m < M; ++m)
        byLabel[m] = m;
    std::sort(byLabel.begin(), byLabel.end(),
        [&](std::size_t a, std::size_t b) { return plan.models[a].label < plan.models[b].label; });
    if (M >= 2) {
        const int a = static_cast<int>(byLabel[0]), b = static_cast<int>(byLabel[1]);
        std::vector<double> d;
        for (const std::string& id : included) {
            const auto& pm = people.at(id).perModel;
            const auto ia = pm.find(a), ib = pm.find(b);
            if (ia == pm.end() || ib == pm.end() || ia->second.first == 0 || ib->second.first == 0)
                continue;
            d.push_back(static_cast<double>(ia->second.second) / static_cast<double>(ia->second.first)
                - static_cast<double>(ib->second.second) / static_cast<double>(ib->second.first));
        }
        bool exact = false;
        const double p = signFlipP(d, resamples, seed, &exact);
        double mean = 0;
        for (const double v : d)
            mean += v;
        s.comparisonStatistic = d.empty() ? NAN : mean / static_cast<double>(d.size());
        s.comparisonP = p;
        s.comparisonMethod = "paired sign-flip permutation test of the per-participant accuracy difference "
            + plan.models[static_cast<std::size_t>(a)].label + " - " + plan.models[static_cast<std::size_t>(b)].label + " ("
            + (exact ? std::string("exact, 2^") + std::to_string(d.size()) + " patterns"
                     : std::to_string(resamples) + " Monte-Carlo patterns")
            + ", " + std::to_string(d.size()) + " participants); model CIs: participant-cluster bootstrap, "
            + std::to_string(resamples) + " resamples";
    }
}

/// Spearman between per-unit human accuracy and the two interpretability indices.
void iiCorrelations(int resamples, std::uint64_t seed, PsychSummary& s)
{
    std::vector<double> acc, lp, co;
    for (std::size_t i = 0; i < s.unitAccuracy.size(); ++i)
        if (s.unitTrials[i] > 0) {
            acc.push_back(s.unitAccuracy[i]);
            lp.push_back(s.unitIiLpips[i]);
            co.push_back(s.unitIiColor[i]);
        }
    const Correlation cl = spearman(acc, lp, resamples, seed);
    const Correlation cc = spearman(acc, co, resamples, seed + 1);
    s.spearmanLpips = cl.rho;
    s.spearmanLpipsLow = cl.low;
    s.spearmanLpipsHigh = cl.high;
    s.spearmanLpipsP = cl.p;
    s.spearmanColor = cc.rho;
    s.spearmanColorLow = cc.low;
    s.spearmanColorHigh = cc.high;
    s.spearmanColorP = cc.p;
}

} // namespace

ImportResult analyseResponses(const PsychPlan& plan, const std::vector<PsychResponse>& responsesIn, double catchThreshold,
    int resamples, std::uint64_t seed)
{
    if (!(catchThreshold >= 0 && catchThreshold <= 1))
        throw Error("psych import: --catch-threshold must be a share in 0..1");
    if (resamples < 100 || resamples > 1000000)
        throw Error("psych import: --resamples " + std::to_string(resamples) + " is out of range (valid: 100..1000000)");
    ImportResult result;
    PsychSummary& s = result.summary;
    std::map<std::string, int> trialIndex;
    int mainTotal = 0;
    for (std::size_t i = 0; i < plan.trials.size(); ++i) {
        trialIndex[plan.trials[i].id] = static_cast<int>(i);
        mainTotal += plan.trials[i].kind == TrialKind::Main;
    }
    const std::vector<PsychResponse> responses = checkedResponses(plan, responsesIn, trialIndex, result);
    s.plan = plan.dir;
    s.catchThreshold = catchThreshold;
    for (const PsychModel& m : plan.models) {
        s.modelLabels.push_back(m.label);
        s.modelNames.push_back(m.model + ":" + baseName(m.analysis));
    }
    std::map<std::string, ParticipantStats> people;
    const std::set<std::string> excluded
        = excludeParticipants(plan, responses, trialIndex, catchThreshold, mainTotal, people, result);
    std::vector<std::string> included;
    for (const auto& kv : people)
        if (!excluded.count(kv.first))
            included.push_back(kv.first);
    unitAccuracies(plan, responses, trialIndex, excluded, s);
    modelAccuracies(plan, people, included, resamples, seed, s);
    compareFirstTwo(plan, people, included, resamples, seed, s);
    iiCorrelations(resamples, seed, s);
    return result;
}

ImportResult importResults(const ImportOptions& o)
{
    const PsychPlan plan = readPlan(o.experimentDir);
    if (o.results.empty())
        throw Error("psych import: no result files given (--results FILE ...)");
    std::vector<PsychResponse> all;
    for (const std::string& f : o.results) {
        auto part = readResponses(f);
        if (part.empty())
            throw Error(f + ": holds no psychophysics responses (task psych_response)");
        all.insert(all.end(), part.begin(), part.end());
    }
    ImportResult r
        = analyseResponses(plan, all, std::isnan(o.catchThreshold) ? plan.catchThreshold : o.catchThreshold, o.resamples, o.seed);
    if (!o.out.empty()) {
        const std::string parent = o.out.find('/') == std::string::npos ? "" : o.out.substr(0, o.out.find_last_of('/'));
        if (!parent.empty() && !isDirectory(parent))
            makeDirs(parent);
        {
            H5File f(o.out, H5File::Mode::CreateAtomic);
            writePsychSummary(f, r.summary);
            f.commit();
        }
        const PsychSummary& s = r.summary;
        std::string csv = "model,model_name,unit,trials,correct,accuracy,ci_low,ci_high,ii_lpips,ii_color\n";
        for (std::size_t i = 0; i < s.unitModel.size(); ++i) {
            const auto m = static_cast<std::size_t>(s.unitModel[i]);
            csv += s.modelLabels[m] + "," + csvField(s.modelNames[m]) + "," + std::to_string(s.unitIndex[i]) + ","
                + std::to_string(s.unitTrials[i]) + "," + std::to_string(s.unitCorrect[i]) + ","
                + significant(s.unitAccuracy[i], 6) + "," + significant(s.unitCiLow[i], 6) + "," + significant(s.unitCiHigh[i], 6)
                + "," + significant(s.unitIiLpips[i], 6) + "," + significant(s.unitIiColor[i], 6) + "\n";
        }
        std::string stem = o.out;
        if (stem.size() > 3 && stem.compare(stem.size() - 3, 3, ".h5") == 0)
            stem.resize(stem.size() - 3);
        r.unitsCsv = stem + "_units.csv";
        writeFileAtomic(r.unitsCsv, csv);
    }
    return r;
}

std::string summaryText(const PsychSummary& s)
{
    std::string t;
    t += "Psychophysics (" + s.source + (s.source == "simulated" ? ": model observer, not human data" : "") + ") of " + s.plan
        + "\n";
    std::int64_t excluded = 0;
    for (const auto e : s.participantExcluded)
        excluded += e;
    t += "participants: " + std::to_string(s.participants.size()) + " (" + std::to_string(excluded)
        + " excluded by the catch-trial threshold " + fixed(s.catchThreshold, 2) + ")\n\n";
    t += "model  name                                  trials  accuracy  95% CI\n";
    for (std::size_t m = 0; m < s.modelLabels.size(); ++m)
        t += strprintf("%-6s %-37s %7lld  %8s  [%s, %s]\n", s.modelLabels[m].c_str(), s.modelNames[m].c_str(),
            static_cast<long long>(s.modelTrials[m]), fixed(s.modelAccuracy[m], 3).c_str(), fixed(s.modelCiLow[m], 3).c_str(),
            fixed(s.modelCiHigh[m], 3).c_str());
    t += "\ncomparison: " + s.comparisonMethod + "\n  mean difference " + fixed(s.comparisonStatistic, 4)
        + ", p = " + significant(s.comparisonP, 4) + "\n\n";
    t += "Spearman (per-unit human accuracy vs II, bootstrap 95% CI over units, t-test p):\n";
    t += "  II-LPIPS: rho = " + fixed(s.spearmanLpips, 3) + " [" + fixed(s.spearmanLpipsLow, 3) + ", "
        + fixed(s.spearmanLpipsHigh, 3) + "], p = " + significant(s.spearmanLpipsP, 4) + "\n";
    t += "  II-color: rho = " + fixed(s.spearmanColor, 3) + " [" + fixed(s.spearmanColorLow, 3) + ", "
        + fixed(s.spearmanColorHigh, 3) + "], p = " + significant(s.spearmanColorP, 4) + "\n\n";
    t += "per unit (Wilson 95% CI):\nmodel   unit  trials  accuracy  95% CI            II-LPIPS  II-color\n";
    for (std::size_t i = 0; i < s.unitModel.size(); ++i)
        t += strprintf("%-6s %5lld %7lld  %8s  [%s, %s]  %8s  %8s\n",
            s.modelLabels[static_cast<std::size_t>(s.unitModel[i])].c_str(), static_cast<long long>(s.unitIndex[i]),
            static_cast<long long>(s.unitTrials[i]), fixed(s.unitAccuracy[i], 3).c_str(), fixed(s.unitCiLow[i], 3).c_str(),
            fixed(s.unitCiHigh[i], 3).c_str(), fixed(s.unitIiLpips[i], 4).c_str(), fixed(s.unitIiColor[i], 2).c_str());
    return t;
}

} // namespace repalign::psych
