// torch.save files: zip and legacy containers around the data-only unpickler (see pth.h).
#include "io/pth.h"
#include "common/error.h"
#include "common/fsutil.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>
#include <unordered_map>

namespace repalign::pth {

namespace {

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
constexpr bool kSkipCrc = true; // let the fuzzer reach the pickle inside mutated entries
#else
constexpr bool kSkipCrc = false;
#endif

std::uint64_t le(const std::uint8_t* p, int n)
{
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    return v;
}

std::size_t elemBytes(torch::ScalarType t)
{
    return c10::elementSize(t);
}

// Reverses the bytes of each element (each component for complex types) in place.
void byteSwap(torch::Tensor& storage)
{
    std::size_t width = elemBytes(storage.scalar_type());
    if (storage.is_complex())
        width /= 2;
    if (width <= 1)
        return;
    auto* p = static_cast<std::uint8_t*>(storage.data_ptr());
    const std::size_t n = static_cast<std::size_t>(storage.numel()) * elemBytes(storage.scalar_type()) / width;
    for (std::size_t i = 0; i < n; ++i)
        std::reverse(p + i * width, p + (i + 1) * width);
}

// Bool storages hold one byte per element; anything but 0/1 would be an invalid bool.
void normaliseBool(torch::Tensor& storage)
{
    if (storage.scalar_type() != torch::kBool)
        return;
    auto* p = static_cast<std::uint8_t*>(storage.data_ptr());
    for (std::int64_t i = 0; i < storage.numel(); ++i)
        p[i] = p[i] ? 1 : 0;
}

// ---------------------------------------------------------------------------------------
// Zip container (PyTorch writes stored entries, 64-byte aligned; deflate is accepted too).

struct ZipEntry {
    std::string name;
    std::uint64_t dataOffset = 0;
    std::uint64_t compressedSize = 0;
    std::uint64_t size = 0;
    std::uint16_t method = 0;
    std::uint32_t crc = 0;
};

class ZipReader {
public:
    ZipReader(const std::uint8_t* data, std::size_t size, std::string name)
        : m_data(data)
        , m_size(size)
        , m_name(std::move(name))
    {
        readDirectory();
    }

    const std::vector<ZipEntry>& entries() const { return m_entries; }

    const ZipEntry* find(const std::string& name) const
    {
        auto it = m_byName.find(name);
        return it == m_byName.end() ? nullptr : &m_entries[it->second];
    }

    /// The entry's bytes (inflated if needed), CRC-checked.
    std::string read(const ZipEntry& e) const
    {
        std::string out;
        if (e.method == 0) {
            out.assign(reinterpret_cast<const char*>(m_data + e.dataOffset), static_cast<std::size_t>(e.size));
        } else {
            // Deflate cannot expand more than ~1032:1; a larger claimed size is a lie.
            if (e.size > e.compressedSize * 1100 + 1024)
                fail("entry " + e.name + " claims " + std::to_string(e.size) + " bytes from " + std::to_string(e.compressedSize)
                    + " compressed");
            // A deflate bomb: a small file whose entries inflate to gigabytes. Checked before any
            // allocation, over all entries of the archive together.
            const std::uint64_t budget = inflateBudget();
            if (e.size > budget - m_inflated)
                fail("entry " + e.name + " would inflate to " + std::to_string(e.size) + " bytes, past the limit of "
                    + std::to_string(budget) + " inflated bytes for this " + std::to_string(m_size) + "-byte file ("
                    + std::to_string(kInflateRatio) + "x its size, at least " + std::to_string(kInflateFloor >> 20)
                    + " MiB, at most " + std::to_string(kInflateMax >> 30)
                    + " GiB in all; PyTorch stores records "
                      "uncompressed): refusing a likely deflate bomb");
            m_inflated += e.size;
            out.resize(static_cast<std::size_t>(e.size));
            z_stream zs {};
            if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
                fail("cannot start zlib");
            zs.next_in = const_cast<Bytef*>(m_data + e.dataOffset);
            zs.avail_in = static_cast<uInt>(std::min<std::uint64_t>(e.compressedSize, std::numeric_limits<uInt>::max()));
            zs.next_out = reinterpret_cast<Bytef*>(out.data());
            zs.avail_out = static_cast<uInt>(out.size());
            const int rc = inflate(&zs, Z_FINISH);
            const auto produced = zs.total_out;
            inflateEnd(&zs);
            if (rc != Z_STREAM_END || produced != e.size)
                fail("entry " + e.name + " is not valid deflate data");
        }
        uLong c = crc32(0L, nullptr, 0);
        for (std::size_t done = 0; done < out.size();) {
            const std::size_t chunk = std::min<std::size_t>(out.size() - done, 1u << 30);
            c = crc32(c, reinterpret_cast<const Bytef*>(out.data() + done), static_cast<uInt>(chunk));
            done += chunk;
        }
        if (c != e.crc && !kSkipCrc)
            fail("entry " + e.name + " is corrupt (CRC mismatch)");
        return out;
    }

