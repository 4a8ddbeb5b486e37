#pragma once
/// @file npy.h
/// NumPy .npy reader (format versions 1, 2 and 3) and a small writer.
///
/// Reads little- and big-endian `f4`, `f8`, `i1`, `i2`, `i4`, `i8`, `u1`, `u2`, `b1` numbers and
/// `U` (UTF-32) / `S` (bytes) strings, in C or Fortran order. Everything is converted on load to
/// native byte order and C (row-major) order, so callers never see either distinction.
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

struct NpyArray {
    std::string descr; ///< the header's descr as written, e.g. "<f4", ">i2", "<U37"
    char kind = 0; ///< 'f', 'i', 'u', 'b', 'U', 'S'
    int itemSize = 0; ///< bytes per element as stored (U: 4 per character)
    bool fortranOrder = false; ///< as stored; data below is always C order
    std::vector<std::int64_t> shape;
    std::vector<char> data; ///< elements in native byte order, C order
    std::string origin; ///< file name for messages

    std::int64_t count() const;
    bool isNumeric() const { return kind == 'f' || kind == 'i' || kind == 'u' || kind == 'b'; }
    bool isString() const { return kind == 'U' || kind == 'S'; }
    /// Numeric elements converted to double / float; throws Error for string arrays.
    std::vector<double> toDoubles() const;
    std::vector<float> toFloats() const;
    /// String elements (U decoded from UTF-32 to UTF-8, trailing NULs dropped); throws Error
    /// for numeric arrays.
    std::vector<std::string> toStrings() const;
    /// "FILE: shape (a, b), dtype <f4" for messages.
    std::string describe() const;
};

/// Reads a .npy file; throws Error naming the file and what is wrong (bad magic, unsupported
/// version or dtype, truncated data, object arrays).
NpyArray readNpy(const std::string& path);
/// Parses .npy bytes already in memory (@p origin names them in errors).
NpyArray parseNpy(const std::vector<char>& bytes, const std::string& origin);

/// Writes a little-endian C-order float32 array (format version 1), atomically.
void writeNpyF32(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<float>& values);
/// The same for uint8 (descr '|u1', as numpy writes np.uint8) and little-endian int64.
void writeNpyU8(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<std::uint8_t>& values);
void writeNpyI64(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<std::int64_t>& values);

} // namespace repalign
