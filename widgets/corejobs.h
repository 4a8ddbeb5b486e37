#pragma once
/// @file corejobs.h
/// The core's long-running work wrapped as queue jobs (train, tune, analyse, behave, import, demo).
/// Each runs on the queue's worker thread and calls the core job directly.
#include "jobqueuemodel.h"

#include "behaviour/behave.h"
#include "interpret/analysis.h"
#include "pipeline/demo.h"
#include "run/config.h"
#include "run/tune_config.h"

#include <memory>

namespace repalign::gui {

JobSpec makeTrainJob(const TrainConfig& config, const QString& runDir);
JobSpec makeTuneJob(const TuneConfig& config, const QString& runDir);
/// @p options.out must be set (the analysis file).
JobSpec makeAnalyzeJob(const AnalyzeOptions& options);
/// The behavioural profile (`repalign-cli behave`, behaviour::runBehave); @p options.out must be
/// set (a new file, or an analysis that gains /behaviour).
JobSpec makeBehaveJob(const behaviour::BehaveOptions& options);
/// A PyTorch checkpoint @p file made into the run directory @p runDir (train/import_checkpoint.h):
/// reading, copying and writing the run all happen on the queue's worker thread.
JobSpec makeImportJob(const QString& file, const QString& runDir);
/// The demo pipeline (baseline → tune → analyse both → behave both → compare) as one job. With
/// @p result, the job stores the demo's result there before it returns (on the worker thread: read
/// it once the queue's jobFinished arrives).
JobSpec makeDemoJob(const DemoOptions& options, std::shared_ptr<DemoResult> result = {});
/// The demo's comparison tables as `repalign-cli demo` prints them, each under its heading: the
/// behaviour table ("Behaviour, baseline vs neural-tuned:") first (the window lands on the
/// Behaviour view), then the II-LPIPS table; empty when the demo stopped before them.
QString demoComparisonText(const DemoResult& result);

} // namespace repalign::gui