    /// Pointer to a stored (uncompressed) entry's bytes without copying; CRC-checked.
    const std::uint8_t* stored(const ZipEntry& e) const
    {
        if (e.method != 0)
            return nullptr;
        uLong c = crc32(0L, nullptr, 0);
        for (std::uint64_t done = 0; done < e.size;) {
            const std::uint64_t chunk = std::min<std::uint64_t>(e.size - done, 1u << 30);
            c = crc32(c, m_data + e.dataOffset + done, static_cast<uInt>(chunk));
            done += chunk;
        }
        if (c != e.crc && !kSkipCrc)
            fail("entry " + e.name + " is corrupt (CRC mismatch)");
        return m_data + e.dataOffset;
    }

private:
    // Limits on the bytes inflated from one archive (see read()).
    static constexpr std::uint64_t kInflateRatio = 100;
    static constexpr std::uint64_t kInflateFloor = 64ull << 20;
    static constexpr std::uint64_t kInflateMax = 8ull << 30;
    std::uint64_t inflateBudget() const
    {
        return std::min<std::uint64_t>(kInflateMax, std::max<std::uint64_t>(kInflateFloor, kInflateRatio * m_size));
    }

    [[noreturn]] void fail(const std::string& what) const { throw Error(m_name + ": " + what); }

    bool inside(std::uint64_t offset, std::uint64_t length) const { return offset <= m_size && length <= m_size - offset; }

    void readDirectory()
    {
        if (m_size < 22)
            fail("zip file too short (" + std::to_string(m_size) + " bytes)");
        // End of central directory: last 22 bytes plus up to 64 KiB of comment.
        std::size_t eocd = std::string::npos;
        const std::size_t lowest = m_size >= 22 + 65535 ? m_size - 22 - 65535 : 0;
        for (std::size_t p = m_size - 22 + 1; p-- > lowest;) {
            if (le(m_data + p, 4) == 0x06054b50u) {
                eocd = p;
                break;
            }
        }
        if (eocd == std::string::npos)
            fail("zip end-of-directory record not found (truncated file?)");
        std::uint64_t count = le(m_data + eocd + 10, 2);
        std::uint64_t cdSize = le(m_data + eocd + 12, 4);
        std::uint64_t cdOffset = le(m_data + eocd + 16, 4);
        if (count == 0xffff || cdSize == 0xffffffffu || cdOffset == 0xffffffffu) {
            // Zip64: locator right before the record points at the zip64 end of directory.
            if (eocd < 20 || le(m_data + eocd - 20, 4) != 0x07064b50u)
                fail("zip64 locator missing");
            const std::uint64_t z = le(m_data + eocd - 20 + 8, 8);
            if (!inside(z, 56) || le(m_data + z, 4) != 0x06064b50u)
                fail("zip64 end-of-directory record missing or out of the file");
            count = le(m_data + z + 32, 8);
            cdSize = le(m_data + z + 40, 8);
            cdOffset = le(m_data + z + 48, 8);
        }
        if (!inside(cdOffset, cdSize))
            fail("zip central directory (offset " + std::to_string(cdOffset) + ", " + std::to_string(cdSize)
                + " bytes) lies outside the " + std::to_string(m_size) + "-byte file");
        if (count > cdSize / 46)
            fail("zip directory claims " + std::to_string(count) + " entries in " + std::to_string(cdSize) + " bytes");
        std::uint64_t p = cdOffset;
        const std::uint64_t end = cdOffset + cdSize;
        for (std::uint64_t i = 0; i < count; ++i) {
            if (end - p < 46 || le(m_data + p, 4) != 0x02014b50u)
                fail("zip directory entry " + std::to_string(i) + " is damaged");
            const std::uint8_t* h = m_data + p;
            ZipEntry e;
            e.method = static_cast<std::uint16_t>(le(h + 10, 2));
            e.crc = static_cast<std::uint32_t>(le(h + 16, 4));
            e.compressedSize = le(h + 20, 4);
            e.size = le(h + 24, 4);
            const std::uint64_t nameLen = le(h + 28, 2), extraLen = le(h + 30, 2), commentLen = le(h + 32, 2);
            std::uint64_t local = le(h + 42, 4);
            if (end - p - 46 < nameLen + extraLen + commentLen)
                fail("zip directory entry " + std::to_string(i) + " runs past the directory");
            e.name.assign(reinterpret_cast<const char*>(h + 46), static_cast<std::size_t>(nameLen));
            // Zip64 extra field: the 0xffffffff fields follow in the order size, csize, offset.
            const std::uint8_t* x = h + 46 + nameLen;
            for (std::uint64_t q = 0; q + 4 <= extraLen;) {
                const std::uint64_t id = le(x + q, 2), len = le(x + q + 2, 2);
                if (q + 4 + len > extraLen)
                    break;
                if (id == 1) {
                    std::uint64_t r = q + 4;
                    auto take = [&](std::uint64_t& field) {
                        if (field != 0xffffffffu)
                            return;
                        if (r + 8 > q + 4 + len)
                            fail("zip64 extra field of " + e.name + " is short");
                        field = le(x + r, 8);
                        r += 8;
                    };
                    take(e.size);
                    take(e.compressedSize);
                    take(local);
                }
                q += 4 + len;
            }
            if (e.method != 0 && e.method != 8)
                fail(
                    "entry " + e.name + " uses compression method " + std::to_string(e.method) + " (valid: 0 stored, 8 deflate)");
            if (e.method == 0 && e.size != e.compressedSize)
                fail("stored entry " + e.name + " has different sizes");
            if (!inside(local, 30) || le(m_data + local, 4) != 0x04034b50u)
                fail("local header of " + e.name + " missing or outside the file");
            const std::uint64_t dataOffset = local + 30 + le(m_data + local + 26, 2) + le(m_data + local + 28, 2);
            if (!inside(dataOffset, e.compressedSize))
                fail("entry " + e.name + " (" + std::to_string(e.compressedSize) + " bytes) runs past the end of the file");
            e.dataOffset = dataOffset;
            m_byName.emplace(e.name, m_entries.size());
            m_entries.push_back(std::move(e));
            p += 46 + nameLen + extraLen + commentLen;
        }
    }

