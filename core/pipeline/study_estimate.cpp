// Studies, the estimate room: the plan as text with each run's estimated time from the
// images/s that earlier runs measured (run/project's rule for which run to trust).
#include "pipeline/study.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "common/text.h"
#include "data/nsd_bundle.h"
#include "interpret/analysis.h"
#include "pipeline/study_internal.h"
#include "run/analyze_config.h"
#include "run/config.h"
#include "run/dataspec.h"
#include "run/project.h"
#include "run/rundir.h"
#include "run/tune_config.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace repalign {

namespace {

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
        const std::string file = RunLayout(run).analysisFile();
        if (!fileExists(file))
            continue;
        const RunStatus st = readRunStatus(run);
        double seconds = 0;
        if (st.state != RunState::Finished || std::sscanf(st.message.c_str(), "analysed in %lf s", &seconds) != 1 || seconds <= 0)
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
    std::map<StudyStage, StageTotal> totals;
    // Seconds for one run, or -1 (no measurement, or a size that cannot be known yet).
    auto estimate = [&](const StudyRun& r, std::string* from) -> double {
        if (r.stage == StudyStage::Train) {
            const TrainConfig cfg = parseTrainConfig(r.config, r.name);
            const DurationEstimate e = estimateTrainingDuration(plan.studyDir + "/runs", cfg);
            if (e.images <= 0)
                return -1;
            const StageSpeed sp = measuredSpeed(earlier, toString(StudyStage::Train), cfg.device, cfg.model);
            if (sp.imagesPerSecond <= 0)
                return -1;
            *from = strprintf("%s %.1f images/s (%s)", sp.model.c_str(), sp.imagesPerSecond, sp.run.c_str());
            return static_cast<double>(e.images) / sp.imagesPerSecond;
        }
        if (r.stage == StudyStage::Tune) {
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
            const StageSpeed sp = measuredSpeed(earlier, toString(StudyStage::Tune), cfg.device, cfg.baseModel);
            if (sp.imagesPerSecond <= 0)
                return -1;
            *from = strprintf("%s %.1f images/s (%s)", sp.model.c_str(), sp.imagesPerSecond, sp.run.c_str());
            return static_cast<double>(perEpoch * cfg.epochs) / sp.imagesPerSecond;
        }
        if (r.stage == StudyStage::Behave)
            return -1; // no behave run records its speed yet
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
        *from = strprintf("%s %.1f images/s (%s)", sp->model.c_str(), sp->imagesPerSecond, sp->run.c_str());
        return static_cast<double>(n) / sp->imagesPerSecond;
    };
    for (StudyStage stage : studyStages()) {
        const auto runs = plan.stage(stage);
        if (runs.empty())
            continue;
        o << "\n" << toString(stage) << " (" << runs.size() << "):\n";
        for (const StudyRun* r : runs) {
            o << "  " << r->name;
            if (!r->dependsOn.empty())
                o << "  <- " << joinChoices(r->dependsOn);
            try {
                std::string from;
                const double secs = estimate(*r, &from);
                if (secs >= 0) {
                    o << "  (~" << formatDuration(secs) << ")";
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
      << plan.runs.size() << " runs: " << plan.stage(StudyStage::Train).size() << " train, "
      << plan.stage(StudyStage::Tune).size() << " tune, " << plan.stage(StudyStage::Analyze).size() << " analyze"
      << (plan.stage(StudyStage::Behave).empty() ? std::string()
                                                 : ", " + std::to_string(plan.stage(StudyStage::Behave).size()) + " behave")
      << ", then the comparison\n";
    o << "estimated time, one run at a time, from the images/s of earlier runs on the same device (in " << plan.studyDir
      << "/runs, else the project around it):\n";
    double all = 0;
    int estimatedStages = 0, stages = 0;
    for (StudyStage stage : studyStages()) {
        const std::size_t n = plan.stage(stage).size();
        if (n == 0)
            continue;
        ++stages;
        const std::string name = toString(stage);
        o << "  " << name << ":" << std::string(8 - name.size(), ' ');
        const auto it = totals.find(stage);
        if (it == totals.end()) {
            o << "no estimate (no measured run yet)\n";
            continue;
        }
        ++estimatedStages;
        all += it->second.seconds;
        o << "~" << formatDuration(it->second.seconds);
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
        o << "  total:   ~" << formatDuration(all) << (estimatedStages < stages ? " (stages with an estimate)" : "") << "\n";
    return o.str();
}
} // namespace repalign
