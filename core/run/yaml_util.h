#pragma once
// Core-internal: strict YAML reading with one-line errors naming the file and key path.
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace repalign::yamlutil {

/// A cursor into a config: the node, its dotted key path and the file it came from.
struct Ctx {
    YAML::Node node;
    std::string path; ///< "optimization.optimizer_params"
    std::string origin; ///< file name for messages

    Ctx child(const std::string& key) const;
    bool has(const std::string& key) const;
    std::string where(const std::string& key) const; ///< "FILE: key 'a.b'"

    /// Fails on keys outside @p valid, naming the key and the valid keys.
    void allowOnly(const std::vector<std::string>& valid) const;

    std::string str(const std::string& key, const std::string& def) const;
    std::string choice(const std::string& key, const std::string& def, const std::vector<std::string>& valid) const;
    double num(const std::string& key, double def) const;
    double positive(const std::string& key, double def, bool allowZero = false) const;
    long long integer(const std::string& key, long long def, long long min, long long max) const;
    bool boolean(const std::string& key, bool def) const;
    std::vector<double> numList(const std::string& key, const std::vector<double>& def, std::size_t size) const;
    std::vector<std::string> strList(const std::string& key, const std::vector<std::string>& def) const;
};

/// Parses YAML text; a syntax error names the file, line and column.
YAML::Node parse(const std::string& text, const std::string& origin);
/// Applies `a.b.c=value` (value parsed as YAML) to @p root, creating maps on the way.
void applyOverride(YAML::Node& root, const std::string& assignment, const std::string& origin);

/// @p s as a double-quoted YAML scalar (backslash and quote escaped).
std::string quote(const std::string& s);
/// A path from a config file: absolute, empty or with no @p baseDir stays as is; else relative
/// to @p baseDir (the config's folder).
std::string resolvePath(const std::string& path, const std::string& baseDir);

} // namespace repalign::yamlutil