    const std::uint8_t* m_data;
    std::size_t m_size;
    std::string m_name;
    std::vector<ZipEntry> m_entries;
    std::unordered_map<std::string, std::size_t> m_byName;
    mutable std::uint64_t m_inflated = 0; ///< bytes inflated so far, against inflateBudget()
};

// The persistent id tuple's pieces, checked.
struct StorageRef {
    torch::ScalarType dtype = torch::kFloat;
    std::string className;
    std::string key;
    std::string location;
    std::int64_t numel = 0;
    ValuePtr view; // legacy view metadata (view_key, offset, size) or null
};

StorageRef parseStorageId(const Value& pid, const std::string& name, bool legacy)
{
    if (pid.kind != Value::Kind::Tuple || pid.items.empty() || pid.items[0]->kind != Value::Kind::Str)
        throw Error(name + ": persistent id is a " + pid.typeText() + ", expected ('storage', ...)");
    const auto& it = pid.items;
    if (it[0]->text == "module")
        throw Error(name
            + ": the file holds a whole pickled module (torch.save(model)); "
              "only tensors and state dicts are read — save model.state_dict() instead");
    if (it[0]->text != "storage")
        throw Error(name + ": persistent id kind '" + it[0]->text + "' is not supported (valid: storage)");
    const std::size_t want = legacy ? 6 : 5;
    if (it.size() != want)
        throw Error(name + ": storage id has " + std::to_string(it.size()) + " fields, expected " + std::to_string(want));
    StorageRef r;
    if (it[1]->kind != Value::Kind::Global || !storageDtype(it[1]->text, r.dtype))
        throw Error(name + ": storage type is " + it[1]->scalarText() + ", not a storage class");
    r.className = it[1]->text;
    if (it[2]->kind != Value::Kind::Str)
        throw Error(name + ": storage key must be a string, found " + it[2]->typeText());
    r.key = it[2]->text;
    if (it[3]->kind != Value::Kind::Str)
        throw Error(name + ": storage location must be a string, found " + it[3]->typeText());
    r.location = it[3]->text;
    if (it[4]->kind != Value::Kind::Int || it[4]->integer < 0)
        throw Error(name + ": storage size must be a non-negative int, found " + it[4]->scalarText());
    r.numel = it[4]->integer;
    if (legacy && it[5]->kind != Value::Kind::None)
        r.view = it[5];
    return r;
}

ValuePtr storageValue(const torch::Tensor& t, const std::string& className)
{
    auto v = std::make_shared<Value>();
    v->kind = Value::Kind::Storage;
    v->tensor = t;
    v->className = className;
    return v;
}

// Owns the bytes of a file being read; tensors may point into it (see loadZip).
using Owner = std::shared_ptr<std::uint8_t>;

ValuePtr loadZip(const std::uint8_t* data, std::size_t size, const std::string& name, const Owner& owner)
{
    ZipReader zip(data, size, name);
    // The archive's records share one top folder ("archive/", or the file's stem in older
    // PyTorch); data.pkl sits right under it.
    const ZipEntry* pkl = nullptr;
    for (const auto& e : zip.entries()) {
        const auto slash = e.name.find('/');
        if (slash != std::string::npos && e.name.compare(slash, std::string::npos, "/data.pkl") == 0) {
            pkl = &e;
            break;
        }
    }
    if (!pkl) {
        if (zip.find("model.json") || zip.find("code/"))
            throw Error(name + ": a TorchScript archive without data.pkl is not supported");
        throw Error(name + ": zip file has no <name>/data.pkl: not a torch.save file");
    }
    const std::string prefix = pkl->name.substr(0, pkl->name.size() - std::strlen("data.pkl"));
    bool bigEndian = false;
    if (const ZipEntry* bo = zip.find(prefix + "byteorder")) {
        const std::string order = zip.read(*bo);
        if (order != "little" && order != "big")
            throw Error(name + ": byteorder record is '" + order.substr(0, 16) + "' (valid: little, big)");
        bigEndian = order == "big";
    }
    const std::string pickleBytes = zip.read(*pkl);

    std::map<std::pair<std::string, int>, ValuePtr> cache;
    PersistentLoad load = [&](const Value& pid) -> ValuePtr {
        StorageRef ref = parseStorageId(pid, name, /*legacy=*/false);
        auto cached = cache.find({ref.key, static_cast<int>(ref.dtype)});
        if (cached != cache.end()) {
            if (cached->second->tensor.numel() != ref.numel)
                throw Error(name + ": storage " + ref.key + " is referenced with two sizes");
            return cached->second;
        }
        const ZipEntry* rec = zip.find(prefix + "data/" + ref.key);
        if (!rec)
            throw Error(name + ": storage record " + prefix + "data/" + ref.key + " is missing");
        const std::size_t width = elemBytes(ref.dtype);
        if (static_cast<std::uint64_t>(ref.numel) > rec->size / width)
            throw Error(name + ": storage " + ref.key + " claims " + std::to_string(ref.numel) + " elements of "
                + std::to_string(width) + " bytes but its record holds " + std::to_string(rec->size) + " bytes");
        const auto options = torch::TensorOptions().dtype(ref.dtype);
        const std::size_t nbytes = static_cast<std::size_t>(ref.numel) * width;
        const std::uint8_t* p = zip.stored(*rec);
        // Stored records (PyTorch aligns them to 64 bytes) become tensors over the file's own
        // buffer: no second copy of a large checkpoint. Records that need their bytes changed
        // (byte order, bools) are copied, since another dtype may view the same record.
        if (p && owner && !bigEndian && ref.dtype != torch::kBool && reinterpret_cast<std::uintptr_t>(p) % width == 0) {
            torch::Tensor t = torch::from_blob(
                const_cast<std::uint8_t*>(p), {ref.numel}, [owner](void*) {}, options);
            auto v = storageValue(t, ref.className);
            cache.emplace(std::make_pair(ref.key, static_cast<int>(ref.dtype)), v);
            return v;
        }
        torch::Tensor t = torch::empty({ref.numel}, options);
        if (p) {
            if (nbytes)
                std::memcpy(t.data_ptr(), p, nbytes);
        } else {
            const std::string bytes = zip.read(*rec);
            if (nbytes)
                std::memcpy(t.data_ptr(), bytes.data(), nbytes);
        }
        if (bigEndian)
            byteSwap(t);
        normaliseBool(t);
        auto v = storageValue(t, ref.className);
        cache.emplace(std::make_pair(ref.key, static_cast<int>(ref.dtype)), v);
        return v;
    };
    std::size_t pos = 0;
    auto root = unpickle(
        reinterpret_cast<const std::uint8_t*>(pickleBytes.data()), pickleBytes.size(), pos, name + ": " + pkl->name, load);
    return root;
}

// ---------------------------------------------------------------------------------------
// Legacy container (torch.save(..., _use_new_zipfile_serialization=False), PyTorch < 1.6).

// 0x1950a86a20f9469cfc6c as little-endian bytes, the magic number legacy files start with.
const char kLegacyMagic[] = "\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";

ValuePtr loadLegacy(const std::uint8_t* data, std::size_t size, const std::string& name)
{
    std::size_t pos = 0;
    const PersistentLoad none;
    auto magic = unpickle(data, size, pos, name + ": magic number", none);
    if (magic->kind != Value::Kind::BigInt || magic->text != std::string(kLegacyMagic, 10))
        throw Error(
            name + ": wrong magic number " + magic->scalarText() + " (expected 0x1950a86a20f9469cfc6c): not a torch.save file");
    auto protocol = unpickle(data, size, pos, name + ": protocol version", none);
    if (protocol->kind != Value::Kind::Int || protocol->integer != 1001)
        throw Error(name + ": legacy protocol version " + protocol->scalarText() + " is not supported (valid: 1001)");
    auto sysInfo = unpickle(data, size, pos, name + ": system info", none);
    bool littleEndian = true;
    if (auto le = sysInfo->find("little_endian"); le && le->kind == Value::Kind::Bool)
        littleEndian = le->boolean;

    // Storages are described in the object pickle but their bytes come after it, so each is
    // allocated when first seen (never more in total than the file can hold) and filled later.
    struct Root {
        torch::Tensor tensor;
        bool filled = false;
    };
    std::map<std::string, Root> roots;
    std::map<std::string, ValuePtr> views;
    std::uint64_t budget = size - pos;
    PersistentLoad load = [&](const Value& pid) -> ValuePtr {
        StorageRef ref = parseStorageId(pid, name, /*legacy=*/true);
        auto it = roots.find(ref.key);
        if (it == roots.end()) {
            const std::size_t width = elemBytes(ref.dtype);
            if (static_cast<std::uint64_t>(ref.numel) > budget / width)
                throw Error(name + ": storage " + ref.key + " claims " + std::to_string(ref.numel) + " elements of "
                    + std::to_string(width) + " bytes, more than the file holds");
            budget -= static_cast<std::uint64_t>(ref.numel) * width;
            // Uninitialised until its data is read: a storage never filled is an error below.
            it = roots.emplace(ref.key, Root {torch::empty({ref.numel}, torch::TensorOptions().dtype(ref.dtype)), false}).first;
        } else if (it->second.tensor.scalar_type() != ref.dtype || it->second.tensor.numel() != ref.numel) {
            throw Error(name + ": storage " + ref.key + " is referenced with two types or sizes");
        }
        if (!ref.view)
            return storageValue(it->second.tensor, ref.className);
        // (view_key, offset, view_size): a slice of the root storage.
        const Value& vm = *ref.view;
        if (vm.kind != Value::Kind::Tuple || vm.items.size() != 3 || vm.items[0]->kind != Value::Kind::Str
            || vm.items[1]->kind != Value::Kind::Int || vm.items[2]->kind != Value::Kind::Int)
            throw Error(name + ": storage view metadata must be (key, offset, size)");
        const std::string viewKey = vm.items[0]->text;
        if (auto v = views.find(viewKey); v != views.end())
            return v->second;
        const std::int64_t off = vm.items[1]->integer, len = vm.items[2]->integer;
        if (off < 0 || len < 0 || off > ref.numel || len > ref.numel - off)
            throw Error(name + ": storage view " + viewKey + " [" + std::to_string(off) + ", +" + std::to_string(len)
                + ") lies outside storage " + ref.key + " of " + std::to_string(ref.numel) + " elements");
        auto v = storageValue(it->second.tensor.narrow(0, off, len), ref.className);
        views.emplace(viewKey, v);
        return v;
    };
    auto root = unpickle(data, size, pos, name, load);
    auto keys = unpickle(data, size, pos, name + ": storage keys", none);
    if (keys->kind != Value::Kind::List)
        throw Error(name + ": storage key list is a " + keys->typeText());
    for (const auto& k : keys->items) {
        if (k->kind != Value::Kind::Str)
            throw Error(name + ": storage key is a " + k->typeText());
        auto it = roots.find(k->text);
        if (it == roots.end())
            throw Error(name + ": storage " + k->text + " has data but no tensor uses it");
        if (it->second.filled)
            throw Error(name + ": storage " + k->text + " is listed twice");
        torch::Tensor& t = it->second.tensor;
        if (size - pos < 8)
            throw Error(name + ": truncated before the data of storage " + k->text);
        std::uint64_t count = le(data + pos, 8);
        if (!littleEndian) {
            std::uint64_t s = 0;
            for (int b = 0; b < 8; ++b)
                s = (s << 8) | ((count >> (8 * b)) & 0xff);
            count = s;
        }
        pos += 8;
        if (count != static_cast<std::uint64_t>(t.numel()))
            throw Error(name + ": storage " + k->text + " holds " + std::to_string(count) + " elements, its tensors expect "
                + std::to_string(t.numel()));
        const std::size_t nbytes = static_cast<std::size_t>(t.numel()) * elemBytes(t.scalar_type());
        if (size - pos < nbytes)
            throw Error(name + ": truncated in the data of storage " + k->text + " (" + std::to_string(nbytes) + " bytes needed, "
                + std::to_string(size - pos) + " left)");
        if (nbytes)
            std::memcpy(t.data_ptr(), data + pos, nbytes);
        pos += nbytes;
        if (!littleEndian)
            byteSwap(t);
        normaliseBool(t);
        it->second.filled = true;
    }
    for (const auto& [key, r] : roots)
        if (!r.filled)
            throw Error(name + ": storage " + key + " has no data (truncated file?)");
    return root;
}

bool isTensorDict(const ValuePtr& v)
{
    if (!v || v->kind != Value::Kind::Dict || v->entries.empty())
        return false;
    for (const auto& [k, t] : v->entries)
        if (k->kind != Value::Kind::Str || t->kind != Value::Kind::Tensor)
            return false;
    return true;
}

// A dict key as listings and errors show it: plain names as they are, anything else
// (non-strings, control characters, very long) in its one-line repr.
std::string keyText(const Value& k)
{
    if (k.kind != Value::Kind::Str || k.text.size() > 100)
        return k.scalarText();
    for (unsigned char c : k.text)
        if (c < 0x20 || c == 0x7f)
            return k.scalarText();
    return k.text;
}

std::vector<std::string> keyList(const Value& v)
{
    std::vector<std::string> keys;
    for (const auto& [k, val] : v.entries) {
        if (keys.size() == 20) {
            keys.push_back("... (" + std::to_string(v.entries.size()) + " in all)");
            break;
        }
        keys.push_back(keyText(*k));
    }
    return keys;
}

} // namespace

std::string dtypeName(torch::ScalarType t)
{
    switch (t) {
    case torch::kFloat:
        return "float32";
    case torch::kDouble:
        return "float64";
    case torch::kHalf:
        return "float16";
    case torch::kBFloat16:
        return "bfloat16";
    case torch::kLong:
        return "int64";
    case torch::kInt:
        return "int32";
    case torch::kShort:
        return "int16";
    case torch::kChar:
        return "int8";
    case torch::kByte:
        return "uint8";
    case torch::kBool:
        return "bool";
    case torch::kComplexFloat:
        return "complex64";
    case torch::kComplexDouble:
        return "complex128";
    default:
        return c10::toString(t);
    }
}

std::string shapeText(const torch::Tensor& t)
{
    std::string s = "(";
    for (std::int64_t i = 0; i < t.dim(); ++i)
        s += (i ? ", " : "") + std::to_string(t.size(i));
    return s + (t.dim() == 1 ? ",)" : ")");
}

namespace {

std::string tensorValueText(const torch::Tensor& t)
{
    if (t.scalar_type() == torch::kBool)
        return t.item<bool>() ? "True" : "False";
    if (t.is_complex()) {
        std::ostringstream o;
        o << t.item();
        return o.str();
    }
    Value v;
    if (t.is_floating_point()) {
        v.kind = Value::Kind::Float;
        v.number = t.item<double>();
    } else {
        v.kind = Value::Kind::Int;
        v.integer = t.item<std::int64_t>();
    }
    return v.scalarText();
}

class Lister {
public:
    std::string run(const ValuePtr& v)
    {
        m_out << summary(*v) << "\n";
        children(*v, "  ", "");
        return m_out.str();
    }

private:
    std::string summary(const Value& v)
    {
        switch (v.kind) {
        case Value::Kind::Tensor: {
            std::string s = dtypeName(v.tensor.scalar_type()) + " " + shapeText(v.tensor);
            if (v.tensor.dim() == 0)
                s += " = " + tensorValueText(v.tensor);
            if (v.className == "torch.nn.Parameter")
                s += " Parameter";
            if (v.requiresGrad)
                s += " requires_grad";
            if (!v.tensor.is_contiguous())
                s += " non-contiguous";
            return s;
        }
        case Value::Kind::Storage:
            return "storage " + dtypeName(v.tensor.scalar_type()) + " (" + std::to_string(v.tensor.numel()) + " elements)";
        case Value::Kind::Dict:
            return v.typeText() + " (" + std::to_string(v.entries.size()) + (v.entries.size() == 1 ? " entry)" : " entries)");
        case Value::Kind::List:
        case Value::Kind::Tuple:
        case Value::Kind::Set: {
            std::string s = v.typeText() + " (" + std::to_string(v.items.size()) + (v.items.size() == 1 ? " item)" : " items)");
            if (inlineItems(v)) {
                s += ": " + std::string(v.kind == Value::Kind::List ? "[" : v.kind == Value::Kind::Set ? "{" : "(");
                for (std::size_t i = 0; i < v.items.size() && i < 10; ++i)
                    s += (i ? ", " : "") + v.items[i]->scalarText();
                if (v.items.size() > 10)
                    s += ", ...";
                s += v.kind == Value::Kind::List ? "]" : v.kind == Value::Kind::Set ? "}" : ")";
            }
            return s;
        }
        case Value::Kind::None:
            return "None";
        case Value::Kind::Global:
            return v.scalarText();
        default:
            return v.typeText() + " " + v.scalarText();
        }
    }

