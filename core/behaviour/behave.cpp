#include "behaviour/behave.h"

#include "behaviour/calibration.h"
#include "behaviour/cifar10c.h"
#include "behaviour/human.h"
#include "behaviour/pgd.h"
#include "common/autocast.h"
#include "common/device.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/precision.h"
#include "common/text.h"
#include "data/dataset.h"
#include "data/loader.h"
#include "io/h5.h"
#include "io/h5_group.h"
#include "run/checkpoint.h"
#include "run/dataspec.h"
#include "run/pth_checkpoint.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>

namespace repalign::behaviour {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::vector<std::string> splitList(const std::string& s)
{
    std::vector<std::string> out;
    std::string cur;
    for (char c : s + ",") {
        if (c == ',') {
            if (!cur.empty())
                out.push_back(cur);
            cur.clear();
        } else if (c != ' ') {
            cur += c;
        }
    }
    return out;
}

/// Progress over the whole job: work units (one image forward = 1, one PGD image at one eps =
/// steps + 1 forward-backward passes, counted as 3 each).
struct JobProgress {
    explicit JobProgress(ProgressSink& s)
        : sink(s)
    {
    }
    ProgressSink& sink;
    double total = 1, done = 0;
    std::string phase;
    std::int64_t phaseDone = 0, phaseTotal = 0;
    Clock::time_point phaseStart = Clock::now();

    void begin(const std::string& name, std::int64_t items)
    {
        phase = name;
        phaseDone = 0;
        phaseTotal = items;
        phaseStart = Clock::now();
    }
    void advance(std::int64_t items, double unitsPerItem, double accuracy = -1)
    {
        phaseDone += items;
        done += static_cast<double>(items) * unitsPerItem;
        ProgressEvent ev;
        ev.phase = phase;
        ev.done = phaseDone;
        ev.total = phaseTotal;
        ev.accuracy = accuracy;
        ev.fraction = std::min(1.0, done / total);
        const double el = secondsSince(phaseStart);
        ev.itemsPerSecond = el > 0 ? static_cast<double>(phaseDone) / el : 0;
        ev.etaSeconds = phaseDone > 0 ? el / static_cast<double>(phaseDone) * static_cast<double>(phaseTotal - phaseDone) : -1;
        sink.progress(ev);
    }
};

/// begin, begin + 1, ..., end - 1.
std::vector<std::int64_t> indexRange(std::int64_t begin, std::int64_t end)
{
    std::vector<std::int64_t> idx(static_cast<std::size_t>(end - begin));
    std::iota(idx.begin(), idx.end(), begin);
    return idx;
}

/// Calls @p batch(b, e) for the batches [b, e) of @p size that cover [0, n), checking @p cancel
/// before each.
template <class Batch> void forEachBatch(std::int64_t n, int size, const CancelToken& cancel, Batch&& batch)
{
    for (std::int64_t b = 0; b < n; b += size) {
        cancel.check();
        batch(b, std::min(n, b + size));
    }
}

/// The checkpoint's model with its evaluation transform (as eval/analyze fit it), and the same
/// model with the normalisation inside for [0, 1] inputs (PGD).
struct Evaluator {
    TapNet model;
    torch::Device device = torch::kCPU;
    TransformConfig transform; ///< normalised input (eval's)
    TransformConfig pixels; ///< the same resize, [0, 1] output
    torch::Tensor mean, std;
    std::string precision = "fp32";

