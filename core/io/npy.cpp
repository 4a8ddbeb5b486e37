#include "io/npy.h"
#include "common/error.h"
#include "common/fsutil.h"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace repalign {

namespace {

bool hostLittleEndian()
{
    const std::uint16_t one = 1;
    unsigned char b;
    std::memcpy(&b, &one, 1);
    return b == 1;
}

// Minimal parser for the header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
std::string dictValue(const std::string& header, const std::string& key, const std::string& origin)
{
    auto k = header.find("'" + key + "'");
    if (k == std::string::npos)
        k = header.find("\"" + key + "\"");
    if (k == std::string::npos)
        throw Error(origin + ": .npy header has no '" + key + "' (header: " + header + ")");
    auto colon = header.find(':', k);
    if (colon == std::string::npos)
        throw Error(origin + ": malformed .npy header near '" + key + "'");
    std::size_t p = colon + 1;
    while (p < header.size() && header[p] == ' ')
        ++p;
    if (p >= header.size())
        throw Error(origin + ": malformed .npy header near '" + key + "'");
    if (header[p] == '\'' || header[p] == '"') {
        char q = header[p];
        auto end = header.find(q, p + 1);
        if (end == std::string::npos)
            throw Error(origin + ": malformed .npy header near '" + key + "'");
        return header.substr(p + 1, end - p - 1);
    }
    if (header[p] == '(') {
        auto end = header.find(')', p);
        if (end == std::string::npos)
            throw Error(origin + ": malformed .npy header near '" + key + "'");
        return header.substr(p, end - p + 1);
    }
    if (header[p] == '[')
        throw Error(origin + ": structured .npy dtypes are not supported (descr " + header.substr(p, 40) + ")");
    auto end = header.find_first_of(",}", p);
    return header.substr(p, end == std::string::npos ? std::string::npos : end - p);
}

std::vector<std::int64_t> parseShape(const std::string& tuple, const std::string& origin)
{
    std::vector<std::int64_t> shape;
    std::string inner = tuple.substr(1, tuple.size() - 2);
    std::stringstream ss(inner);
    std::string item;
    while (std::getline(ss, item, ',')) {
        item.erase(std::remove_if(item.begin(), item.end(), [](char c) { return c == ' ' || c == 'L'; }), item.end());
        if (item.empty())
            continue;
        char* end = nullptr;
        long long v = std::strtoll(item.c_str(), &end, 10);
        if (*end != 0 || v < 0)
            throw Error(origin + ": bad .npy shape " + tuple);
        shape.push_back(v);
    }
    return shape;
}

void appendUtf8(std::string& s, std::uint32_t c)
{
    if (c < 0x80) {
        s += static_cast<char>(c);
    } else if (c < 0x800) {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        s += static_cast<char>(0xE0 | (c >> 12));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (c >> 18));
        s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    }
}

template <typename T> void convertAll(const NpyArray& a, std::vector<T>& out)
{
    const std::int64_t n = a.count();
    out.resize(static_cast<std::size_t>(n));
    const char* p = a.data.data();
    for (std::int64_t i = 0; i < n; ++i, p += a.itemSize) {
        double v = 0;
        switch (a.kind) {
        case 'f':
            if (a.itemSize == 4) {
                float f;
                std::memcpy(&f, p, 4);
                v = f;
            } else {
                double d;
                std::memcpy(&d, p, 8);
                v = d;
            }
            break;
        case 'i':
            if (a.itemSize == 1)
                v = static_cast<std::int8_t>(*p);
            else if (a.itemSize == 2) {
                std::int16_t x;
                std::memcpy(&x, p, 2);
                v = x;
            } else if (a.itemSize == 4) {
                std::int32_t x;
                std::memcpy(&x, p, 4);
                v = x;
            } else {
                std::int64_t x;
                std::memcpy(&x, p, 8);
                v = static_cast<double>(x);
            }
            break;
        case 'u':
        case 'b':
            if (a.itemSize == 1)
                v = static_cast<std::uint8_t>(*p);
            else if (a.itemSize == 2) {
                std::uint16_t x;
                std::memcpy(&x, p, 2);
                v = x;
            } else if (a.itemSize == 4) {
                std::uint32_t x;
                std::memcpy(&x, p, 4);
                v = x;
            } else {
                std::uint64_t x;
                std::memcpy(&x, p, 8);
                v = static_cast<double>(x);
            }
            break;
        default:
            break;
        }
        out[static_cast<std::size_t>(i)] = static_cast<T>(v);
    }
}

} // namespace

