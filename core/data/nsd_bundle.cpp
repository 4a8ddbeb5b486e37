#include "data/nsd_bundle.h"
#include "common/error.h"
#include "common/rng.h"
#include "io/h5.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace repalign {

namespace {

std::string dimsText(const std::vector<std::uint64_t>& d)
{
    std::string s = "[";
    for (std::size_t i = 0; i < d.size(); ++i)
        s += (i ? "," : "") + std::to_string(d[i]);
    return s + "]";
}

const char* typeName(H5Type t)
{
    switch (t) {
    case H5Type::Float32:
        return "float32";
    case H5Type::Float64:
        return "float64";
    case H5Type::Int64:
        return "int64";
    case H5Type::Int32:
        return "int32";
    case H5Type::Int16:
        return "int16";
    case H5Type::UInt8:
        return "uint8";
    default:
        return "another type";
    }
}

void requireType(const H5File& f, const std::string& name, H5Type want)
{
    const H5Type t = f.type(name);
    if (t != want)
        throw Error(f.path() + ": dataset " + name + " has dtype " + typeName(t) + ", expected " + typeName(want));
}

std::string attrOr(const H5File& f, const std::string& key)
{
    if (!f.hasAttr("/", key))
        return {};
    try {
        return f.attrString("/", key);
    } catch (const Error&) {
        return std::to_string(static_cast<long long>(f.attrDouble("/", key)));
    }
}

} // namespace

std::vector<std::string> NsdBundle::roiNames() const
{
    std::vector<std::string> names;
    for (const auto& r : rois)
        names.push_back(r.name);
    return names;
}

bool NsdBundle::hasRoi(const std::string& name) const
{
    return std::any_of(rois.begin(), rois.end(), [&](const RoiResponses& r) { return r.name == name; });
}

const RoiResponses& NsdBundle::roi(const std::string& name) const
{
    for (const auto& r : rois)
        if (r.name == name)
            return r;
    throw Error((origin.empty() ? std::string("bundle") : origin) + ": unknown ROI '" + name
        + "' (present: " + joinChoices(roiNames()) + ")");
}

std::vector<std::int64_t> NsdBundle::indices(BundleSplit s) const
{
    std::vector<std::int64_t> out;
    for (std::int64_t i = 0; i < count; ++i)
        if (split[static_cast<std::size_t>(i)] == static_cast<std::uint8_t>(s))
            out.push_back(i);
    return out;
}

ImageDataset NsdBundle::images(const std::vector<std::int64_t>& idx) const
{
    ImageDataset d;
    d.count = static_cast<std::int64_t>(idx.size());
    d.height = height;
    d.width = width;
    d.classes = {"stimulus"};
    d.source = origin;
    const std::size_t bytes = static_cast<std::size_t>(height) * width * 3;
    d.pixels.resize(bytes * idx.size());
    d.labels.assign(idx.size(), 0);
    for (std::size_t i = 0; i < idx.size(); ++i)
        std::copy_n(stimuli.data() + static_cast<std::size_t>(idx[i]) * bytes, bytes, d.pixels.data() + i * bytes);
    return d;
}

