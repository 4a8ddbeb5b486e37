#pragma once
/// @file psych.h
/// Human psychophysics of units (issue 22): a 2-AFC experiment in the design of Borowski et
/// al. 2021 / Zimmermann et al. 2021 built from analyses (`psych plan`), its per-participant
/// schedule (the same in C++ and in the exported jsPsych experiment), the one response format
/// all sources end in, and the summary an import writes to /psych. Torch-free: the CLI and the
/// GUI include it.
///
/// Experiment folder (`psych plan --out DIR`):
///   plan.json        every trial, unit, model and image (researcher-only: names the models)
///   img/NNNN.png     the images, numbered in a blinded order
/// HDF5 /psych of an import's output (layout in docs/ARCHITECTURE.md, "Psychophysics").
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace repalign::psych {

enum class TrialKind { Practice, Main, Catch };
/// "practice" | "main" | "catch"
const char* trialKindName(TrialKind kind);
/// Inverse of trialKindName; throws Error listing the valid names.
TrialKind parseTrialKind(const std::string& name);

struct PsychImage {
    std::string file; ///< relative to the experiment folder
    std::int64_t datasetIndex = -1;
    double activation = 0;
};
struct PsychModel {
    std::string label; ///< blinded "A", "B", ...
    std::string analysis, model, checkpoint, layer;
};
struct PsychTrial {
    std::string id;
    TrialKind kind = TrialKind::Main;
    int model = -1; ///< index into PsychPlan::models
    std::int64_t unit = -1;
    std::vector<PsychImage> maxRefs, minRefs;
    PsychImage queryMax, queryMin;
    double iiLpips = NAN, iiColor = NAN; ///< the unit's II from its analysis (NAN when not recorded)
};
struct PsychPlan {
    std::string dir;
    std::uint64_t seed = 0; ///< 0..2^32-1 (the browser's PRNG is 32-bit)
    int k = 0; ///< references per side
    double catchThreshold = 0.8; ///< a participant with a lower catch-trial accuracy is excluded
    std::vector<PsychModel> models;
    std::vector<PsychTrial> trials;
};
/// Reads <dir>/plan.json; one-line errors naming the file and field.
PsychPlan readPlan(const std::string& experimentDir);

struct Presentation {
    int trial = -1; ///< index into PsychPlan::trials
    bool correctOnLeft = true;
};
/// Order and sides for one participant: practice trials first (fixed order), then main and catch
/// trials shuffled; deterministic from plan.seed and participantId, the same in C++ and in the exported JS.
std::vector<Presentation> participantSchedule(const PsychPlan& plan, const std::string& participantId);

struct PsychResponse {
    std::string participant, trialId, source;
    int position = 0; ///< 0-based place in the participant's schedule
    bool correctOnLeft = true;
    bool choseLeft = true;
    bool correct = false;
    int confidence = 0; ///< 1..3
    double rtMs = 0, confidenceRtMs = 0;
    double observerNoise = NAN; ///< simulated observer's noise (source "simulated"), NAN for people
};
/// The one result format all three sources end in (jsPsych-compatible CSV: one row per response).
void writeResponsesCsv(const std::string& path, const std::vector<PsychResponse>& responses); // atomic

struct PsychSummary { ///< /psych of an import's output .h5
    std::string source; ///< "human" | "simulated"
    std::string plan; ///< the experiment folder
    double observerNoise = NAN;
    double catchThreshold = NAN;
    std::vector<std::string> modelLabels, modelNames;
    std::vector<double> modelAccuracy, modelCiLow, modelCiHigh;
    std::vector<std::int64_t> modelTrials;
    std::string comparisonMethod;
    double comparisonStatistic = NAN, comparisonP = NAN;
    std::vector<std::int64_t> unitModel, unitIndex, unitTrials, unitCorrect;
    std::vector<double> unitAccuracy, unitCiLow, unitCiHigh, unitIiLpips, unitIiColor;
    double spearmanLpips = NAN, spearmanLpipsLow = NAN, spearmanLpipsHigh = NAN, spearmanLpipsP = NAN;
    double spearmanColor = NAN, spearmanColorLow = NAN, spearmanColorHigh = NAN, spearmanColorP = NAN;
    std::vector<std::string> participants;
    std::vector<double> participantCatchAccuracy, participantAccuracy;
    std::vector<std::uint8_t> participantExcluded;
};
PsychSummary readPsychSummary(const std::string& h5Path);
bool hasPsychSummary(const std::string& h5Path);

} // namespace repalign::psych