    static bool inlineItems(const Value& v)
    {
        for (const auto& i : v.items)
            if (!i->isScalar())
                return false;
        return true;
    }

    void children(const Value& v, const std::string& indent, const std::string& path)
    {
        const bool container = v.kind == Value::Kind::Dict || (v.isSequence() && !inlineItems(v));
        if (!container)
            return;
        // Shared sub-trees are listed once: a pickle can reference one object many times.
        if (!m_seen.emplace(&v, path).second)
            return;
        auto child = [&](const std::string& key, const Value& c) {
            const std::string p = path.empty() ? key : path + "/" + key;
            auto seen = m_seen.find(&c);
            if (seen != m_seen.end() && (c.kind == Value::Kind::Dict || c.isSequence())) {
                m_out << indent << key << ": " << summary(c) << " (same object as " << seen->second << ")\n";
                return;
            }
            m_out << indent << key << ": " << summary(c) << "\n";
            children(c, indent + "  ", p);
        };
        if (v.kind == Value::Kind::Dict) {
            for (const auto& [k, c] : v.entries)
                child(keyText(*k), *c);
        } else {
            for (std::size_t i = 0; i < v.items.size(); ++i)
                child("[" + std::to_string(i) + "]", *v.items[i]);
        }
    }

    std::ostringstream m_out;
    std::map<const Value*, std::string> m_seen;
};

} // namespace

bool looksLikeTorchSave(const void* data, std::size_t size)
{
    const auto* p = static_cast<const std::uint8_t*>(data);
    if (size >= 4 && le(p, 4) == 0x04034b50u)
        return true;
    return size >= 14 && p[0] == 0x80 && p[2] == 0x8a && p[3] == 10 && std::memcmp(p + 4, kLegacyMagic, 10) == 0;
}

namespace {

ValuePtr loadOwned(const Owner& owner, std::size_t size, const std::string& name)
{
    const std::uint8_t* p = owner.get();
    try {
        if (size >= 4 && le(p, 4) == 0x04034b50u)
            return loadZip(p, size, name, owner);
        if (size >= 2 && p[0] == 0x80)
            return loadLegacy(p, size, name);
        if (size >= 262 && std::memcmp(p + 257, "ustar", 5) == 0)
            throw Error(name + ": tar-based torch.save file (PyTorch < 0.4) is not supported; re-save it with a newer PyTorch");
    } catch (const c10::Error& e) {
        // Validation above should leave LibTorch nothing to object to; keep the one-line rule if it does.
        std::string what = e.what_without_backtrace();
        throw Error(name + ": " + what.substr(0, what.find('\n')));
    }
    std::string head;
    for (std::size_t i = 0; i < size && i < 4; ++i) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x", p[i]);
        head += buf;
    }
    throw Error(name + ": not a torch.save file (starts with " + (head.empty() ? std::string("nothing") : "0x" + head)
        + "; expected a zip archive or a pickle with the legacy magic number)");
}

Owner allocate(std::size_t size)
{
    return Owner(new std::uint8_t[std::max<std::size_t>(size, 1)], std::default_delete<std::uint8_t[]>());
}

} // namespace

