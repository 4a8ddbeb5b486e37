#include "data/nsd_import.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "data/image_file.h"
#include "data/pil_resize.h"
#include "io/h5.h"
#include "io/npy.h"

// dirent.h first: nifti1.h defines DT_UNKNOWN etc. as macros that break its enum.
#include <dirent.h>
#include <matio.h>
#include <nifti1_io.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>

namespace repalign {

namespace {

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void reportProgress(ProgressSink& sink, const std::string& phase, std::int64_t done, std::int64_t total)
{
    ProgressEvent e;
    e.phase = phase;
    e.done = done;
    e.total = total;
    e.fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0;
    sink.progress(e);
}

/// Reads one image file (PNG/JPEG/... via OpenCV, or a uint8 [H,W,3] .npy) as RGB and
/// resizes it to side x side into @p dst.
void loadImageResized(const std::string& path, int side, std::uint8_t* dst)
{
    if (endsWith(path, ".npy")) {
        const NpyArray a = readNpy(path);
        if (a.kind != 'u' || a.itemSize != 1 || a.shape.size() != 3 || a.shape[2] != 3)
            throw Error(a.describe() + ": an image must be uint8 [H,W,3]");
        resizeImageRgb(reinterpret_cast<const std::uint8_t*>(a.data.data()), static_cast<int>(a.shape[0]),
            static_cast<int>(a.shape[1]), side, dst);
        return;
    }
    cv::Mat m = readImageFile(path, cv::IMREAD_UNCHANGED);
    if (m.depth() != CV_8U)
        throw Error(path + ": image has " + std::to_string(8 * m.elemSize1()) + "-bit channels, expected 8-bit");
    cv::Mat rgb;
    if (m.channels() == 1)
        cv::cvtColor(m, rgb, cv::COLOR_GRAY2RGB);
    else if (m.channels() == 3)
        cv::cvtColor(m, rgb, cv::COLOR_BGR2RGB);
    else if (m.channels() == 4)
        cv::cvtColor(m, rgb, cv::COLOR_BGRA2RGB);
    else
        throw Error(path + ": image has " + std::to_string(m.channels()) + " channels, expected 1, 3 or 4");
    rgb = rgb.clone();
    resizeImageRgb(rgb.ptr<std::uint8_t>(), rgb.rows, rgb.cols, side, dst);
}

/// The NSD 73k id a file name carries ("..._nsd-01234.png"); @p row where it carries none.
std::int64_t stimulusIdFromName(const std::string& name, std::int64_t row)
{
    const auto pos = name.find("nsd-");
    return pos == std::string::npos ? row : std::strtoll(name.c_str() + pos + 4, nullptr, 10);
}

/// Decodes image @p i from @p file into its slot of the bundle, records its id, reports progress.
void storeStimulus(NsdBundle& b, std::int64_t i, std::int64_t n, const std::string& file, int imageSize, ProgressSink& sink)
{
    const std::size_t bytes = static_cast<std::size_t>(imageSize) * imageSize * 3;
    loadImageResized(file, imageSize, b.stimuli.data() + static_cast<std::size_t>(i) * bytes);
    b.stimulusIds[static_cast<std::size_t>(i)] = stimulusIdFromName(baseName(file), i);
    if (i % 64 == 0 || i + 1 == n)
        reportProgress(sink, "images", i + 1, n);
}

void checkImageSize(int side)
{
    if (side < 8 || side > 1024)
        throw Error("--image-size " + std::to_string(side) + " is out of range (valid: 8..1024)");
}

std::vector<float> responseMatrix(const NpyArray& a, const std::string& what)
{
    if (!a.isNumeric() || a.kind == 'b')
        throw Error(a.describe() + ": " + what + " must be a float array [N,V]");
    if (a.shape.size() != 2)
        throw Error(a.describe() + ": " + what + " must be 2-D [N,V]");
    return a.toFloats();
}

// ------------------------------------------------------------------ MATLAB / NIfTI helpers

struct MatFile {
    mat_t* mat = nullptr;
    std::string path;
    explicit MatFile(const std::string& p)
        : path(p)
    {
        mat = Mat_Open(p.c_str(), MAT_ACC_RDONLY);
        if (!mat)
            throw Error("cannot open MATLAB file " + p);
    }
    ~MatFile()
    {
        if (mat)
            Mat_Close(mat);
    }
    /// A numeric variable as doubles in MATLAB's column-major order, with its dims.
    std::vector<double> numeric(const std::string& name, std::vector<std::size_t>& dims) const
    {
        std::unique_ptr<matvar_t, void (*)(matvar_t*)> v(Mat_VarRead(mat, name.c_str()), Mat_VarFree);
        if (!v)
            throw Error(path + ": variable '" + name + "' not found");
        dims.assign(v->dims, v->dims + v->rank);
        std::size_t n = 1;
        for (auto d : dims)
            n *= d;
        std::vector<double> out(n);
        auto conv = [&](auto* p) {
            for (std::size_t i = 0; i < n; ++i)
                out[i] = static_cast<double>(p[i]);
        };
        if (v->isComplex || !v->data)
            throw Error(path + ": variable '" + name + "' is not a real numeric array");
        switch (v->class_type) {
        case MAT_C_DOUBLE:
            conv(static_cast<const double*>(v->data));
            break;
        case MAT_C_SINGLE:
            conv(static_cast<const float*>(v->data));
            break;
        case MAT_C_INT8:
            conv(static_cast<const std::int8_t*>(v->data));
            break;
        case MAT_C_UINT8:
            conv(static_cast<const std::uint8_t*>(v->data));
            break;
        case MAT_C_INT16:
            conv(static_cast<const std::int16_t*>(v->data));
            break;
        case MAT_C_UINT16:
            conv(static_cast<const std::uint16_t*>(v->data));
            break;
        case MAT_C_INT32:
            conv(static_cast<const std::int32_t*>(v->data));
            break;
        case MAT_C_UINT32:
            conv(static_cast<const std::uint32_t*>(v->data));
            break;
        case MAT_C_INT64:
            conv(static_cast<const std::int64_t*>(v->data));
            break;
        case MAT_C_UINT64:
            conv(static_cast<const std::uint64_t*>(v->data));
            break;
        default:
            throw Error(path + ": variable '" + name + "' is not a numeric array");
        }
        return out;
    }
};

struct LabelVolume {
    int nx = 0, ny = 0, nz = 0;
    std::vector<int> labels; ///< nx*ny*nz, i fastest (NIfTI order)
};

LabelVolume readLabelVolume(const std::string& path)
{
    std::unique_ptr<nifti_image, void (*)(nifti_image*)> nim(nifti_image_read(path.c_str(), 1), nifti_image_free);
    if (!nim || !nim->data)
        throw Error("cannot read NIfTI volume " + path);
    if (nim->dim[0] < 3 || (nim->dim[0] > 3 && nim->nt > 1))
        throw Error(path + ": expected a 3-D label volume, found " + std::to_string(nim->dim[0]) + " dimensions");
    LabelVolume v;
    v.nx = nim->nx;
    v.ny = nim->ny;
    v.nz = nim->nz;
    const std::size_t n = static_cast<std::size_t>(v.nx) * v.ny * v.nz;
    v.labels.resize(n);
    const double slope = (nim->scl_slope != 0 && std::isfinite(nim->scl_slope)) ? nim->scl_slope : 1.0;
    const double inter = std::isfinite(nim->scl_inter) ? nim->scl_inter : 0.0;
    auto conv = [&](auto* p) {
        for (std::size_t i = 0; i < n; ++i)
            v.labels[i] = static_cast<int>(std::lround(static_cast<double>(p[i]) * slope + inter));
    };
    switch (nim->datatype) {
    case DT_INT8:
        conv(static_cast<const std::int8_t*>(nim->data));
        break;
    case DT_UINT8:
        conv(static_cast<const std::uint8_t*>(nim->data));
        break;
    case DT_INT16:
        conv(static_cast<const std::int16_t*>(nim->data));
        break;
    case DT_UINT16:
        conv(static_cast<const std::uint16_t*>(nim->data));
        break;
    case DT_INT32:
        conv(static_cast<const std::int32_t*>(nim->data));
        break;
    case DT_UINT32:
        conv(static_cast<const std::uint32_t*>(nim->data));
        break;
    case DT_FLOAT32:
        conv(static_cast<const float*>(nim->data));
        break;
    case DT_FLOAT64:
        conv(static_cast<const double*>(nim->data));
        break;
    default:
        throw Error(path + ": unsupported NIfTI datatype " + std::to_string(nim->datatype) + " for a label volume");
    }
    return v;
}

std::string firstExisting(const std::vector<std::string>& candidates, const std::string& what)
{
    for (const auto& c : candidates)
        if (fileExists(c))
            return c;
    throw Error(what + " not found; looked for " + joinChoices(candidates, "; "));
}

/// The ROI class (file stem) and label values of an ROI name, from the known tables.
std::pair<std::string, std::vector<int>> roiClassLabels(const std::string& roi)
{
    if (roi == "V1" || roi == "V2" || roi == "V3" || roi == "V4" || roi == "hV4")
        return {"prf-visualrois", nsdRoiLabels(roi)};
    std::vector<std::string> all;
    for (const auto& [cls, names] : algonautsRoiTables())
        for (std::size_t i = 1; i < names.size(); ++i) {
            if (names[i] == roi)
                return {cls, {static_cast<int>(i)}};
            all.push_back(names[i]);
        }
    throw Error("unknown ROI '" + roi + "' (valid: V1, V2, V3, V4, " + joinChoices(all) + ")");
}

} // namespace

// ------------------------------------------------------------------ tables

std::vector<std::pair<std::string, std::vector<std::string>>> algonautsRoiTables()
{
    return {
        {"prf-visualrois", {"Unknown", "V1v", "V1d", "V2v", "V2d", "V3v", "V3d", "hV4"}},
        {"floc-bodies", {"Unknown", "EBA", "FBA-1", "FBA-2", "mTL-bodies"}},
        {"floc-faces", {"Unknown", "OFA", "FFA-1", "FFA-2", "mTL-faces", "aTL-faces"}},
        {"floc-places", {"Unknown", "OPA", "PPA", "RSC"}},
        {"floc-words", {"Unknown", "OWFA", "VWFA-1", "VWFA-2", "mfs-words", "mTL-words"}},
        {"streams", {"Unknown", "early", "midventral", "midlateral", "midparietal", "ventral", "lateral", "parietal"}},
    };
}

std::vector<int> nsdRoiLabels(const std::string& roi)
{
    static const std::map<std::string, std::vector<int>> table {{"V1v", {1}}, {"V1d", {2}}, {"V2v", {3}}, {"V2d", {4}},
        {"V3v", {5}}, {"V3d", {6}}, {"hV4", {7}}, {"V1", {1, 2}}, {"V2", {3, 4}}, {"V3", {5, 6}}, {"V4", {7}}};
    auto it = table.find(roi);
    if (it == table.end())
        throw Error("unknown prf-visualrois ROI '" + roi + "' (valid: V1v, V1d, V2v, V2d, V3v, V3d, hV4, V1, V2, V3, V4)");
    return it->second;
}

std::vector<std::string> importFormats()
{
    return {"seed-npy", "algonauts2023", "nsd"};
}

void resizeImageRgb(const std::uint8_t* src, int height, int width, int side, std::uint8_t* dst)
{
    const std::vector<std::uint8_t> out = pilResizeBilinear(src, height, width, side, side);
    std::copy(out.begin(), out.end(), dst);
}

// ------------------------------------------------------------------ seed-npy

namespace {

/// One seed-npy root (o.root); image paths that are not found under it are also tried under
/// @p imageBase when given.
NsdBundle seedNpyRoot(const ImportOptions& o, const std::string& imageBase, ProgressSink& sink, const CancelToken& cancel)
{
    checkImageSize(o.imageSize);
    const std::string actDir = o.root + "/brain_activities";
    const std::string pathsFile = o.root + "/preprocessed/img_paths.npy";
    if (!isDirectory(actDir))
        throw Error("seed-npy: " + actDir + " does not exist (expected ROOT/brain_activities/<ROI>.npy)");
    std::vector<std::string> present;
    for (const auto& f : listDir(actDir))
        if (endsWith(f, ".npy"))
            present.push_back(f.substr(0, f.size() - 4));
    if (present.empty())
        throw Error("seed-npy: " + actDir + " holds no <ROI>.npy files");
    const std::vector<std::string> rois = o.rois.empty() ? present : o.rois;
    for (const auto& r : rois)
        if (std::find(present.begin(), present.end(), r) == present.end())
            throw Error("seed-npy: unknown ROI '" + r + "' (present in " + actDir + ": " + joinChoices(present) + ")");

    const NpyArray pathsArr = readNpy(pathsFile);
    if (!pathsArr.isString())
        throw Error(pathsArr.describe() + ": img_paths must be a string array (U or S)");
    const std::vector<std::string> paths = pathsArr.toStrings();
    const auto n = static_cast<std::int64_t>(paths.size());
    if (n == 0)
        throw Error(pathsFile + ": no image paths");

    NsdBundle b;
    b.count = n;
    b.height = b.width = o.imageSize;
    b.source = "seed-npy";
    b.subject = baseName(o.root);
    b.origin = o.root;
    for (const auto& r : rois) {
        const NpyArray a = readNpy(actDir + "/" + r + ".npy");
        RoiResponses roi;
        roi.name = r;
        roi.responses = responseMatrix(a, "brain activities");
        if (a.shape[0] != n)
            throw Error(a.describe() + ": " + std::to_string(a.shape[0]) + " response rows but " + std::to_string(n)
                + " images in " + pathsFile + " (stimuli and responses must have the same N)");
        roi.voxels = a.shape[1];
        if (roi.voxels == 0)
            throw Error(a.describe() + ": ROI " + r + " has no voxels (empty ROI)");
        b.rois.push_back(std::move(roi));
    }
    const std::size_t bytes = static_cast<std::size_t>(o.imageSize) * o.imageSize * 3;
    b.stimuli.resize(bytes * static_cast<std::size_t>(n));
    b.stimulusIds.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        cancel.check();
        const std::string& p = paths[static_cast<std::size_t>(i)];
        if (p.empty())
            throw Error(pathsFile + ": entry " + std::to_string(i) + " is an empty path");
        const std::string bn = baseName(p);
        std::vector<std::string> candidates {
            p[0] == '/' ? p : o.root + "/" + p, o.root + "/" + bn, o.root + "/preprocessed/" + bn, o.root + "/images/" + bn};
        if (!imageBase.empty() && p[0] != '/')
            candidates.push_back(imageBase + "/" + p); // split folders: paths relative to the top ROOT
        const std::string file = firstExisting(candidates, "seed-npy: image " + std::to_string(i) + " (" + p + ")");
        storeStimulus(b, i, n, file, o.imageSize, sink);
    }
    return b;
}

} // namespace