BundleInfo inspectBundle(const std::string& path)
{
    H5File f(path, H5File::Mode::Read);
    BundleInfo info;
    info.path = path;
    for (const char* name : {"/stimuli", "/stimulus_ids", "/split", "/responses"})
        if (!f.exists(name))
            throw Error(path + ": missing dataset " + std::string(name)
                + " (not an NSD bundle; create one with repalign-cli nsd import or nsd synth)");
    requireType(f, "/stimuli", H5Type::UInt8);
    const auto sd = f.dims("/stimuli");
    if (sd.size() != 4 || sd[3] != 3)
        throw Error(path + ": dataset /stimuli has shape " + dimsText(sd) + ", expected [N,H,W,3]");
    if (sd[0] == 0)
        throw Error(path + ": dataset /stimuli holds no images");
    info.count = static_cast<std::int64_t>(sd[0]);
    info.height = static_cast<int>(sd[1]);
    info.width = static_cast<int>(sd[2]);
    const std::uint64_t n = sd[0];
    requireType(f, "/stimulus_ids", H5Type::Int64);
    if (f.dims("/stimulus_ids") != std::vector<std::uint64_t> {n})
        throw Error(path + ": dataset /stimulus_ids has shape " + dimsText(f.dims("/stimulus_ids")) + ", expected ["
            + std::to_string(n) + "] to match /stimuli");
    requireType(f, "/split", H5Type::UInt8);
    if (f.dims("/split") != std::vector<std::uint64_t> {n})
        throw Error(path + ": dataset /split has shape " + dimsText(f.dims("/split")) + ", expected [" + std::to_string(n)
            + "] to match /stimuli");
    for (auto v : f.readU8("/split")) {
        if (v > 2)
            throw Error(path + ": dataset /split holds value " + std::to_string(v) + " (valid: 0 train, 1 val, 2 test)");
        (v == 0 ? info.train : v == 1 ? info.val : info.test)++;
    }
    const auto roiNames = f.children("/responses");
    if (roiNames.empty())
        throw Error(path + ": group /responses holds no ROIs");
    for (const auto& name : roiNames) {
        BundleInfo::Roi r;
        r.name = name;
        const std::string ds = "/responses/" + name;
        requireType(f, ds, H5Type::Float32);
        const auto rd = f.dims(ds);
        if (rd.size() != 2 || rd[0] != n)
            throw Error(path + ": dataset " + ds + " has shape " + dimsText(rd) + ", expected [" + std::to_string(n)
                + ",V] (N from /stimuli)");
        if (rd[1] == 0)
            throw Error(path + ": dataset " + ds + " has no voxels (empty ROI)");
        r.voxels = static_cast<std::int64_t>(rd[1]);
        const std::string tr = "/responses_trials/" + name;
        if (f.exists(tr)) {
            requireType(f, tr, H5Type::Float32);
            const auto td = f.dims(tr);
            if (td.size() != 3 || td[0] != n || td[2] != rd[1] || td[1] == 0)
                throw Error(path + ": dataset " + tr + " has shape " + dimsText(td) + ", expected [" + std::to_string(n) + ",R,"
                    + std::to_string(rd[1]) + "]");
            r.repeats = static_cast<int>(td[1]);
        }
        const std::string nc = "/noise_ceiling/" + name;
        if (f.exists(nc)) {
            requireType(f, nc, H5Type::Float32);
            if (f.dims(nc) != std::vector<std::uint64_t> {rd[1]})
                throw Error(path + ": dataset " + nc + " has shape " + dimsText(f.dims(nc)) + ", expected ["
                    + std::to_string(rd[1]) + "]");
            r.hasNoiseCeiling = true;
        }
        const std::string vc = "/voxel_coords/" + name;
        if (f.exists(vc)) {
            requireType(f, vc, H5Type::Int32);
            if (f.dims(vc) != std::vector<std::uint64_t> {rd[1], 3})
                throw Error(path + ": dataset " + vc + " has shape " + dimsText(f.dims(vc)) + ", expected ["
                    + std::to_string(rd[1]) + ",3]");
            r.hasCoords = true;
        }
        info.rois.push_back(r);
    }
    info.source = attrOr(f, "source");
    info.subject = attrOr(f, "subject");
    info.betaVersion = attrOr(f, "beta_version");
    return info;
}

