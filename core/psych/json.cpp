#include "psych/json.h"

#include "common/error.h"

#include <cstdlib>

namespace repalign::psych {

const JsonValue* JsonValue::find(const std::string& key) const
{
    for (const auto& m : members)
        if (m.first == key)
            return &m.second;
    return nullptr;
}

std::string JsonValue::scalarText() const
{
    switch (type) {
    case Type::Null:
        return {};
    case Type::Bool:
        return boolean ? "true" : "false";
    case Type::Number:
    case Type::String:
        return text;
    default:
        return {};
    }
}

namespace {

class Parser {
public:
    Parser(const std::string& text, const std::string& what)
        : m_s(text)
        , m_what(what)
    {
    }

    [[noreturn]] void fail(const std::string& reason) const
    {
        int line = 1, col = 1;
        for (std::size_t i = 0; i < m_pos && i < m_s.size(); ++i) {
            if (m_s[i] == '\n') {
                ++line;
                col = 1;
            } else
                ++col;
        }
        throw Error(
            m_what + ": invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + reason);
    }

    void skipSpace()
    {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
            ++m_pos;
    }
    bool atEnd()
    {
        skipSpace();
        return m_pos >= m_s.size();
    }

    JsonValue value(int depth)
    {
        if (depth > 200)
            fail("nested too deeply");
        skipSpace();
        if (m_pos >= m_s.size())
            fail("unexpected end of text");
        const char c = m_s[m_pos];
        JsonValue v;
        if (c == '{') {
            v.type = JsonValue::Type::Object;
            ++m_pos;
            skipSpace();
            if (peek() == '}') {
                ++m_pos;
                return v;
            }
            for (;;) {
                skipSpace();
                if (peek() != '"')
                    fail("expected a member name in quotes");
                std::string key = string();
                skipSpace();
                if (peek() != ':')
                    fail("expected ':' after member name \"" + key + "\"");
                ++m_pos;
                v.members.emplace_back(std::move(key), value(depth + 1));
                skipSpace();
                if (peek() == ',') {
                    ++m_pos;
                    continue;
                }
                if (peek() == '}') {
                    ++m_pos;
                    return v;
                }
                fail("expected ',' or '}' in an object");
            }
        }
        if (c == '[') {
            v.type = JsonValue::Type::Array;
            ++m_pos;
            skipSpace();
            if (peek() == ']') {
                ++m_pos;
                return v;
            }
            for (;;) {
                v.items.push_back(value(depth + 1));
                skipSpace();
                if (peek() == ',') {
                    ++m_pos;
                    continue;
                }
                if (peek() == ']') {
                    ++m_pos;
                    return v;
                }
                fail("expected ',' or ']' in an array");
            }
        }
        if (c == '"') {
            v.type = JsonValue::Type::String;
            v.text = string();
            return v;
        }
        if (literal("true")) {
            v.type = JsonValue::Type::Bool;
            v.boolean = true;
            return v;
        }
        if (literal("false")) {
            v.type = JsonValue::Type::Bool;
            return v;
        }
        if (literal("null"))
            return v;
        if (c == '-' || (c >= '0' && c <= '9')) {
            const std::size_t start = m_pos;
            if (m_s[m_pos] == '-')
                ++m_pos;
            auto digits = [&] {
                const std::size_t d = m_pos;
                while (m_pos < m_s.size() && m_s[m_pos] >= '0' && m_s[m_pos] <= '9')
                    ++m_pos;
                if (d == m_pos)
                    fail("malformed number");
            };
            digits();
            if (peek() == '.') {
                ++m_pos;
                digits();
            }
            if (peek() == 'e' || peek() == 'E') {
                ++m_pos;
                if (peek() == '+' || peek() == '-')
                    ++m_pos;
                digits();
            }
            v.type = JsonValue::Type::Number;
            v.text = m_s.substr(start, m_pos - start);
            v.number = std::strtod(v.text.c_str(), nullptr);
            return v;
        }
        fail(std::string("unexpected character '") + c + "'");
    }

private:
    char peek() const { return m_pos < m_s.size() ? m_s[m_pos] : '\0'; }
    bool literal(const char* word)
    {
        const std::string w(word);
        if (m_s.compare(m_pos, w.size(), w) == 0) {
            m_pos += w.size();
            return true;
        }
        return false;
    }
    static void appendUtf8(std::string& out, std::uint32_t cp)
    {
        if (cp < 0x80)
            out += static_cast<char>(cp);
        else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    std::uint32_t hex4()
    {
        if (m_pos + 4 > m_s.size())
            fail("truncated \\u escape");
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = m_s[m_pos++];
            v <<= 4;
            if (h >= '0' && h <= '9')
                v |= static_cast<std::uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f')
                v |= static_cast<std::uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
                v |= static_cast<std::uint32_t>(h - 'A' + 10);
            else
                fail("bad \\u escape");
        }
        return v;
    }
    std::string string()
    {
        ++m_pos; // opening quote
        std::string out;
        for (;;) {
            if (m_pos >= m_s.size())
                fail("unterminated string");
            const char c = m_s[m_pos++];
            if (c == '"')
                return out;
            if (static_cast<unsigned char>(c) < 0x20)
                fail("control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (m_pos >= m_s.size())
                fail("unterminated string");
            const char e = m_s[m_pos++];
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out += e;
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                std::uint32_t cp = hex4();
                if (cp >= 0xD800 && cp < 0xDC00 && m_s.compare(m_pos, 2, "\\u") == 0) {
                    m_pos += 2;
                    const std::uint32_t lo = hex4();
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                appendUtf8(out, cp);
                break;
            }
            default:
                fail(std::string("bad escape '\\") + e + "'");
            }
        }
    }

    const std::string& m_s;
    std::string m_what;
    std::size_t m_pos = 0;
};

} // namespace

JsonValue parseJson(const std::string& text, const std::string& what)
{
    Parser p(text, what);
    JsonValue v = p.value(0);
    if (!p.atEnd())
        p.fail("text after the end of the document");
    return v;
}

std::vector<JsonValue> parseJsonSequence(const std::string& text, const std::string& what)
{
    Parser p(text, what);
    std::vector<JsonValue> out;
    while (!p.atEnd())
        out.push_back(p.value(0));
    return out;
}

} // namespace repalign::psych