NsdBundle importSeedNpy(const ImportOptions& o, ProgressSink& sink, const CancelToken& cancel)
{
    return seedNpyRoot(o, {}, sink, cancel);
}

NsdBundle importSeedNpySplitFolders(const ImportOptions& o, ProgressSink& sink, const CancelToken& cancel)
{
    checkImageSize(o.imageSize);
    struct Part {
        const char* name;
        BundleSplit split;
        bool required;
    };
    const Part parts[]
        = {{"train", BundleSplit::Train, true}, {"val", BundleSplit::Val, true}, {"test", BundleSplit::Test, false}};
    NsdBundle all;
    bool first = true;
    for (const Part& part : parts) {
        const std::string dir = o.root + "/" + part.name;
        if (!isDirectory(dir)) {
            if (part.required)
                throw Error("seed-npy --split-from-folders: " + dir
                    + " does not exist (expected ROOT/train and ROOT/val, each with brain_activities/<ROI>.npy and "
                      "preprocessed/img_paths.npy; ROOT/test optional)");
            continue;
        }
        ImportOptions sub = o;
        sub.root = dir;
        NsdBundle b = seedNpyRoot(sub, o.root, sink, cancel);
        if (first) {
            all = std::move(b);
            all.split.assign(static_cast<std::size_t>(all.count), static_cast<std::uint8_t>(part.split));
            first = false;
            continue;
        }
        // The ROIs (names, order, voxel counts) of every folder must be those of train/.
        std::vector<std::string> names, namesHere;
        for (const auto& r : all.rois)
            names.push_back(r.name);
        for (const auto& r : b.rois)
            namesHere.push_back(r.name);
        if (names != namesHere)
            throw Error("seed-npy --split-from-folders: " + dir + "/brain_activities has ROIs " + joinChoices(namesHere) + " but "
                + o.root + "/train has " + joinChoices(names) + " (every split folder needs the same ROIs)");
        for (std::size_t r = 0; r < all.rois.size(); ++r)
            if (b.rois[r].voxels != all.rois[r].voxels)
                throw Error("seed-npy --split-from-folders: " + dir + "/brain_activities/" + b.rois[r].name + ".npy has "
                    + std::to_string(b.rois[r].voxels) + " voxels but train/ has " + std::to_string(all.rois[r].voxels)
                    + " (the split folders must hold the same voxels)");
        for (std::size_t r = 0; r < all.rois.size(); ++r)
            all.rois[r].responses.insert(all.rois[r].responses.end(), b.rois[r].responses.begin(), b.rois[r].responses.end());
        all.stimuli.insert(all.stimuli.end(), b.stimuli.begin(), b.stimuli.end());
        all.stimulusIds.insert(all.stimulusIds.end(), b.stimulusIds.begin(), b.stimulusIds.end());
        all.split.insert(all.split.end(), static_cast<std::size_t>(b.count), static_cast<std::uint8_t>(part.split));
        all.count += b.count;
    }
    all.subject = baseName(o.root);
    all.origin = o.root;
    return all;
}

