#pragma once
/// @file table.h
/// The one table renderer: aligned text, CSV, TSV, Markdown and LaTeX from the same rows
/// (compare, study compare, compare --metric behaviour).
#include <string>
#include <vector>

namespace repalign {

enum class TableFormat { Text, Csv, Tsv, Markdown, Latex };

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows; ///< each as long as header (shorter rows are padded with "")
    std::vector<bool> numeric; ///< per column: right-aligned in Text/Markdown/LaTeX (empty = all left)
    std::string caption; ///< LaTeX caption / Markdown line above; ignored by CSV/TSV
};

/// Renders @p table:
/// - Text: columns two spaces apart, widths in UTF-8 code points, the caption on a line above;
/// - Csv: RFC 4180 (a cell with , " CR or LF quoted, quotes doubled);
/// - Tsv: tab-separated, tabs and line breaks inside a cell replaced by a space;
/// - Markdown: a pipe table (| in a cell escaped), the caption and an empty line above;
/// - Latex: a tabular (l/r columns) with LaTeX's special characters escaped, ± as $\pm$, < and > in
///   math mode; with a caption wrapped in a table environment.
std::string renderTable(const Table& table, TableFormat format);

/// "text|csv|tsv|markdown|latex" ("table" is accepted as the older name of text); Error
/// "--format: unknown value 'X' (valid: text, csv, tsv, markdown, latex)"
TableFormat parseTableFormat(const std::string& value, const std::string& what = "--format");

/// The names parseTableFormat accepts, in the order of TableFormat.
std::vector<std::string> tableFormatNames();

/// One cell for CSV (quoted when needed) and for LaTeX (escaped), as renderTable writes them.
std::string csvField(const std::string& cell);
std::string latexText(const std::string& cell);

} // namespace repalign
