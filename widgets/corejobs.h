#pragma once
/// @file corejobs.h
/// The core's long-running work wrapped as queue jobs (train, tune, analyse, import, demo).
/// Each runs on the queue's worker thread and calls the core job directly.
#include "jobqueuemodel.h"

#include "interpret/analysis.h"
#include "pipeline/demo.h"
#include "run/config.h"
#include "run/tune_config.h"

namespace repalign::gui {

JobSpec makeTrainJob(const TrainConfig& config, const QString& runDir);
JobSpec makeTuneJob(const TuneConfig& config, const QString& runDir);
/// @p options.out must be set (the analysis file).
JobSpec makeAnalyzeJob(const AnalyzeOptions& options);
/// A PyTorch checkpoint @p file made into the run directory @p runDir (train/import_checkpoint.h):
/// reading, copying and writing the run all happen on the queue's worker thread.
JobSpec makeImportJob(const QString& file, const QString& runDir);
/// The demo pipeline (baseline → tune → analyse both → compare) as one job.
JobSpec makeDemoJob(const DemoOptions& options);

} // namespace repalign::gui
