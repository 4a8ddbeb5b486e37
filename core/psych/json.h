#pragma once
/// @file json.h
/// A small JSON reader for the psychophysics files (plan.json, jsPsych JSON data, JATOS
/// result exports): values keep object member order; errors give the line and column.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace repalign::psych {

struct JsonValue {
    enum class Type { Null, Bool, Number, String, Array, Object };
    Type type = Type::Null;
    bool boolean = false;
    double number = 0;
    std::string text; ///< the string, or a number's literal text
    std::vector<JsonValue> items; ///< array elements
    std::vector<std::pair<std::string, JsonValue>> members; ///< object members in file order

    bool isNull() const { return type == Type::Null; }
    bool isObject() const { return type == Type::Object; }
    bool isArray() const { return type == Type::Array; }
    bool isString() const { return type == Type::String; }
    bool isNumber() const { return type == Type::Number; }
    /// The member @p key of an object, or nullptr.
    const JsonValue* find(const std::string& key) const;
    /// Scalars as text: a string itself, a number's literal, "true"/"false", "" for null.
    std::string scalarText() const;
};

/// Parses one JSON document; throws Error "<what>: invalid JSON at line L, column C: <reason>".
JsonValue parseJson(const std::string& text, const std::string& what);
/// Parses the JSON documents that follow one another in @p text (whitespace between them),
/// as JATOS writes one component result per line.
std::vector<JsonValue> parseJsonSequence(const std::string& text, const std::string& what);

} // namespace repalign::psych
