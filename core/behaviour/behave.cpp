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
        std::vector<std::int64_t> idx(static_cast<std::size_t>(end - begin));
        std::iota(idx.begin(), idx.end(), begin);
        torch::NoGradGuard noGrad;
        AutocastScope autocast(precision, device);
        return model->forward(transformAll(d.subset(idx), transform).to(device)).to(torch::kCPU, torch::kFloat64);
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
    const DataSpec spec = parseDataSpec(o.data);
    const Split split = parseSplit(o.split);

    Evaluator ev;
    ev.device = resolveDevice(o.device);
    ev.precision = o.precision;
    configureThreads(o.threads);
    const Checkpoint ck = loadCheckpoint(o.checkpoint, o.checkpointKey);
    ev.model = modelFromCheckpoint(ck, o.model, o.checkpoint);
    ev.model->to(ev.device);
    ev.model->eval();
    for (auto& p : ev.model->parameters())
        p.set_requires_grad(false); // PGD needs gradients for the input only

    ImageDataset data = loadDataset(o.data, split);
    if (o.maxImages > 0 && o.maxImages < data.count) {
        std::vector<std::int64_t> first(static_cast<std::size_t>(o.maxImages));
        std::iota(first.begin(), first.end(), 0);
        data = data.subset(first);
    }
    if (data.count == 0)
        throw Error("behave: " + o.data + " (" + o.split + ") holds no images");
    const std::int64_t n = data.count;
    ev.transform = referenceEvalTransform();
    for (const std::string& note : pth::fitEvalTransform(ck, ev.model->architecture(), data.height, ev.transform))
        sink.log(LogLevel::Info, o.checkpoint + ": " + note);
    ev.pixels = ev.transform;
    ev.pixels.mean = {{0.0, 0.0, 0.0}};
    ev.pixels.std = {{1.0, 1.0, 1.0}};
    ev.mean = torch::tensor({ev.transform.mean[0], ev.transform.mean[1], ev.transform.mean[2]}, torch::kFloat32)
                  .view({1, 3, 1, 1})
                  .to(ev.device);
    ev.std = torch::tensor({ev.transform.std[0], ev.transform.std[1], ev.transform.std[2]}, torch::kFloat32)
                 .view({1, 3, 1, 1})
                 .to(ev.device);

    // Everything that can be refused is read before the long work.
    HumanLabels human;
    if (!o.human.empty()) {
        if (spec.kind != "cifar10" || data.numClasses() != 10)
            throw Error("behave: --human: CIFAR-10H applies to CIFAR-10 test images only (the data is " + o.data + ")");
        if (split != Split::Test)
            throw Error("behave: --human: CIFAR-10H labels the CIFAR-10 test split only (--split test, got " + o.split + ")");
        human = readHumanLabels(o.human, o.humanRaw, n);
    }
    Cifar10CFolder folder;
    std::vector<std::string> corruptionNames;
    if (!o.corruptions.empty()) {
        folder = scanCifar10C(o.corruptions);
        corruptionNames = o.corruptionNames.empty() ? folder.names : o.corruptionNames;
        for (const std::string& c : corruptionNames)
            if (std::find(folder.names.begin(), folder.names.end(), c) == folder.names.end())
                throw Error("behave: --corruption-names: " + o.corruptions + " has no " + c
                    + " (present: " + joinChoices(folder.names) + ")");
        if (folder.perSeverity < n)
            throw Error("behave: " + o.corruptions + " holds " + std::to_string(folder.perSeverity) + " images per severity but "
                + std::to_string(n) + " images were evaluated (use --max-images " + std::to_string(folder.perSeverity) + ")");
        for (int s = 0; s < 5; ++s)
            for (std::int64_t i = 0; i < n; ++i)
                if (folder.labels[static_cast<std::size_t>(s * folder.perSeverity + i)]
                    != data.labels[static_cast<std::size_t>(i)])
                    throw Error("behave: " + o.corruptions + "/labels.npy gives image " + std::to_string(i) + " of severity "
                        + std::to_string(s + 1) + " label "
                        + std::to_string(folder.labels[static_cast<std::size_t>(s * folder.perSeverity + i)])
                        + ", the evaluated image " + std::to_string(i) + " has label "
                        + std::to_string(data.labels[static_cast<std::size_t>(i)])
                        + " (the folder was not made from these images)");
    }
    BehaviourData reference;
    if (!o.reference.empty()) {
        reference = readBehaviour(o.reference);
        if (!reference.corruption.present)
            throw Error("behave: --reference " + o.reference
                + " has no /behaviour/corruption (run behave --corruptions on the reference model first)");
        for (const std::string& c : corruptionNames)
            if (std::find(reference.corruption.names.begin(), reference.corruption.names.end(), c)
                == reference.corruption.names.end())
                throw Error("behave: --reference " + o.reference + " has no results for " + c);
    }
    const std::int64_t m = o.pgd.empty() ? 0 : (o.pgdImages < 0 ? n : std::min<std::int64_t>(o.pgdImages, n));

    JobProgress prog(sink);
    prog.total = static_cast<double>(n) * (1.0 + 5.0 * static_cast<double>(corruptionNames.size()));
    for (const PgdRequest& r : o.pgd)
        prog.total += static_cast<double>(m) * static_cast<double>(r.eps.size()) * 3.0 * (o.pgdSteps + 1);

    BehaviourData d;
    d.model = ev.model->architecture();
    d.checkpoint = o.checkpoint;
    d.data = o.data;
    d.split = splitName(split);
    d.precision = o.precision;
    d.images = n;
    d.labels = data.labels;
    d.classes = data.numClasses() > 0 ? data.numClasses() : 10;

    // Clean evaluation: log-softmax in double from the logits.
    prog.begin("eval", n);
    std::vector<double> logProbs;
    logProbs.reserve(static_cast<std::size_t>(n * d.classes));
    double correctSum = 0;
    for (std::int64_t b = 0; b < n; b += o.batchSize) {
        cancel.check();
        const std::int64_t e = std::min(n, b + o.batchSize);
        torch::Tensor logits = ev.logits(data, b, e);
        if (logits.size(1) != d.classes)
            throw Error("behave: " + o.checkpoint + " (" + d.model + ") has " + std::to_string(logits.size(1)) + " outputs, "
                + o.data + " has " + std::to_string(d.classes) + " classes");
        torch::Tensor lp = torch::log_softmax(logits, 1).contiguous();
        logProbs.insert(logProbs.end(), lp.data_ptr<double>(), lp.data_ptr<double>() + lp.numel());
        for (std::int64_t p : argmaxRows(logits))
            d.predictions.push_back(p);
        for (std::int64_t i = b; i < e; ++i) {
            const bool ok = d.predictions[static_cast<std::size_t>(i)] == data.labels[static_cast<std::size_t>(i)];
            d.correct.push_back(ok ? 1 : 0);
            correctSum += ok ? 1 : 0;
        }
        prog.advance(e - b, 1.0, correctSum / static_cast<double>(e));
    }
    d.accuracy = correctSum / static_cast<double>(n);
    std::vector<double> probs(logProbs.size());
    d.probs.resize(logProbs.size());
    for (std::size_t i = 0; i < logProbs.size(); ++i) {
        probs[i] = std::exp(logProbs[i]);
        d.probs[i] = static_cast<float>(probs[i]);
    }
    d.calibration = computeCalibration(probs, d.classes, d.labels, o.bins);
    if (!o.human.empty())
        d.human = computeHumanMetrics(human, logProbs, d.labels, d.predictions, o.bootstrap, o.seed);

    // CIFAR-10-C: the first N images of each severity.
    if (!corruptionNames.empty()) {
        CorruptionResult& c = d.corruption;
        c.present = true;
        c.source = o.corruptions;
        c.names = corruptionNames;
        c.correct.assign(corruptionNames.size() * 5 * static_cast<std::size_t>(n), 0);
        c.accuracy.assign(corruptionNames.size() * 5, 0.0);
        for (std::size_t ci = 0; ci < corruptionNames.size(); ++ci) {
            cancel.check();
            ImageDataset cd = loadCifar10C(folder, corruptionNames[ci]);
            if (cd.height != data.height || cd.width != data.width)
                throw Error("behave: " + cd.source + " holds " + std::to_string(cd.height) + "x" + std::to_string(cd.width)
                    + " images, " + o.data + " " + std::to_string(data.height) + "x" + std::to_string(data.width));
            cd.classes = data.classes;
            prog.begin("corruption " + corruptionNames[ci], 5 * n);
            double sum = 0;
            for (int s = 0; s < 5; ++s) {
                const std::int64_t base = s * folder.perSeverity;
                double sevCorrect = 0;
                for (std::int64_t b = 0; b < n; b += o.batchSize) {
                    cancel.check();
                    const std::int64_t e = std::min(n, b + o.batchSize);
                    const auto pred = argmaxRows(ev.logits(cd, base + b, base + e));
                    for (std::int64_t i = b; i < e; ++i) {
                        const bool ok = pred[static_cast<std::size_t>(i - b)] == data.labels[static_cast<std::size_t>(i)];
                        c.correct[(ci * 5 + static_cast<std::size_t>(s)) * static_cast<std::size_t>(n)
                            + static_cast<std::size_t>(i)]
                            = ok ? 1 : 0;
                        sevCorrect += ok ? 1 : 0;
                    }
                    prog.advance(e - b, 1.0);
                }
                c.accuracy[ci * 5 + static_cast<std::size_t>(s)] = sevCorrect / static_cast<double>(n);
                sum += sevCorrect / static_cast<double>(n);
            }
            sink.log(LogLevel::Info, corruptionNames[ci] + ": mean accuracy " + fixed(sum / 5, 4));
        }
        c.meanAccuracy = std::accumulate(c.accuracy.begin(), c.accuracy.end(), 0.0) / static_cast<double>(c.accuracy.size());
        if (!o.reference.empty()) {
            const CorruptionResult& rc = reference.corruption;
            c.hasReference = true;
            c.reference = o.reference;
            const double errClean = 1 - d.accuracy, refClean = 1 - reference.accuracy;
            double ceSum = 0, relSum = 0;
            for (std::size_t ci = 0; ci < c.names.size(); ++ci) {
                const auto ri
                    = static_cast<std::size_t>(std::find(rc.names.begin(), rc.names.end(), c.names[ci]) - rc.names.begin());
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
    }

    // PGD on the first M images, batched forward + backward.
    const PixelForward forward = [&ev](const torch::Tensor& x) { return ev.pixelForward(x); };
    for (const PgdRequest& r : o.pgd) {
        PgdCurve curve;
        curve.norm = r.norm;
        curve.steps = o.pgdSteps;
        curve.stepFraction = o.pgdStepFraction;
        curve.randomStart = o.pgdRandomStart;
        curve.seed = o.seed;
        curve.imageIndices.resize(static_cast<std::size_t>(m));
        std::iota(curve.imageIndices.begin(), curve.imageIndices.end(), 0);
        curve.correct.assign(r.eps.size() * static_cast<std::size_t>(m), 0);
        for (std::size_t ei = 0; ei < r.eps.size(); ++ei) {
            PgdStep step;
            step.norm = r.norm;
            step.eps = r.norm == "linf" ? r.eps[ei] / 255.0 : r.eps[ei];
            step.steps = o.pgdSteps;
            step.stepSize = step.eps * o.pgdStepFraction;
            step.randomStart = o.pgdRandomStart;
            step.seed = o.seed;
            curve.eps.push_back(step.eps);
            prog.begin("pgd " + r.norm + " eps " + significant(r.eps[ei], 4) + (r.norm == "linf" ? "/255" : ""), m);
            double ok = 0;
            for (std::int64_t b = 0; b < m; b += o.batchSize) {
                cancel.check();
                const std::int64_t e = std::min(m, b + o.batchSize);
                std::vector<std::int64_t> ids(static_cast<std::size_t>(e - b));
                std::iota(ids.begin(), ids.end(), b);
                const ImageDataset sub = data.subset(ids);
                torch::Tensor x = transformAll(sub, ev.pixels).to(ev.device);
                torch::Tensor y = torch::tensor(sub.labels, torch::kInt64).to(ev.device);
                torch::Tensor adv = pgdAttack(forward, x, y, step, ids, cancel);
                std::vector<std::int64_t> pred;
                {
                    torch::NoGradGuard noGrad;
                    pred = argmaxRows(forward(adv).to(torch::kCPU));
                }
                for (std::int64_t i = b; i < e; ++i) {
                    const bool c = pred[static_cast<std::size_t>(i - b)] == data.labels[static_cast<std::size_t>(i)];
                    curve.correct[ei * static_cast<std::size_t>(m) + static_cast<std::size_t>(i)] = c ? 1 : 0;
                    ok += c ? 1 : 0;
                }
                prog.advance(e - b, 3.0 * (o.pgdSteps + 1), ok / static_cast<double>(e));
            }
            curve.accuracy.push_back(ok / static_cast<double>(m));
            sink.log(LogLevel::Info,
                "PGD " + r.norm + " eps " + significant(r.eps[ei], 4) + (r.norm == "linf" ? "/255" : "") + ": robust accuracy "
                    + fixed(ok / static_cast<double>(m), 4) + " on " + std::to_string(m) + " images");
        }
        d.pgd.push_back(std::move(curve));
    }

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
