#pragma once
/// @file analyze_config.h
/// The analysis config: a flat YAML mapping whose keys are the `repalign-cli analyze`
/// options (checkpoint, data, layer, ii_diagonal, ...), read and written here for the CLI
/// (`analyze --config FILE`) and the Setup form alike, in the style of config.h and
/// tune_config.h: strict keys, one-line errors naming the file, the key and the valid values.
#include "interp/analysis.h"

#include <string>
#include <vector>

namespace repalign {

/// The keys of the analysis config, in the order analyzeConfigToYaml writes them.
std::vector<std::string> analyzeConfigKeys();

/// Parses and validates an analysis config. `name: NAME` sets out to NAME.h5 (the caller puts
/// it in a folder); relative checkpoint and lpips_weights paths resolve against @p baseDir.
/// Checks the layer against the taps of `model` when it is given (the architecture of a
/// checkpoint that records it is only known once the file is read). Throws Error naming the
/// key and the valid choices.
AnalyzeOptions parseAnalyzeConfig(const std::string& yamlText, const std::string& origin, const std::string& baseDir = {});
/// Reads @p path; a missing file is one line naming it.
AnalyzeOptions loadAnalyzeConfig(const std::string& path);
/// The options as an analysis config (round-trips through parseAnalyzeConfig; out becomes
/// `name` without its folder and .h5).
std::string analyzeConfigToYaml(const AnalyzeOptions& options);
/// Writes analyzeConfigToYaml(@p options) to @p path atomically.
void writeAnalyzeConfig(const std::string& path, const AnalyzeOptions& options);

/// Throws Error (origin: key 'layer' ...) unless @p layer is a tap of @p model.
void requireAnalyzeLayer(const std::string& layer, const std::string& model, const std::string& origin);

} // namespace repalign
