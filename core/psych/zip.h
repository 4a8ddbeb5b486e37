#pragma once
/// @file zip.h
/// Minimal ZIP archives for the psychophysics files: a writer (stored entries, as JATOS reads
/// .jzip study archives) and a reader (stored and deflated entries, as JATOS writes result
/// exports). Core-internal.
#include <string>
#include <vector>

namespace repalign::psych {

struct ZipMember {
    std::string name; ///< path inside the archive, '/'-separated
    std::string data;
};
/// The bytes of a ZIP archive holding @p members uncompressed (method 0) with CRC-32s.
std::string zipStore(const std::vector<ZipMember>& members);
/// Every file member of the archive at @p path (directories skipped); one-line Error naming
/// the file for a damaged or unsupported archive (zip64, encryption, methods other than 0/8).
std::vector<ZipMember> readZip(const std::string& path);
/// True when @p bytes start with a ZIP local header ("PK\3\4") or an empty archive's end record.
bool looksLikeZip(const std::string& bytes);

} // namespace repalign::psych