    torch::Tensor logits(const ImageDataset& d, std::int64_t begin, std::int64_t end) const
    {
        torch::NoGradGuard noGrad;
        AutocastScope autocast(precision, device);
        return model->forward(transformAll(d.subset(indexRange(begin, end)), transform).to(device))
            .to(torch::kCPU, torch::kFloat64);
    }
    torch::Tensor pixelForward(const torch::Tensor& x) const
    {
        AutocastScope autocast(precision, device);
        return model->forward((x - mean) / std).to(torch::kFloat32);
    }
};

std::vector<std::int64_t> argmaxRows(const torch::Tensor& logits)
{
    torch::Tensor a = logits.argmax(1).to(torch::kInt64).contiguous();
    return std::vector<std::int64_t>(a.data_ptr<std::int64_t>(), a.data_ptr<std::int64_t>() + a.numel());
}

void validate(const BehaveOptions& o)
{
    if (o.checkpoint.empty())
        throw Error("behave: --checkpoint is required");
    if (o.data.empty())
        throw Error("behave: --data is required (e.g. cifar10:data)");
    if (o.batchSize < 1 || o.batchSize > 65536)
        throw Error("behave: --batch-size " + std::to_string(o.batchSize) + " is out of range (valid: 1..65536)");
    if (o.bins < 1 || o.bins > 1000)
        throw Error("behave: --bins " + std::to_string(o.bins) + " is out of range (valid: 1..1000)");
    if (o.bootstrap < 0)
        throw Error("behave: --bootstrap must not be negative");
    if (!o.humanRaw.empty() && o.human.empty())
        throw Error("behave: --human-raw needs --human (cifar10h-probs.npy or cifar10h-counts.npy)");
    if (!o.corruptionNames.empty() && o.corruptions.empty())
        throw Error("behave: --corruption-names needs --corruptions DIR");
    if (!o.reference.empty() && o.corruptions.empty())
        throw Error("behave: --reference (for CE / mCE) needs --corruptions DIR");
    if (!o.pgd.empty()) {
        if (o.pgdSteps < 1 || o.pgdSteps > 10000)
            throw Error("behave: --pgd-steps " + std::to_string(o.pgdSteps) + " is out of range (valid: 1..10000)");
        if (!(o.pgdStepFraction > 0) || !std::isfinite(o.pgdStepFraction))
            throw Error("behave: --pgd-step-fraction must be a positive number (got " + std::to_string(o.pgdStepFraction) + ")");
        if (o.pgdImages == 0 || o.pgdImages < -1)
            throw Error("behave: --pgd-images must be a positive count or -1 for all (got " + std::to_string(o.pgdImages) + ")");
        std::vector<std::string> seen;
        for (const PgdRequest& r : o.pgd) {
            if (r.norm != "linf" && r.norm != "l2")
                throw Error("behave: --pgd norm '" + r.norm + "' is not valid (valid: linf, l2)");
            if (std::find(seen.begin(), seen.end(), r.norm) != seen.end())
                throw Error("behave: --pgd " + r.norm + " is given twice (give one eps list per norm)");
            seen.push_back(r.norm);
            for (double e : r.eps)
                if (!(e >= 0) || !std::isfinite(e))
                    throw Error("behave: --pgd " + r.norm + " eps " + significant(e, 6) + " is not a non-negative number");
        }
    }
    checkPrecision(o.precision, o.device, "behave: --precision");
    if (!o.out.empty()) {
        const std::string parent = std::filesystem::path(o.out).parent_path().string();
        if (!parent.empty() && !isDirectory(parent))
            throw Error("behave: the folder of " + o.out + " does not exist");
        if (fileExists(o.out))
            H5File(o.out, H5File::Mode::Read); // not an HDF5 file: one line now, not after the work
    }
}

struct CorruptionInputs {
    Cifar10CFolder folder;
    std::vector<std::string> names; ///< the corruptions evaluated (--corruption-names or all)
};

/// Everything that can be refused, read before the long work.
struct BehaveInputs {
    Split split = Split::Test;
    Evaluator ev;
    ImageDataset data; ///< the evaluated images (the first --max-images)
    HumanLabels human; ///< with --human
    CorruptionInputs corruptions; ///< with --corruptions
    BehaviourData reference; ///< with --reference
};

/// The checkpoint's model on @p device in eval mode.
TapNet loadModel(const Checkpoint& ck, const BehaveOptions& o, torch::Device device)
{
    TapNet model = modelFromCheckpoint(ck, o.model, o.checkpoint);
    model->to(device);
    model->eval();
    for (auto& p : model->parameters())
        p.set_requires_grad(false); // PGD needs gradients for the input only
    return model;
}

ImageDataset loadImages(const BehaveOptions& o, Split split)
{
    ImageDataset data = loadDataset(o.data, split);
    if (o.maxImages > 0 && o.maxImages < data.count)
        data = data.subset(indexRange(0, o.maxImages));
    if (data.count == 0)
        throw Error("behave: " + o.data + " (" + o.split + ") holds no images");
    return data;
}

torch::Tensor channelTensor(const std::array<double, 3>& v, torch::Device device)
{
    return torch::tensor({v[0], v[1], v[2]}, torch::kFloat32).view({1, 3, 1, 1}).to(device);
}

/// The evaluation transform fitted to the checkpoint and image size (as eval/analyze fit it),
/// and the same resize without normalisation for PGD, which normalises inside the model.
void fitTransforms(Evaluator& ev, const Checkpoint& ck, int imageHeight, const BehaveOptions& o, ProgressSink& sink)
{
    ev.transform = referenceEvalTransform();
    for (const std::string& note : pth::fitEvalTransform(ck, ev.model->architecture(), imageHeight, ev.transform))
        sink.log(LogLevel::Info, o.checkpoint + ": " + note);
    ev.pixels = ev.transform;
    ev.pixels.mean = {{0.0, 0.0, 0.0}};
    ev.pixels.std = {{1.0, 1.0, 1.0}};
    ev.mean = channelTensor(ev.transform.mean, ev.device);
    ev.std = channelTensor(ev.transform.std, ev.device);
}

HumanLabels readHuman(const BehaveOptions& o, const DataSpec& spec, Split split, const ImageDataset& data)
{
    if (o.human.empty())
        return {};
    if (spec.kind != "cifar10" || data.numClasses() != 10)
        throw Error("behave: --human: CIFAR-10H applies to CIFAR-10 test images only (the data is " + o.data + ")");
    if (split != Split::Test)
        throw Error("behave: --human: CIFAR-10H labels the CIFAR-10 test split only (--split test, got " + o.split + ")");
    return readHumanLabels(o.human, o.humanRaw, data.count);
}

/// Each severity's first N labels in the folder must be the evaluated images' labels.
void checkFolderLabels(const Cifar10CFolder& folder, const ImageDataset& data, const std::string& dir)
{
    for (int s = 0; s < 5; ++s)
        for (std::int64_t i = 0; i < data.count; ++i) {
            const std::int64_t label = folder.labels[static_cast<std::size_t>(s * folder.perSeverity + i)];
            if (label != data.labels[static_cast<std::size_t>(i)])
                throw Error("behave: " + dir + "/labels.npy gives image " + std::to_string(i) + " of severity "
                    + std::to_string(s + 1) + " label " + std::to_string(label) + ", the evaluated image " + std::to_string(i)
                    + " has label " + std::to_string(data.labels[static_cast<std::size_t>(i)])
                    + " (the folder was not made from these images)");
        }
}

CorruptionInputs checkedCorruptions(const BehaveOptions& o, const ImageDataset& data)
{
    CorruptionInputs c;
    if (o.corruptions.empty())
        return c;
    c.folder = scanCifar10C(o.corruptions);
    c.names = o.corruptionNames.empty() ? c.folder.names : o.corruptionNames;
    for (const std::string& name : c.names)
        if (std::find(c.folder.names.begin(), c.folder.names.end(), name) == c.folder.names.end())
            throw Error("behave: --corruption-names: " + o.corruptions + " has no " + name
                + " (present: " + joinChoices(c.folder.names) + ")");
    const std::int64_t n = data.count;
    if (c.folder.perSeverity < n)
        throw Error("behave: " + o.corruptions + " holds " + std::to_string(c.folder.perSeverity) + " images per severity but "
            + std::to_string(n) + " images were evaluated (use --max-images " + std::to_string(c.folder.perSeverity) + ")");
    checkFolderLabels(c.folder, data, o.corruptions);
    return c;
}

BehaviourData readReference(const BehaveOptions& o, const std::vector<std::string>& corruptionNames)
{
    if (o.reference.empty())
        return {};
    BehaviourData reference = readBehaviour(o.reference);
    if (!reference.corruption.present)
        throw Error("behave: --reference " + o.reference
            + " has no /behaviour/corruption (run behave --corruptions on the reference model first)");
    for (const std::string& c : corruptionNames)
        if (std::find(reference.corruption.names.begin(), reference.corruption.names.end(), c)
            == reference.corruption.names.end())
            throw Error("behave: --reference " + o.reference + " has no results for " + c);
    return reference;
}

BehaveInputs readInputs(const BehaveOptions& o, ProgressSink& sink)
{
    BehaveInputs in;
    const DataSpec spec = parseDataSpec(o.data);
    in.split = parseSplit(o.split);
    in.ev.device = resolveDevice(o.device);
    in.ev.precision = o.precision;
    configureThreads(o.threads);
    const Checkpoint ck = loadCheckpoint(o.checkpoint, o.checkpointKey);
    in.ev.model = loadModel(ck, o, in.ev.device);
    in.data = loadImages(o, in.split);
    fitTransforms(in.ev, ck, in.data.height, o, sink);
    in.human = readHuman(o, spec, in.split, in.data);
    in.corruptions = checkedCorruptions(o, in.data);
    in.reference = readReference(o, in.corruptions.names);
    return in;
}

/// The job's work units (JobProgress): one forward per clean image and per image at each of a
/// corruption's 5 severities, (steps + 1) forward-backward passes per PGD image and eps.
double totalWork(const BehaveOptions& o, std::int64_t n, std::int64_t m, std::size_t corruptions)
{
    double total = static_cast<double>(n) * (1.0 + 5.0 * static_cast<double>(corruptions));
    for (const PgdRequest& r : o.pgd)
        total += static_cast<double>(m) * static_cast<double>(r.eps.size()) * 3.0 * (o.pgdSteps + 1);
    return total;
}

/// What every measurement reads.
struct Measurement {
    const BehaveOptions& o;
    const BehaveInputs& in;
    JobProgress& prog;
    ProgressSink& sink;
    const CancelToken& cancel;
};

/// The result's description of the run, before any measurement.
BehaviourData describeRun(const BehaveOptions& o, const BehaveInputs& in)
{
    BehaviourData d;
    d.model = in.ev.model->architecture();
    d.checkpoint = o.checkpoint;
    d.data = o.data;
    d.split = splitName(in.split);
    d.precision = o.precision;
    d.images = in.data.count;
    d.labels = in.data.labels;
    d.classes = in.data.numClasses() > 0 ? in.data.numClasses() : 10;
    return d;
}

/// out[i] = 1 where pred[i - b] is labels[i], else 0, for i in [b, e); returns how many are 1.
double markCorrect(const std::vector<std::int64_t>& pred, const std::vector<std::int64_t>& labels, std::int64_t b, std::int64_t e,
    std::uint8_t* out)
{
    double ok = 0;
    for (std::int64_t i = b; i < e; ++i) {
        const bool c = pred[static_cast<std::size_t>(i - b)] == labels[static_cast<std::size_t>(i)];
        out[i] = c ? 1 : 0;
        ok += c ? 1 : 0;
    }
    return ok;
}

/// Clean evaluation: predictions, correctness and accuracy into @p d; returns the log-softmax
/// in double from the logits (N x classes).
std::vector<double> cleanLogProbs(const Measurement& ms, BehaviourData& d)
{
    const ImageDataset& data = ms.in.data;
    const std::int64_t n = data.count;
    ms.prog.begin("eval", n);
    std::vector<double> logProbs;
    logProbs.reserve(static_cast<std::size_t>(n * d.classes));
    d.correct.assign(static_cast<std::size_t>(n), 0);
    double correctSum = 0;
    forEachBatch(n, ms.o.batchSize, ms.cancel, [&](std::int64_t b, std::int64_t e) {
        torch::Tensor logits = ms.in.ev.logits(data, b, e);
        if (logits.size(1) != d.classes)
            throw Error("behave: " + ms.o.checkpoint + " (" + d.model + ") has " + std::to_string(logits.size(1)) + " outputs, "
                + ms.o.data + " has " + std::to_string(d.classes) + " classes");
        torch::Tensor lp = torch::log_softmax(logits, 1).contiguous();
        logProbs.insert(logProbs.end(), lp.data_ptr<double>(), lp.data_ptr<double>() + lp.numel());
        const std::vector<std::int64_t> pred = argmaxRows(logits);
        d.predictions.insert(d.predictions.end(), pred.begin(), pred.end());
        correctSum += markCorrect(pred, data.labels, b, e, d.correct.data());
        ms.prog.advance(e - b, 1.0, correctSum / static_cast<double>(e));
    });
    d.accuracy = correctSum / static_cast<double>(n);
    return logProbs;
}

/// The clean measures: accuracy, softmax, calibration and (with --human) CIFAR-10H agreement.
void evaluateClean(const Measurement& ms, BehaviourData& d)
{
    const std::vector<double> logProbs = cleanLogProbs(ms, d);
    std::vector<double> probs(logProbs.size());
    d.probs.resize(logProbs.size());
    for (std::size_t i = 0; i < logProbs.size(); ++i) {
        probs[i] = std::exp(logProbs[i]);
        d.probs[i] = static_cast<float>(probs[i]);
    }
    d.calibration = computeCalibration(probs, d.classes, d.labels, ms.o.bins);
    if (!ms.o.human.empty())
        d.human = computeHumanMetrics(ms.in.human, logProbs, d.labels, d.predictions, ms.o.bootstrap, ms.o.seed);
}

/// Corruption @p ci's accuracy at each of the 5 severities: the first N images of each
/// severity (the folder holds perSeverity images per severity).
void evaluateCorruption(const Measurement& ms, std::size_t ci, CorruptionResult& c)
{
    const ImageDataset& data = ms.in.data;
    const Cifar10CFolder& folder = ms.in.corruptions.folder;
    const std::string& name = c.names[ci];
    const std::int64_t n = data.count;
    ImageDataset cd = loadCifar10C(folder, name);
    if (cd.height != data.height || cd.width != data.width)
        throw Error("behave: " + cd.source + " holds " + std::to_string(cd.height) + "x" + std::to_string(cd.width) + " images, "
            + ms.o.data + " " + std::to_string(data.height) + "x" + std::to_string(data.width));
    cd.classes = data.classes;
    ms.prog.begin("corruption " + name, 5 * n);
    double sum = 0;
    for (int s = 0; s < 5; ++s) {
        const std::int64_t base = s * folder.perSeverity;
        const std::size_t row = ci * 5 + static_cast<std::size_t>(s);
        std::uint8_t* correct = c.correct.data() + row * static_cast<std::size_t>(n);
        double sevCorrect = 0;
        forEachBatch(n, ms.o.batchSize, ms.cancel, [&](std::int64_t b, std::int64_t e) {
            sevCorrect += markCorrect(argmaxRows(ms.in.ev.logits(cd, base + b, base + e)), data.labels, b, e, correct);
            ms.prog.advance(e - b, 1.0);
        });
        c.accuracy[row] = sevCorrect / static_cast<double>(n);
        sum += sevCorrect / static_cast<double>(n);
    }
    ms.sink.log(LogLevel::Info, name + ": mean accuracy " + fixed(sum / 5, 4));
}

/// Corruption errors against the reference model (Hendrycks & Dietterich): CE_c is the sum over
/// the 5 severities of the error E_{s,c}, divided by the reference's sum; relative CE subtracts
/// each model's clean error from every E_{s,c} first. mCE and relative mCE average over the
/// corruptions.
void addCorruptionErrors(
    CorruptionResult& c, double cleanAccuracy, const BehaviourData& reference, const std::string& referencePath)
{
    const CorruptionResult& rc = reference.corruption;
    c.hasReference = true;
    c.reference = referencePath;
    const double errClean = 1 - cleanAccuracy, refClean = 1 - reference.accuracy;
    double ceSum = 0, relSum = 0;
    for (std::size_t ci = 0; ci < c.names.size(); ++ci) {
        const auto ri = static_cast<std::size_t>(std::find(rc.names.begin(), rc.names.end(), c.names[ci]) - rc.names.begin());
        double e = 0, er = 0, rel = 0, relr = 0;
        for (std::size_t s = 0; s < 5; ++s) {
            e += 1 - c.accuracy[ci * 5 + s];
            er += 1 - rc.accuracy[ri * 5 + s];
            rel += (1 - c.accuracy[ci * 5 + s]) - errClean;
            relr += (1 - rc.accuracy[ri * 5 + s]) - refClean;
        }
        c.ce.push_back(er > 0 ? e / er : NAN);
        c.relativeCe.push_back(relr != 0 ? rel / relr : NAN);
        ceSum += c.ce.back();
        relSum += c.relativeCe.back();
    }
    c.mce = ceSum / static_cast<double>(c.names.size());
    c.relativeMce = relSum / static_cast<double>(c.names.size());
}

/// CIFAR-10-C: the first N images of each severity of each corruption.
CorruptionResult evaluateCorruptions(const Measurement& ms, double cleanAccuracy)
{
    const auto n = static_cast<std::size_t>(ms.in.data.count);
    CorruptionResult c;
    c.present = true;
    c.source = ms.o.corruptions;
    c.names = ms.in.corruptions.names;
    c.correct.assign(c.names.size() * 5 * n, 0);
    c.accuracy.assign(c.names.size() * 5, 0.0);
    for (std::size_t ci = 0; ci < c.names.size(); ++ci) {
        ms.cancel.check();
        evaluateCorruption(ms, ci, c);
    }
    c.meanAccuracy = std::accumulate(c.accuracy.begin(), c.accuracy.end(), 0.0) / static_cast<double>(c.accuracy.size());
    if (!ms.o.reference.empty())
        addCorruptionErrors(c, cleanAccuracy, ms.in.reference, ms.o.reference);
    return c;
}

/// An eps as given on the command line: linf in /255 units.
std::string epsText(const std::string& norm, double eps)
{
    return significant(eps, 4) + (norm == "linf" ? "/255" : "");
}

PgdStep pgdStep(const BehaveOptions& o, const std::string& norm, double eps)
{
    PgdStep step;
    step.norm = norm;
    step.eps = norm == "linf" ? eps / 255.0 : eps;
    step.steps = o.pgdSteps;
    step.stepSize = step.eps * o.pgdStepFraction;
    step.randomStart = o.pgdRandomStart;
    step.seed = o.seed;
    return step;
}

/// PGD with @p step on the first @p m images, batched forward + backward: each attacked image's
/// correctness into @p correct ([m]); returns the robust accuracy.
double robustAccuracy(const Measurement& ms, const PgdStep& step, std::int64_t m, std::uint8_t* correct)
{
    const Evaluator& ev = ms.in.ev;
    const ImageDataset& data = ms.in.data;
    const PixelForward forward = [&ev](const torch::Tensor& x) { return ev.pixelForward(x); };
    double ok = 0;
    forEachBatch(m, ms.o.batchSize, ms.cancel, [&](std::int64_t b, std::int64_t e) {
        const std::vector<std::int64_t> ids = indexRange(b, e);
        const ImageDataset sub = data.subset(ids);
        torch::Tensor x = transformAll(sub, ev.pixels).to(ev.device);
        torch::Tensor y = torch::tensor(sub.labels, torch::kInt64).to(ev.device);
        torch::Tensor adv = pgdAttack(forward, x, y, step, ids, ms.cancel);
        std::vector<std::int64_t> pred;
        {
            torch::NoGradGuard noGrad;
            pred = argmaxRows(forward(adv).to(torch::kCPU));
        }
        ok += markCorrect(pred, data.labels, b, e, correct);
        ms.prog.advance(e - b, 3.0 * (ms.o.pgdSteps + 1), ok / static_cast<double>(e));
    });
    return ok / static_cast<double>(m);
}

/// Robust accuracy over one norm's eps list, on the first @p m images.
PgdCurve attackCurve(const Measurement& ms, const PgdRequest& r, std::int64_t m)
{
    const BehaveOptions& o = ms.o;
    PgdCurve curve;
    curve.norm = r.norm;
    curve.steps = o.pgdSteps;
    curve.stepFraction = o.pgdStepFraction;
    curve.randomStart = o.pgdRandomStart;
    curve.seed = o.seed;
    curve.imageIndices = indexRange(0, m);
    curve.correct.assign(r.eps.size() * static_cast<std::size_t>(m), 0);
    for (std::size_t ei = 0; ei < r.eps.size(); ++ei) {
        const PgdStep step = pgdStep(o, r.norm, r.eps[ei]);
        curve.eps.push_back(step.eps);
        const std::string eps = epsText(r.norm, r.eps[ei]);
        ms.prog.begin("pgd " + r.norm + " eps " + eps, m);
        const double accuracy = robustAccuracy(ms, step, m, curve.correct.data() + ei * static_cast<std::size_t>(m));
        curve.accuracy.push_back(accuracy);
        ms.sink.log(LogLevel::Info,
            "PGD " + r.norm + " eps " + eps + ": robust accuracy " + fixed(accuracy, 4) + " on " + std::to_string(m) + " images");
    }
    return curve;
}

} // namespace