// ------------------------------------------------------------------ algonauts 2023

NsdBundle importAlgonauts2023(const ImportOptions& o, ProgressSink& sink, const CancelToken& cancel)
{
    checkImageSize(o.imageSize);
    if (o.hemisphere != "lh" && o.hemisphere != "rh" && o.hemisphere != "both")
        throw Error("algonauts2023: --hemisphere '" + o.hemisphere + "' is not valid (valid: lh, rh, both)");
    if (o.rois.empty())
        throw Error("algonauts2023: give the ROI with --roi NAME (e.g. V4, hV4, FFA-1, early, all)");
    const std::string fmriDir = o.root + "/training_split/training_fmri";
    const std::string imgDir = o.root + "/training_split/training_images";
    const std::string maskDir = o.root + "/roi_masks";
    std::vector<std::string> images;
    for (const auto& f : listDir(imgDir))
        if (endsWith(f, ".png") || endsWith(f, ".jpg") || endsWith(f, ".jpeg"))
            images.push_back(f);
    if (images.empty())
        throw Error("algonauts2023: no images in " + imgDir);
    const auto n = static_cast<std::int64_t>(images.size());
    const std::vector<std::string> hemis
        = o.hemisphere == "both" ? std::vector<std::string> {"lh", "rh"} : std::vector<std::string> {o.hemisphere};

    std::map<std::string, NpyArray> fmri;
    for (const auto& h : hemis) {
        NpyArray a = readNpy(fmriDir + "/" + h + "_training_fmri.npy");
        responseMatrix(a, "training fMRI");
        if (a.shape[0] != n)
            throw Error(a.describe() + ": " + std::to_string(a.shape[0]) + " rows but " + std::to_string(n) + " images in "
                + imgDir + " (stimuli and responses must have the same N)");
        fmri.emplace(h, std::move(a));
    }

    NsdBundle b;
    b.count = n;
    b.height = b.width = o.imageSize;
    b.source = "algonauts2023";
    b.subject = baseName(o.root);
    b.betaVersion = "algonauts2023 challenge space, hemisphere " + o.hemisphere;
    b.origin = o.root;
    for (const auto& roiName : o.rois) {
        RoiResponses roi;
        roi.name = roiName;
        std::vector<std::vector<std::int64_t>> cols(hemis.size());
        for (std::size_t h = 0; h < hemis.size(); ++h) {
            const NpyArray& a = fmri.at(hemis[h]);
            const std::int64_t vh = a.shape[1];
            if (roiName == "all") {
                for (std::int64_t j = 0; j < vh; ++j)
                    cols[h].push_back(j);
                continue;
            }
            std::string cls;
            std::vector<int> labels;
            // A mapping file saved as a string array (index = label) wins over the tables.
            bool found = false;
            for (const auto& [c, names] : algonautsRoiTables()) {
                const std::string mapFile = maskDir + "/mapping_" + c + ".npy";
                std::vector<std::string> mapNames = names;
                if (fileExists(mapFile)) {
                    try {
                        const NpyArray m = readNpy(mapFile);
                        if (m.isString())
                            mapNames = m.toStrings();
                    } catch (const Error&) {
                        // A pickled dict (np.save of a dict) cannot be read without Python;
                        // the challenge's published table is used instead.
                    }
                }
                for (std::size_t i = 1; i < mapNames.size(); ++i)
                    if (mapNames[i] == roiName) {
                        cls = c;
                        labels = {static_cast<int>(i)};
                        found = true;
                    }
                if (found)
                    break;
            }
            if (!found)
                std::tie(cls, labels) = roiClassLabels(roiName);
            const std::string maskFile = maskDir + "/" + hemis[h] + "." + cls + "_challenge_space.npy";
            const NpyArray mask = readNpy(maskFile);
            if (!mask.isNumeric() || mask.count() != vh)
                throw Error(mask.describe() + ": mask must be numeric with " + std::to_string(vh) + " entries (one per "
                    + hemis[h] + " vertex)");
            const std::vector<double> m = mask.toDoubles();
            for (std::int64_t j = 0; j < vh; ++j)
                if (std::find(labels.begin(), labels.end(), static_cast<int>(std::lround(m[static_cast<std::size_t>(j)])))
                    != labels.end())
                    cols[h].push_back(j);
        }
        std::int64_t v = 0;
        for (const auto& c : cols)
            v += static_cast<std::int64_t>(c.size());
        if (v == 0)
            throw Error("algonauts2023: ROI " + roiName + " has no vertices in hemisphere " + o.hemisphere + " (empty ROI)");
        roi.voxels = v;
        roi.responses.resize(static_cast<std::size_t>(n * v));
        std::int64_t off = 0;
        for (std::size_t h = 0; h < hemis.size(); ++h) {
            const NpyArray& a = fmri.at(hemis[h]);
            const std::vector<float> all = a.toFloats();
            const std::int64_t vh = a.shape[1];
            for (std::int64_t i = 0; i < n; ++i)
                for (std::size_t k = 0; k < cols[h].size(); ++k)
                    roi.responses[static_cast<std::size_t>(i * v + off + static_cast<std::int64_t>(k))]
                        = all[static_cast<std::size_t>(i * vh + cols[h][k])];
            off += static_cast<std::int64_t>(cols[h].size());
        }
        b.rois.push_back(std::move(roi));
    }
    const std::size_t bytes = static_cast<std::size_t>(o.imageSize) * o.imageSize * 3;
    b.stimuli.resize(bytes * static_cast<std::size_t>(n));
    b.stimulusIds.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        cancel.check();
        const std::string& f = images[static_cast<std::size_t>(i)];
        storeStimulus(b, i, n, imgDir + "/" + f, o.imageSize, sink);
    }
    return b;
}

