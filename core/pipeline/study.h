#pragma once
/// @file study.h
/// A study: a grid of conditions run as one object (baselines -> tuning -> analysis of every
/// model -> comparison), locally or as SLURM job arrays.
///
/// study.yaml:
/// @code
/// name: alpha-sweep            # optional; the study folder's default name
/// train: {...}                 # base training config (the `train --config` schema), required
/// tune: {...}                  # base tuning config (`tune --config` schema); base.checkpoint is
///                              # filled in by the study; omit the block for a study without tuning
/// analyze: {...}               # base analysis config (`analyze --config` keys); checkpoint and
///                              # name are filled in by the study
/// behave: {...}                # optional: the behavioural profile of every trained and tuned
///                              # model (`repalign-cli behave` options as keys, dashes as
///                              # underscores: data, split, max_images, corruptions,
///                              # corruption_names, pgd: [linf:1,2,4,8], human, human_raw,
///                              # reference, pgd_steps, ...); checkpoint and model filled in
/// checkpoints: {train: best_acc.pt, tune: best_r.pt}   # what is tuned from / analysed
/// grid:                        # axes, crossed in this order
///   tune.alpha: [0, 0.5, 1, 2]
///   tune.rois: [[V1], [V4], [V1, V4]]
///   tune.tap: [layer3, layer4]
///   analyze.layer: [layer3, layer4]
///   seed: [0, 1, 2]            # sets train.seed and tune.seed (behave.KEY axes too)
/// zip:                         # optional: axes that advance together instead of crossing
///   - [tune.tap, analyze.layer]
/// compare: {metric: lpips}     # lpips | color | label
/// @endcode
/// Relative paths inside the stage blocks resolve against the study file's folder.
///
/// Study folder (`study run --out DIR`, also what `export-slurm` writes to):
/// @code
/// DIR/study.yaml           the study as given
/// DIR/plan.tsv             the expanded plan (name, stage, dependencies, axis values)
/// DIR/configs/NAME.yaml    each condition's resolved stage config
/// DIR/runs/NAME/           run directories (train/tune: as `train`/`tune --out`; analyze:
///                          analysis.h5, status.json; behave: behaviour.h5, status.json)
/// DIR/logs/NAME.out        each condition's console output
/// DIR/comparison.csv, comparison.md   the comparison (study compare)
/// DIR/slurm/               sbatch scripts and submit.sh (export-slurm)
/// @endcode
#include "common/progress.h"
#include "interpret/stats.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace repalign {

/// The stage of a study condition, in dependency order: a baseline is trained, tuned on brain
/// data, then each model is analysed and its behaviour measured.
enum class StudyStage { Train, Tune, Analyze, Behave };

/// The one name table of the stages: "train", "tune", "analyze", "behave" (the study file's
/// blocks and axis prefixes, plan.tsv's stage column, the command a condition runs, a run
/// name's first word).
const char* toString(StudyStage stage);
/// The stage @p text names; false for any other text.
bool parseStudyStage(const std::string& text, StudyStage& stage);
/// The four stages in dependency order.
const std::vector<StudyStage>& studyStages();

/// One grid axis: a key path with its values.
struct StudyAxis {
    std::string key; ///< "tune.alpha", "seed"
    std::vector<std::string> values; ///< each value as flow YAML ("0.5", "[V1, V4]", "layer4")
    std::vector<std::string> labels; ///< run-name fragments ("alpha0.5", "V1+V4", "layer4", "s1")
    int zipGroup = -1; ///< index into StudyPlan::zips; -1 = crossed
    /// The stages the axis sets: one of them (seed: train and tune); none for a key that is no key path.
    std::vector<StudyStage> stages() const;
};

/// One condition of one stage: a run.
struct StudyRun {
    std::string name; ///< "tune-alpha0.5-V4-layer4-s1"; the run folder is runs/NAME
    StudyStage stage = StudyStage::Train;
    std::vector<std::pair<std::string, std::string>> axes; ///< (key, value) of the axes that apply, grid order
    std::vector<std::string> dependsOn; ///< run names that must finish first
    std::string model; ///< analyze/behave: the train/tune run measured; tune: the baseline it starts from
    std::string baseline; ///< the train run this condition descends from (train: itself)
    std::string baselineAnalysis; ///< analyze of a tuned model: the analysis of its baseline (same analysis axes)
    std::string config; ///< the resolved stage config (YAML, absolute paths)
    /// The value of axis @p key for this run; empty when it does not apply.
    std::string axisValue(const std::string& key) const;
};

