#include "interpret/lpips.h"

#include "common/device.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "data/image_file.h"
#include "interpret/lpips_net.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>

namespace repalign {

// ---------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4), for recording which weight files an analysis used.
namespace {
struct Sha256 {
    std::uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    unsigned char buf[64];
    std::size_t bufLen = 0;
    std::uint64_t total = 0;

    static std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

    void block(const unsigned char* p)
    {
        static const std::uint32_t k[64] = {0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
            0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
            0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138,
            0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70,
            0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
            0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa,
            0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
        std::uint32_t w[64];
        for (int i = 0; i < 16; ++i)
            w[i] = (std::uint32_t(p[4 * i]) << 24) | (std::uint32_t(p[4 * i + 1]) << 16) | (std::uint32_t(p[4 * i + 2]) << 8)
                | std::uint32_t(p[4 * i + 3]);
        for (int i = 16; i < 64; ++i) {
            const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int i = 0; i < 64; ++i) {
            const std::uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
            const std::uint32_t ch = (e & f) ^ (~e & g);
            const std::uint32_t t1 = hh + S1 + ch + k[i] + w[i];
            const std::uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
            const std::uint32_t mj = (a & b) ^ (a & c) ^ (b & c);
            const std::uint32_t t2 = S0 + mj;
            hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
    }

    void update(const unsigned char* p, std::size_t n)
    {
        total += n;
        while (n > 0) {
            const std::size_t take = std::min(n, 64 - bufLen);
            std::memcpy(buf + bufLen, p, take);
            bufLen += take, p += take, n -= take;
            if (bufLen == 64)
                block(buf), bufLen = 0;
        }
    }

    std::string hex()
    {
        const std::uint64_t bits = total * 8;
        const unsigned char pad = 0x80;
        update(&pad, 1);
        const unsigned char zero = 0;
        while (bufLen != 56)
            update(&zero, 1);
        unsigned char len[8];
        for (int i = 0; i < 8; ++i)
            len[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
        update(len, 8);
        char out[65];
        for (int i = 0; i < 8; ++i)
            std::snprintf(out + 8 * i, 9, "%08x", h[i]);
        return std::string(out, 64);
    }
};

std::string homeDir()
{
    const char* h = std::getenv("HOME");
    return h && *h ? h : "";
}

// The folders a weights file may sit in below @p dir.
std::vector<std::string> candidateFolders(const std::string& dir)
{
    return {dir, dir + "/weights/v0.1", dir + "/hub/checkpoints", dir + "/lpips/weights/v0.1"};
}

std::string howToGet()
{
    return std::string("get them with `pip install lpips` (ships lpips/weights/v0.1/alex.pth) and "
                       "https://download.pytorch.org/models/")
        + kAlexnetWeightsFile
        + " (torchvision downloads it to ~/.cache/torch/hub/checkpoints), then pass --lpips-weights FILE,FILE or "
          "a folder holding both; or pass --lpips-weights random:SEED for uncalibrated random weights";
}

// Finds the two files in @p folders; an alexnet-*.pth other than the official name is accepted.
void findIn(const std::vector<std::string>& folders, std::string& alex, std::string& lin)
{
    for (const auto& f : folders) {
        if (!isDirectory(f))
            continue;
        if (alex.empty() && fileExists(f + "/" + kAlexnetWeightsFile))
            alex = f + "/" + kAlexnetWeightsFile;
        if (lin.empty() && fileExists(f + "/" + kLpipsLinWeightsFile))
            lin = f + "/" + kLpipsLinWeightsFile;
    }
    if (alex.empty())
        for (const auto& f : folders)
            for (const auto& n : listDir(f))
                if (alex.empty() && n.rfind("alexnet", 0) == 0 && n.size() > 4 && n.substr(n.size() - 4) == ".pth")
                    alex = f + "/" + n;
}
} // namespace

std::string sha256File(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot read '" + path + "' to hash it");
    Sha256 s;
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        s.update(reinterpret_cast<const unsigned char*>(buf.data()), static_cast<std::size_t>(in.gcount()));
    }
    return s.hex();
}

std::vector<std::string> lpipsSearchPlaces()
{
    std::vector<std::string> places;
    if (const char* th = std::getenv("TORCH_HOME"); th && *th)
        places.push_back(std::string(th) + "/hub/checkpoints");
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        places.push_back(std::string(xdg) + "/torch/hub/checkpoints");
    const std::string home = homeDir();
    if (!home.empty())
        places.push_back(home + "/.cache/torch/hub/checkpoints");
    // site-packages / dist-packages of the Pythons on this system
    std::vector<std::string> libRoots = {"/usr/lib", "/usr/local/lib"};
    if (!home.empty())
        libRoots.push_back(home + "/.local/lib");
    if (const char* venv = std::getenv("VIRTUAL_ENV"); venv && *venv)
        libRoots.push_back(std::string(venv) + "/lib");
    if (const char* conda = std::getenv("CONDA_PREFIX"); conda && *conda)
        libRoots.push_back(std::string(conda) + "/lib");
    std::vector<std::string> sitePackages = {"/usr/lib/python3/dist-packages"};
    for (const auto& root : libRoots)
        for (const auto& n : listDir(root))
            if (n.rfind("python3", 0) == 0)
                for (const char* sp : {"/site-packages", "/dist-packages"})
                    if (isDirectory(root + "/" + n + sp))
                        sitePackages.push_back(root + "/" + n + sp);
    for (const auto& sp : sitePackages)
        places.push_back(sp + "/lpips/weights/v0.1");
    places.erase(std::unique(places.begin(), places.end()), places.end());
    return places;
}

LpipsWeightsSource locateLpipsWeights(const std::string& spec)
{
    LpipsWeightsSource src;
    if (spec.rfind("random:", 0) == 0) {
        const std::string s = spec.substr(7);
        char* end = nullptr;
        errno = 0;
        const unsigned long long seed = std::strtoull(s.c_str(), &end, 10);
        if (s.empty() || *end != '\0' || errno != 0 || s[0] == '-')
            throw Error("invalid LPIPS weights '" + spec + "': random:SEED needs a non-negative integer seed");
        src.random = true;
        src.seed = seed;
        src.description = "random:" + std::to_string(seed);
        return src;
    }
    std::string alex, lin;
    if (!spec.empty()) {
        std::vector<std::string> items;
        std::string cur;
        for (char c : spec + ",") {
            if (c == ',') {
                if (!cur.empty())
                    items.push_back(cur);
                cur.clear();
            } else {
                cur += c;
            }
        }
        std::vector<std::string> looked;
        for (const auto& it : items) {
            if (isDirectory(it)) {
                const auto folders = candidateFolders(it);
                findIn(folders, alex, lin);
                looked.insert(looked.end(), folders.begin(), folders.end());
            } else if (fileExists(it)) {
                if (baseName(it).rfind("alexnet", 0) == 0) {
                    if (!alex.empty())
                        throw Error("--lpips-weights '" + spec + "' names two AlexNet files; give one " + kAlexnetWeightsFile
                            + " and one " + kLpipsLinWeightsFile);
                    alex = it;
                } else {
                    if (!lin.empty())
                        throw Error("--lpips-weights '" + spec + "' names two LPIPS lin files; give one " + kAlexnetWeightsFile
                            + " and one " + kLpipsLinWeightsFile);
                    lin = it;
                }
            } else {
                throw Error("LPIPS weights '" + it + "' do not exist (give the files " + kAlexnetWeightsFile + " and "
                    + kLpipsLinWeightsFile + ", a folder holding them, or random:SEED)");
            }
        }
        if (alex.empty() || lin.empty())
            throw Error(std::string("LPIPS weights '") + spec + "': missing " + (alex.empty() ? kAlexnetWeightsFile : "")
                + (alex.empty() && lin.empty() ? " and " : "") + (lin.empty() ? kLpipsLinWeightsFile : "")
                + (looked.empty() ? std::string() : " (looked in " + joinChoices(looked) + ")") + "; " + howToGet());
    } else {
        const auto places = lpipsSearchPlaces();
        findIn(places, alex, lin);
        if (alex.empty() || lin.empty())
            throw Error(std::string("LPIPS weights not found: looked for ") + kAlexnetWeightsFile + " and " + kLpipsLinWeightsFile
                + " in " + joinChoices(places) + (alex.empty() ? "" : " (found " + alex + ")")
                + (lin.empty() ? "" : " (found " + lin + ")") + "; " + howToGet());
    }
    src.alexnetPath = alex;
    src.linPath = lin;
    src.description = baseName(alex) + " sha256:" + sha256File(alex) + "; " + baseName(lin) + " sha256:" + sha256File(lin);
    return src;
}

void checkLpipsResize(int side, const std::string& option)
{
    if (side == 0 || (side >= kLpipsMinSide && side <= kLpipsMaxSide))
        return;
    throw Error(option + " " + std::to_string(side) + " is out of range (valid: 0 = as is, or " + std::to_string(kLpipsMinSide)
        + ".." + std::to_string(kLpipsMaxSide) + "; LPIPS's AlexNet needs at least " + std::to_string(kLpipsMinSide)
        + " px, the reference uses 64)");
}

void checkLpipsInputSize(std::int64_t height, std::int64_t width, const std::string& what)
{
    if (height >= kLpipsMinSide && width >= kLpipsMinSide)
        return;
    throw Error(what + " is " + std::to_string(width) + "x" + std::to_string(height) + " px; LPIPS's AlexNet needs at least "
        + std::to_string(kLpipsMinSide) + "x" + std::to_string(kLpipsMinSide) + " (resize to a side in "
        + std::to_string(kLpipsMinSide) + ".." + std::to_string(kLpipsMaxSide) + ")");
}

namespace {
LpipsValue lpipsOfPair(const torch::Tensor& x0, const torch::Tensor& x1, const LpipsOptions& options)
{
    torch::NoGradGuard noGrad;
    const torch::Device device = resolveDevice(options.device);
    configureThreads(options.threads);
    const LpipsNet net(loadLpipsWeights(locateLpipsWeights(options.weights)), device);
    const auto d = net.forward(x0, x1).to(torch::kCPU);
    LpipsValue v;
    for (int l = 0; l < 5; ++l)
        v.layers[l] = d[0][l].item<float>();
    v.distance = d.sum(1)[0].item<float>(); // summed in float32, as the reference does
    v.calibrated = net.source().calibrated();
    v.weights = net.source().description;
    return v;
}
} // namespace

LpipsValue lpipsBetweenImages(const std::uint8_t* a, const std::uint8_t* b, int height, int width, const LpipsOptions& options)
{
    checkLpipsResize(options.resize, "LPIPS resize");
    if (options.resize == 0)
        checkLpipsInputSize(height, width, "the LPIPS input");
    return lpipsOfPair(
        lpipsPrepare(a, 1, height, width, options.resize), lpipsPrepare(b, 1, height, width, options.resize), options);
}

LpipsValue lpipsBetweenFiles(const std::string& a, const std::string& b, const LpipsOptions& options)
{
    checkLpipsResize(options.resize, "--resize");
    auto load = [&](const std::string& p) {
        cv::Mat m = readImageFile(p, cv::IMREAD_COLOR);
        if (options.resize == 0)
            checkLpipsInputSize(m.rows, m.cols, "image '" + p + "'");
        cv::Mat rgb;
        cv::cvtColor(m, rgb, cv::COLOR_BGR2RGB);
        return rgb.isContinuous() ? rgb : rgb.clone();
    };
    const cv::Mat ia = load(a), ib = load(b);
    if (options.resize <= 0 && (ia.rows != ib.rows || ia.cols != ib.cols))
        throw Error("images differ in size: '" + a + "' is " + std::to_string(ia.cols) + "x" + std::to_string(ia.rows) + ", '" + b
            + "' is " + std::to_string(ib.cols) + "x" + std::to_string(ib.rows) + " (pass --resize N to bring both to NxN)");
    return lpipsOfPair(lpipsPrepare(ia.data, 1, ia.rows, ia.cols, options.resize),
        lpipsPrepare(ib.data, 1, ib.rows, ib.cols, options.resize), options);
}

} // namespace repalign
