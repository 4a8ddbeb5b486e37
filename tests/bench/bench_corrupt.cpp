// bench_corrupt: per-image cost of each CIFAR-10-C corruption (behaviour/corruptions.h, one
// thread) against the reference Python recipe (make_cifar_c.py's own functions, one thread).
// Python cannot run here, so the reference figures are RECORDED, NOT RE-MEASURED: they were
// measured once with tests/data/corrupt/time_reference.py and committed in
// tests/bench/corrupt_reference.json (command, versions and machine inside). Also measured in
// this run: the whole job (runCorrupt, all corruptions but frost unless --frost-dir) on 1 thread
// against all threads.
// Usage: bench_corrupt [--images N] [--threads T] [--frost-dir DIR] [--reference FILE]
#include "behaviour/corruptions.h"
#include "common/fsutil.h"
#include "data/dataset.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace repalign;
using namespace repalign::behaviour;

namespace {

/// "name": number inside the "seconds_per_image" object of the reference file; negative when absent.
double recorded(const std::string& json, const std::string& name)
{
    const auto block = json.find("\"seconds_per_image\"");
    if (block == std::string::npos)
        return -1;
    const auto at = json.find("\"" + name + "\"", block);
    if (at == std::string::npos)
        return -1;
    const auto colon = json.find(':', at);
    return std::strtod(json.c_str() + colon + 1, nullptr);
}

std::string field(const std::string& json, const std::string& key)
{
    const auto at = json.find("\"" + key + "\"");
    if (at == std::string::npos)
        return "?";
    const auto q1 = json.find('"', json.find(':', at) + 1);
    const auto q2 = json.find('"', q1 + 1);
    return json.substr(q1 + 1, q2 - q1 - 1);
}

} // namespace

int main(int argc, char** argv)
{
    int images = 64, threads = 0;
    std::string frostDir;
    std::string reference = std::string(REPALIGN_SOURCE_DIR) + "/tests/bench/corrupt_reference.json";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--images"))
            images = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--frost-dir"))
            frostDir = argv[i + 1];
        else if (!std::strcmp(argv[i], "--reference"))
            reference = argv[i + 1];
    }
    const std::string json = fileExists(reference) ? readFileText(reference) : std::string();
    const ImageDataset ds = makeShapes(images, 1, Split::Test);
    using Clock = std::chrono::steady_clock;

    std::printf(
        "{\n  \"images\": %d,\n  \"reference\": {\"file\": \"%s\", \"recorded_not_remeasured\": true, \"command\": \"%s\", "
        "\"measured\": \"%s\", \"cpu\": \"%s\"},\n",
        images, reference.c_str(), field(json, "command").c_str(), field(json, "measured").c_str(), field(json, "cpu").c_str());
    std::printf("  \"note\": \"ours measured now, one thread; reference = make_cifar_c.py per-image seconds RECORDED earlier "
                "(not re-measured); ratio = reference / ours\",\n  \"per_image\": [\n");
    double oursTotal = 0, refTotal = 0;
    bool first = true;
    for (const std::string& name : corruptionNames()) {
        if (name == "frost" && frostDir.empty()) {
            std::printf("%s    {\"corruption\": \"frost\", \"skipped\": \"no --frost-dir\"}", first ? "" : ",\n");
            first = false;
            continue;
        }
        corruptImage(name, 1, ds.image(0), ds.height, ds.width, 0, frostDir); // warm-up (frost loads its images)
        const auto t0 = Clock::now();
        std::size_t checksum = 0;
        for (int s = 1; s <= 5; ++s)
            for (std::int64_t i = 0; i < ds.count; ++i)
                checksum
                    += corruptImage(name, s, ds.image(i), ds.height, ds.width, corruptionImageSeed(0, name, s, i), frostDir)[0];
        const double ours = std::chrono::duration<double>(Clock::now() - t0).count() / (5.0 * static_cast<double>(ds.count));
        const double ref = recorded(json, name);
        std::printf("%s    {\"corruption\": \"%s\", \"ours_ms\": %.4f, \"reference_ms_recorded\": %.4f, \"ratio\": %.2f, "
                    "\"checksum\": %zu}",
            first ? "" : ",\n", name.c_str(), ours * 1e3, ref * 1e3, ref > 0 ? ref / ours : 0.0, checksum);
        first = false;
        oursTotal += ours;
        if (ref > 0)
            refTotal += ref;
    }
    std::printf("\n  ],\n  \"all_corruptions_ms_per_image\": {\"ours\": %.3f, \"reference_recorded\": %.3f, \"ratio\": %.2f},\n",
        oursTotal * 1e3, refTotal * 1e3, oursTotal > 0 ? refTotal / oursTotal : 0.0);

    // The whole job, 1 thread against all threads (both measured now).
    auto job = [&](int t) {
        CorruptOptions o;
        o.data = "shapes:" + std::to_string(images) + ":1";
        o.outDir = "/tmp/bench_corrupt_" + std::to_string(t);
        o.threads = t;
        o.frostDir = frostDir;
        if (frostDir.empty())
            for (const std::string& n : corruptionNames())
                if (n != "frost")
                    o.corruptions.push_back(n);
        NullSink sink;
        CancelToken cancel;
        const auto t0 = Clock::now();
        runCorrupt(o, sink, cancel);
        return std::chrono::duration<double>(Clock::now() - t0).count();
    };
    const int all = threads > 0 ? threads : hardwareThreads();
    const double one = job(1), many = job(all);
    std::printf(
        "  \"job_seconds\": {\"threads_1\": %.3f, \"threads_%d\": %.3f, \"speedup\": %.2f}\n}\n", one, all, many, one / many);
    return 0;
}