// ------------------------------------------------------------------ raw NSD

namespace {

void checkNsdOptions(const ImportOptions& o)
{
    checkImageSize(o.imageSize);
    if (o.subject < 1 || o.subject > 8)
        throw Error("nsd: --subject " + std::to_string(o.subject) + " is out of range (valid: 1..8)");
    if (o.sessionFirst < 1 || o.sessionLast < o.sessionFirst || o.sessionLast > 40)
        throw Error("nsd: --sessions " + std::to_string(o.sessionFirst) + "-" + std::to_string(o.sessionLast)
            + " is not valid (valid: A-B within 1-40)");
    if (o.rois.empty())
        throw Error("nsd: give the ROI with --roi NAME (e.g. hV4, V1, V2, V3)");
}

/// The experiment design: trial t (0-based, over all sessions) shows
/// subjectim(subject, masterordering(t)), both 1-based MATLAB indices.
struct NsdDesign {
    std::string file;
    int subject = 1;
    std::vector<double> masterordering, subjectim; ///< subjectim column-major [subjects, perSubject]
    std::size_t subjects = 0, perSubject = 0;

    /// The 1-based 73k id of trial @p global (0-based over all sessions), read in session @p session.
    std::int64_t image73k(std::uint64_t global, int session) const
    {
        if (global >= masterordering.size())
            throw Error(file + ": masterordering has " + std::to_string(masterordering.size()) + " trials; session "
                + std::to_string(session) + " needs trial " + std::to_string(global + 1));
        const auto col = static_cast<std::size_t>(masterordering[global]) - 1;
        if (col >= perSubject)
            throw Error(file + ": masterordering value " + std::to_string(col + 1) + " exceeds subjectim's "
                + std::to_string(perSubject) + " columns");
        return static_cast<std::int64_t>(subjectim[static_cast<std::size_t>(subject - 1) + subjects * col]);
    }
};

NsdDesign readNsdDesign(const std::string& file, int subject)
{
    NsdDesign d;
    d.file = file;
    d.subject = subject;
    const MatFile mat(file);
    std::vector<std::size_t> dOrder, dIm;
    d.masterordering = mat.numeric("masterordering", dOrder);
    d.subjectim = mat.numeric("subjectim", dIm);
    if (dIm.size() != 2 || static_cast<int>(dIm[0]) < subject)
        throw Error(file + ": subjectim has " + std::to_string(dIm.empty() ? 0 : dIm[0]) + " rows; subject "
            + std::to_string(subject) + " is not in it");
    d.subjects = dIm[0];
    d.perSubject = dIm[1];
    return d;
}

/// The ROI masks: one label volume per ROI class, and per ROI (in the options' order) its
/// voxels as linear indices into its class's volume.
struct RoiMasks {
    std::map<std::string, LabelVolume> volumes;
    std::vector<std::vector<std::int64_t>> voxels;
};

/// One subject's files under an NSD root (the published layout, or flat in the root), with the
/// design and the ROI masks that its betas and stimuli are read against.
struct NsdSource {
    const ImportOptions& o;
    std::string subj; ///< "subj01".."subj08"
    std::string stimFile;
    NsdDesign design;
    RoiMasks masks;
};

RoiMasks readRoiMasks(const ImportOptions& o, const std::string& subj)
{
    RoiMasks masks;
    for (const auto& roi : o.rois) {
        const auto [cls, labels] = roiClassLabels(roi);
        if (!masks.volumes.count(cls)) {
            const std::string base = o.root + "/nsddata/ppdata/" + subj + "/" + o.space + "/roi/" + cls;
            masks.volumes[cls] = readLabelVolume(firstExisting(
                {base + ".nii.gz", base + ".nii", o.root + "/roi/" + cls + ".nii.gz", o.root + "/roi/" + cls + ".nii"},
                "nsd: ROI volume " + cls));
        }
        const LabelVolume& vol = masks.volumes[cls];
        std::vector<std::int64_t> vox;
        for (std::size_t i = 0; i < vol.labels.size(); ++i)
            if (std::find(labels.begin(), labels.end(), vol.labels[i]) != labels.end())
                vox.push_back(static_cast<std::int64_t>(i));
        if (vox.empty())
            throw Error("nsd: ROI " + roi + " has no voxels in the " + cls + " volume (empty ROI)");
        masks.voxels.push_back(std::move(vox));
    }
    return masks;
}

NsdSource openNsdSource(const ImportOptions& o)
{
    char subj[16];
    std::snprintf(subj, sizeof subj, "subj%02d", o.subject);
    const std::string& R = o.root;
    const std::string stimFile
        = firstExisting({R + "/nsddata_stimuli/stimuli/nsd/nsd_stimuli.hdf5", R + "/nsd_stimuli.hdf5"}, "nsd: nsd_stimuli.hdf5");
    const std::string designFile
        = firstExisting({R + "/nsddata/experiments/nsd/nsd_expdesign.mat", R + "/nsd_expdesign.mat"}, "nsd: nsd_expdesign.mat");
    NsdDesign design = readNsdDesign(designFile, o.subject);
    RoiMasks masks = readRoiMasks(o, subj);
    return {o, subj, stimFile, std::move(design), std::move(masks)};
}

/// One trial: the image it showed and its betas at the ROI voxels.
struct Trial {
    std::int64_t image73k; // 1-based
    std::vector<std::vector<float>> values; // per ROI
};

/// The trial whose whole-volume betas (int16, 300 x percent signal change) start at @p betas.
Trial roiTrial(const NsdSource& src, const std::int16_t* betas, std::int64_t image73k)
{
    Trial tr;
    tr.image73k = image73k;
    for (const auto& vx : src.masks.voxels) {
        std::vector<float> v(vx.size());
        for (std::size_t j = 0; j < vx.size(); ++j)
            v[j] = static_cast<float>(betas[vx[j]]) / 300.0f; // percent signal change
        tr.values.push_back(std::move(v));
    }
    return tr;
}

/// Session @p s's trials appended to @p trials: its betas file read a block of trials at a time
/// (~64 MB per read), only the ROI voxels kept.
void readSessionBetas(const NsdSource& src, int s, std::vector<Trial>& trials, ProgressSink& sink, const CancelToken& cancel)
{
    const ImportOptions& o = src.o;
    const std::string& R = o.root;
    char sess[32];
    std::snprintf(sess, sizeof sess, "betas_session%02d.hdf5", s);
    const std::string betaFile
        = firstExisting({R + "/nsddata_betas/ppdata/" + src.subj + "/" + o.space + "/" + o.betas + "/" + sess,
                            R + "/" + o.betas + "/" + sess, R + "/" + sess},
            "nsd: " + std::string(sess));
    const LabelVolume& anyVol = src.masks.volumes.begin()->second;
    H5File f(betaFile, H5File::Mode::Read);
    f.require("/betas");
    const auto d = f.dims("/betas");
    if (d.size() != 4 || d[1] != static_cast<std::uint64_t>(anyVol.nz) || d[2] != static_cast<std::uint64_t>(anyVol.ny)
        || d[3] != static_cast<std::uint64_t>(anyVol.nx))
        throw Error(betaFile + ": /betas has shape [" + std::to_string(d.size() > 0 ? d[0] : 0) + ",...], expected [trials,"
            + std::to_string(anyVol.nz) + "," + std::to_string(anyVol.ny) + "," + std::to_string(anyVol.nx)
            + "] to match the ROI volume");
    const std::uint64_t nt = d[0];
    const std::uint64_t vox = d[1] * d[2] * d[3];
    const std::uint64_t block = std::max<std::uint64_t>(1, (64ull << 20) / (vox * 2)); // ~64 MB per read
    std::vector<std::int16_t> buf;
    for (std::uint64_t t0 = 0; t0 < nt; t0 += block) {
        cancel.check();
        const std::uint64_t cnt = std::min(block, nt - t0);
        buf.resize(cnt * vox);
        f.readSlab("/betas", H5Type::Int16, {t0, 0, 0, 0}, {cnt, d[1], d[2], d[3]}, buf.data());
        for (std::uint64_t k = 0; k < cnt; ++k) {
            const std::uint64_t global = static_cast<std::uint64_t>(s - 1) * nt + t0 + k;
            trials.push_back(roiTrial(src, buf.data() + k * vox, src.design.image73k(global, s)));
        }
        reportProgress(
            sink, "betas session " + std::to_string(s), static_cast<std::int64_t>(t0 + cnt), static_cast<std::int64_t>(nt));
    }
}

/// The trials of each image (by 1-based 73k id, ascending: the bundle's image order).
using TrialsByImage = std::map<std::int64_t, std::vector<std::size_t>>;

/// ROI @p r of the bundle: every repeat in trials ([N, maxRep, V], NaN where an image was shown
/// fewer times), their mean in responses, the noise ceiling from the repeats (with at least 2),
/// and each voxel's (i, j, k) in its volume.
RoiResponses roiResponses(
    const NsdSource& src, std::size_t r, const std::vector<Trial>& trials, const TrialsByImage& byImage, int maxRep)
{
    const auto n = static_cast<std::int64_t>(byImage.size());
    RoiResponses roi;
    roi.name = src.o.rois[r];
    roi.voxels = static_cast<std::int64_t>(src.masks.voxels[r].size());
    roi.repeats = maxRep;
    const auto v = static_cast<std::size_t>(roi.voxels);
    roi.trials.assign(static_cast<std::size_t>(n) * maxRep * v, std::numeric_limits<float>::quiet_NaN());
    roi.responses.assign(static_cast<std::size_t>(n) * v, 0.0f);
    std::size_t i = 0;
    for (const auto& [id, ts] : byImage) {
        for (std::size_t k = 0; k < ts.size(); ++k)
            for (std::size_t j = 0; j < v; ++j) {
                const float x = trials[ts[k]].values[r][j];
                roi.trials[(i * maxRep + k) * v + j] = x;
                roi.responses[i * v + j] += x / static_cast<float>(ts.size());
            }
        ++i;
    }
    if (maxRep >= 2)
        roi.noiseCeiling = noiseCeilingFromTrials(roi.trials, n, maxRep, roi.voxels);
    roi.coords.resize(v * 3);
    const LabelVolume& vol = src.masks.volumes.at(roiClassLabels(roi.name).first);
    for (std::size_t j = 0; j < v; ++j) {
        const std::int64_t lin = src.masks.voxels[r][j];
        roi.coords[j * 3 + 0] = static_cast<std::int32_t>(lin % vol.nx);
        roi.coords[j * 3 + 1] = static_cast<std::int32_t>((lin / vol.nx) % vol.ny);
        roi.coords[j * 3 + 2] = static_cast<std::int32_t>(lin / (static_cast<std::int64_t>(vol.nx) * vol.ny));
    }
    return roi;
}

/// Stimuli: only the images this subject saw, one row of the brick at a time, resized into @p b.
void readStimuli(const NsdSource& src, const TrialsByImage& byImage, NsdBundle& b, ProgressSink& sink, const CancelToken& cancel)
{
    const std::string& stimFile = src.stimFile;
    const int side = src.o.imageSize;
    const auto n = static_cast<std::int64_t>(byImage.size());
    H5File stim(stimFile, H5File::Mode::Read);
    stim.require("/imgBrick");
    const auto sd = stim.dims("/imgBrick");
    if (sd.size() != 4 || sd[3] != 3)
        throw Error(stimFile + ": /imgBrick must be [N,H,W,3] uint8");
    const std::size_t bytes = static_cast<std::size_t>(side) * side * 3;
    b.stimuli.resize(bytes * static_cast<std::size_t>(n));
    std::vector<std::uint8_t> row(sd[1] * sd[2] * 3);
    std::int64_t i = 0;
    for (const auto& [id, ts] : byImage) {
        cancel.check();
        if (id < 1 || static_cast<std::uint64_t>(id) > sd[0])
            throw Error(stimFile + ": image " + std::to_string(id) + " (1-based 73k id) is outside /imgBrick's "
                + std::to_string(sd[0]) + " images");
        stim.readRows("/imgBrick", H5Type::UInt8, static_cast<std::uint64_t>(id - 1), 1, row.data());
        resizeImageRgb(row.data(), static_cast<int>(sd[1]), static_cast<int>(sd[2]), side,
            b.stimuli.data() + static_cast<std::size_t>(i) * bytes);
        b.stimulusIds.push_back(id - 1); // 0-based 73k index, as NSD's Python tools use
        ++i;
        if (i % 64 == 0 || i == n)
            reportProgress(sink, "stimuli", i, n);
    }
}

} // namespace

