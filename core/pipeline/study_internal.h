#pragma once
/// @file study_internal.h
/// What the study rooms (study.cpp plan, study_estimate.cpp, study_runner.cpp,
/// study_compare.cpp, study_slurm.cpp) share; not for use outside core/pipeline.
#include "pipeline/study.h"

#include <string>
#include <vector>

namespace repalign::study_detail {

/// @p s with every character outside A-Z a-z 0-9 . _ + - replaced by '_' ("_" when empty).
std::string sanitize(const std::string& s);
/// analyze and behave conditions: one process each, whose status.json the runner writes.
bool isMeasurement(const StudyRun& r);
/// The file a measurement writes: runs/NAME/analysis.h5 or runs/NAME/behaviour.h5.
std::string measurementFile(const StudyPlan& plan, const StudyRun& r);
/// The run finished: status.json says so (and a measurement has its file).
bool runFinished(const StudyPlan& plan, const StudyRun& r);

/// The keys of study.yaml's `behave:` block: `repalign-cli behave`'s options, dashes as underscores.
const std::vector<std::string>& behaveKeys();
/// Validates one behave condition's block (YAML text, checkpoint filled in; relative paths
/// against @p baseDir) and returns it resolved (every key, absolute paths). One-line Error naming
/// @p origin and the key.
std::string parseBehaveStage(const std::string& yamlText, const std::string& origin, const std::string& baseDir);
/// `EXE behave ... --out OUT --quiet` for a resolved behave config; @p threads > 0 overrides its threads.
std::vector<std::string> behaveCommand(
    const std::string& configYaml, const std::string& origin, const std::string& exe, const std::string& out, int threads);

} // namespace repalign::study_detail
