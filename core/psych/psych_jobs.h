#pragma once
/// @file psych_jobs.h
/// The work behind `repalign-cli psych plan|export|simulate|import` (torch-free header).
#include "common/progress.h"
#include "psych/psych.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign::psych {

// --- plan -------------------------------------------------------------------------------
struct PlanOptions {
    std::vector<std::string> analyses; ///< two (or more) analysis .h5 files
    std::int64_t units = 64; ///< units per model (a seeded random sample of the eligible ones)
    int k = 0; ///< references per side; 0 = the analyses' k (the MEIs the II measured)
    int catchTrials = -1; ///< -1 = 10% of the main trials (at least 2)
    int practiceTrials = 2;
    std::uint64_t seed = 0; ///< 0..2^32-1
    double catchThreshold = 0.8;
    std::string data; ///< overrides the analyses' data spec (where the images are read from)
    std::string outDir;
    bool force = false; ///< replace an existing experiment in outDir
};
struct PlanResult {
    PsychPlan plan;
    std::int64_t images = 0; ///< distinct PNGs written
    std::vector<std::string> notes; ///< e.g. units skipped as constant
};
/// Builds the 2-AFC experiment (see README "Human psychophysics"): for each selected unit the
/// k maximally and k minimally activating images (ranks 1..k of /activations, the top ones
/// being the analysis' MEIs) as references, and the held-out rank-(k+1) image of each side as
/// the two queries. Writes <outDir>/plan.json and <outDir>/img/*.png.
PlanResult buildPlan(const PlanOptions& options, ProgressSink& sink, const CancelToken& cancel);

// --- export -----------------------------------------------------------------------------
enum class ExportFormat { JsPsych, Jatos };
ExportFormat parseExportFormat(const std::string& text); ///< "jspsych" | "jatos"
struct ExportOptions {
    std::string experimentDir;
    ExportFormat format = ExportFormat::JsPsych;
    std::string out; ///< jspsych: a folder (default <dir>/web); jatos: a .jzip (default <dir>/<name>.jzip)
    std::string runtimeDir; ///< where node_modules is; empty = psychRuntimeDir()
    std::string title = "Which image belongs?";
    bool force = false;
};
/// The folder holding resources/psych (package.json, the experiment template, node_modules):
/// $REPALIGN_PSYCH_DIR, else <share>/repalign/psych, else the source tree's resources/psych.
std::string psychResourceDir();
/// Writes the web experiment; returns the path written. One-line Error when node_modules is
/// missing (names packaging/install-deps-debian.sh).
std::string exportExperiment(const ExportOptions& options);

// --- simulated observer -----------------------------------------------------------------
struct SimulateOptions {
    std::string experimentDir;
    int participants = 10;
    double noise = 0.05; ///< SD of the Gaussian decision noise added to the LPIPS evidence
    std::uint64_t seed = 0;
    std::string lpipsWeights; ///< as analyze's --lpips-weights (empty = the default search)
    std::string device = "cpu";
    std::string out; ///< responses CSV
};
struct SimulateResult {
    std::int64_t responses = 0;
    double accuracy = 0; ///< main trials
    std::string lpipsWeights;
};
/// A model observer: on each trial it picks the query whose mean LPIPS distance to the maximal
/// references minus that to the minimal references is smaller, after adding N(0, noise^2) to
/// the difference of the two queries' evidence; confidence from the margin. Source "simulated".
SimulateResult simulateObservers(const SimulateOptions& options, ProgressSink& sink, const CancelToken& cancel);
/// The evidence the observer uses, per trial of the plan: e(q) = mean LPIPS(q, maxRefs) -
/// mean LPIPS(q, minRefs); returns e(queryMin) - e(queryMax) (> 0: the rule picks queryMax).
std::vector<double> observerEvidence(const PsychPlan& plan, const std::string& lpipsWeights, const std::string& device,
    std::string* weightsDescription, ProgressSink& sink, const CancelToken& cancel);

// --- import and analysis ----------------------------------------------------------------
/// Reads one result file of any source: the in-app runner's / simulate's CSV, jsPsych CSV or
/// JSON (data.get().csv()/json()), a JATOS result export (text with one JSON array per line,
/// or the .zip of JATOS 3.8+). One-line Error naming the file and the row/field.
std::vector<PsychResponse> readResponses(const std::string& path);
struct ImportOptions {
    std::string experimentDir;
    std::vector<std::string> results;
    double catchThreshold = NAN; ///< NAN = the plan's
    int resamples = 10000;
    std::uint64_t seed = 0;
    std::string out; ///< .h5 (/psych); also <stem>_units.csv beside it
};
struct ImportResult {
    PsychSummary summary;
    std::vector<std::string> notes; ///< exclusions, partial participants, duplicates
    std::string unitsCsv;
};
/// Reads the results, excludes participants by the catch-trial rule, and computes the
/// statistics (README "Human psychophysics"); writes options.out when set.
ImportResult importResults(const ImportOptions& options);
/// The same analysis on responses already read (tests, the GUI runner).
ImportResult analyseResponses(
    const PsychPlan& plan, const std::vector<PsychResponse>& responses, double catchThreshold, int resamples, std::uint64_t seed);
/// The stdout table of a summary.
std::string summaryText(const PsychSummary& s);

} // namespace repalign::psych
