#include "common/error.h"
#include "common/fsutil.h"
#include "data/dataset.h"

#include <zlib.h>

#include <cstring>

namespace repalign {
namespace {

std::vector<std::uint8_t> readMaybeGzip(const std::string& path)
{
    auto raw = readFileBytes(path);
    if (raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x1f && static_cast<unsigned char>(raw[1]) == 0x8b) {
        gzFile gz = gzopen(path.c_str(), "rb");
        if (!gz)
            throw Error("cannot open " + path);
        std::vector<std::uint8_t> out;
        std::vector<std::uint8_t> buf(1 << 20);
        for (;;) {
            int n = gzread(gz, buf.data(), static_cast<unsigned>(buf.size()));
            if (n < 0) {
                gzclose(gz);
                throw Error(path + ": corrupt gzip data");
            }
            if (n == 0)
                break;
            out.insert(out.end(), buf.begin(), buf.begin() + n);
        }
        gzclose(gz);
        return out;
    }
    return std::vector<std::uint8_t>(raw.begin(), raw.end());
}

std::string findIdx(const std::string& dir, const std::vector<std::string>& stems)
{
    for (const auto& s : stems)
        for (const char* ext : {"", ".gz"}) {
            std::string p = dir + "/" + s + ext;
            if (fileExists(p))
                return p;
        }
    throw Error("IDX folder " + dir + " has no " + stems.front() + "[.gz]");
}

} // namespace

IdxArray readIdxFile(const std::string& path)
{
    auto bytes = readMaybeGzip(path);
    if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
        throw Error(path + ": not an IDX file (bad magic number)");
    if (bytes[2] != 0x08)
        throw Error(path + ": IDX element type 0x" + std::to_string(bytes[2]) + " is not supported (valid: 0x08 unsigned byte)");
    int ndim = bytes[3];
    if (ndim < 1 || ndim > 4 || bytes.size() < 4u + 4u * ndim)
        throw Error(path + ": IDX header is truncated or has " + std::to_string(ndim) + " dimensions (valid: 1-4)");
    IdxArray a;
    std::size_t total = 1;
    for (int d = 0; d < ndim; ++d) {
        const std::uint8_t* p = bytes.data() + 4 + 4 * d;
        std::int64_t v = (std::int64_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
        a.dims.push_back(v);
        total *= static_cast<std::size_t>(v);
    }
    std::size_t header = 4 + 4 * static_cast<std::size_t>(ndim);
    if (bytes.size() - header != total)
        throw Error(
            path + ": holds " + std::to_string(bytes.size() - header) + " data bytes, header says " + std::to_string(total));
    a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
    return a;
}

ImageDataset loadIdx(const std::string& dir, Split split)
{
    if (!isDirectory(dir))
        throw Error("IDX folder " + dir + " does not exist");
    const bool train = split == Split::Train;
    std::string imgPath = findIdx(dir,
        {train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte",
            train ? "train-images.idx3-ubyte" : "t10k-images.idx3-ubyte"});
    std::string lblPath = findIdx(dir,
        {train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte",
            train ? "train-labels.idx1-ubyte" : "t10k-labels.idx1-ubyte"});
    IdxArray img = readIdxFile(imgPath);
    IdxArray lbl = readIdxFile(lblPath);
    if (img.dims.size() != 3)
        throw Error(imgPath + ": expected 3 dimensions [N,H,W], found " + std::to_string(img.dims.size()));
    if (lbl.dims.size() != 1 || lbl.dims[0] != img.dims[0])
        throw Error(lblPath + ": label count does not match the " + std::to_string(img.dims[0]) + " images in " + imgPath);
    const int h = static_cast<int>(img.dims[1]), w = static_cast<int>(img.dims[2]);
    if (h > 32 || w > 32)
        throw Error(imgPath + ": images are " + std::to_string(h) + "x" + std::to_string(w) + " (at most 32x32 supported)");
    ImageDataset ds;
    ds.count = img.dims[0];
    ds.height = ds.width = 32;
    ds.pixels.assign(static_cast<std::size_t>(ds.count) * 32 * 32 * 3, 0);
    ds.labels.resize(static_cast<std::size_t>(ds.count));
    // Centre the (28x28) digits with zero padding, grey copied to three channels.
    const int oy = (32 - h) / 2, ox = (32 - w) / 2;
    int maxLabel = 0;
    for (std::int64_t i = 0; i < ds.count; ++i) {
        int l = lbl.data[static_cast<std::size_t>(i)];
        if (l > 9)
            throw Error(lblPath + ": record " + std::to_string(i) + " has label " + std::to_string(l) + " (valid: 0-9)");
        maxLabel = std::max(maxLabel, l);
        ds.labels[static_cast<std::size_t>(i)] = l;
        const std::uint8_t* src = img.data.data() + static_cast<std::size_t>(i) * h * w;
        std::uint8_t* dst = ds.pixels.data() + static_cast<std::size_t>(i) * 3072;
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                std::uint8_t v = src[y * w + x];
                std::uint8_t* px = dst + ((y + oy) * 32 + (x + ox)) * 3;
                px[0] = px[1] = px[2] = v;
            }
    }
    if (dir.find("fashion") != std::string::npos)
        ds.classes = {"t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"};
    else
        ds.classes = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    ds.source = "idx:" + dir;
    return ds;
}

} // namespace repalign
