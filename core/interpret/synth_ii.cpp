#include "interpret/synth_ii.h"

#include "common/device.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/version.h"
#include "interpret/lpips_net.h"
#include "interpret/visualize.h"
#include "io/h5.h"
#include "io/h5_group.h"

#include <chrono>

namespace repalign {

SynthIIOptions synthIIOptions(const AnalyzeOptions& a)
{
    SynthIIOptions so;
    so.synth = a.iiOn.rfind("synth:", 0) == 0 ? a.iiOn.substr(6) : a.out;
    so.out = a.out;
    so.lpipsWeights = a.lpipsWeights;
    so.lpipsResize = a.lpipsResize;
    so.iiDiagonal = a.iiDiagonal;
    so.device = a.device;
    so.threads = a.threads;
    return so;
}

SynthIIValues computeSynthII(const SynthIIOptions& o, ProgressSink& sink, const CancelToken& cancel)
{
    const auto t0 = std::chrono::steady_clock::now();
    if (o.synth.empty())
        throw Error("--ii-on synth: no file with synthesised images given");
    if (!fileExists(o.synth))
        throw Error("--ii-on synth: " + o.synth + " does not exist");
    checkLpipsResize(o.lpipsResize, "--ii-on synth: --lpips-resize");
    SynthIndex index;
    if (!readSynthIndex(o.synth, index))
        throw Error("--ii-on synth: " + o.synth
            + " has no /synth group (add one with: repalign-cli visualize --checkpoint C --layer L --units U --starts 3 --out "
            + o.synth + ")");
    if (index.starts < 2)
        throw Error("--ii-on synth: " + o.synth + " holds " + std::to_string(index.starts)
            + " synthesised image per unit; the II needs at least 2 (re-run visualize with --starts 2 or more)");
    if (o.lpipsResize == 0)
        checkLpipsInputSize(index.height, index.width, "--ii-on synth: --lpips-resize 0 keeps the images at their size, which");
    const LpipsWeightsSource weightsSource = locateLpipsWeights(o.lpipsWeights);
    const torch::Device device = resolveDevice(o.device);
    configureThreads(o.threads);

    // The images of /synth are a data set of U*R images; unit u's "MEIs" are u*R .. u*R+R-1.
    ImageDataset data;
    {
        H5File f(o.synth, H5File::Mode::Read);
        data.pixels = f.readU8("/synth/images");
    }
    const auto units = static_cast<std::int64_t>(index.units.size());
    const int R = index.starts;
    data.count = units * R;
    data.height = index.height;
    data.width = index.width;
    data.source = o.synth + ":/synth/images";
    std::vector<std::int64_t> idx(static_cast<std::size_t>(data.count));
    for (std::int64_t i = 0; i < data.count; ++i)
        idx[static_cast<std::size_t>(i)] = i;
    cancel.check();

    const LpipsWeights weights = loadLpipsWeights(weightsSource);
    const LpipsNet lpips(weights, device);
    if (!weightsSource.calibrated())
        sink.log(
            LogLevel::Warning, "LPIPS weights " + weightsSource.description + " are random: II-LPIPS values are uncalibrated");
    const IIValues ii = computeII(lpips, data, idx, units, R, o.lpipsResize, o.iiDiagonal, sink, cancel);

    SynthIIValues v;
    v.source = "synth:" + o.synth;
    v.objective = index.objective;
    v.layer = index.layer;
    v.model = index.model;
    v.imagesPerUnit = R;
    v.units = index.units;
    v.lpips = ii.lpips;
    v.lpipsPerLayer = ii.perLayer;
    v.pairs = ii.pairs;
    v.color = ii.color;
    v.iiDiagonal = iiDiagonalName(o.iiDiagonal);
    v.lpipsWeights = weightsSource.description;
    v.lpipsCalibrated = weightsSource.calibrated();
    v.lpipsResize = o.lpipsResize;
    cancel.check();

    if (!o.out.empty()) {
        const auto U = static_cast<std::uint64_t>(units);
        const auto K = static_cast<std::uint64_t>(R);
        v.appended = writeGroupWithProgress(
            o.out, "/ii_synth",
            [&](H5File& f) {
                f.writeF32("/ii_synth/lpips", {U}, v.lpips);
                std::vector<float> perLayer(static_cast<std::size_t>(units) * 5);
                for (std::size_t u = 0; u < v.lpipsPerLayer.size(); ++u)
                    for (int l = 0; l < 5; ++l)
                        perLayer[u * 5 + static_cast<std::size_t>(l)] = v.lpipsPerLayer[u][static_cast<std::size_t>(l)];
                f.writeF32("/ii_synth/lpips_per_layer", {U, 5}, perLayer);
                f.writeF32("/ii_synth/lpips_pairs", {U, K, K}, v.pairs);
                f.writeF32("/ii_synth/color", {U}, v.color);
                f.writeI64("/ii_synth/units", {U}, v.units);
                f.setAttr("/ii_synth", "source", v.source);
                f.setAttr("/ii_synth", "images_per_unit", static_cast<std::int64_t>(R));
                f.setAttr("/ii_synth", "objective", v.objective);
                f.setAttr("/ii_synth", "layer", v.layer);
                f.setAttr("/ii_synth", "model", v.model);
                f.setAttr("/ii_synth", "ii_diagonal", v.iiDiagonal);
                f.setAttr("/ii_synth", "lpips_weights", v.lpipsWeights);
                f.setAttr("/ii_synth", "lpips_calibrated", static_cast<std::int64_t>(v.lpipsCalibrated ? 1 : 0));
                f.setAttr("/ii_synth", "lpips_resize", static_cast<std::int64_t>(v.lpipsResize));
                f.setAttr("/ii_synth", "program", std::string("repalign ") + programVersion());
                f.setAttr("/ii_synth", "created", isoTimestamp());
            },
            sink, cancel);
    }
    v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return v;
}

bool readSynthII(const std::string& path, SynthIIValues& out)
{
    H5File f(path, H5File::Mode::Read);
    if (!groupWithDatasets(
            f, "/ii_synth", {"/ii_synth/lpips", "/ii_synth/lpips_per_layer", "/ii_synth/color", "/ii_synth/units"}))
        return false;
    out = SynthIIValues();
    out.lpips = f.readF32("/ii_synth/lpips");
    out.color = f.readF32("/ii_synth/color");
    out.units = f.readI64("/ii_synth/units");
    const std::vector<float> pl = f.readF32("/ii_synth/lpips_per_layer");
    const std::size_t U = out.units.size();
    if (out.lpips.size() != U || out.color.size() != U || pl.size() != U * 5)
        throw Error(path + ": the /ii_synth datasets disagree in size");
    out.lpipsPerLayer.resize(U);
    for (std::size_t u = 0; u < U; ++u)
        for (std::size_t l = 0; l < 5; ++l)
            out.lpipsPerLayer[u][l] = pl[u * 5 + l];
    if (f.exists("/ii_synth/lpips_pairs"))
        out.pairs = f.readF32("/ii_synth/lpips_pairs");
    auto attr = [&](const char* key) { return f.hasAttr("/ii_synth", key) ? f.attrString("/ii_synth", key) : std::string(); };
    out.source = attr("source");
    out.objective = attr("objective");
    out.layer = attr("layer");
    out.model = attr("model");
    out.iiDiagonal = attr("ii_diagonal");
    out.lpipsWeights = attr("lpips_weights");
    out.imagesPerUnit
        = f.hasAttr("/ii_synth", "images_per_unit") ? static_cast<int>(f.attrDouble("/ii_synth", "images_per_unit")) : 0;
    out.lpipsCalibrated = f.hasAttr("/ii_synth", "lpips_calibrated") && f.attrDouble("/ii_synth", "lpips_calibrated") != 0;
    out.lpipsResize = f.hasAttr("/ii_synth", "lpips_resize") ? static_cast<int>(f.attrDouble("/ii_synth", "lpips_resize")) : 0;
    return true;
}

} // namespace repalign