/// An expanded, validated study.
struct StudyPlan {
    std::string name;
    std::string origin; ///< the study file
    std::string studyDir; ///< absolute study folder the configs point into
    std::string baseDir; ///< relative paths of the study file resolve here; children run here
    std::vector<StudyAxis> axes;
    std::vector<std::vector<std::string>> zips; ///< zipped axis groups
    std::string metric = "lpips"; ///< compare.metric
    std::vector<StudyRun> runs; ///< dependency order: train, tune, analyze, behave
    std::string sourceText; ///< the study file's text

    const StudyRun* find(const std::string& name) const;
    /// Runs of one stage, in plan order.
    std::vector<const StudyRun*> stage(StudyStage stage) const;
    /// Paths inside the study folder.
    std::string runDir(const std::string& name) const; ///< DIR/runs/NAME
    std::string configPath(const std::string& name) const; ///< DIR/configs/NAME.yaml
    std::string logPath(const std::string& name) const; ///< DIR/logs/NAME.out
    std::string analysisPath(const std::string& name) const; ///< DIR/runs/NAME/analysis.h5
    std::string behaviourPath(const std::string& name) const; ///< DIR/runs/NAME/behaviour.h5 (behave runs)
};

/// The key paths a grid axis may name: `seed`, and `train.`, `tune.`, `analyze.` followed by
/// a key of that stage's schema (nested with dots: `tune.readout.pooling`,
/// `train.optimization.optimizer_params.lr`). The stage parsers decide which keys exist.
std::vector<std::string> studyAxisExamples();

/// One axis of a study file's grid as a form edits it.
struct StudyGridEntry {
    std::string key; ///< "tune.alpha"
    std::string values; ///< the value list as flow YAML, "[0, 0.5, 1]"
};
/// The `grid:` of a study file, in order, and its `zip:` groups (reads YAML only; no
/// validation). Throws Error for a syntax error.
std::vector<StudyGridEntry> studyGridOf(const std::string& yamlText, std::vector<std::vector<std::string>>* zips = nullptr);
/// @p yamlText with its top-level `grid:` and `zip:` blocks replaced by @p grid and @p zips
/// (appended at the end; every other line, comments included, is kept).
std::string studyWithGrid(
    const std::string& yamlText, const std::vector<StudyGridEntry>& grid, const std::vector<std::vector<std::string>>& zips);

/// Parses, expands and validates a study: every condition's config goes through its stage's
/// parser before anything runs. Throws Error with one line naming the file, the axis and the
/// value ("study.yaml: axis 'tune.alpha' value -1: ..."). @p baseDir resolves relative paths
/// (default: the study file's folder); @p studyDir is where the runs will live (configs
/// point into it; made absolute).
StudyPlan parseStudy(
    const std::string& yamlText, const std::string& origin, const std::string& studyDir, const std::string& baseDir = {});
StudyPlan loadStudy(const std::string& path, const std::string& studyDir);

/// Writes DIR/study.yaml, DIR/plan.tsv and DIR/configs/*.yaml (atomically; the run folders
/// are left alone).
void writeStudyFolder(const StudyPlan& plan);
/// Reads a study folder written by writeStudyFolder (for status, compare, exec, figures).
/// Throws Error naming the folder when it is not one.
StudyPlan readStudyFolder(const std::string& studyDir);

/// The plan as text: one line per run with its dependencies, counts per stage, and the
/// estimated training time where runs of the same model measured a speed.
std::string formatStudyPlan(const StudyPlan& plan);

// ---- state ---------------------------------------------------------------------------

struct StudyRunState {
    std::string name;
    StudyStage stage = StudyStage::Train;
    /// status.json's state; Queued for a folder without a readable one, Unknown when pending.
    RunState state = RunState::Unknown;
    bool pending = false; ///< no run folder yet
    bool stopped = false; ///< status.json says Running, but no process holds the run's lock (killed)
    double progress = 0;
    std::string message;
    /// As `study status` and the GUI show it: "pending", "stopped" or toString(state).
    std::string stateText() const;
};
/// Each run's state from its folder (status.json). Reads files only.
std::vector<StudyRunState> studyStatus(const StudyPlan& plan);
/// The states as an aligned text table with a summary line.
std::string formatStudyStatus(const std::vector<StudyRunState>& states);

