#include "interpret/activations.h"

#include "common/autocast.h"
#include "common/error.h"
#include "data/loader.h"
#include "interpret/analysis.h"

#include <chrono>

namespace repalign {

torch::Tensor aggregateTap(const torch::Tensor& tap, const std::string& aggregation)
{
    requireAggregation(aggregation);
    if (tap.dim() == 2)
        return tap; // already one value per unit (fc, classifier taps)
    if (tap.dim() != 4)
        throw Error("cannot aggregate a tap output with " + std::to_string(tap.dim()) + " dimensions (need [B,C,H,W] or [B,F])");
    if (aggregation == "mean")
        return tap.mean({2, 3});
    if (aggregation == "max")
        return tap.amax({2, 3});
    if (aggregation == "min")
        return tap.amin({2, 3});
    if (aggregation == "median")
        return std::get<0>(tap.flatten(2).median(2));
    if (aggregation == "center")
        return tap.select(2, tap.size(2) / 2).select(2, tap.size(3) / 2);
    return tap.flatten(1); // flatten
}

ActivationResult collectActivations(TapNetImpl& model, torch::Device device, const ImageDataset& data,
    const ActivationOptions& options, ProgressSink& sink, const CancelToken& cancel,
    const std::function<void(const torch::Tensor&, std::int64_t)>& onBatch)
{
    torch::NoGradGuard noGrad;
    if (!model.hasTap(options.layer))
        throw Error("model " + model.architecture() + " has no tap '" + options.layer
            + "' (taps: " + joinChoices(model.tapNames()) + ")");
    requireAggregation(options.aggregation);
    if (options.batchSize <= 0)
        throw Error("batch size must be positive (got " + std::to_string(options.batchSize) + ")");
    const std::int64_t n = options.count > 0 ? std::min(options.count, data.count) : data.count;
    const int side = options.transform.outputSide(data.height);
    model.eval();

    ActivationResult result;
    result.count = n;
    std::vector<float> buffer;
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t first = 0; first < n; first += options.batchSize) {
        cancel.check();
        const std::int64_t b = std::min<std::int64_t>(options.batchSize, n - first);
        buffer.resize(static_cast<std::size_t>(b) * 3 * side * side);
        for (std::int64_t i = 0; i < b; ++i)
            applyTransform(options.transform, data.image(first + i), data.height, data.width, /*augment=*/false, 0,
                buffer.data() + static_cast<std::size_t>(i) * 3 * side * side);
        auto x = torch::from_blob(buffer.data(), {b, 3, side, side}, torch::kFloat32).to(device);
        std::map<std::string, torch::Tensor> taps;
        torch::Tensor logits;
        {
            AutocastScope autocast(options.precision, device);
            logits = model.forwardTaps(x, {options.layer}, taps, /*fullForward=*/true);
        }
        const auto acts = aggregateTap(taps.at(options.layer), options.aggregation).to(torch::kCPU, torch::kFloat32).contiguous();
        if (!result.activations.defined())
            result.activations = torch::empty({n, acts.size(1)}, torch::kFloat32);
        result.activations.slice(0, first, first + b).copy_(acts);
        if (logits.defined() && !data.labels.empty()) {
            const auto pred = logits.argmax(1).to(torch::kCPU);
            const auto* p = pred.data_ptr<std::int64_t>();
            for (std::int64_t i = 0; i < b; ++i)
                result.correct += p[i] == data.labels[static_cast<std::size_t>(first + i)];
        }
        if (onBatch)
            onBatch(acts, first);
        ProgressEvent e;
        e.phase = "activations";
        e.done = first + b;
        e.total = n;
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        e.itemsPerSecond = secs > 0 ? (first + b) / secs : 0;
        e.etaSeconds = e.itemsPerSecond > 0 ? (n - first - b) / e.itemsPerSecond : -1;
        e.accuracy = static_cast<double>(result.correct) / static_cast<double>(first + b);
        e.fraction = static_cast<double>(first + b) / static_cast<double>(n);
        sink.progress(e);
    }
    return result;
}

} // namespace repalign