ValuePtr loadBytes(const void* data, std::size_t size, const std::string& name)
{
    Owner owner = allocate(size);
    if (size)
        std::memcpy(owner.get(), data, size);
    return loadOwned(owner, size, name);
}

ValuePtr loadFile(const std::string& path)
{
    if (!fileExists(path))
        throw Error("cannot open " + path + ": no such file");
    if (isDirectory(path))
        throw Error(path + " is a directory, not a torch.save file");
    // Read straight into the buffer the tensors will live in (no zero-filling, no copy).
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f)
        throw Error("cannot open " + path + ": " + std::strerror(errno));
    if (std::fseek(f.get(), 0, SEEK_END) != 0)
        throw Error("cannot read " + path + ": " + std::strerror(errno));
    const long end = std::ftell(f.get());
    if (end < 0 || std::fseek(f.get(), 0, SEEK_SET) != 0)
        throw Error("cannot read " + path + ": " + std::strerror(errno));
    const auto size = static_cast<std::size_t>(end);
    Owner owner = allocate(size);
    if (size && std::fread(owner.get(), 1, size, f.get()) != size)
        throw Error("cannot read " + path + ": the file ended early or changed while being read");
    return loadOwned(owner, size, path);
}

ValuePtr lookupPath(const ValuePtr& v, const std::string& path)
{
    ValuePtr node = v;
    std::string walked;
    std::size_t start = 0;
    while (start <= path.size() && !path.empty()) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string::npos)
            slash = path.size();
        const std::string step = path.substr(start, slash - start);
        start = slash + 1;
        if (step.empty())
            continue;
        const std::string where = walked.empty() ? "the top level" : "'" + walked + "'";
        ValuePtr next;
        if (node->kind == Value::Kind::Dict) {
            next = node->find(step);
            if (!next) // non-string keys (optimizer state uses ints)
                for (const auto& [k, c] : node->entries)
                    if (k->scalarText() == step)
                        next = c;
            if (!next)
                throw Error("key '" + step + "' not found at " + where + " (valid: " + joinChoices(keyList(*node)) + ")");
        } else if (node->isSequence()) {
            char* end = nullptr;
            const long long i = std::strtoll(step.c_str(), &end, 10);
            if (!end || *end || i < 0 || static_cast<std::size_t>(i) >= node->items.size())
                throw Error("index '" + step + "' not valid at " + where + " (a " + node->typeText() + " of "
                    + std::to_string(node->items.size()) + " items)");
            next = node->items[static_cast<std::size_t>(i)];
        } else {
            throw Error("'" + step + "' cannot be looked up in " + where + ": it is a " + node->typeText());
        }
        walked += (walked.empty() ? "" : "/") + step;
        node = next;
    }
    return node;
}

