#include "run/yaml_util.h"
#include "common/error.h"

#include <cmath>
#include <sstream>
#include <utility>

namespace repalign::yamlutil {

namespace {
std::string scalarText(const YAML::Node& n)
{
    if (n.IsScalar())
        return n.Scalar();
    std::ostringstream o;
    o << n;
    return o.str();
}

// yaml-cpp keeps every pair of a mapping with a repeated key and looks up the first; PyYAML, which
// the reference uses, keeps the last. Either way the file means two things, so a repeat is an error.
void rejectDuplicateKeys(const YAML::Node& n, const std::string& path, const std::string& origin)
{
    if (n.IsMap()) {
        std::vector<std::pair<std::string, int>> seen;
        for (const auto& kv : n) {
            const std::string key = scalarText(kv.first);
            const int line = kv.first.Mark().line + 1;
            const std::string full = path.empty() ? key : path + "." + key;
            for (const auto& s : seen)
                if (s.first == key)
                    throw Error(origin + ": key '" + full + "' is given twice (lines " + std::to_string(s.second) + " and "
                        + std::to_string(line) + "); keep one");
            seen.emplace_back(key, line);
            rejectDuplicateKeys(kv.second, full, origin);
        }
    } else if (n.IsSequence()) {
        std::size_t i = 0;
        for (const auto& e : n)
            rejectDuplicateKeys(e, path + "[" + std::to_string(i++) + "]", origin);
    }
}
} // namespace

Ctx Ctx::child(const std::string& key) const
{
    Ctx c {YAML::Node(YAML::NodeType::Map), path.empty() ? key : path + "." + key, origin};
    if (node && node.IsMap() && node[key]) {
        YAML::Node n = node[key];
        if (n.IsNull())
            return c;
        if (!n.IsMap())
            throw Error(where(key) + " must be a mapping");
        c.node = n;
    }
    return c;
}

bool Ctx::has(const std::string& key) const
{
    return node && node.IsMap() && node[key] && !node[key].IsNull();
}

std::string Ctx::where(const std::string& key) const
{
    return origin + ": key '" + (path.empty() ? key : path + "." + key) + "'";
}

void Ctx::allowOnly(const std::vector<std::string>& valid) const
{
    if (!node || !node.IsMap())
        return;
    for (const auto& kv : node) {
        const std::string k = kv.first.as<std::string>();
        bool ok = false;
        for (const auto& v : valid)
            ok = ok || v == k;
        if (!ok)
            throw Error(
                origin + ": unknown key '" + (path.empty() ? k : path + "." + k) + "' (valid: " + joinChoices(valid) + ")");
    }
}

std::string Ctx::str(const std::string& key, const std::string& def) const
{
    if (!has(key))
        return def;
    YAML::Node n = node[key];
    if (!n.IsScalar())
        throw Error(where(key) + " must be a string");
    return n.Scalar();
}

std::string Ctx::choice(const std::string& key, const std::string& def, const std::vector<std::string>& valid) const
{
    std::string v = str(key, def);
    for (const auto& c : valid)
        if (c == v)
            return v;
    throw Error(where(key) + " has invalid value '" + v + "' (valid: " + joinChoices(valid) + ")");
}

double Ctx::num(const std::string& key, double def) const
{
    if (!has(key))
        return def;
    YAML::Node n = node[key];
    try {
        if (!n.IsScalar())
            throw YAML::Exception(YAML::Mark(), "");
        double v = n.as<double>();
        if (!std::isfinite(v))
            throw YAML::Exception(YAML::Mark(), "");
        return v;
    } catch (const YAML::Exception&) {
        throw Error(where(key) + " must be a number, got '" + scalarText(n) + "'");
    }
}

double Ctx::positive(const std::string& key, double def, bool allowZero) const
{
    double v = num(key, def);
    if (v < 0 || (!allowZero && v == 0))
        throw Error(where(key) + " must be " + (allowZero ? "zero or positive" : "positive") + ", got " + scalarText(node[key]));
    return v;
}

long long Ctx::integer(const std::string& key, long long def, long long min, long long max) const
{
    if (!has(key))
        return def;
    YAML::Node n = node[key];
    long long v = 0;
    try {
        if (!n.IsScalar())
            throw YAML::Exception(YAML::Mark(), "");
        v = n.as<long long>();
    } catch (const YAML::Exception&) {
        throw Error(where(key) + " must be an integer, got '" + scalarText(n) + "'");
    }
    if (v < min || v > max)
        throw Error(where(key) + " = " + std::to_string(v) + " is out of range (valid: " + std::to_string(min) + ".."
            + std::to_string(max) + ")");
    return v;
}

bool Ctx::boolean(const std::string& key, bool def) const
{
    if (!has(key))
        return def;
    YAML::Node n = node[key];
    try {
        return n.as<bool>();
    } catch (const YAML::Exception&) {
        throw Error(where(key) + " must be true or false, got '" + scalarText(n) + "'");
    }
}

std::vector<double> Ctx::numList(const std::string& key, const std::vector<double>& def, std::size_t size) const
{
    if (!has(key))
        return def;
    YAML::Node n = node[key];
    if (!n.IsSequence() || (size && n.size() != size))
        throw Error(where(key) + " must be a list of " + std::to_string(size) + " numbers");
    std::vector<double> out;
    for (const auto& e : n) {
        try {
            out.push_back(e.as<double>());
        } catch (const YAML::Exception&) {
            throw Error(where(key) + " must be a list of numbers, got '" + scalarText(e) + "'");
        }
    }
    return out;
}

std::vector<std::string> Ctx::strList(const std::string& key, const std::vector<std::string>& def) const
{
    if (!has(key))
        return def;
    YAML::Node n = node[key];
    if (n.IsScalar())
        return {n.Scalar()};
    if (!n.IsSequence())
        throw Error(where(key) + " must be a list of strings");
    std::vector<std::string> out;
    for (const auto& e : n)
        out.push_back(scalarText(e));
    return out;
}

YAML::Node parse(const std::string& text, const std::string& origin)
{
    try {
        YAML::Node n = YAML::Load(text);
        if (n.IsNull())
            return YAML::Node(YAML::NodeType::Map);
        if (!n.IsMap())
            throw Error(origin + ": the top level must be a mapping of keys");
        rejectDuplicateKeys(n, "", origin);
        return n;
    } catch (const YAML::ParserException& e) {
        throw Error(origin + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1)
            + ": YAML syntax error: " + e.msg);
    }
}