PgdRequest parsePgdRequest(const std::string& text)
{
    const auto colon = text.find(':');
    if (colon == std::string::npos)
        throw Error("--pgd '" + text + "': expected NORM:EPS,EPS,... (e.g. linf:1,2,4,8 in /255 units, l2:0.25,0.5,1)");
    PgdRequest r;
    r.norm = text.substr(0, colon);
    if (r.norm != "linf" && r.norm != "l2")
        throw Error("--pgd '" + text + "': unknown norm '" + r.norm + "' (valid: linf, l2)");
    for (const std::string& v : splitList(text.substr(colon + 1))) {
        char* end = nullptr;
        const double e = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end != '\0')
            throw Error("--pgd '" + text + "': eps '" + v + "' is not a number");
        if (!std::isfinite(e) || e < 0)
            throw Error("--pgd '" + text + "': eps " + v + " is negative or not finite (eps >= 0)");
        r.eps.push_back(e);
    }
    if (r.eps.empty())
        throw Error("--pgd '" + text + "': no eps values (e.g. " + r.norm + (r.norm == "linf" ? ":1,2,4,8)" : ":0.25,0.5,1)"));
    return r;
}

BehaveResult runBehave(const BehaveOptions& o, ProgressSink& sink, const CancelToken& cancel)
{
    validate(o);
    const auto t0 = Clock::now();
    const BehaveInputs in = readInputs(o, sink);
    const std::int64_t n = in.data.count;
    const std::int64_t m = o.pgd.empty() ? 0 : (o.pgdImages < 0 ? n : std::min<std::int64_t>(o.pgdImages, n));

    JobProgress prog(sink);
    prog.total = totalWork(o, n, m, in.corruptions.names.size());
    const Measurement ms {o, in, prog, sink, cancel};
    BehaviourData d = describeRun(o, in);
    evaluateClean(ms, d);
    if (!in.corruptions.names.empty())
        d.corruption = evaluateCorruptions(ms, d.accuracy);
    for (const PgdRequest& r : o.pgd)
        d.pgd.push_back(attackCurve(ms, r, m));

    BehaveResult res;
    cancel.check();
    if (!o.out.empty()) {
        res.appended = writeGroupWithProgress(
            o.out, "/behaviour", [&](H5File& f) { writeBehaviourGroup(f, d); }, sink, cancel);
        d.path = o.out;
    }
    res.data = std::move(d);
    res.seconds = secondsSince(t0);
    return res;
}

} // namespace repalign::behaviour