NsdBundle importNsdRaw(const ImportOptions& o, ProgressSink& sink, const CancelToken& cancel, std::int64_t* trialsRead)
{
    checkNsdOptions(o);
    const NsdSource src = openNsdSource(o);
    std::vector<Trial> trials;
    for (int s = o.sessionFirst; s <= o.sessionLast; ++s)
        readSessionBetas(src, s, trials, sink, cancel);
    if (trialsRead)
        *trialsRead = static_cast<std::int64_t>(trials.size());

    // Group the trials by image; repeats are kept in /responses_trials and averaged.
    TrialsByImage byImage;
    for (std::size_t t = 0; t < trials.size(); ++t)
        byImage[trials[t].image73k].push_back(t);
    int maxRep = 0;
    for (const auto& [id, ts] : byImage)
        maxRep = std::max(maxRep, static_cast<int>(ts.size()));

    NsdBundle b;
    b.count = static_cast<std::int64_t>(byImage.size());
    b.height = b.width = o.imageSize;
    b.source = "nsd";
    b.subject = src.subj;
    b.betaVersion = o.betas + " (" + o.space + ", sessions " + std::to_string(o.sessionFirst) + "-"
        + std::to_string(o.sessionLast) + ", int16/300)";
    b.origin = o.root;
    for (std::size_t r = 0; r < o.rois.size(); ++r)
        b.rois.push_back(roiResponses(src, r, trials, byImage, maxRep));
    readStimuli(src, byImage, b, sink, cancel);
    return b;
}