void applyOverride(YAML::Node& root, const std::string& assignment, const std::string& origin)
{
    auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw Error("--set '" + assignment + "' must look like key.path=value");
    std::string key = assignment.substr(0, eq), value = assignment.substr(eq + 1);
    std::vector<std::string> parts;
    std::stringstream ss(key);
    for (std::string p; std::getline(ss, p, '.');)
        parts.push_back(p);
    YAML::Node parsed;
    try {
        parsed = YAML::Load(value);
    } catch (const YAML::Exception&) {
        parsed = YAML::Node(value);
    }
    rejectDuplicateKeys(parsed, key, "--set '" + assignment + "'");
    // yaml-cpp nodes are handles: walk with fresh handles so the root is not rebound.
    std::vector<YAML::Node> chain {root};
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        YAML::Node cur = chain.back();
        if (!cur[parts[i]] || !cur[parts[i]].IsMap())
            cur[parts[i]] = YAML::Node(YAML::NodeType::Map);
        chain.push_back(cur[parts[i]]);
    }
    chain.back()[parts.back()] = parsed;
    (void)origin;
}

std::string quote(const std::string& s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string resolvePath(const std::string& path, const std::string& baseDir)
{
    if (path.empty() || path[0] == '/' || baseDir.empty())
        return path;
    return baseDir + "/" + path;
}

} // namespace repalign::yamlutil
