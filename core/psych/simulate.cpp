#include "common/device.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "data/image_file.h"
#include "interpret/lpips_net.h"
#include "psych/psych_internal.h"
#include "psych/psych_jobs.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <map>

namespace repalign::psych {

std::vector<double> observerEvidence(const PsychPlan& plan, const std::string& lpipsWeights, const std::string& device,
    std::string* weightsDescription, ProgressSink& sink, const CancelToken& cancel)
{
    // every distinct image once
    std::map<std::string, std::int64_t> slot;
    for (const PsychTrial& t : plan.trials) {
        for (const auto* list : {&t.maxRefs, &t.minRefs})
            for (const PsychImage& im : *list)
                slot.emplace(im.file, 0);
        slot.emplace(t.queryMax.file, 0);
        slot.emplace(t.queryMin.file, 0);
    }
    int height = 0, width = 0;
    std::vector<std::uint8_t> pixels;
    std::int64_t n = 0;
    for (auto& kv : slot) {
        const std::string path = plan.dir + "/" + kv.first;
        cv::Mat bgr = readImageFile(path, cv::IMREAD_COLOR);
        if (n == 0) {
            height = bgr.rows;
            width = bgr.cols;
        } else if (bgr.rows != height || bgr.cols != width)
            throw Error(path + ": " + std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows)
                + " differs from the plan's other images (" + std::to_string(width) + "x" + std::to_string(height) + ")");
        cv::Mat rgb;
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
        pixels.insert(pixels.end(), rgb.data, rgb.data + static_cast<std::size_t>(height) * width * 3);
        kv.second = n++;
    }
    const LpipsWeightsSource source = locateLpipsWeights(lpipsWeights);
    const torch::Device dev = resolveDevice(device);
    const LpipsWeights weights = loadLpipsWeights(source);
    const LpipsNet net(weights, dev);
    if (weightsDescription)
        *weightsDescription = source.description;
    if (!source.calibrated())
        sink.log(
            LogLevel::Warning, "LPIPS weights " + source.description + " are random: the observer's distances are uncalibrated");
    torch::NoGradGuard noGrad;
    // the analysis' recipe: 32 px images resized to 64 bilinearly (images of 64+ px as they are)
    const int side = std::max(height, width) < 64 ? 64 : 0;
    std::array<std::vector<torch::Tensor>, 5> parts;
    for (std::int64_t b = 0; b < n; b += 128) {
        const std::int64_t count = std::min<std::int64_t>(128, n - b);
        const torch::Tensor x
            = lpipsPrepare(pixels.data() + static_cast<std::size_t>(b) * height * width * 3, count, height, width, side).to(dev);
        const auto f = net.features(x);
        for (int l = 0; l < 5; ++l)
            parts[l].push_back(f[l]);
        cancel.check();
    }
    std::array<torch::Tensor, 5> feats;
    for (int l = 0; l < 5; ++l)
        feats[l] = torch::cat(parts[l], 0);
    std::vector<std::int64_t> ia, ib;
    for (const PsychTrial& t : plan.trials)
        for (const PsychImage* q : {&t.queryMax, &t.queryMin})
            for (const auto* list : {&t.maxRefs, &t.minRefs})
                for (const PsychImage& r : *list) {
                    ia.push_back(slot[q->file]);
                    ib.push_back(slot[r.file]);
                }
    const torch::Tensor d
        = net.pairDistances(feats, torch::tensor(ia, torch::kLong).to(dev), torch::tensor(ib, torch::kLong).to(dev))
              .sum(1)
              .to(torch::kCPU, torch::kDouble)
              .contiguous();
    const double* dist = d.data_ptr<double>();
    std::vector<double> out;
    std::size_t at = 0;
    for (const PsychTrial& t : plan.trials) {
        double e[2];
        for (int q = 0; q < 2; ++q) {
            double toMax = 0, toMin = 0;
            for (std::size_t i = 0; i < t.maxRefs.size(); ++i)
                toMax += dist[at++];
            for (std::size_t i = 0; i < t.minRefs.size(); ++i)
                toMin += dist[at++];
            e[q] = toMax / static_cast<double>(t.maxRefs.size()) - toMin / static_cast<double>(t.minRefs.size());
        }
        out.push_back(e[1] - e[0]); // > 0: queryMax is the closer one to the maximal references
    }
    return out;
}

SimulateResult simulateObservers(const SimulateOptions& o, ProgressSink& sink, const CancelToken& cancel)
{
    if (o.participants < 1 || o.participants > 100000)
        throw Error("psych simulate: --participants " + std::to_string(o.participants) + " is out of range (valid: 1..100000)");
    if (!(o.noise >= 0) || !std::isfinite(o.noise))
        throw Error("psych simulate: --noise must be a non-negative number (the SD of the decision noise in LPIPS units)");
    if (o.out.empty())
        throw Error("psych simulate: no output file given (--out results.csv)");
    const PsychPlan plan = readPlan(o.experimentDir);
    SimulateResult result;
    const std::vector<double> evidence = observerEvidence(plan, o.lpipsWeights, o.device, &result.lpipsWeights, sink, cancel);
    std::vector<PsychResponse> responses;
    std::int64_t mainTrials = 0, mainCorrect = 0;
    for (int p = 0; p < o.participants; ++p) {
        char id[32];
        std::snprintf(id, sizeof id, "sim-%03d", p + 1);
        const auto schedule = participantSchedule(plan, id);
        for (std::size_t pos = 0; pos < schedule.size(); ++pos) {
            const int ti = schedule[pos].trial;
            const PsychTrial& t = plan.trials[static_cast<std::size_t>(ti)];
            // Box-Muller from the counter-based RNG: the same (seed, participant, trial) -> the same draw
            Rng rng(mixSeed(o.seed, static_cast<std::uint64_t>(p), static_cast<std::uint64_t>(ti)));
            const double u1 = std::max(rng.uniform(), 1e-300), u2 = rng.uniform();
            const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
            const double margin = evidence[static_cast<std::size_t>(ti)] + o.noise * z;
            const bool pickMax = margin > 0 || (margin == 0 && schedule[pos].correctOnLeft);
            PsychResponse r;
            r.participant = id;
            r.trialId = t.id;
            r.source = "simulated";
            r.position = static_cast<int>(pos);
            r.correctOnLeft = schedule[pos].correctOnLeft;
            r.choseLeft = pickMax == r.correctOnLeft;
            r.correct = pickMax;
            const double m = std::fabs(margin);
            r.confidence = m < 0.02 ? 1 : (m < 0.06 ? 2 : 3);
            r.rtMs = 600 + 900 * std::exp(-m / 0.05);
            r.confidenceRtMs = 400;
            r.observerNoise = o.noise;
            if (t.kind == TrialKind::Main) {
                ++mainTrials;
                mainCorrect += r.correct;
            }
            responses.push_back(r);
        }
        cancel.check();
    }
    writeResponsesCsv(o.out, responses);
    result.responses = static_cast<std::int64_t>(responses.size());
    result.accuracy = mainTrials ? static_cast<double>(mainCorrect) / static_cast<double>(mainTrials) : NAN;
    return result;
}

} // namespace repalign::psych
