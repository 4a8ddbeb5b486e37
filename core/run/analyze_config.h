#pragma once
/// @file analyze_config.h
/// The analysis config: a flat YAML mapping whose keys are the `repalign-cli analyze`
/// options (checkpoint, data, layer, ii_diagonal, ...), read and written here for the CLI
/// (`analyze --config FILE`) and the Setup form alike, in the style of config.h and
/// tune_config.h: strict keys, one-line errors naming the file, the key and the valid values.

#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

/// How a tap's [C,H,W] output becomes one number per unit.
/// `center` is the element [H/2, W/2] (the reference's choice); `flatten` keeps every
/// element (U = C*H*W); `median` is the lower median (as torch.median).
std::vector<std::string> aggregationNames();
/// Throws Error naming the value and the valid choices.
void requireAggregation(const std::string& name);

/// `include` averages over the full k x k matrix with its zero diagonal (the reference's
/// numbers; II-color is then reported as minus the distance), `exclude` over pairs i<j.
enum class IIDiagonal { Exclude, Include };
IIDiagonal parseIIDiagonal(const std::string& text); ///< throws Error listing include|exclude
const char* iiDiagonalName(IIDiagonal d);

struct AnalyzeOptions {
    std::string checkpoint; ///< repalign checkpoint or PyTorch .pth/.pt
    std::string checkpointKey; ///< state-dict key inside a PyTorch file, empty = auto
    std::string model; ///< architecture when the file does not record it
    std::string data; ///< data spec (cifar10:DIR, idx:DIR, folder:DIR, shapes:N[:SEED])
    std::string split = "test";
    std::string layer = "layer4";
    std::string aggregation = "center";
    int k = 5;
    bool bottomK = false; ///< also store the k least exciting images per unit
    std::string lpipsWeights; ///< files/folder, empty = search, "random:SEED" = uncalibrated
    int lpipsResize = 64; ///< MEIs resized to this side for LPIPS (reference: 32 -> 64); 0 = as is
    IIDiagonal iiDiagonal = IIDiagonal::Exclude;
    std::string tunedArea; ///< "" = from the checkpoint (readout.<AREA>.*), else given
    /// Which images the II is computed on (`ii_on`, `--ii-on`): "dataset" (the MEIs from data),
    /// "synth" (each unit's synthesised images in /synth of out) or "synth:FILE" (/synth of a
    /// visualize file, the II written to out). The synth modes need no checkpoint or data.
    std::string iiOn = "dataset";
    std::string device = "cpu";
    int threads = 0;
    int batchSize = 256;
    std::string precision = "fp32"; ///< fp32 | bf16 | fp16: the model's forward pass under autocast (LPIPS stays fp32)
    std::int64_t maxImages = 0; ///< use only the first N images of the split (0 = all)
    std::string out; ///< analysis .h5 path
};

/// The keys of the analysis config, in the order analyzeConfigToYaml writes them.
std::vector<std::string> analyzeConfigKeys();

/// Parses and validates an analysis config. `name: NAME` sets out to NAME.h5 (the caller puts
/// it in a folder); relative checkpoint and lpips_weights paths resolve against @p baseDir.
/// Checks the layer against the taps of `model` when it is given (the architecture of a
/// checkpoint that records it is only known once the file is read). Throws Error naming the
/// key and the valid choices. @p overrides are `key=value` strings applied before validation
/// (as the training and tuning configs take them).
AnalyzeOptions parseAnalyzeConfig(const std::string& yamlText, const std::string& origin, const std::string& baseDir = {},
    const std::vector<std::string>& overrides = {});
/// Throws Error (origin: key 'ii_on' ...) unless @p iiOn is dataset, synth or synth:FILE.
void requireIIOn(const std::string& iiOn, const std::string& origin);
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