// ---- running -------------------------------------------------------------------------

/// The child command that runs one condition: `EXE train|tune --config C --out R [--resume]
/// --set system.threads=T` or `EXE analyze --config C --out R/analysis.h5 --threads T --quiet`.
/// @p threads 0 leaves the config's value.
std::vector<std::string> studyRunCommand(const StudyPlan& plan, const StudyRun& run, const std::string& executable, int threads);

struct StudyRunOptions {
    std::string executable; ///< repalign-cli to start for each condition
    int jobs = 1; ///< conditions at once
    int threads = 0; ///< CPU threads in all, split between the jobs (0 = all cores)
    std::vector<std::string> only; ///< run only these conditions (and nothing else); empty = all
    /// The persistent study worker: runs one condition's command line (studyRunCommand's argv,
    /// argv[0] the program) in this process and returns its exit status. When set, the runner
    /// forks this process for each condition and calls it in the child instead of starting the
    /// program anew: no exec, no LibTorch loading and no operator registry per condition, while
    /// each condition keeps its own process (a crash ends only it; cancel is SIGTERM; its output
    /// goes to logs/NAME.out; status.json and resume as before). Only for a single-threaded
    /// caller (the CLI's `study run` and `study exec`); the GUI, which has threads, leaves it empty.
    std::function<int(const std::vector<std::string>& argv)> inProcess;
    /// With inProcess: before the first fork, the worker warms itself up once with one step of
    /// the plan's first training condition on one thread (into a temporary run folder, removed),
    /// so each child starts with LibTorch's kernels, allocator and operator caches in use. One
    /// thread: no intra-op thread pool exists in the worker when it forks.
    bool warmUp = true;
};

struct StudyRunSummary {
    int finished = 0; ///< ran to the end now
    int skipped = 0; ///< already finished before
    int failed = 0; ///< failed, diverged or cancelled
    int blocked = 0; ///< not started because a dependency did not finish
    double seconds = 0;
    JobStatus status = JobStatus::Finished;
};

/// Runs the plan's conditions as child processes in dependency order, at most @p jobs at
/// once. Finished runs are skipped; unfinished ones resume (train/tune from last.pt). A
/// failed condition blocks the conditions that depend on it, the others go on. Cancel stops
/// the children with SIGTERM (they keep their last checkpoint) and returns Cancelled.
/// Writes the comparison (comparison.csv / .md) when every analysis finished.
StudyRunSummary runStudy(const StudyPlan& plan, const StudyRunOptions& options, ProgressSink& sink, const CancelToken& cancel);

/// Runs one condition (SLURM array tasks): skips it when finished, else runs the child
/// command and waits. Returns its outcome. @p options: executable, threads and inProcess
/// (jobs and only are set here).
JobStatus runStudyCondition(const StudyPlan& plan, const std::string& name, const StudyRunOptions& options, ProgressSink& sink,
    const CancelToken& cancel);
/// The same with the program started for the condition (no worker).
JobStatus runStudyCondition(const StudyPlan& plan, const std::string& name, const std::string& executable, int threads,
    ProgressSink& sink, const CancelToken& cancel);

// ---- comparison ----------------------------------------------------------------------

/// Holm-Bonferroni step-down adjusted p-values (interpret/stats.h; kept under this name for callers).
inline std::vector<double> holmAdjust(const std::vector<double>& p)
{
    return stats::holmAdjust(p);
}

struct StudyRoiScore {
    std::string roi;
    double rMedian = 0; ///< median per-voxel r (best epoch, predictivity.h5)
    double normalizedMedian = -1; ///< median r^2/noise ceiling; negative without a ceiling
};

/// A model's behavioural profile in the comparison: what its behave condition measured
/// (runs/behave-.../behaviour.h5); NAN where the condition did not measure it.
struct StudyBehaviour {
    bool present = false;
    std::string run; ///< the behave condition
    double accuracy = NAN; ///< clean
    double corruptionAccuracy = NAN; ///< mean over CIFAR-10-C corruptions and severities
    double ece = NAN; ///< expected calibration error
    double humanCrossEntropy = NAN; ///< CIFAR-10H
    std::vector<std::pair<std::string, double>> pgd; ///< ("PGD linf 2/255", accuracy) per norm and eps
};