std::int64_t NpyArray::count() const
{
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

std::string NpyArray::describe() const
{
    std::string s = origin + ": shape (";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    if (shape.size() == 1)
        s += ",";
    return s + "), dtype " + descr;
}

std::vector<double> NpyArray::toDoubles() const
{
    if (!isNumeric())
        throw Error(origin + ": expected a numeric array, found dtype " + descr);
    std::vector<double> out;
    convertAll(*this, out);
    return out;
}

std::vector<float> NpyArray::toFloats() const
{
    if (!isNumeric())
        throw Error(origin + ": expected a numeric array, found dtype " + descr);
    std::vector<float> out;
    if (kind == 'f' && itemSize == 4) {
        out.resize(static_cast<std::size_t>(count()));
        std::memcpy(out.data(), data.data(), out.size() * 4);
        return out;
    }
    convertAll(*this, out);
    return out;
}

std::vector<std::string> NpyArray::toStrings() const
{
    if (!isString())
        throw Error(origin + ": expected a string array (U or S), found dtype " + descr);
    const std::int64_t n = count();
    std::vector<std::string> out(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        const char* p = data.data() + i * itemSize;
        std::string s;
        if (kind == 'S') {
            s.assign(p, strnlen(p, static_cast<std::size_t>(itemSize)));
        } else {
            for (int c = 0; c < itemSize / 4; ++c) {
                std::uint32_t cp;
                std::memcpy(&cp, p + c * 4, 4);
                if (cp == 0)
                    break;
                appendUtf8(s, cp);
            }
        }
        out[static_cast<std::size_t>(i)] = std::move(s);
    }
    return out;
}

NpyArray parseNpy(const std::vector<char>& bytes, const std::string& origin)
{
    static const char magic[] = "\x93NUMPY";
    if (bytes.size() < 10 || std::memcmp(bytes.data(), magic, 6) != 0)
        throw Error(origin + ": not a .npy file (bad magic)");
    const int major = static_cast<unsigned char>(bytes[6]);
    std::size_t headerLen = 0, offset = 0;
    if (major == 1) {
        headerLen = static_cast<unsigned char>(bytes[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12)
            throw Error(origin + ": truncated .npy header");
        headerLen = 0;
        for (int i = 0; i < 4; ++i)
            headerLen |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
        offset = 12;
    } else {
        throw Error(origin + ": unsupported .npy format version " + std::to_string(major) + " (valid: 1, 2, 3)");
    }
    if (offset + headerLen > bytes.size())
        throw Error(origin + ": truncated .npy header");
    const std::string header(bytes.data() + offset, headerLen);
    NpyArray a;
    a.origin = origin;
    a.descr = dictValue(header, "descr", origin);
    const std::string fo = dictValue(header, "fortran_order", origin);
    a.fortranOrder = fo.find("True") != std::string::npos;
    a.shape = parseShape(dictValue(header, "shape", origin), origin);

    if (a.descr.size() < 2)
        throw Error(origin + ": unsupported .npy dtype '" + a.descr + "'");
    char order = a.descr[0];
    std::size_t typePos = 1;
    if (order != '<' && order != '>' && order != '|' && order != '=') {
        order = '=';
        typePos = 0;
    }
    a.kind = a.descr[typePos];
    const int width = std::atoi(a.descr.c_str() + typePos + 1);
    const bool numeric = std::string("fiub").find(a.kind) != std::string::npos;
    if (a.kind == 'O')
        throw Error(origin + ": object arrays (dtype " + a.descr
            + ") cannot be read; save with a fixed dtype (e.g. np.array(x, dtype=str))");
    if (!(numeric || a.kind == 'U' || a.kind == 'S') || width <= 0 || (a.kind == 'f' && width != 4 && width != 8)
        || ((a.kind == 'i' || a.kind == 'u') && width != 1 && width != 2 && width != 4 && width != 8)
        || (a.kind == 'b' && width != 1))
        throw Error(
            origin + ": unsupported .npy dtype '" + a.descr + "' (valid: f4, f8, i1, i2, i4, i8, u1, u2, u4, u8, b1, U, S)");
    a.itemSize = a.kind == 'U' ? 4 * width : width;

    const std::int64_t n = a.count();
    const std::size_t need = static_cast<std::size_t>(n) * a.itemSize;
    const std::size_t dataStart = offset + headerLen;
    if (bytes.size() - dataStart < need)
        throw Error(origin + ": truncated .npy data (" + std::to_string(bytes.size() - dataStart) + " bytes, "
            + std::to_string(need) + " expected for " + a.describe().substr(origin.size() + 2) + ")");
    a.data.assign(
        bytes.begin() + static_cast<std::ptrdiff_t>(dataStart), bytes.begin() + static_cast<std::ptrdiff_t>(dataStart + need));

    // Byte order: swap each element (U: each 4-byte code unit) when it differs from the host.
    const bool fileLittle = order == '<' || (order == '=' && hostLittleEndian()) || order == '|';
    const int unit = a.kind == 'U' ? 4 : (a.kind == 'S' ? 1 : a.itemSize);
    if (unit > 1 && fileLittle != hostLittleEndian()) {
        for (std::size_t i = 0; i < a.data.size(); i += unit)
            std::reverse(a.data.begin() + i, a.data.begin() + i + unit);
    }
    // Fortran order: transpose into C order.
    if (a.fortranOrder && a.shape.size() > 1 && n > 0) {
        std::vector<char> c(a.data.size());
        const std::size_t nd = a.shape.size();
        std::vector<std::int64_t> idx(nd, 0);
        std::vector<std::int64_t> fstride(nd), cstride(nd);
        fstride[0] = 1;
        for (std::size_t d = 1; d < nd; ++d)
            fstride[d] = fstride[d - 1] * a.shape[d - 1];
        cstride[nd - 1] = 1;
        for (std::size_t d = nd - 1; d-- > 0;)
            cstride[d] = cstride[d + 1] * a.shape[d + 1];
        for (std::int64_t f = 0; f < n; ++f) {
            std::int64_t ci = 0;
            for (std::size_t d = 0; d < nd; ++d)
                ci += idx[d] * cstride[d];
            std::memcpy(
                &c[static_cast<std::size_t>(ci) * a.itemSize], &a.data[static_cast<std::size_t>(f) * a.itemSize], a.itemSize);
            for (std::size_t d = 0; d < nd; ++d) {
                if (++idx[d] < a.shape[d])
                    break;
                idx[d] = 0;
            }
        }
        a.data.swap(c);
    }
    return a;
}

NpyArray readNpy(const std::string& path)
{
    if (!fileExists(path))
        throw Error("cannot open " + path + ": no such file");
    return parseNpy(readFileBytes(path), path);
}

namespace {

/// A version-1 .npy header for a little-endian C-order array of @p descr, padded to 64 bytes.
std::string npyHeader(const std::string& path, const char* descr, const std::vector<std::int64_t>& shape, std::size_t count)
{
    std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (";
    std::int64_t n = 1;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        dict += std::to_string(shape[i]) + (shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : ""));
        n *= shape[i];
    }
    dict += "), }";
    if (n != static_cast<std::int64_t>(count))
        throw Error(path + ": .npy shape does not match " + std::to_string(count) + " values");
    std::size_t total = 10 + dict.size() + 1;
    const std::size_t pad = (64 - total % 64) % 64;
    dict.append(pad, ' ');
    dict += '\n';
    std::string out("\x93NUMPY\x01\x00", 8);
    out += static_cast<char>(dict.size() & 0xFF);
    out += static_cast<char>((dict.size() >> 8) & 0xFF);
    out += dict;
    if (!hostLittleEndian())
        throw Error(path + ": writing .npy supports little-endian hosts only");
    return out;
}

void writeNpyRaw(const std::string& path, const char* descr, const std::vector<std::int64_t>& shape, const void* data,
    std::size_t count, std::size_t itemSize)
{
    std::string out = npyHeader(path, descr, shape, count);
    out.append(static_cast<const char*>(data), count * itemSize);
    writeFileAtomic(path, out);
}

} // namespace

void writeNpyF32(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<float>& values)
{
    writeNpyRaw(path, "<f4", shape, values.data(), values.size(), 4);
}

void writeNpyU8(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<std::uint8_t>& values)
{
    writeNpyRaw(path, "|u1", shape, values.data(), values.size(), 1);
}

void writeNpyI64(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<std::int64_t>& values)
{
    writeNpyRaw(path, "<i8", shape, values.data(), values.size(), 8);
}

} // namespace repalign
