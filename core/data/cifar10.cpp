#include "common/error.h"
#include "common/fsutil.h"
#include "data/dataset.h"

#include <fstream>
#include <sstream>

namespace repalign {
namespace {

constexpr std::size_t kRecord = 3073; // 1 label byte + 3 x 1024 planes

std::vector<std::string> cifarDefaultClasses()
{
    return {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
}

void appendBatch(const std::string& path, ImageDataset& ds)
{
    auto bytes = readFileBytes(path);
    if (bytes.empty() || bytes.size() % kRecord != 0)
        throw Error(
            path + ": size " + std::to_string(bytes.size()) + " bytes is not a whole number of 3073-byte CIFAR-10 records");
    const std::size_t n = bytes.size() / kRecord;
    const std::size_t base = static_cast<std::size_t>(ds.count);
    ds.pixels.resize((base + n) * 32 * 32 * 3);
    ds.labels.resize(base + n);
    for (std::size_t r = 0; r < n; ++r) {
        const auto* rec = reinterpret_cast<const unsigned char*>(bytes.data() + r * kRecord);
        if (rec[0] >= 10)
            throw Error(path + ": record " + std::to_string(r) + " has label " + std::to_string(rec[0]) + " (valid: 0-9)");
        ds.labels[base + r] = rec[0];
        std::uint8_t* dst = ds.pixels.data() + (base + r) * 3072;
        for (int p = 0; p < 1024; ++p)
            for (int c = 0; c < 3; ++c)
                dst[p * 3 + c] = rec[1 + c * 1024 + p];
    }
    ds.count += static_cast<std::int64_t>(n);
}

} // namespace

ImageDataset loadCifar10(const std::string& dirIn, Split split)
{
    std::string dir = dirIn;
    if (!fileExists(dir + "/test_batch.bin") && !fileExists(dir + "/data_batch_1.bin")
        && isDirectory(dir + "/cifar-10-batches-bin"))
        dir += "/cifar-10-batches-bin";
    if (!isDirectory(dir))
        throw Error(
            "CIFAR-10 folder " + dirIn + " does not exist (expected data_batch_1..5.bin and test_batch.bin, the binary version)");

    ImageDataset ds;
    ds.height = ds.width = 32;
    if (split == Split::Train) {
        for (int i = 1; i <= 5; ++i) {
            std::string f = dir + "/data_batch_" + std::to_string(i) + ".bin";
            if (fileExists(f))
                appendBatch(f, ds);
        }
        if (ds.count == 0)
            throw Error("CIFAR-10 folder " + dir + " has no data_batch_N.bin files (binary version expected)");
    } else {
        std::string f = dir + "/test_batch.bin";
        if (!fileExists(f))
            throw Error("CIFAR-10 folder " + dir + " has no test_batch.bin (binary version expected)");
        appendBatch(f, ds);
    }
    ds.classes = cifarDefaultClasses();
    std::string meta = dir + "/batches.meta.txt";
    if (fileExists(meta)) {
        std::istringstream in(readFileText(meta));
        std::vector<std::string> names;
        std::string line;
        while (std::getline(in, line)) {
            while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
                line.pop_back();
            if (!line.empty())
                names.push_back(line);
        }
        if (names.size() == 10)
            ds.classes = names;
    }
    ds.source = "cifar10:" + dir;
    return ds;
}

} // namespace repalign
