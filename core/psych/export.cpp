#include "common/error.h"
#include "common/fsutil.h"
#include "common/paths.h"
#include "psych/psych_internal.h"
#include "psych/psych_jobs.h"
#include "psych/zip.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

namespace repalign::psych {

namespace fs = std::filesystem;

ExportFormat parseExportFormat(const std::string& text)
{
    if (text == "jspsych")
        return ExportFormat::JsPsych;
    if (text == "jatos")
        return ExportFormat::Jatos;
    throw Error("--format: unknown value '" + text + "' (valid: jspsych, jatos)");
}

std::string psychResourceDir()
{
    if (const char* env = std::getenv("REPALIGN_PSYCH_DIR"); env && *env)
        return env;
    std::vector<std::string> candidates;
    const std::string share = installedDataDir();
    if (!share.empty())
        candidates.push_back(share + "/psych");
#ifdef REPALIGN_PSYCH_SOURCE_DIR
    candidates.push_back(REPALIGN_PSYCH_SOURCE_DIR);
#endif
    candidates.push_back(executableDir() + "/../../resources/psych");
    for (const std::string& c : candidates)
        if (fileExists(c + "/template/experiment.js"))
            return c;
    return candidates.front();
}

namespace {

struct RuntimeFile {
    const char* from; ///< below node_modules
    const char* to; ///< below lib/
};
const RuntimeFile kRuntime[] = {
    {"jspsych/dist/index.browser.min.js", "jspsych.js"},
    {"jspsych/css/jspsych.css", "jspsych.css"},
    {"@jspsych/plugin-html-keyboard-response/dist/index.browser.min.js", "plugin-html-keyboard-response.js"},
    {"@jspsych/plugin-instructions/dist/index.browser.min.js", "plugin-instructions.js"},
    {"@jspsych/plugin-preload/dist/index.browser.min.js", "plugin-preload.js"},
};

std::string replaceAll(std::string s, const std::string& from, const std::string& to)
{
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

std::string htmlEscape(const std::string& s)
{
    std::string out;
    for (const char c : s) {
        if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else if (c == '&')
            out += "&amp;";
        else if (c == '"')
            out += "&quot;";
        else
            out += c;
    }
    return out;
}

std::string filesJson(const std::vector<PsychImage>& v)
{
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? "," : "") + jsonQuote(v[i].file);
    return s + "]";
}

/// The blinded trial list the browser gets: no model, unit, kind (catch trials look like any
/// other) or activation.
std::string trialsJs(const PsychPlan& plan, const std::string& title)
{
    int practice = 0;
    for (const PsychTrial& t : plan.trials)
        practice += t.kind == TrialKind::Practice;
    const int tests = static_cast<int>(plan.trials.size()) - practice;
    const int breakEvery = tests > 80 ? 60 : 0;
    std::string s = "// Written by repalign-cli psych export: the trials of " + baseName(plan.dir) + " (blinded).\n";
    s += "window.PSYCH_EXPERIMENT = {\"format\": \"repalign-psych-web\", \"version\": 1, \"seed\": \"" + std::to_string(plan.seed)
        + "\", \"title\": " + jsonQuote(title) + ", \"practiceCount\": " + std::to_string(practice)
        + ", \"breakEvery\": " + std::to_string(breakEvery) + ",\n\"trials\": [\n";
    for (std::size_t i = 0; i < plan.trials.size(); ++i) {
        const PsychTrial& t = plan.trials[i];
        s += "{\"id\": " + jsonQuote(t.id) + ", \"practice\": " + (t.kind == TrialKind::Practice ? "true" : "false")
            + ", \"max\": " + filesJson(t.maxRefs) + ", \"min\": " + filesJson(t.minRefs)
            + ", \"qmax\": " + jsonQuote(t.queryMax.file) + ", \"qmin\": " + jsonQuote(t.queryMin.file) + "}"
            + (i + 1 < plan.trials.size() ? ",\n" : "\n");
    }
    s += "]};\n";
    return s;
}

std::string licences(const std::string& resources)
{
    const std::string nm = resources + "/node_modules/";
    std::string s = readFileText(resources + "/LICENSE-jspsych.txt");
    s += "\n----------------------------------------------------------------------\n"
         "Bundled into jspsych.js: auto-bind (npm), licence:\n\n"
        + readFileText(nm + "auto-bind/license");
    s += "\n----------------------------------------------------------------------\n"
         "Bundled into jspsych.js: random-words (npm), licence:\n\n"
        + readFileText(nm + "random-words/LICENSE");
    const std::string readme = readFileText(nm + "seedrandom/README.md");
    const std::size_t at = readme.find("LICENSE (MIT)");
    s += "\n----------------------------------------------------------------------\n"
         "Bundled into jspsych.js: seedrandom (npm), licence:\n\n"
        + (at == std::string::npos ? std::string("MIT (see https://github.com/davidbau/seedrandom)\n") : readme.substr(at));
    return s;
}

std::string readmeText(const PsychPlan& plan, bool jatos)
{
    std::string s = "RepAlign Workbench psychophysics experiment (" + std::to_string(plan.trials.size())
        + " trials, 2-AFC; Borowski et al. 2021 / Zimmermann et al. 2021 design)\n\n";
    if (jatos)
        s += "Import the .jzip in JATOS (Studies > Import study). The experiment submits jsPsych's JSON data with\n"
             "jatos.submitResultData. Export the results (Results > Export results) and read them with\n"
             "  repalign-cli psych import EXPERIMENT_DIR --results jatos_results_*.zip|txt --out result.h5\n";
    else
        s += "Open index.html in a browser (works offline, from file://). Give the participant's id in the\n"
             "address as index.html?participant=ID or type it on the first screen. At the end the browser saves\n"
             "psych_ID.csv (jsPsych's data.csv()) to the download folder. Read the files with\n"
             "  repalign-cli psych import EXPERIMENT_DIR --results psych_*.csv --out result.h5\n";
    s += "\nKeys: F = left query, J = right query; confidence 1 (guessing) .. 3 (sure).\n"
         "The order of trials and the sides are randomised per participant from the plan's seed.\n"
         "lib/ holds jsPsych 8 (MIT) with its licences in lib/LICENSES.txt.\n";
    return s;
}

/// name -> contents of the web experiment (images included).
std::vector<ZipMember> experimentFiles(const PsychPlan& plan, const ExportOptions& o, const std::string& resources, bool jatos)
{
    const std::string nm = resources + "/node_modules/";
    for (const RuntimeFile& f : kRuntime)
        if (!fileExists(nm + f.from))
            throw Error("psych export: the jsPsych runtime is missing (" + nm + f.from
                + "); run packaging/install-deps-debian.sh (it runs npm ci in resources/psych)");
    const std::string tpl = resources + "/template/";
    std::vector<ZipMember> files;
    std::string index = readFileText(tpl + "index.html");
    index = replaceAll(index, "@TITLE@", htmlEscape(o.title));
    index = replaceAll(index, "@JATOS_SCRIPT@", jatos ? "<script src=\"jatos.js\"></script>" : "");
    files.push_back({"index.html", index});
    files.push_back({"experiment.js", readFileText(tpl + "experiment.js")});
    files.push_back({"experiment.css", readFileText(tpl + "experiment.css")});
    files.push_back({"trials.js", trialsJs(plan, o.title)});
    files.push_back({"README.txt", readmeText(plan, jatos)});
    for (const RuntimeFile& f : kRuntime)
        files.push_back({std::string("lib/") + f.to, readFileText(nm + f.from)});
    files.push_back({"lib/LICENSES.txt", licences(resources)});
    std::set<std::string> images;
    for (const PsychTrial& t : plan.trials) {
        for (const auto& im : t.maxRefs)
            images.insert(im.file);
        for (const auto& im : t.minRefs)
            images.insert(im.file);
        images.insert(t.queryMax.file);
        images.insert(t.queryMin.file);
    }
    for (const std::string& im : images) {
        const std::string path = plan.dir + "/" + im;
        if (!fileExists(path))
            throw Error("psych export: " + path + " is missing (the plan names it; re-run psych plan)");
        files.push_back({im, readFileText(path)});
    }
    return files;
}

std::string uuidFrom(const std::string& text)
{
    const std::uint32_t a = fnv1a32(text), b = fnv1a32("b" + text), c = fnv1a32("c" + text), d = fnv1a32("d" + text);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%04x%08x", a, b >> 16, b & 0xFFF, 0x8000 | (c & 0x3FFF), c >> 16, d);
    return buf;
}

std::string dirNameFor(const PsychPlan& plan)
{
    std::string base;
    for (const char ch : baseName(fs::path(plan.dir).lexically_normal().string()))
        base += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    if (base.empty() || base == "_")
        base = "experiment";
    return "repalign_psych_" + base;
}

} // namespace

std::string exportExperiment(const ExportOptions& o)
{
    const PsychPlan plan = readPlan(o.experimentDir);
    const std::string resources = o.runtimeDir.empty() ? psychResourceDir() : o.runtimeDir;
    if (!fileExists(resources + "/template/experiment.js"))
        throw Error("psych export: the experiment template is missing (" + resources
            + "/template/experiment.js); set REPALIGN_PSYCH_DIR to the resources/psych folder");
    const bool jatos = o.format == ExportFormat::Jatos;
    const std::vector<ZipMember> files = experimentFiles(plan, o, resources, jatos);
    if (!jatos) {
        const std::string out = o.out.empty() ? plan.dir + "/web" : o.out;
        if (fs::exists(out) && !o.force)
            throw Error("psych export: '" + out + "' exists (use --force to replace it)");
        const std::string tmp = out + ".tmp-" + std::to_string(::getpid());
        std::error_code ec;
        fs::remove_all(tmp, ec);
        for (const ZipMember& f : files) {
            const std::string path = tmp + "/" + f.name;
            makeDirs(path.substr(0, path.find_last_of('/')));
            writeFileAtomic(path, f.data);
        }
        fs::remove_all(out, ec);
        fs::rename(tmp, out, ec);
        if (ec)
            throw Error("psych export: cannot move the experiment into '" + out + "': " + ec.message());
        return out;
    }
    const std::string dirName = dirNameFor(plan);
    const std::string out = o.out.empty() ? plan.dir + "/" + dirName + ".jzip" : o.out;
    if (fileExists(out) && !o.force)
        throw Error("psych export: '" + out + "' exists (use --force to replace it)");
    const std::string planText = readFileText(plan.dir + "/plan.json");
    std::string jas = "{\"version\":\"3\",\"data\":{";
    jas += "\"uuid\":\"" + uuidFrom("study:" + planText) + "\",";
    jas += "\"title\":" + jsonQuote(o.title + " (" + baseName(dirName) + ")") + ",";
    jas += "\"description\":" + jsonQuote("2-AFC unit interpretability experiment written by RepAlign Workbench") + ",";
    jas += "\"groupStudy\":false,\"linearStudy\":false,\"allowPreview\":false,";
    jas += "\"dirName\":" + jsonQuote(dirName) + ",";
    jas += "\"comments\":"
        + jsonQuote("Seed " + std::to_string(plan.seed) + ", " + std::to_string(plan.trials.size()) + " trials") + ",";
    jas += "\"jsonData\":null,\"endRedirectUrl\":\"\",\"studyEntryMsg\":null,";
    jas += "\"componentList\":[{\"uuid\":\"" + uuidFrom("component:" + planText)
        + "\",\"title\":\"2-AFC trials\",\"htmlFilePath\":\"index.html\",\"reloadable\":false,\"active\":true,"
          "\"comments\":\"\",\"jsonData\":null}],";
    jas += "\"batchList\":[{\"uuid\":\"" + uuidFrom("batch:" + planText)
        + "\",\"title\":\"Default\",\"active\":true,\"maxActiveMembers\":null,\"maxTotalMembers\":null,"
          "\"maxTotalWorkers\":null,\"allowedWorkerTypes\":[\"PersonalSingle\",\"PersonalMultiple\",\"GeneralSingle\","
          "\"GeneralMultiple\",\"Jatos\"],\"comments\":null,\"jsonData\":null}]";
    jas += "}}\n";
    std::vector<ZipMember> members;
    members.push_back({dirName + ".jas", jas});
    for (const ZipMember& f : files)
        members.push_back({dirName + "/" + f.name, f.data});
    writeFileAtomic(out, zipStore(members));
    return out;
}

} // namespace repalign::psych
