#pragma once
/// @file h5.h
/// A small RAII wrapper over the HDF5 C API for the files the workbench reads and writes
/// (NSD bundles, analyses, logits). Everything it writes is plain h5py-readable data.
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

enum class H5Type { Float32, Float64, Int64, Int32, Int16, UInt8, Other };

class H5File {
public:
    enum class Mode { Read, ReadWrite, CreateAtomic };
    /// CreateAtomic writes to a temporary file next to @p path; commit() renames it into place
    /// and a destructor without commit() removes it, so no partial file is ever left.
    H5File(const std::string& path, Mode mode);
    ~H5File();
    H5File(const H5File&) = delete;
    H5File& operator=(const H5File&) = delete;

    const std::string& path() const { return m_path; }
    void commit();

    bool exists(const std::string& name) const;
    std::vector<std::uint64_t> dims(const std::string& name) const;
    H5Type type(const std::string& name) const;
    /// Names of the direct children of a group.
    std::vector<std::string> children(const std::string& group) const;

    /// Writes a dataset (intermediate groups are created). @p chunkRows > 0 chunks along
    /// the first dimension and compresses, for large image stacks read a row at a time.
    void write(const std::string& name, H5Type type, const std::vector<std::uint64_t>& dims, const void* data,
        std::uint64_t chunkRows = 0);
    void writeF32(const std::string& name, const std::vector<std::uint64_t>& dims, const std::vector<float>& v)
    {
        write(name, H5Type::Float32, dims, v.data());
    }
    void writeI64(const std::string& name, const std::vector<std::uint64_t>& dims, const std::vector<std::int64_t>& v)
    {
        write(name, H5Type::Int64, dims, v.data());
    }

    /// Reads a whole dataset converted to @p type (HDF5 converts numeric types).
    void read(const std::string& name, H5Type type, void* out) const;
    std::vector<float> readF32(const std::string& name) const;
    std::vector<double> readF64(const std::string& name) const;
    std::vector<std::int64_t> readI64(const std::string& name) const;
    std::vector<std::uint8_t> readU8(const std::string& name) const;
    /// Reads rows [start, start+count) along the first dimension.
    void readRows(const std::string& name, H5Type type, std::uint64_t start, std::uint64_t count, void* out) const;
    /// Reads an arbitrary hyperslab (offset/count per dimension).
    void readSlab(const std::string& name, H5Type type, const std::vector<std::uint64_t>& offset,
        const std::vector<std::uint64_t>& count, void* out) const;

    void setAttr(const std::string& object, const std::string& key, const std::string& value);
    void setAttr(const std::string& object, const std::string& key, double value);
    void setAttr(const std::string& object, const std::string& key, std::int64_t value);
    bool hasAttr(const std::string& object, const std::string& key) const;
    std::string attrString(const std::string& object, const std::string& key) const;
    double attrDouble(const std::string& object, const std::string& key) const;
    std::vector<std::string> attrNames(const std::string& object) const;

    /// Throws Error("FILE: missing dataset NAME ...") when @p name is absent.
    void require(const std::string& name) const;

private:
    std::string m_path;
    std::string m_tmpPath;
    long long m_file = -1;
    bool m_committed = false;
};

} // namespace repalign
