#include "common/error.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "common/version.h"
#include "data/dataset.h"
#include "interpret/analysis.h"
#include "io/h5.h"
#include "psych/psych_internal.h"
#include "psych/psych_jobs.h"
#include "run/dataspec.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>

namespace repalign::psych {

namespace {

struct Ranked {
    std::vector<std::int64_t> top, bottom; ///< k+1 each: ranks 1..k+1
};

/// Ranks of one unit's column: descending (ties to the lower index, NaN last) and ascending.
Ranked rankColumn(const std::vector<float>& act, std::int64_t N, std::int64_t U, std::int64_t u, int n)
{
    std::vector<std::int64_t> idx(static_cast<std::size_t>(N));
    std::iota(idx.begin(), idx.end(), 0);
    auto value = [&](std::int64_t i) { return act[static_cast<std::size_t>(i * U + u)]; };
    auto desc = [&](std::int64_t a, std::int64_t b) {
        const float va = value(a), vb = value(b);
        if (std::isnan(va) || std::isnan(vb))
            return !std::isnan(va) && std::isnan(vb) ? true : (std::isnan(va) == std::isnan(vb) ? a < b : false);
        return va != vb ? va > vb : a < b;
    };
    auto asc = [&](std::int64_t a, std::int64_t b) {
        const float va = value(a), vb = value(b);
        if (std::isnan(va) || std::isnan(vb))
            return !std::isnan(va) && std::isnan(vb) ? true : (std::isnan(va) == std::isnan(vb) ? a < b : false);
        return va != vb ? va < vb : a < b;
    };
    Ranked r;
    std::vector<std::int64_t> tmp = idx;
    std::partial_sort(tmp.begin(), tmp.begin() + n, tmp.end(), desc);
    r.top.assign(tmp.begin(), tmp.begin() + n);
    std::partial_sort(idx.begin(), idx.begin() + n, idx.end(), asc);
    r.bottom.assign(idx.begin(), idx.begin() + n);
    return r;
}

struct ModelData {
    std::string path, dataKey;
    std::unique_ptr<AnalysisFile> analysis;
    std::vector<float> activations; ///< [N,U]
    std::int64_t N = 0, U = 0;
    const ImageDataset* dataset = nullptr;
    std::vector<std::int64_t> eligible, selected;
};

/// The option checks buildPlan makes before reading anything.
void checkPlanOptions(const PlanOptions& o)
{
    if (o.analyses.size() < 2)
        throw Error("psych plan: give two or more analyses (--analysis base.h5 --analysis tuned.h5), got "
            + std::to_string(o.analyses.size()));
    if (o.analyses.size() > 26)
        throw Error("psych plan: at most 26 analyses (blinded labels A..Z), got " + std::to_string(o.analyses.size()));
    if (o.outDir.empty())
        throw Error("psych plan: no output folder given (--out DIR)");
    if (o.units < 1)
        throw Error("psych plan: --units " + std::to_string(o.units) + " is out of range (valid: 1 or more units per model)");
    if (o.k < 0 || o.k > 64)
        throw Error("psych plan: --k " + std::to_string(o.k) + " is out of range (valid: 1..64, or 0 = the analyses' k)");
    if (o.practiceTrials < 0 || o.practiceTrials > 50)
        throw Error("psych plan: --practice " + std::to_string(o.practiceTrials) + " is out of range (valid: 0..50)");
    if (o.catchTrials < -1 || o.catchTrials > 1000)
        throw Error("psych plan: --catch " + std::to_string(o.catchTrials) + " is out of range (valid: 0..1000)");
    if (o.seed > 4294967295ULL)
        throw Error("psych plan: --seed " + std::to_string(o.seed) + " is out of range (valid: 0..4294967295)");
    if (!(o.catchThreshold >= 0 && o.catchThreshold <= 1))
        throw Error("psych plan: --catch-threshold must be a share in 0..1");
}

/// Reads each analysis' summary and activations into @p models; returns k (the option's, or the
/// smallest of the analyses' when the option is 0).
int readAnalyses(const PlanOptions& o, std::vector<ModelData>& models, ProgressSink& sink, const CancelToken& cancel)
{
    int k = o.k;
    for (std::size_t m = 0; m < models.size(); ++m) {
        ModelData& md = models[m];
        md.path = o.analyses[m];
        md.analysis = std::make_unique<AnalysisFile>(md.path);
        const AnalysisFile& a = *md.analysis;
        if (k == 0 || (o.k == 0 && a.k < k))
            k = a.k;
        {
            H5File f(md.path, H5File::Mode::Read);
            md.activations = f.readF32("/activations");
        }
        md.N = a.images;
        md.U = a.units;
        const std::string spec = o.data.empty() ? a.data : o.data;
        if (spec.empty())
            throw Error(md.path + ": the analysis records no data spec; give the images with --data SPEC");
        md.dataKey = spec + "|" + (a.split.empty() ? std::string("val") : a.split);
        sink.log(LogLevel::Info,
            md.path + ": " + a.model + " " + a.layer + ", " + std::to_string(a.units) + " units, " + std::to_string(a.images)
                + " images of " + md.dataKey);
        cancel.check();
    }
    return k;
}

/// Loads each model's images once per data spec into @p datasets and checks that they are the
/// images the analysis was made on (count, size, unit 0's first MEI) and enough for k.
void attachDatasets(std::vector<ModelData>& models, std::map<std::string, ImageDataset>& datasets, int k)
{
    for (ModelData& md : models) {
        if (md.N < 2 * (k + 1))
            throw Error(md.path + ": " + std::to_string(md.N) + " images are too few for k = " + std::to_string(k)
                + " references and a held-out query per side (needs " + std::to_string(2 * (k + 1))
                + "; re-run analyze on more images or use a smaller --k)");
        auto it = datasets.find(md.dataKey);
        if (it == datasets.end()) {
            const std::string spec = md.dataKey.substr(0, md.dataKey.rfind('|'));
            const std::string split = md.dataKey.substr(md.dataKey.rfind('|') + 1);
            ImageDataset d;
            try {
                d = loadDataset(spec, parseSplit(split));
            } catch (const Error& e) {
                throw Error(md.path + ": cannot read its images from '" + spec + "' (" + split + "): " + e.what()
                    + " (give the data with --data SPEC)");
            }
            it = datasets.emplace(md.dataKey, std::move(d)).first;
        }
        md.dataset = &it->second;
        const AnalysisFile& a = *md.analysis;
        if (md.dataset->count < md.N || md.dataset->height != a.imageHeight || md.dataset->width != a.imageWidth)
            throw Error(md.path + ": its data '" + md.dataKey + "' does not match the analysis ("
                + std::to_string(md.dataset->count) + " images of " + std::to_string(md.dataset->height) + "x"
                + std::to_string(md.dataset->width) + ", analysis " + std::to_string(md.N) + " of "
                + std::to_string(a.imageHeight) + "x" + std::to_string(a.imageWidth)
                + "); give the data it was analysed on with --data SPEC");
        // the data must be the analysed images: unit 0's first MEI must be the same bytes
        const auto mei = a.meiImages(0);
        const std::uint8_t* img = md.dataset->image(a.meiIndices[0]);
        if (mei.empty() || !std::equal(mei[0].begin(), mei[0].end(), img))
            throw Error(md.path + ": image " + std::to_string(a.meiIndices[0]) + " of '" + md.dataKey
                + "' differs from the analysis' stored MEI: not the data it was analysed on (give it with --data SPEC)");
    }
}

/// Per model: the eligible units (distinct rank-(k+1) maximal and minimal activations), a seeded
/// sample of o.units of them (selected) and the spare ones (eligible, for practice trials).
void selectUnits(std::vector<ModelData>& models, const PlanOptions& o, int k, PlanResult& result, const CancelToken& cancel)
{
    for (std::size_t m = 0; m < models.size(); ++m) {
        ModelData& md = models[m];
        std::int64_t constant = 0;
        std::vector<Ranked> ranks(static_cast<std::size_t>(md.U));
        for (std::int64_t u = 0; u < md.U; ++u) {
            ranks[static_cast<std::size_t>(u)] = rankColumn(md.activations, md.N, md.U, u, k + 1);
            const float hi = md.activations[static_cast<std::size_t>(ranks[u].top[k] * md.U + u)];
            const float lo = md.activations[static_cast<std::size_t>(ranks[u].bottom[k] * md.U + u)];
            if (hi > lo)
                md.eligible.push_back(u);
            else
                ++constant;
        }
        if (constant > 0)
            result.notes.push_back(md.path + ": " + std::to_string(constant) + " units skipped: their rank-"
                + std::to_string(k + 1) + " maximal and minimal activations are equal");
        if (md.eligible.empty())
            throw Error(md.path + ": no unit has distinct maximal and minimal activations (dead layer?)");
        std::vector<std::int64_t> pool = md.eligible;
        Rng rng(mixSeed(o.seed, 0x7073796368ull, m));
        for (std::size_t i = pool.size(); i > 1; --i)
            std::swap(pool[i - 1], pool[rng.below(i)]);
        const auto take = std::min<std::size_t>(pool.size(), static_cast<std::size_t>(o.units));
        if (take < static_cast<std::size_t>(o.units))
            result.notes.push_back(
                md.path + ": only " + std::to_string(take) + " eligible units (asked for " + std::to_string(o.units) + ")");
        md.selected.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(take));
        std::sort(md.selected.begin(), md.selected.end());
        // the spare eligible units give the practice trials
        md.eligible.assign(pool.begin() + static_cast<std::ptrdiff_t>(take), pool.end());
        cancel.check();
    }
}

/// Writes the images as img/NNNN.png (fileNumber[i] for imageList[i]); with o.force the old PNGs go first.
void writePlanImages(const PlanOptions& o, const std::vector<std::pair<const ImageDataset*, std::int64_t>>& imageList,
    const std::vector<std::size_t>& fileNumber, ProgressSink& sink, const CancelToken& cancel)
{
    namespace fs = std::filesystem;
    makeDirs(o.outDir + "/img");
    if (o.force) {
        std::error_code ec;
        for (const auto& name : listDir(o.outDir + "/img"))
            if (name.size() > 4 && name.compare(name.size() - 4, 4, ".png") == 0)
                fs::remove(o.outDir + "/img/" + name, ec);
    }
    for (std::size_t i = 0; i < imageList.size(); ++i) {
        const ImageDataset& d = *imageList[i].first;
        cv::Mat rgb(d.height, d.width, CV_8UC3, const_cast<std::uint8_t*>(d.image(imageList[i].second)));
        cv::Mat bgr;
        cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
        std::vector<std::uint8_t> png;
        if (!cv::imencode(".png", bgr, png))
            throw Error("psych plan: could not encode image " + std::to_string(imageList[i].second) + " as PNG");
        const std::string n = std::to_string(fileNumber[i]);
        writeFileAtomic(
            o.outDir + "/img/" + std::string(n.size() < 4 ? 4 - n.size() : 0, '0') + n + ".png", png.data(), png.size());
        if (i % 64 == 0) {
            ProgressEvent e;
            e.phase = "images";
            e.fraction = static_cast<double>(i) / static_cast<double>(imageList.size());
            sink.progress(e);
            cancel.check();
        }
    }
}

} // namespace