NsdBundle readBundle(const std::string& path, const std::vector<std::string>& rois, bool withTrials)
{
    const BundleInfo info = inspectBundle(path);
    std::vector<std::string> present;
    for (const auto& r : info.rois)
        present.push_back(r.name);
    std::vector<std::string> wanted = rois.empty() ? present : rois;
    for (const auto& w : wanted)
        if (std::find(present.begin(), present.end(), w) == present.end())
            throw Error(path + ": unknown ROI '" + w + "' (present: " + joinChoices(present) + ")");

    H5File f(path, H5File::Mode::Read);
    NsdBundle b;
    b.origin = path;
    b.count = info.count;
    b.height = info.height;
    b.width = info.width;
    b.stimuli = f.readU8("/stimuli");
    b.stimulusIds = f.readI64("/stimulus_ids");
    b.split = f.readU8("/split");
    b.source = info.source;
    b.subject = info.subject;
    b.betaVersion = info.betaVersion;
    for (const auto& w : wanted) {
        const auto& ri = *std::find_if(info.rois.begin(), info.rois.end(), [&](const BundleInfo::Roi& r) { return r.name == w; });
        RoiResponses r;
        r.name = w;
        r.voxels = ri.voxels;
        r.responses = f.readF32("/responses/" + w);
        if (ri.hasNoiseCeiling)
            r.noiseCeiling = f.readF32("/noise_ceiling/" + w);
        if (ri.hasCoords) {
            r.coords.resize(static_cast<std::size_t>(ri.voxels) * 3);
            f.read("/voxel_coords/" + w, H5Type::Int32, r.coords.data());
        }
        if (withTrials && ri.repeats > 0) {
            r.repeats = ri.repeats;
            r.trials = f.readF32("/responses_trials/" + w);
        }
        b.rois.push_back(std::move(r));
    }
    return b;
}

void validateBundle(const NsdBundle& b, const std::string& where)
{
    const auto n = static_cast<std::size_t>(b.count);
    if (b.count <= 0)
        throw Error(where + ": /stimuli holds no images");
    if (b.height <= 0 || b.width <= 0 || b.stimuli.size() != n * b.height * b.width * 3)
        throw Error(where + ": /stimuli holds " + std::to_string(b.stimuli.size())
            + " bytes, expected N*H*W*3 = " + std::to_string(n * b.height * b.width * 3));
    if (b.stimulusIds.size() != n)
        throw Error(
            where + ": /stimulus_ids has " + std::to_string(b.stimulusIds.size()) + " entries, /stimuli " + std::to_string(n));
    if (b.split.size() != n)
        throw Error(where + ": /split has " + std::to_string(b.split.size()) + " entries, /stimuli " + std::to_string(n));
    for (auto v : b.split)
        if (v > 2)
            throw Error(where + ": /split holds value " + std::to_string(v) + " (valid: 0 train, 1 val, 2 test)");
    if (b.rois.empty())
        throw Error(where + ": /responses holds no ROIs");
    for (const auto& r : b.rois) {
        if (r.name.empty() || r.name.find('/') != std::string::npos)
            throw Error(where + ": invalid ROI name '" + r.name + "'");
        if (r.voxels <= 0)
            throw Error(where + ": /responses/" + r.name + " has no voxels (empty ROI)");
        if (r.responses.size() != n * r.voxels)
            throw Error(where + ": /responses/" + r.name + " has " + std::to_string(r.responses.size())
                + " values, expected N*V = " + std::to_string(n) + "*" + std::to_string(r.voxels)
                + " (stimuli and responses disagree on N)");
        if (!r.trials.empty() && (r.repeats <= 0 || r.trials.size() != n * r.repeats * r.voxels))
            throw Error(
                where + ": /responses_trials/" + r.name + " has " + std::to_string(r.trials.size()) + " values, expected N*R*V");
        if (!r.noiseCeiling.empty() && r.noiseCeiling.size() != static_cast<std::size_t>(r.voxels))
            throw Error(where + ": /noise_ceiling/" + r.name + " has " + std::to_string(r.noiseCeiling.size())
                + " values, expected V = " + std::to_string(r.voxels));
        if (!r.coords.empty() && r.coords.size() != static_cast<std::size_t>(r.voxels) * 3)
            throw Error(
                where + ": /voxel_coords/" + r.name + " has " + std::to_string(r.coords.size()) + " values, expected V*3");
    }
}

