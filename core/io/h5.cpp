#include "io/h5.h"
#include "common/error.h"

#include <hdf5.h>

#include <cstdio>
#include <unistd.h>

namespace repalign {

namespace {

hid_t memType(H5Type t)
{
    switch (t) {
    case H5Type::Float32:
        return H5T_NATIVE_FLOAT;
    case H5Type::Float64:
        return H5T_NATIVE_DOUBLE;
    case H5Type::Int64:
        return H5T_NATIVE_INT64;
    case H5Type::Int32:
        return H5T_NATIVE_INT32;
    case H5Type::Int16:
        return H5T_NATIVE_INT16;
    case H5Type::UInt8:
        return H5T_NATIVE_UINT8;
    default:
        break;
    }
    throw Error("unsupported HDF5 element type");
}

hid_t fileType(H5Type t)
{
    switch (t) {
    case H5Type::Float32:
        return H5T_IEEE_F32LE;
    case H5Type::Float64:
        return H5T_IEEE_F64LE;
    case H5Type::Int64:
        return H5T_STD_I64LE;
    case H5Type::Int32:
        return H5T_STD_I32LE;
    case H5Type::Int16:
        return H5T_STD_I16LE;
    case H5Type::UInt8:
        return H5T_STD_U8LE;
    default:
        break;
    }
    throw Error("unsupported HDF5 element type");
}

struct Handle {
    hid_t id;
    herr_t (*closer)(hid_t);
    Handle(hid_t i, herr_t (*c)(hid_t))
        : id(i)
        , closer(c)
    {
    }
    ~Handle()
    {
        if (id >= 0)
            closer(id);
    }
    operator hid_t() const { return id; }
};

struct SilenceErrors {
    H5E_auto2_t func = nullptr;
    void* data = nullptr;
    SilenceErrors()
    {
        H5Eget_auto2(H5E_DEFAULT, &func, &data);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~SilenceErrors() { H5Eset_auto2(H5E_DEFAULT, func, data); }
};

} // namespace

H5File::H5File(const std::string& path, Mode mode)
    : m_path(path)
{
    SilenceErrors quiet;
    if (mode == Mode::CreateAtomic) {
        m_tmpPath = path + ".tmp-" + std::to_string(::getpid());
        m_file = H5Fcreate(m_tmpPath.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        if (m_file < 0)
            throw Error("cannot create HDF5 file " + path);
    } else {
        if (::access(path.c_str(), R_OK) != 0)
            throw Error("cannot open " + path + ": no such file");
        if (H5Fis_hdf5(path.c_str()) <= 0)
            throw Error(path + ": not an HDF5 file");
        m_file = H5Fopen(path.c_str(), mode == Mode::Read ? H5F_ACC_RDONLY : H5F_ACC_RDWR, H5P_DEFAULT);
        if (m_file < 0)
            throw Error("cannot open HDF5 file " + path);
    }
}

H5File::~H5File()
{
    if (m_file >= 0)
        H5Fclose(static_cast<hid_t>(m_file));
    if (!m_tmpPath.empty() && !m_committed)
        std::remove(m_tmpPath.c_str());
}

void H5File::commit()
{
    if (m_tmpPath.empty() || m_committed)
        return;
    H5Fflush(static_cast<hid_t>(m_file), H5F_SCOPE_GLOBAL);
    H5Fclose(static_cast<hid_t>(m_file));
    m_file = -1;
    if (std::rename(m_tmpPath.c_str(), m_path.c_str()) != 0)
        throw Error("cannot write " + m_path + ": rename failed");
    m_committed = true;
}

bool H5File::exists(const std::string& name) const
{
    SilenceErrors quiet;
    // Check each path component, since H5Lexists fails on a missing intermediate group.
    std::string partial;
    std::size_t pos = 0;
    const std::string n = name.empty() || name[0] != '/' ? "/" + name : name;
    while (pos != std::string::npos) {
        pos = n.find('/', pos + 1);
        partial = n.substr(0, pos);
        if (partial.size() <= 1)
            continue;
        if (H5Lexists(static_cast<hid_t>(m_file), partial.c_str(), H5P_DEFAULT) <= 0)
            return false;
    }
    return true;
}

void H5File::require(const std::string& name) const
{
    if (!exists(name))
        throw Error(m_path + ": missing dataset " + name);
}

std::vector<std::uint64_t> H5File::dims(const std::string& name) const
{
    require(name);
    Handle ds(H5Dopen2(static_cast<hid_t>(m_file), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (ds < 0)
        throw Error(m_path + ": " + name + " is not a dataset");
    Handle sp(H5Dget_space(ds), H5Sclose);
    int nd = H5Sget_simple_extent_ndims(sp);
    std::vector<hsize_t> d(static_cast<std::size_t>(std::max(nd, 0)));
    H5Sget_simple_extent_dims(sp, d.data(), nullptr);
    return std::vector<std::uint64_t>(d.begin(), d.end());
}

H5Type H5File::type(const std::string& name) const
{
    require(name);
    Handle ds(H5Dopen2(static_cast<hid_t>(m_file), name.c_str(), H5P_DEFAULT), H5Dclose);
    Handle t(H5Dget_type(ds), H5Tclose);
    H5T_class_t cls = H5Tget_class(t);
    std::size_t size = H5Tget_size(t);
    if (cls == H5T_FLOAT)
        return size == 4 ? H5Type::Float32 : size == 8 ? H5Type::Float64 : H5Type::Other;
    if (cls == H5T_INTEGER) {
        bool isSigned = H5Tget_sign(t) == H5T_SGN_2;
        if (!isSigned && size == 1)
            return H5Type::UInt8;
        if (isSigned && size == 2)
            return H5Type::Int16;
        if (isSigned && size == 4)
            return H5Type::Int32;
        if (isSigned && size == 8)
            return H5Type::Int64;
    }
    return H5Type::Other;
}

std::vector<std::string> H5File::children(const std::string& group) const
{
    std::vector<std::string> out;
    if (!exists(group) && group != "/")
        return out;
    Handle g(H5Gopen2(static_cast<hid_t>(m_file), group.c_str(), H5P_DEFAULT), H5Gclose);
    if (g < 0)
        return out;
    H5G_info_t info;
    H5Gget_info(g, &info);
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        char buf[512];
        ssize_t n = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, buf, sizeof buf, H5P_DEFAULT);
        if (n > 0)
            out.emplace_back(buf, static_cast<std::size_t>(n));
    }
    return out;
}

void H5File::write(
    const std::string& name, H5Type type, const std::vector<std::uint64_t>& dims, const void* data, std::uint64_t chunkRows)
{
    std::vector<hsize_t> d(dims.begin(), dims.end());
    Handle space(H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr), H5Sclose);
    Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(lcpl, 1);
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (chunkRows > 0 && !d.empty() && d[0] > 0) {
        std::vector<hsize_t> chunk = d;
        chunk[0] = std::min<hsize_t>(chunkRows, d[0]);
        H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
        H5Pset_deflate(dcpl, 4);
    }
    Handle ds(H5Dcreate2(static_cast<hid_t>(m_file), name.c_str(), fileType(type), space, lcpl, dcpl, H5P_DEFAULT), H5Dclose);
    if (ds < 0)
        throw Error(m_path + ": cannot create dataset " + name);
    if (H5Dwrite(ds, memType(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        throw Error(m_path + ": cannot write dataset " + name);
}

void H5File::read(const std::string& name, H5Type type, void* out) const
{
    require(name);
    Handle ds(H5Dopen2(static_cast<hid_t>(m_file), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (ds < 0 || H5Dread(ds, memType(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
        throw Error(m_path + ": cannot read dataset " + name);
}

namespace {
std::uint64_t product(const std::vector<std::uint64_t>& d)
{
    std::uint64_t n = 1;
    for (auto v : d)
        n *= v;
    return n;
}
} // namespace

std::vector<float> H5File::readF32(const std::string& name) const
{
    std::vector<float> v(product(dims(name)));
    read(name, H5Type::Float32, v.data());
    return v;
}
std::vector<double> H5File::readF64(const std::string& name) const
{
    std::vector<double> v(product(dims(name)));
    read(name, H5Type::Float64, v.data());
    return v;
}
std::vector<std::int64_t> H5File::readI64(const std::string& name) const
{
    std::vector<std::int64_t> v(product(dims(name)));
    read(name, H5Type::Int64, v.data());
    return v;
}
std::vector<std::uint8_t> H5File::readU8(const std::string& name) const
{
    std::vector<std::uint8_t> v(product(dims(name)));
    read(name, H5Type::UInt8, v.data());
    return v;
}

void H5File::readRows(const std::string& name, H5Type type, std::uint64_t start, std::uint64_t count, void* out) const
{
    auto d = dims(name);
    if (d.empty() || start + count > d[0])
        throw Error(m_path + ": rows " + std::to_string(start) + ".." + std::to_string(start + count) + " are outside " + name);
    std::vector<std::uint64_t> offset(d.size(), 0), cnt = d;
    offset[0] = start;
    cnt[0] = count;
    readSlab(name, type, offset, cnt, out);
}

void H5File::readSlab(const std::string& name, H5Type type, const std::vector<std::uint64_t>& offset,
    const std::vector<std::uint64_t>& count, void* out) const
{
    require(name);
    Handle ds(H5Dopen2(static_cast<hid_t>(m_file), name.c_str(), H5P_DEFAULT), H5Dclose);
    Handle fspace(H5Dget_space(ds), H5Sclose);
    std::vector<hsize_t> off(offset.begin(), offset.end()), cnt(count.begin(), count.end());
    if (H5Sselect_hyperslab(fspace, H5S_SELECT_SET, off.data(), nullptr, cnt.data(), nullptr) < 0)
        throw Error(m_path + ": bad selection in " + name);
    Handle mspace(H5Screate_simple(static_cast<int>(cnt.size()), cnt.data(), nullptr), H5Sclose);
    if (H5Dread(ds, memType(type), mspace, fspace, H5P_DEFAULT, out) < 0)
        throw Error(m_path + ": cannot read " + name);
}

namespace {
hid_t openObject(hid_t file, const std::string& object)
{
    return H5Oopen(file, object.empty() ? "/" : object.c_str(), H5P_DEFAULT);
}
} // namespace

void H5File::setAttr(const std::string& object, const std::string& key, const std::string& value)
{
    Handle obj(openObject(static_cast<hid_t>(m_file), object), H5Oclose);
    if (H5Aexists(obj, key.c_str()) > 0)
        H5Adelete(obj, key.c_str());
    Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    Handle sp(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(H5Acreate2(obj, key.c_str(), t, sp, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const char* s = value.c_str();
    H5Awrite(a, t, &s);
}

void H5File::setAttr(const std::string& object, const std::string& key, double value)
{
    Handle obj(openObject(static_cast<hid_t>(m_file), object), H5Oclose);
    if (H5Aexists(obj, key.c_str()) > 0)
        H5Adelete(obj, key.c_str());
    Handle sp(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(H5Acreate2(obj, key.c_str(), H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    H5Awrite(a, H5T_NATIVE_DOUBLE, &value);
}

void H5File::setAttr(const std::string& object, const std::string& key, std::int64_t value)
{
    Handle obj(openObject(static_cast<hid_t>(m_file), object), H5Oclose);
    if (H5Aexists(obj, key.c_str()) > 0)
        H5Adelete(obj, key.c_str());
    Handle sp(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(H5Acreate2(obj, key.c_str(), H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    H5Awrite(a, H5T_NATIVE_INT64, &value);
}

bool H5File::hasAttr(const std::string& object, const std::string& key) const
{
    SilenceErrors quiet;
    Handle obj(openObject(static_cast<hid_t>(m_file), object), H5Oclose);
    return obj >= 0 && H5Aexists(obj, key.c_str()) > 0;
}

std::string H5File::attrString(const std::string& object, const std::string& key) const
{
    if (!hasAttr(object, key))
        throw Error(m_path + ": missing attribute " + key + " on " + (object.empty() ? "/" : object));
    Handle obj(openObject(static_cast<hid_t>(m_file), object), H5Oclose);
    Handle a(H5Aopen(obj, key.c_str(), H5P_DEFAULT), H5Aclose);
    Handle t(H5Aget_type(a), H5Tclose);
    if (H5Tget_class(t) != H5T_STRING) {
        double v = attrDouble(object, key);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        return buf;
    }
    if (H5Tis_variable_str(t) > 0) {
        char* s = nullptr;
        Handle mt(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(t)); // UTF-8 attributes (ours, h5py's) need a UTF-8 memory type
        H5Aread(a, mt, &s);
        std::string out = s ? s : "";
        Handle sp(H5Aget_space(a), H5Sclose);
        H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, &s);
        return out;
    }
    std::size_t n = H5Tget_size(t);
    std::string out(n, '\0');
    H5Aread(a, t, out.data());
    while (!out.empty() && out.back() == '\0')
        out.pop_back();
    return out;
}

double H5File::attrDouble(const std::string& object, const std::string& key) const
{
    if (!hasAttr(object, key))
        throw Error(m_path + ": missing attribute " + key + " on " + (object.empty() ? "/" : object));
    Handle obj(openObject(static_cast<hid_t>(m_file), object), H5Oclose);
    Handle a(H5Aopen(obj, key.c_str(), H5P_DEFAULT), H5Aclose);
    double v = 0;
    if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
        throw Error(m_path + ": attribute " + key + " is not numeric");
    return v;
}

std::vector<std::string> H5File::attrNames(const std::string& object) const
{
    std::vector<std::string> out;
    Handle obj(openObject(static_cast<hid_t>(m_file), object), H5Oclose);
    H5O_info_t info;
#if H5_VERSION_GE(1, 12, 0)
    H5Oget_info3(obj, &info, H5O_INFO_NUM_ATTRS);
#else
    H5Oget_info2(obj, &info, H5O_INFO_NUM_ATTRS);
#endif
    for (hsize_t i = 0; i < info.num_attrs; ++i) {
        char buf[256];
        ssize_t n = H5Aget_name_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, buf, sizeof buf, H5P_DEFAULT);
        if (n > 0)
            out.emplace_back(buf, static_cast<std::size_t>(n));
    }
    return out;
}

} // namespace repalign