PlanResult buildPlan(const PlanOptions& options, ProgressSink& sink, const CancelToken& cancel)
{
    PlanOptions o = options;
    while (o.outDir.size() > 1 && o.outDir.back() == '/')
        o.outDir.pop_back(); // "exp/" -> "exp", as the plan records it
    checkPlanOptions(o);
    if (isDirectory(o.outDir) && !listDir(o.outDir).empty() && !o.force)
        throw Error("psych plan: output folder '" + o.outDir + "' is not empty (use --force to replace its experiment)");

    // --- read the analyses
    std::vector<ModelData> models(o.analyses.size());
    std::map<std::string, ImageDataset> datasets;
    const int k = readAnalyses(o, models, sink, cancel);
    attachDatasets(models, datasets, k);

    // --- eligible units (the held-out queries must differ in activation) and the sample
    PlanResult result;
    selectUnits(models, o, k, result, cancel);

    // --- images: one PNG per distinct (data, index), numbered in a shuffled order
    std::map<std::pair<std::string, std::int64_t>, std::size_t> imageSlot;
    std::vector<std::pair<const ImageDataset*, std::int64_t>> imageList;
    auto image = [&](const ModelData& md, std::int64_t index, std::int64_t unit) {
        PsychImage im;
        im.datasetIndex = index;
        im.activation = md.activations[static_cast<std::size_t>(index * md.U + unit)];
        const auto key = std::make_pair(md.dataKey, index);
        auto it = imageSlot.find(key);
        if (it == imageSlot.end()) {
            it = imageSlot.emplace(key, imageList.size()).first;
            imageList.emplace_back(md.dataset, index);
        }
        im.file = std::to_string(it->second); // replaced by the blinded name below
        return im;
    };
    auto makeTrial = [&](int m, std::int64_t u, TrialKind kind) {
        const ModelData& md = models[static_cast<std::size_t>(m)];
        const Ranked r = rankColumn(md.activations, md.N, md.U, u, k + 1);
        PsychTrial t;
        t.kind = kind;
        t.model = m;
        t.unit = u;
        for (int i = 0; i < k; ++i) {
            t.maxRefs.push_back(image(md, r.top[static_cast<std::size_t>(i)], u));
            t.minRefs.push_back(image(md, r.bottom[static_cast<std::size_t>(i)], u));
        }
        t.queryMax = kind == TrialKind::Catch ? t.maxRefs[0] : image(md, r.top[static_cast<std::size_t>(k)], u);
        t.queryMin = image(md, r.bottom[static_cast<std::size_t>(k)], u);
        t.iiLpips = md.analysis->iiLpips[static_cast<std::size_t>(u)];
        t.iiColor = md.analysis->iiColor[static_cast<std::size_t>(u)];
        return t;
    };

    std::vector<PsychTrial> practice, rest;
    Rng rng(mixSeed(o.seed, 0x706c616eull));
    for (int p = 0; p < o.practiceTrials; ++p) {
        const int m = p % static_cast<int>(models.size());
        ModelData& md = models[static_cast<std::size_t>(m)];
        const std::int64_t u = !md.eligible.empty()
            ? md.eligible[static_cast<std::size_t>(p / models.size()) % md.eligible.size()]
            : md.selected[rng.below(md.selected.size())];
        practice.push_back(makeTrial(m, u, TrialKind::Practice));
    }
    std::size_t mainCount = 0;
    for (std::size_t m = 0; m < models.size(); ++m)
        for (const std::int64_t u : models[m].selected) {
            rest.push_back(makeTrial(static_cast<int>(m), u, TrialKind::Main));
            ++mainCount;
        }
    const int catches
        = o.catchTrials >= 0 ? o.catchTrials : std::max(2, static_cast<int>(std::lround(0.1 * static_cast<double>(mainCount))));
    for (int c = 0; c < catches; ++c) {
        const int m = c % static_cast<int>(models.size());
        const ModelData& md = models[static_cast<std::size_t>(m)];
        rest.push_back(makeTrial(m, md.selected[rng.below(md.selected.size())], TrialKind::Catch));
    }
    cancel.check();
    // blinding: trial ids in a shuffled order, so neither ids nor file names tell model or unit
    for (std::size_t i = rest.size(); i > 1; --i)
        std::swap(rest[i - 1], rest[rng.below(i)]);
    std::vector<std::size_t> fileNumber(imageList.size());
    std::iota(fileNumber.begin(), fileNumber.end(), 1);
    for (std::size_t i = fileNumber.size(); i > 1; --i)
        std::swap(fileNumber[i - 1], fileNumber[rng.below(i)]);
    std::vector<std::string> labels;
    for (std::size_t m = 0; m < models.size(); ++m)
        labels.push_back(std::string(1, static_cast<char>('A' + m)));
    for (std::size_t i = labels.size(); i > 1; --i)
        std::swap(labels[i - 1], labels[rng.below(i)]);

    PsychPlan& plan = result.plan;
    plan.dir = o.outDir;
    plan.seed = o.seed;
    plan.k = k;
    plan.catchThreshold = o.catchThreshold;
    for (std::size_t m = 0; m < models.size(); ++m) {
        const AnalysisFile& a = *models[m].analysis;
        plan.models.push_back({labels[m], models[m].path, a.model, a.checkpoint, a.layer});
    }
    const int width = std::max(3, static_cast<int>(std::to_string(rest.size()).size()));
    auto rename = [&](PsychImage& im) {
        const std::string n = std::to_string(fileNumber[std::stoul(im.file)]);
        im.file = "img/" + std::string(n.size() < 4 ? 4 - n.size() : 0, '0') + n + ".png";
    };
    int serial = 0;
    for (PsychTrial& t : practice)
        t.id = "p" + std::to_string(++serial);
    serial = 0;
    for (PsychTrial& t : rest) {
        const std::string n = std::to_string(++serial);
        t.id = "t" + std::string(n.size() < static_cast<std::size_t>(width) ? width - n.size() : 0, '0') + n;
    }
    for (auto* list : {&practice, &rest})
        for (PsychTrial& t : *list) {
            for (auto& im : t.maxRefs)
                rename(im);
            for (auto& im : t.minRefs)
                rename(im);
            rename(t.queryMax);
            rename(t.queryMin);
            plan.trials.push_back(t);
        }

    // --- write: images first, plan.json last (atomically), so a plan always has its images
    writePlanImages(o, imageList, fileNumber, sink, cancel);
    result.images = static_cast<std::int64_t>(imageList.size());
    writeFileAtomic(o.outDir + "/plan.json",
        planJson(plan,
            {{"design",
                 "2-AFC (Borowski et al. 2021; Zimmermann et al. 2021): pick the query that belongs with the maximal references"},
                {"query_rule",
                    "references: ranks 1..k of each unit's maximal and minimal activations; queries: rank k+1 of each side "
                    "(held out); catch trials: the maximal query is the first maximal reference itself"},
                {"data", models[0].dataKey}, {"program", std::string("repalign ") + programVersion()},
                {"created", isoTimestamp()}}));
    return result;
}

} // namespace repalign::psych
