// The one table renderer (common/table.h): each format written out by hand for small tables,
// with the cells that need quoting or escaping.
#include "common/error.h"
#include "common/table.h"

#include <QtTest>

using namespace repalign;

namespace {
Table sample()
{
    Table t;
    t.header = {"name", "value ± std", "p"};
    t.rows = {{"base_line", "1.50 ± 0.10", "0.012"}, {"a,b \"q\"", "12.00 ± 3.00", "< 1e-300"}};
    t.numeric = {false, true, true};
    return t;
}
} // namespace

class TestTable : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void text()
    {
        Table t = sample();
        // widths in code points: "value ± std" is 11 wide, "12.00 ± 3.00" 12; numbers right-aligned.
        const std::string want = "name        value ± std         p\n"
                                 "base_line   1.50 ± 0.10     0.012\n"
                                 "a,b \"q\"    12.00 ± 3.00  < 1e-300\n";
        QCOMPARE(renderTable(t, TableFormat::Text), want);
        // all left (numeric empty): no trailing spaces after the last column
        t.numeric.clear();
        t.caption = "Caption";
        const std::string left = "Caption\n"
                                 "name       value ± std   p\n"
                                 "base_line  1.50 ± 0.10   0.012\n"
                                 "a,b \"q\"    12.00 ± 3.00  < 1e-300\n";
        QCOMPARE(renderTable(t, TableFormat::Text), left);
    }

    void csvAndTsv()
    {
        Table t = sample();
        t.caption = "ignored";
        QCOMPARE(renderTable(t, TableFormat::Csv),
            std::string("name,value ± std,p\nbase_line,1.50 ± 0.10,0.012\n\"a,b \"\"q\"\"\",12.00 ± 3.00,< 1e-300\n"));
        t.rows[0][0] = "tab\there\nline";
        QCOMPARE(renderTable(t, TableFormat::Tsv),
            std::string("name\tvalue ± std\tp\ntab here line\t1.50 ± 0.10\t0.012\na,b \"q\"\t12.00 ± 3.00\t< 1e-300\n"));
        QCOMPARE(csvField("x\ny"), std::string("\"x\ny\""));
        QCOMPARE(csvField("plain"), std::string("plain"));
    }

    void markdown()
    {
        Table t = sample();
        t.rows[1][0] = "a|b";
        t.caption = "II-LPIPS";
        QCOMPARE(renderTable(t, TableFormat::Markdown),
            std::string("II-LPIPS\n\n| name | value ± std | p |\n|---|---:|---:|\n| base_line | 1.50 ± 0.10 | 0.012 |\n"
                        "| a\\|b | 12.00 ± 3.00 | < 1e-300 |\n"));
    }

    void latex()
    {
        Table t = sample();
        t.rows[1][0] = "50% & #1 {x} $ ~^\\";
        QCOMPARE(renderTable(t, TableFormat::Latex),
            std::string("\\begin{tabular}{lrr}\n\\hline\nname & value $\\pm$ std & p \\\\\n\\hline\n"
                        "base\\_line & 1.50 $\\pm$ 0.10 & 0.012 \\\\\n"
                        "50\\% \\& \\#1 \\{x\\} \\$ \\textasciitilde{}\\textasciicircum{}\\textbackslash{} & 12.00 $\\pm$ 3.00 "
                        "& $<$ 1e-300 \\\\\n\\hline\n\\end{tabular}\n"));
        t.caption = "II_LPIPS";
        const std::string withCaption = renderTable(t, TableFormat::Latex);
        QVERIFY(withCaption.rfind("\\begin{table}\n\\centering\n\\caption{II\\_LPIPS}\n\\begin{tabular}{lrr}\n", 0) == 0);
        QVERIFY(withCaption.size() > 12 && withCaption.compare(withCaption.size() - 12, 12, "\\end{table}\n") == 0);
    }

    void shortRowsArePadded()
    {
        Table t;
        t.header = {"a", "b"};
        t.rows = {{"1"}};
        QCOMPARE(renderTable(t, TableFormat::Csv), std::string("a,b\n1,\n"));
        QCOMPARE(renderTable(t, TableFormat::Text), std::string("a  b\n1  \n"));
    }

    void parse()
    {
        QVERIFY(parseTableFormat("text") == TableFormat::Text);
        QVERIFY(parseTableFormat("table") == TableFormat::Text);
        QVERIFY(parseTableFormat("csv") == TableFormat::Csv);
        QVERIFY(parseTableFormat("tsv") == TableFormat::Tsv);
        QVERIFY(parseTableFormat("markdown") == TableFormat::Markdown);
        QVERIFY(parseTableFormat("latex") == TableFormat::Latex);
        try {
            parseTableFormat("html");
            QFAIL("no error for html");
        } catch (const Error& e) {
            QCOMPARE(
                std::string(e.what()), std::string("--format: unknown value 'html' (valid: text, csv, tsv, markdown, latex)"));
        }
        try {
            parseTableFormat("xls", "study compare --format");
            QFAIL("no error for xls");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).rfind("study compare --format: unknown value 'xls'", 0) == 0);
        }
    }
};

QTEST_GUILESS_MAIN(TestTable)
#include "test_table.moc"