void writeBundle(const std::string& path, const NsdBundle& b)
{
    validateBundle(b, path);
    H5File f(path, H5File::Mode::CreateAtomic);
    const auto n = static_cast<std::uint64_t>(b.count);
    f.write("/stimuli", H5Type::UInt8, {n, static_cast<std::uint64_t>(b.height), static_cast<std::uint64_t>(b.width), 3},
        b.stimuli.data(), /*chunkRows=*/std::min<std::uint64_t>(n, 256));
    f.writeI64("/stimulus_ids", {n}, b.stimulusIds);
    f.write("/split", H5Type::UInt8, {n}, b.split.data());
    for (const auto& r : b.rois) {
        const auto v = static_cast<std::uint64_t>(r.voxels);
        f.writeF32("/responses/" + r.name, {n, v}, r.responses);
        if (!r.trials.empty())
            f.writeF32("/responses_trials/" + r.name, {n, static_cast<std::uint64_t>(r.repeats), v}, r.trials);
        if (!r.noiseCeiling.empty())
            f.writeF32("/noise_ceiling/" + r.name, {v}, r.noiseCeiling);
        if (!r.coords.empty())
            f.write("/voxel_coords/" + r.name, H5Type::Int32, {v, 3}, r.coords.data());
    }
    f.setAttr("/", "source", b.source);
    f.setAttr("/", "subject", b.subject);
    f.setAttr("/", "beta_version", b.betaVersion);
    f.setAttr("/", "image_size", static_cast<std::int64_t>(b.height));
    f.commit();
}

std::vector<std::uint8_t> randomSplit(std::int64_t count, double valFraction, std::uint64_t seed)
{
    if (!(valFraction >= 0 && valFraction < 1))
        throw Error("val fraction " + std::to_string(valFraction) + " must be in [0, 1)");
    std::vector<std::int64_t> order(static_cast<std::size_t>(count));
    std::iota(order.begin(), order.end(), 0);
    Rng rng(mixSeed(seed, 0x5b11u));
    for (std::int64_t i = count - 1; i > 0; --i)
        std::swap(order[static_cast<std::size_t>(i)], order[rng.below(static_cast<std::uint64_t>(i + 1))]);
    std::int64_t nVal = static_cast<std::int64_t>(std::llround(valFraction * static_cast<double>(count)));
    if (valFraction > 0 && nVal == 0 && count > 1)
        nVal = 1;
    std::vector<std::uint8_t> split(static_cast<std::size_t>(count), 0);
    for (std::int64_t i = 0; i < nVal; ++i)
        split[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = 1;
    return split;
}

namespace {
/// "voxels 2, 5, 9" (the first few indices, then how many more).
std::string voxelList(const std::vector<bool>& bad)
{
    std::string s;
    std::size_t shown = 0, total = 0;
    for (std::size_t j = 0; j < bad.size(); ++j) {
        if (!bad[j])
            continue;
        ++total;
        if (shown < 8) {
            s += (shown ? ", " : "") + std::to_string(j);
            ++shown;
        }
    }
    if (total > shown)
        s += " and " + std::to_string(total - shown) + " more";
    return (total == 1 ? "voxel " : "voxels ") + s;
}
} // namespace

std::int64_t dropNonFiniteVoxels(NsdBundle& b, bool strict, ProgressSink& sink)
{
    std::int64_t droppedTotal = 0;
    const auto n = static_cast<std::size_t>(b.count);
    for (auto& r : b.rois) {
        const auto v = static_cast<std::size_t>(r.voxels);
        std::vector<bool> bad(v, false);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < v; ++j)
                if (!std::isfinite(r.responses[i * v + j]))
                    bad[j] = true;
        // Trials may be NaN for a missing repeat (fewer repeats for some images), so only Inf
        // or an image with no finite trial at all marks a voxel as bad there.
        if (!r.trials.empty()) {
            const auto R = static_cast<std::size_t>(r.repeats);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j < v; ++j) {
                    bool any = false;
                    for (std::size_t k = 0; k < R; ++k) {
                        float x = r.trials[(i * R + k) * v + j];
                        if (std::isinf(x))
                            bad[j] = true;
                        any = any || std::isfinite(x);
                    }
                    if (!any)
                        bad[j] = true;
                }
        }
        const auto nBad = static_cast<std::int64_t>(std::count(bad.begin(), bad.end(), true));
        if (nBad == 0)
            continue;
        if (strict)
            throw Error(b.origin + ": ROI " + r.name + " has " + std::to_string(nBad) + " of " + std::to_string(v)
                + " voxels with NaN/Inf responses (" + voxelList(bad) + "); without --strict they are dropped with a warning");
        if (nBad == static_cast<std::int64_t>(v))
            throw Error(
                b.origin + ": ROI " + r.name + ": all " + std::to_string(v) + " voxels have NaN/Inf responses (empty ROI)");
        std::vector<std::size_t> keep;
        for (std::size_t j = 0; j < v; ++j)
            if (!bad[j])
                keep.push_back(j);
        const std::size_t nv = keep.size();
        auto select = [&](std::vector<float>& data, std::size_t rows) {
            std::vector<float> out(rows * nv);
            for (std::size_t i = 0; i < rows; ++i)
                for (std::size_t j = 0; j < nv; ++j)
                    out[i * nv + j] = data[i * v + keep[j]];
            data.swap(out);
        };
        select(r.responses, n);
        if (!r.trials.empty())
            select(r.trials, n * static_cast<std::size_t>(r.repeats));
        if (!r.noiseCeiling.empty())
            select(r.noiseCeiling, 1);
        if (!r.coords.empty()) {
            std::vector<std::int32_t> c(nv * 3);
            for (std::size_t j = 0; j < nv; ++j)
                for (int k = 0; k < 3; ++k)
                    c[j * 3 + k] = r.coords[keep[j] * 3 + k];
            r.coords.swap(c);
        }
        r.voxels = static_cast<std::int64_t>(nv);
        droppedTotal += nBad;
        sink.log(LogLevel::Warning,
            b.origin + ": ROI " + r.name + ": dropped " + std::to_string(nBad) + " of " + std::to_string(v)
                + " voxels with NaN/Inf responses (" + voxelList(bad) + "; use --strict to fail instead)");
    }
    return droppedTotal;
}

