#include "psych/zip.h"

#include "common/error.h"
#include "common/fsutil.h"

#include <zlib.h>

#include <cstdint>
#include <cstring>

namespace repalign::psych {

namespace {

void put(std::string& s, std::uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        s += static_cast<char>((v >> (8 * i)) & 0xFF);
}

std::uint32_t get(const std::string& s, std::size_t at, int bytes)
{
    std::uint32_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at + static_cast<std::size_t>(i)])) << (8 * i);
    return v;
}

std::uint32_t crc(const std::string& data)
{
    uLong c = crc32(0L, Z_NULL, 0);
    std::size_t off = 0;
    while (off < data.size()) {
        const auto n = static_cast<uInt>(std::min<std::size_t>(data.size() - off, 1u << 30));
        c = crc32(c, reinterpret_cast<const Bytef*>(data.data() + off), n);
        off += n;
    }
    return static_cast<std::uint32_t>(c);
}

} // namespace

std::string zipStore(const std::vector<ZipMember>& members)
{
    std::string out, dir;
    for (const ZipMember& m : members) {
        if (m.data.size() >= 0xFFFFFFFFu || out.size() >= 0xFFFFFFFFu)
            throw Error("zip: member '" + m.name + "' is too large for a ZIP archive without zip64");
        const std::uint32_t c = crc(m.data);
        const auto offset = static_cast<std::uint32_t>(out.size());
        const auto size = static_cast<std::uint32_t>(m.data.size());
        put(out, 0x04034b50u, 4);
        put(out, 20, 2); // version needed
        put(out, 0x0800, 2); // UTF-8 names
        put(out, 0, 2); // stored
        put(out, 0, 2); // time
        put(out, 0x21, 2); // date: 1980-01-01
        put(out, c, 4);
        put(out, size, 4);
        put(out, size, 4);
        put(out, static_cast<std::uint32_t>(m.name.size()), 2);
        put(out, 0, 2);
        out += m.name;
        out += m.data;
        put(dir, 0x02014b50u, 4);
        put(dir, 0x031E, 2); // made by: Unix, 3.0
        put(dir, 20, 2);
        put(dir, 0x0800, 2);
        put(dir, 0, 2);
        put(dir, 0, 2);
        put(dir, 0x21, 2);
        put(dir, c, 4);
        put(dir, size, 4);
        put(dir, size, 4);
        put(dir, static_cast<std::uint32_t>(m.name.size()), 2);
        put(dir, 0, 2); // extra
        put(dir, 0, 2); // comment
        put(dir, 0, 2); // disk
        put(dir, 0, 2); // internal attributes
        put(dir, 0100644u << 16, 4); // external: regular file, rw-r--r--
        put(dir, offset, 4);
        dir += m.name;
    }
    const auto dirOffset = static_cast<std::uint32_t>(out.size());
    out += dir;
    put(out, 0x06054b50u, 4);
    put(out, 0, 2);
    put(out, 0, 2);
    put(out, static_cast<std::uint32_t>(members.size()), 2);
    put(out, static_cast<std::uint32_t>(members.size()), 2);
    put(out, static_cast<std::uint32_t>(dir.size()), 4);
    put(out, dirOffset, 4);
    put(out, 0, 2);
    return out;
}

bool looksLikeZip(const std::string& bytes)
{
    return bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K'
        && ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6));
}

std::vector<ZipMember> readZip(const std::string& path)
{
    const std::string s = readFileText(path);
    auto bad = [&](const std::string& why) -> Error { return Error(path + ": not a readable ZIP archive: " + why); };
    if (s.size() < 22)
        throw bad("too short (truncated download?)");
    std::size_t eocd = std::string::npos;
    for (std::size_t i = s.size() - 22 + 1; i-- > 0 && s.size() - i <= 22 + 65535;)
        if (get(s, i, 4) == 0x06054b50u) {
            eocd = i;
            break;
        }
    if (eocd == std::string::npos)
        throw bad("no end-of-archive record (truncated download?)");
    const std::uint32_t count = get(s, eocd + 10, 2);
    const std::uint32_t dirSize = get(s, eocd + 12, 4);
    const std::uint32_t dirOffset = get(s, eocd + 16, 4);
    if (count == 0xFFFF || dirOffset == 0xFFFFFFFFu)
        throw bad("zip64 archives are not supported (re-export fewer results at once)");
    if (static_cast<std::uint64_t>(dirOffset) + dirSize > eocd)
        throw bad("the central directory lies outside the file");
    std::vector<ZipMember> out;
    std::size_t at = dirOffset;
    for (std::uint32_t n = 0; n < count; ++n) {
        if (at + 46 > eocd || get(s, at, 4) != 0x02014b50u)
            throw bad("damaged central directory entry " + std::to_string(n));
        const std::uint32_t flags = get(s, at + 8, 2);
        const std::uint32_t method = get(s, at + 10, 2);
        const std::uint32_t expectCrc = get(s, at + 16, 4);
        const std::uint32_t csize = get(s, at + 20, 4);
        const std::uint32_t usize = get(s, at + 24, 4);
        const std::uint32_t nameLen = get(s, at + 28, 2);
        const std::uint32_t extraLen = get(s, at + 30, 2);
        const std::uint32_t commentLen = get(s, at + 32, 2);
        const std::uint32_t local = get(s, at + 42, 4);
        if (at + 46 + nameLen > eocd)
            throw bad("damaged central directory entry " + std::to_string(n));
        const std::string name = s.substr(at + 46, nameLen);
        at += 46 + nameLen + extraLen + commentLen;
        if (!name.empty() && name.back() == '/')
            continue;
        if (flags & 1)
            throw bad("member '" + name + "' is encrypted");
        if (csize == 0xFFFFFFFFu || usize == 0xFFFFFFFFu || local == 0xFFFFFFFFu)
            throw bad("zip64 member '" + name + "' is not supported");
        if (static_cast<std::uint64_t>(local) + 30 > s.size() || get(s, local, 4) != 0x04034b50u)
            throw bad("member '" + name + "' has no local header");
        const std::size_t dataAt = local + 30 + get(s, local + 26, 2) + get(s, local + 28, 2);
        if (static_cast<std::uint64_t>(dataAt) + csize > s.size())
            throw bad("member '" + name + "' is cut off (truncated download?)");
        ZipMember m;
        m.name = name;
        if (method == 0) {
            m.data = s.substr(dataAt, csize);
        } else if (method == 8) {
            m.data.resize(usize);
            z_stream z;
            std::memset(&z, 0, sizeof z);
            if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
                throw bad("cannot start inflate");
            z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(s.data() + dataAt));
            z.avail_in = csize;
            z.next_out = reinterpret_cast<Bytef*>(m.data.data());
            z.avail_out = usize;
            const int rc = inflate(&z, Z_FINISH);
            const auto produced = z.total_out;
            inflateEnd(&z);
            if (rc != Z_STREAM_END || produced != usize)
                throw bad("member '" + name + "' does not inflate (damaged)");
        } else
            throw bad(
                "member '" + name + "' uses compression method " + std::to_string(method) + " (valid: 0 stored, 8 deflate)");
        if (crc(m.data) != expectCrc)
            throw bad("member '" + name + "' fails its CRC check (damaged)");
        out.push_back(std::move(m));
    }
    return out;
}

} // namespace repalign::psych