std::map<std::string, torch::Tensor> stateDictFrom(const ValuePtr& v, const std::string& key)
{
    static const std::vector<std::string> autoKeys = {"state_dict", "model", "model_state_dict", "student_state_dict"};
    ValuePtr node;
    if (!key.empty()) {
        node = lookupPath(v, key);
        if (node->kind != Value::Kind::Dict)
            throw Error("'" + key + "' holds a " + node->typeText() + ", not a state dict (name -> tensor)");
        for (const auto& [k, t] : node->entries)
            if (k->kind != Value::Kind::Str || t->kind != Value::Kind::Tensor)
                throw Error(
                    "'" + key + "' is not a state dict: entry " + k->scalarText() + " is a " + t->typeText() + ", not a tensor");
    } else if (isTensorDict(v)) {
        node = v;
    } else {
        for (const auto& k : autoKeys)
            if (auto c = v->find(k); isTensorDict(c)) {
                node = c;
                break;
            }
        if (!node) {
            std::string found = v->kind == Value::Kind::Dict
                ? "a " + v->typeText() + " with keys " + (v->entries.empty() ? std::string("(none)") : joinChoices(keyList(*v)))
                : "a " + v->typeText();
            throw Error("no state dict found: the file holds " + found + "; looked for a bare name->tensor dict and the keys "
                + joinChoices(autoKeys) + " (name one with --key)");
        }
    }
    std::map<std::string, torch::Tensor> out;
    for (const auto& [k, t] : node->entries)
        out[k->text] = t->tensor;
    for (const std::string prefix : {"module.", "_orig_mod."}) {
        const bool all = !out.empty() && std::all_of(out.begin(), out.end(), [&](const auto& kv) {
            return kv.first.size() > prefix.size() && kv.first.compare(0, prefix.size(), prefix) == 0;
        });
        if (!all)
            continue;
        std::map<std::string, torch::Tensor> stripped;
        for (auto& [k, t] : out)
            stripped[k.substr(prefix.size())] = t;
        out.swap(stripped);
    }
    return out;
}

std::string listing(const ValuePtr& v)
{
    if (!v)
        return "None\n";
    return Lister().run(v);
}

} // namespace repalign::pth