std::int64_t checkBundleFinite(const std::string& path, bool strict, ProgressSink& sink)
{
    const BundleInfo info = inspectBundle(path);
    H5File f(path, H5File::Mode::Read);
    NsdBundle b;
    b.origin = path;
    b.count = info.count;
    for (const auto& ri : info.rois) {
        RoiResponses r;
        r.name = ri.name;
        r.voxels = ri.voxels;
        r.responses = f.readF32("/responses/" + ri.name);
        b.rois.push_back(std::move(r));
    }
    return dropNonFiniteVoxels(b, strict, sink);
}

std::vector<float> noiseCeilingFromTrials(const std::vector<float>& trials, std::int64_t n, int repeats, std::int64_t voxels)
{
    std::vector<float> out(static_cast<std::size_t>(voxels), std::numeric_limits<float>::quiet_NaN());
    const auto R = static_cast<std::size_t>(repeats);
    const auto V = static_cast<std::size_t>(voxels);
    for (std::size_t j = 0; j < V; ++j) {
        double noiseSum = 0, invN = 0;
        std::int64_t noiseImages = 0, imagesWithData = 0;
        double sum = 0, sumSq = 0;
        std::int64_t total = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            double s = 0, ss = 0;
            int k = 0;
            for (std::size_t r = 0; r < R; ++r) {
                const float x = trials[(static_cast<std::size_t>(i) * R + r) * V + j];
                if (!std::isfinite(x))
                    continue;
                s += x;
                ss += static_cast<double>(x) * x;
                ++k;
            }
            if (k == 0)
                continue;
            ++imagesWithData;
            invN += 1.0 / k;
            sum += s;
            sumSq += ss;
            total += k;
            if (k >= 2) {
                const double mean = s / k;
                noiseSum += (ss - k * mean * mean) / (k - 1);
                ++noiseImages;
            }
        }
        if (noiseImages == 0 || total < 2)
            continue;
        const double noiseVar = noiseSum / static_cast<double>(noiseImages);
        const double mean = sum / static_cast<double>(total);
        const double totalVar = (sumSq - static_cast<double>(total) * mean * mean) / static_cast<double>(total - 1);
        const double signalVar = std::max(0.0, totalVar - noiseVar);
        if (noiseVar <= 0) {
            out[j] = signalVar > 0 ? 1.0f : std::numeric_limits<float>::quiet_NaN();
            continue;
        }
        const double ncsnr2 = signalVar / noiseVar;
        out[j] = static_cast<float>(ncsnr2 / (ncsnr2 + invN / static_cast<double>(imagesWithData)));
    }
    return out;
}

} // namespace repalign