/// One analysed model in the comparison.
struct StudyRow {
    std::string analysis; ///< analyze run name
    std::string model; ///< train/tune run analysed
    StudyStage stage = StudyStage::Train; ///< Train (a baseline) | Tune
    std::vector<std::pair<std::string, std::string>> axes; ///< grid axis values (all axes; "" where n/a)
    double accuracy = 0;
    std::vector<StudyRoiScore> rois; ///< tuned models only
    std::vector<double> values; ///< the metric per unit
    double mean = 0, std = 0;
    // tuned vs its own baseline's analysis
    std::string baselineAnalysis;
    std::string test; ///< "Wilcoxon signed-rank" (units paired) | "Mann-Whitney U"
    double statistic = 0, p = -1, pHolm = -1; ///< p < 0: no test (a baseline)
    double cohensD = 0;
    StudyBehaviour behaviour; ///< of the analysed model (studies with a behave stage)
    StudyBehaviour baselineBehaviour; ///< tuned rows: of their baseline, for the differences
};

struct StudyTable {
    std::string metric;
    std::vector<std::string> axisKeys;
    std::vector<StudyRow> rows;
    std::vector<std::string> notes; ///< the correction used, uncalibrated LPIPS, missing analyses
};

/// Reads every finished analysis (and the tuned runs' predictivity.h5) and tests each tuned
/// condition against its baseline: the paired Wilcoxon signed-rank test on units when both
/// analyses have the same units (as `compare`), else Mann-Whitney U; Holm-corrected across
/// the tuned conditions. @p metric: lpips | color | label. With a behave stage each row also
/// carries its model's behaviour (and a tuned row its baseline's): the table shows clean and
/// corruption accuracy, ECE, PGD accuracy per eps and the CIFAR-10H cross-entropy, a tuned row
/// with its difference to the baseline.
StudyTable compareStudy(const StudyPlan& plan, const std::string& metric);
/// text (also "table") | csv | tsv | markdown | latex through common/table.h (Error listing them otherwise).
std::string formatStudyTable(const StudyTable& table, const std::string& format);
/// Writes DIR/comparison.csv and DIR/comparison.md; returns the csv path.
std::string writeStudyComparison(const StudyPlan& plan, const StudyTable& table);

/// One point of the study figure: the rows sharing an x value and a hue value, their units
/// pooled.
struct StudyFigurePoint {
    std::string x, hue;
    double mean = 0, low = 0, high = 0; ///< mean and 95% bootstrap CI (10000 resamples, seed 0)
    double y2 = 0; ///< mean of the --y2 column over the rows (accuracy)
    int rows = 0;
    std::int64_t n = 0;
};
/// Groups @p table's rows by axis @p x and @p hue (empty: one group); rows without a value
/// for @p x (baselines when x is a tune axis) are left out. @p y2: "" or "accuracy".
std::vector<StudyFigurePoint> studyFigurePoints(const StudyTable& table, const std::string& x, const std::string& hue);

// ---- SLURM ---------------------------------------------------------------------------

struct SlurmOptions {
    std::string executable; ///< repalign-cli on the cluster (default: this program's path)
    std::string partition, account;
    std::string time = "04:00:00";
    int gpusPerTask = 0;
    int cpusPerTask = 0; ///< 0 = not set
    int nodes = 0, tasksPerNode = 0; ///< 0 = not set
    int maxParallel = 0; ///< the %K of --array (0 = no limit)
    std::string memory; ///< --mem, empty = not set
};

/// Writes DIR/slurm/<stage>.sbatch (one job array per stage, the task id choosing the
/// condition through `EXE study exec DIR NAME`), DIR/slurm/compare.sbatch and
/// DIR/slurm/submit.sh (sbatch --parsable each, chained with --dependency=afterok). Also
/// writes the study folder (writeStudyFolder). Returns the written scripts.
std::vector<std::string> exportSlurm(const StudyPlan& plan, const SlurmOptions& options);

} // namespace repalign