// ------------------------------------------------------------------ entry point

ImportResult importBundle(const ImportOptions& o, ProgressSink& sink, const CancelToken& cancel)
{
    if (o.out.empty())
        throw Error("nsd import: --out is required");
    if (!(o.valFraction >= 0 && o.valFraction < 1))
        throw Error("nsd import: --val-fraction " + std::to_string(o.valFraction) + " must be in [0, 1)");
    if (o.splitFromFolders && o.format != "seed-npy")
        throw Error(
            "nsd import: --split-from-folders applies to --format seed-npy (ROOT/train and ROOT/val), not '" + o.format + "'");
    NsdBundle b;
    ImportResult res;
    if (o.format == "seed-npy")
        b = o.splitFromFolders ? importSeedNpySplitFolders(o, sink, cancel) : importSeedNpy(o, sink, cancel);
    else if (o.format == "algonauts2023")
        b = importAlgonauts2023(o, sink, cancel);
    else if (o.format == "nsd")
        b = importNsdRaw(o, sink, cancel, &res.trials);
    else
        throw Error("nsd import: unknown --format '" + o.format + "' (valid: " + joinChoices(importFormats()) + ")");
    b.origin = o.root;
    res.droppedVoxels = dropNonFiniteVoxels(b, o.strict, sink);
    if (!o.splitFromFolders)
        b.split = randomSplit(b.count, o.valFraction, o.seed);
    cancel.check();
    writeBundle(o.out, b);
    res.out = o.out;
    res.images = b.count;
    for (const auto& r : b.rois) {
        res.rois.push_back(r.name);
        res.voxels.push_back(r.voxels);
    }
    return res;
}

} // namespace repalign
