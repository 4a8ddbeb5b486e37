#include "behaviour/behaviour_file.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "common/version.h"
#include "io/h5.h"

#include <sstream>

namespace repalign::behaviour {

namespace {

using U64 = std::uint64_t;

U64 u(std::size_t n)
{
    return static_cast<U64>(n);
}

void writeScalar(H5File& f, const std::string& name, double v)
{
    f.write(name, H5Type::Float64, {}, &v);
}

void writeScalarI64(H5File& f, const std::string& name, std::int64_t v)
{
    f.write(name, H5Type::Int64, {}, &v);
}

/// An empty vector's data() may be null, which HDF5 refuses even for zero elements.
template <class T> const void* dataOf(const std::vector<T>& v)
{
    static const T none {};
    return v.empty() ? static_cast<const void*>(&none) : static_cast<const void*>(v.data());
}

void writeF64(H5File& f, const std::string& name, const std::vector<U64>& dims, const std::vector<double>& v)
{
    f.write(name, H5Type::Float64, dims, dataOf(v));
}

void writeI64(H5File& f, const std::string& name, const std::vector<U64>& dims, const std::vector<std::int64_t>& v)
{
    f.write(name, H5Type::Int64, dims, dataOf(v));
}

void writeU8(H5File& f, const std::string& name, const std::vector<U64>& dims, const std::vector<std::uint8_t>& v)
{
    bool empty = false;
    for (U64 d : dims)
        empty = empty || d == 0;
    f.write(name, H5Type::UInt8, dims, dataOf(v), empty ? 0 : std::min<U64>(dims[0], 64));
}

void writeInterval(H5File& f, const std::string& name, const Interval2& i)
{
    writeF64(f, name, {2}, {i.low, i.high});
}

std::string joinNames(const std::vector<std::string>& names)
{
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
        out += (i ? "," : "") + names[i];
    return out;
}

std::vector<std::string> splitNames(const std::string& s)
{
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

double scalar(const H5File& f, const std::string& name)
{
    const auto v = f.readF64(name);
    if (v.empty())
        throw Error(f.path() + ": " + name + " is empty");
    return v[0];
}

Interval2 interval(const H5File& f, const std::string& name)
{
    const auto v = f.readF64(name);
    if (v.size() != 2)
        throw Error(f.path() + ": " + name + " should hold 2 values (low, high), has " + std::to_string(v.size()));
    return {v[0], v[1]};
}

std::string attrOr(const H5File& f, const std::string& obj, const std::string& key)
{
    return f.hasAttr(obj, key) ? f.attrString(obj, key) : std::string();
}

void requireSize(const H5File& f, const std::string& name, std::size_t got, std::size_t want)
{
    if (got != want)
        throw Error(f.path() + ": " + name + " has " + std::to_string(got) + " values, expected " + std::to_string(want));
}

} // namespace

void writeBehaviourGroup(H5File& f, const BehaviourData& d)
{
    const std::string g = "/behaviour";
    const U64 n = u(d.labels.size());
    writeI64(f, g + "/labels", {n}, d.labels);
    writeI64(f, g + "/predictions", {n}, d.predictions);
    writeU8(f, g + "/correct", {n}, d.correct);
    f.write(g + "/probs", H5Type::Float32, {n, static_cast<U64>(d.classes)}, dataOf(d.probs), n > 0 ? std::min<U64>(n, 1024) : 0);
    f.setAttr(g, "model", d.model);
    f.setAttr(g, "checkpoint", d.checkpoint);
    f.setAttr(g, "data", d.data);
    f.setAttr(g, "split", d.split);
    f.setAttr(g, "precision", d.precision.empty() ? std::string("fp32") : d.precision);
    f.setAttr(g, "images", d.images);
    f.setAttr(g, "classes", static_cast<std::int64_t>(d.classes));
    f.setAttr(g, "accuracy", d.accuracy);
    f.setAttr(g, "program", std::string("repalign ") + programVersion());
    f.setAttr(g, "created", isoTimestamp());

    const CalibrationResult& c = d.calibration;
    const std::string cg = g + "/calibration";
    writeScalar(f, cg + "/ece", c.ece);
    writeScalar(f, cg + "/nll", c.nll);
    writeScalar(f, cg + "/brier", c.brier);
    writeF64(f, cg + "/bin_edges", {u(c.binEdges.size())}, c.binEdges);
    writeF64(f, cg + "/bin_confidence", {u(c.binConfidence.size())}, c.binConfidence);
    writeF64(f, cg + "/bin_accuracy", {u(c.binAccuracy.size())}, c.binAccuracy);
    writeI64(f, cg + "/bin_count", {u(c.binCount.size())}, c.binCount);
    f.setAttr(cg, "bins", static_cast<std::int64_t>(c.bins));

    if (d.human.present) {
        const HumanResult& h = d.human;
        const std::string hg = g + "/human";
        writeScalar(f, hg + "/cross_entropy", h.crossEntropy);
        writeScalar(f, hg + "/agreement", h.agreement);
        writeScalar(f, hg + "/kl", h.kl);
        writeScalar(f, hg + "/hard_accuracy", h.hardAccuracy);
        writeScalar(f, hg + "/kappa_expected", h.kappaExpected);
        writeScalar(f, hg + "/kappa_median", h.kappaMedian);
        writeInterval(f, hg + "/cross_entropy_ci", h.crossEntropyCI);
        writeInterval(f, hg + "/agreement_ci", h.agreementCI);
        writeInterval(f, hg + "/hard_accuracy_ci", h.hardAccuracyCI);
        writeInterval(f, hg + "/kappa_ci", h.kappaCI);
        writeScalarI64(f, hg + "/hard_images", h.hardImages);
        writeF64(f, hg + "/kappa_per_annotator", {u(h.kappaPerAnnotator.size())}, h.kappaPerAnnotator);
        writeI64(f, hg + "/annotator_ids", {u(h.annotatorIds.size())}, h.annotatorIds);
        writeI64(f, hg + "/confusion_model", {10, 10}, h.confusionModel);
        writeF64(f, hg + "/confusion_human", {10, 10}, h.confusionHuman);
        writeI64(f, hg + "/human_majority", {u(h.humanMajority.size())}, h.humanMajority);
        f.write(hg + "/human_accuracy", H5Type::Float32, {u(h.humanAccuracy.size())}, dataOf(h.humanAccuracy));
        writeF64(f, hg + "/cross_entropy_per_image", {u(h.crossEntropyPerImage.size())}, h.crossEntropyPerImage);
        f.setAttr(hg, "source", h.source);
    }

    if (d.corruption.present) {
        const CorruptionResult& r = d.corruption;
        const std::string rg = g + "/corruption";
        const U64 nc = u(r.names.size());
        writeF64(f, rg + "/accuracy", {nc, 5}, r.accuracy);
        writeU8(f, rg + "/correct", {nc, 5, n}, r.correct);
        writeScalar(f, rg + "/mean_accuracy", r.meanAccuracy);
        f.setAttr(rg, "names", joinNames(r.names));
        f.setAttr(rg, "source", r.source);
        if (r.hasReference) {
            writeF64(f, rg + "/ce", {nc}, r.ce);
            writeF64(f, rg + "/relative_ce", {nc}, r.relativeCe);
            writeScalar(f, rg + "/mce", r.mce);
            writeScalar(f, rg + "/relative_mce", r.relativeMce);
            f.setAttr(rg, "reference", r.reference);
        }
    }

    for (const PgdCurve& p : d.pgd) {
        const std::string pg = g + "/pgd/" + p.norm;
        const U64 e = u(p.eps.size()), m = u(p.imageIndices.size());
        writeF64(f, pg + "/eps", {e}, p.eps);
        writeF64(f, pg + "/accuracy", {e}, p.accuracy);
        writeU8(f, pg + "/correct", {e, m}, p.correct);
        writeI64(f, pg + "/image_indices", {m}, p.imageIndices);
        f.setAttr(pg, "steps", static_cast<std::int64_t>(p.steps));
        f.setAttr(pg, "step_fraction", p.stepFraction);
        f.setAttr(pg, "random_start", static_cast<std::int64_t>(p.randomStart ? 1 : 0));
        f.setAttr(pg, "seed", static_cast<std::int64_t>(p.seed));
    }
}

bool hasBehaviour(const std::string& path)
{
    if (!fileExists(path))
        return false;
    try {
        H5File f(path, H5File::Mode::Read);
        return f.exists("/behaviour/labels");
    } catch (const Error&) {
        return false;
    }
}

BehaviourData readBehaviour(const std::string& path)
{
    H5File f(path, H5File::Mode::Read);
    const std::string g = "/behaviour";
    if (!f.exists(g))
        throw Error(path + ": no /behaviour group (write one with: repalign-cli behave --checkpoint CKPT --data SPEC --out "
            + path + ")");
    BehaviourData d;
    d.path = path;
    d.model = attrOr(f, g, "model");
    d.checkpoint = attrOr(f, g, "checkpoint");
    d.data = attrOr(f, g, "data");
    d.split = attrOr(f, g, "split");
    d.precision = attrOr(f, g, "precision");
    d.labels = f.readI64(g + "/labels");
    d.predictions = f.readI64(g + "/predictions");
    d.correct = f.readU8(g + "/correct");
    d.probs = f.readF32(g + "/probs");
    const std::size_t n = d.labels.size();
    d.images = f.hasAttr(g, "images") ? static_cast<std::int64_t>(f.attrDouble(g, "images")) : static_cast<std::int64_t>(n);
    d.accuracy = f.hasAttr(g, "accuracy") ? f.attrDouble(g, "accuracy") : NAN;
    const auto pd = f.dims(g + "/probs");
    d.classes = pd.size() == 2 ? static_cast<int>(pd[1]) : 0;
    if (f.hasAttr(g, "classes"))
        d.classes = static_cast<int>(f.attrDouble(g, "classes"));
    requireSize(f, g + "/predictions", d.predictions.size(), n);
    requireSize(f, g + "/correct", d.correct.size(), n);
    requireSize(f, g + "/probs", d.probs.size(), n * static_cast<std::size_t>(std::max(d.classes, 0)));

    const std::string cg = g + "/calibration";
    if (f.exists(cg)) {
        CalibrationResult& c = d.calibration;
        c.ece = scalar(f, cg + "/ece");
        c.nll = scalar(f, cg + "/nll");
        c.brier = scalar(f, cg + "/brier");
        c.binEdges = f.readF64(cg + "/bin_edges");
        c.binConfidence = f.readF64(cg + "/bin_confidence");
        c.binAccuracy = f.readF64(cg + "/bin_accuracy");
        c.binCount = f.readI64(cg + "/bin_count");
        c.bins = f.hasAttr(cg, "bins") ? static_cast<int>(f.attrDouble(cg, "bins")) : static_cast<int>(c.binCount.size());
    }

    const std::string hg = g + "/human";
    if (f.exists(hg)) {
        HumanResult& h = d.human;
        h.present = true;
        h.source = attrOr(f, hg, "source");
        h.crossEntropy = scalar(f, hg + "/cross_entropy");
        h.agreement = scalar(f, hg + "/agreement");
        h.kl = scalar(f, hg + "/kl");
        h.hardAccuracy = scalar(f, hg + "/hard_accuracy");
        h.kappaExpected = scalar(f, hg + "/kappa_expected");
        h.kappaMedian = scalar(f, hg + "/kappa_median");
        h.crossEntropyCI = interval(f, hg + "/cross_entropy_ci");
        h.agreementCI = interval(f, hg + "/agreement_ci");
        h.hardAccuracyCI = interval(f, hg + "/hard_accuracy_ci");
        h.kappaCI = interval(f, hg + "/kappa_ci");
        h.hardImages = f.readI64(hg + "/hard_images").at(0);
        h.kappaPerAnnotator = f.readF64(hg + "/kappa_per_annotator");
        h.annotatorIds = f.readI64(hg + "/annotator_ids");
        h.confusionModel = f.readI64(hg + "/confusion_model");
        h.confusionHuman = f.readF64(hg + "/confusion_human");
        h.humanMajority = f.readI64(hg + "/human_majority");
        h.humanAccuracy = f.readF32(hg + "/human_accuracy");
        requireSize(f, hg + "/human_majority", h.humanMajority.size(), n);
        requireSize(f, hg + "/human_accuracy", h.humanAccuracy.size(), n);
        if (f.exists(hg + "/cross_entropy_per_image")) {
            h.crossEntropyPerImage = f.readF64(hg + "/cross_entropy_per_image");
            requireSize(f, hg + "/cross_entropy_per_image", h.crossEntropyPerImage.size(), n);
        }
        requireSize(f, hg + "/annotator_ids", h.annotatorIds.size(), h.kappaPerAnnotator.size());
    }

    const std::string rg = g + "/corruption";
    if (f.exists(rg)) {
        CorruptionResult& r = d.corruption;
        r.present = true;
        r.source = attrOr(f, rg, "source");
        r.names = splitNames(attrOr(f, rg, "names"));
        r.accuracy = f.readF64(rg + "/accuracy");
        r.correct = f.readU8(rg + "/correct");
        r.meanAccuracy = scalar(f, rg + "/mean_accuracy");
        requireSize(f, rg + "/accuracy", r.accuracy.size(), r.names.size() * 5);
        requireSize(f, rg + "/correct", r.correct.size(), r.names.size() * 5 * n);
        if (f.exists(rg + "/ce")) {
            r.hasReference = true;
            r.reference = attrOr(f, rg, "reference");
            r.ce = f.readF64(rg + "/ce");
            r.relativeCe = f.readF64(rg + "/relative_ce");
            r.mce = scalar(f, rg + "/mce");
            r.relativeMce = scalar(f, rg + "/relative_mce");
        }
    }

    for (const char* norm : {"linf", "l2"}) {
        const std::string pg = g + "/pgd/" + norm;
        if (!f.exists(pg))
            continue;
        PgdCurve p;
        p.norm = norm;
        p.eps = f.readF64(pg + "/eps");
        p.accuracy = f.readF64(pg + "/accuracy");
        p.correct = f.readU8(pg + "/correct");
        p.imageIndices = f.readI64(pg + "/image_indices");
        requireSize(f, pg + "/accuracy", p.accuracy.size(), p.eps.size());
        requireSize(f, pg + "/correct", p.correct.size(), p.eps.size() * p.imageIndices.size());
        if (f.hasAttr(pg, "steps"))
            p.steps = static_cast<int>(f.attrDouble(pg, "steps"));
        if (f.hasAttr(pg, "step_fraction"))
            p.stepFraction = f.attrDouble(pg, "step_fraction");
        if (f.hasAttr(pg, "random_start"))
            p.randomStart = f.attrDouble(pg, "random_start") != 0;
        if (f.hasAttr(pg, "seed"))
            p.seed = static_cast<std::uint64_t>(f.attrDouble(pg, "seed"));
        d.pgd.push_back(std::move(p));
    }
    return d;
}

} // namespace repalign::behaviour
