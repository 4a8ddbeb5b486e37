#include "common/table.h"

#include "common/error.h"

#include <algorithm>
#include <sstream>

namespace repalign {
namespace {

std::size_t displayWidth(const std::string& s)
{
    std::size_t n = 0;
    for (unsigned char ch : s)
        n += (ch & 0xC0) != 0x80;
    return n;
}

std::string cell(const std::vector<std::string>& row, std::size_t i)
{
    return i < row.size() ? row[i] : std::string();
}

bool isNumeric(const Table& t, std::size_t i)
{
    return i < t.numeric.size() && t.numeric[i];
}

std::string renderText(const Table& t)
{
    const std::size_t cols = t.header.size();
    std::vector<std::size_t> w(cols, 0);
    for (std::size_t i = 0; i < cols; ++i) {
        w[i] = displayWidth(t.header[i]);
        for (const auto& row : t.rows)
            w[i] = std::max(w[i], displayWidth(cell(row, i)));
    }
    std::ostringstream o;
    if (!t.caption.empty())
        o << t.caption << "\n";
    auto line = [&](const std::vector<std::string>& row) {
        std::string out;
        for (std::size_t i = 0; i < cols; ++i) {
            const std::string c = cell(row, i);
            const std::string pad(w[i] - displayWidth(c), ' ');
            out += isNumeric(t, i) ? pad + c : (i + 1 < cols ? c + pad : c);
            if (i + 1 < cols)
                out += "  ";
        }
        o << out << "\n";
    };
    line(t.header);
    for (const auto& row : t.rows)
        line(row);
    return o.str();
}

std::string renderSeparated(const Table& t, char sep)
{
    const std::size_t cols = t.header.size();
    auto field = [&](const std::string& c) {
        if (sep == ',')
            return csvField(c);
        std::string out = c;
        for (char& ch : out)
            if (ch == '\t' || ch == '\n' || ch == '\r')
                ch = ' ';
        return out;
    };
    std::ostringstream o;
    auto line = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < cols; ++i)
            o << (i ? std::string(1, sep) : std::string()) << field(cell(row, i));
        o << "\n";
    };
    line(t.header);
    for (const auto& row : t.rows)
        line(row);
    return o.str();
}

std::string markdownCell(const std::string& c)
{
    std::string out;
    for (char ch : c) {
        if (ch == '|')
            out += "\\|";
        else if (ch == '\n' || ch == '\r')
            out += ' ';
        else
            out += ch;
    }
    return out;
}

std::string renderMarkdown(const Table& t)
{
    const std::size_t cols = t.header.size();
    std::ostringstream o;
    if (!t.caption.empty())
        o << t.caption << "\n\n";
    auto line = [&](const std::vector<std::string>& row) {
        o << "|";
        for (std::size_t i = 0; i < cols; ++i)
            o << " " << markdownCell(cell(row, i)) << " |";
        o << "\n";
    };
    line(t.header);
    o << "|";
    for (std::size_t i = 0; i < cols; ++i)
        o << (isNumeric(t, i) ? "---:|" : "---|");
    o << "\n";
    for (const auto& row : t.rows)
        line(row);
    return o.str();
}

std::string renderLatex(const Table& t)
{
    const std::size_t cols = t.header.size();
    std::string spec;
    for (std::size_t i = 0; i < cols; ++i)
        spec += isNumeric(t, i) ? 'r' : 'l';
    std::ostringstream o;
    if (!t.caption.empty())
        o << "\\begin{table}\n\\centering\n\\caption{" << latexText(t.caption) << "}\n";
    o << "\\begin{tabular}{" << spec << "}\n\\hline\n";
    auto line = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < cols; ++i)
            o << (i ? " & " : "") << latexText(cell(row, i));
        o << " \\\\\n";
    };
    line(t.header);
    o << "\\hline\n";
    for (const auto& row : t.rows)
        line(row);
    o << "\\hline\n\\end{tabular}\n";
    if (!t.caption.empty())
        o << "\\end{table}\n";
    return o.str();
}

} // namespace

std::string csvField(const std::string& c)
{
    if (c.find_first_of(",\"\r\n") == std::string::npos)
        return c;
    std::string out = "\"";
    for (char ch : c) {
        if (ch == '"')
            out += '"';
        out += ch;
    }
    return out + "\"";
}

std::string latexText(const std::string& c)
{
    static const std::string pm = "±";
    std::string out;
    for (std::size_t i = 0; i < c.size(); ++i) {
        const char ch = c[i];
        if (c.compare(i, pm.size(), pm) == 0) {
            out += "$\\pm$";
            i += pm.size() - 1;
        } else if (ch == '\\') {
            out += "\\textbackslash{}";
        } else if (ch == '^') {
            out += "\\textasciicircum{}";
        } else if (ch == '~') {
            out += "\\textasciitilde{}";
        } else if (ch == '<' || ch == '>') {
            out += std::string("$") + ch + "$";
        } else if (ch == '\n' || ch == '\r') {
            out += ' ';
        } else {
            if (ch == '_' || ch == '%' || ch == '&' || ch == '#' || ch == '$' || ch == '{' || ch == '}')
                out += '\\';
            out += ch;
        }
    }
    return out;
}

std::string renderTable(const Table& table, TableFormat format)
{
    switch (format) {
    case TableFormat::Text:
        return renderText(table);
    case TableFormat::Csv:
        return renderSeparated(table, ',');
    case TableFormat::Tsv:
        return renderSeparated(table, '\t');
    case TableFormat::Markdown:
        return renderMarkdown(table);
    case TableFormat::Latex:
        return renderLatex(table);
    }
    return renderText(table);
}

std::vector<std::string> tableFormatNames()
{
    return {"text", "csv", "tsv", "markdown", "latex"};
}

TableFormat parseTableFormat(const std::string& value, const std::string& what)
{
    if (value == "text" || value == "table")
        return TableFormat::Text;
    if (value == "csv")
        return TableFormat::Csv;
    if (value == "tsv")
        return TableFormat::Tsv;
    if (value == "markdown")
        return TableFormat::Markdown;
    if (value == "latex")
        return TableFormat::Latex;
    throw Error(what + ": unknown value '" + value + "' (valid: text, csv, tsv, markdown, latex)");
}

} // namespace repalign
