#include "data/image_file.h"
#include "common/error.h"
#include "common/fsutil.h"

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <vector>

namespace repalign {

namespace {

std::uint32_t be16(const unsigned char* p)
{
    return (std::uint32_t(p[0]) << 8) | p[1];
}
std::uint32_t be32(const unsigned char* p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
std::uint32_t le16(const unsigned char* p)
{
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8);
}
std::int32_t le32(const unsigned char* p)
{
    return static_cast<std::int32_t>(
        std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24));
}

bool jpegSize(std::ifstream& in, std::int64_t& w, std::int64_t& h)
{
    in.seekg(2);
    unsigned char m[9];
    for (int guard = 0; guard < 10000 && in.read(reinterpret_cast<char*>(m), 2); ++guard) {
        if (m[0] != 0xFF)
            return false;
        const unsigned char marker = m[1];
        if (marker == 0xFF) { // fill byte
            in.seekg(-1, std::ios::cur);
            continue;
        }
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue;
        if (!in.read(reinterpret_cast<char*>(m), 2))
            return false;
        const std::uint32_t len = be16(m);
        if (len < 2)
            return false;
        const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            if (!in.read(reinterpret_cast<char*>(m), 5))
                return false;
            h = be16(m + 1);
            w = be16(m + 3);
            return true;
        }
        in.seekg(len - 2, std::ios::cur);
    }
    return false;
}

bool pnmSize(std::ifstream& in, std::int64_t& w, std::int64_t& h)
{
    in.seekg(2);
    std::int64_t v[2] = {0, 0};
    for (int k = 0; k < 2; ++k) {
        int c = in.get();
        while (c != EOF && (std::isspace(c) || c == '#')) {
            if (c == '#')
                while (c != EOF && c != '\n')
                    c = in.get();
            c = in.get();
        }
        if (c == EOF || !std::isdigit(c))
            return false;
        std::int64_t x = 0;
        while (c != EOF && std::isdigit(c) && x < (1LL << 40)) {
            x = x * 10 + (c - '0');
            c = in.get();
        }
        v[k] = x;
    }
    w = v[0];
    h = v[1];
    return true;
}

} // namespace

bool imageHeaderSize(const std::string& path, std::int64_t& width, std::int64_t& height)
{
    std::ifstream in(path, std::ios::binary);
    unsigned char b[32] = {};
    if (!in.read(reinterpret_cast<char*>(b), 26))
        return false;
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (std::equal(png, png + 8, b) && b[12] == 'I' && b[13] == 'H' && b[14] == 'D' && b[15] == 'R') {
        width = be32(b + 16);
        height = be32(b + 20);
        return true;
    }
    if (b[0] == 0xFF && b[1] == 0xD8)
        return jpegSize(in, width, height);
    if (b[0] == 'B' && b[1] == 'M') {
        width = le32(b + 18);
        height = le32(b + 22);
        if (height < 0)
            height = -height; // top-down rows
        return true;
    }
    if (b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
        width = le16(b + 6);
        height = le16(b + 8);
        return true;
    }
    if (b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
        in.clear();
        return pnmSize(in, width, height);
    }
    return false;
}

cv::Mat readImageFile(const std::string& path, int flags)
{
    if (!fileExists(path))
        throw Error("image '" + path + "' does not exist");
    std::int64_t w = 0, h = 0;
    if (imageHeaderSize(path, w, h)) {
        if (w <= 0 || h <= 0)
            throw Error("image '" + path + "': its header gives a size of " + std::to_string(w) + "x" + std::to_string(h)
                + " pixels (not a valid image)");
        if (w > kMaxImagePixels / h)
            throw Error("image '" + path + "': its header claims " + std::to_string(w) + "x" + std::to_string(h)
                + " pixels; at most " + std::to_string(kMaxImagePixels) + " (8192x8192) are read");
    }
    // OpenCV would print its own warnings for odd files; the Error below says what is wrong.
    const auto level = cv::utils::logging::getLogLevel();
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
    cv::Mat m;
    std::string why;
    try {
        m = cv::imread(path, flags);
    } catch (const cv::Exception&) {
        why = " (too large or damaged)";
    }
    cv::utils::logging::setLogLevel(level);
    if (m.empty())
        throw Error("image '" + path + "' is unreadable" + (why.empty() ? " (PNG, JPEG, BMP, TIFF, PPM are read)" : why));
    return m;
}

} // namespace repalign
