// repalign-cli figure: the GUI's figures rendered headless (offscreen Qt platform), so a
// talk's figures can be rebuilt from a script.
#include "cli/command.h"

#include "common/error.h"

#include "distributionsview.h"
#include "figureexport.h"
#include "metricsmodel.h"
#include "monitorview.h"
#include "neuronmodel.h"
#include "neuronsview.h"
#include "plotstyle.h"
#include "qcp.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>

#include <iostream>
#include <memory>

namespace {

struct FigureArgs {
    std::string kind;
    std::vector<std::string> runs;
    std::vector<std::string> analyses;
    std::vector<std::string> labels;
    std::string out;
    std::string preset = "talk";
    int dpi = 300;
    std::string metric;        // loss: metrics.csv name (loss, acc, lr, ...); ii-*: lpips|color|label
    std::string plot = "histogram";
    std::string x = "step";
    double smoothing = 0.6;
    bool logY = false;
    long long unit = 0;
};

/// Widgets need a QApplication; on a machine without a display use the offscreen platform.
std::unique_ptr<QApplication> ensureApplication()
{
    if (QApplication::instance())
        return nullptr;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "repalign-cli";
    static char* argv[] = {name, nullptr};
    return std::make_unique<QApplication>(argc, argv);
}

void run(const FigureArgs& a)
{
    using namespace repalign;
    using namespace repalign::gui;
    const QString out = QString::fromStdString(a.out);
    figureFormat(out); // fails early on an unknown suffix
    const FigurePreset preset = parseFigurePreset(QString::fromStdString(a.preset));
    auto app = ensureApplication();
    QDir().mkpath(QFileInfo(out).absolutePath());

    auto labelFor = [&](std::size_t i) { return i < a.labels.size() ? QString::fromStdString(a.labels[i]) : QString(); };
    if (a.kind == "loss") {
        if (a.runs.empty())
            throw Error("figure --kind loss needs --run DIR (repeatable)");
        MetricsModel model;
        QStringList runs;
        for (const std::string& r : a.runs) {
            const QString path = QFileInfo(QString::fromStdString(r)).absoluteFilePath();
            if (!QFileInfo::exists(path + QStringLiteral("/metrics.csv")))
                throw Error("run '" + r + "' has no metrics.csv");
            model.addRun(path);
            runs << path;
        }
        const QString metric = a.metric.empty() ? QStringLiteral("loss") : QString::fromStdString(a.metric);
        if (!model.metricNames().contains(metric))
            throw Error("metric '" + metric.toStdString() + "' is not in the runs' metrics.csv (valid: " +
                        model.metricNames().join(QStringLiteral(", ")).toStdString() + ")");
        MonitorOptions options;
        if (a.x == "step")
            options.x = XAxisKind::Step;
        else if (a.x == "epoch")
            options.x = XAxisKind::Epoch;
        else if (a.x == "wall")
            options.x = XAxisKind::WallTime;
        else
            throw Error("--x '" + a.x + "' is not known (valid: step, epoch, wall)");
        if (a.smoothing < 0 || a.smoothing >= 1)
            throw Error("--smoothing " + std::to_string(a.smoothing) + " must be in [0, 1)");
        options.smoothing = a.smoothing;
        options.logY = a.logY;
        MetricPlot plot(metric);
        const FigurePresetInfo info = figurePresetInfo(preset);
        plot.resize(static_cast<int>(info.inches.width() * kLayoutDpi), static_cast<int>(info.inches.height() * kLayoutDpi));
        plot.setSeries(model, runs, MonitorView::runColors(runs), options);
        exportPlotFigure(&plot, out, preset, a.dpi);
    } else if (a.kind == "ii-distribution" || a.kind == "ii-scatter") {
        const QString metric = a.metric.empty() ? QStringLiteral("lpips") : QString::fromStdString(a.metric);
        if (metric != QLatin1String("lpips") && metric != QLatin1String("color") && metric != QLatin1String("label"))
            throw Error("--metric '" + metric.toStdString() + "' is not an II metric (valid: lpips, color, label)");
        if (a.analyses.empty())
            throw Error("figure --kind " + a.kind + " needs --analysis FILE (repeatable)");
        QList<DistributionGroup> groups;
        for (std::size_t i = 0; i < a.analyses.size(); ++i)
            groups << loadDistributionGroup(QString::fromStdString(a.analyses[i]), metric, labelFor(i));
        QCustomPlot plot;
        stylePlot(&plot);
        if (a.kind == "ii-scatter") {
            if (groups.size() != 2)
                throw Error("figure --kind ii-scatter needs exactly two --analysis files (unit i of the first vs the second)");
            plotPairedScatter(&plot, groups[0], groups[1], metricLabel(metric));
        } else {
            DistributionKind kind;
            if (a.plot == "histogram")
                kind = DistributionKind::Histogram;
            else if (a.plot == "violin")
                kind = DistributionKind::Violin;
            else if (a.plot == "box")
                kind = DistributionKind::Box;
            else
                throw Error("--plot '" + a.plot + "' is not known (valid: histogram, violin, box)");
            plotDistributions(&plot, groups, kind, metricLabel(metric));
        }
        exportPlotFigure(&plot, out, preset, a.dpi);
    } else if (a.kind == "mei-grid") {
        if (a.analyses.empty())
            throw Error("figure --kind mei-grid needs --analysis FILE (one, or two to compare)");
        MeiGridView grid;
        QList<MeiGridView::Row> rows;
        for (std::size_t i = 0; i < a.analyses.size(); ++i) {
            NeuronModel model;
            model.open(QString::fromStdString(a.analyses[i]));
            const AnalysisFile& f = *model.analysis();
            if (a.unit < 0 || a.unit >= f.units)
                throw Error("--unit " + std::to_string(a.unit) + " is out of range for '" + a.analyses[i] + "' (valid: 0.." +
                            std::to_string(f.units - 1) + ")");
            QString title = labelFor(i);
            if (title.isEmpty())
                title = QFileInfo(QString::fromStdString(a.analyses[i])).completeBaseName();
            title = QStringLiteral("%1 · unit %2 · II-LPIPS %3").arg(title).arg(a.unit).arg(f.iiLpips[a.unit], 0, 'f', 3);
            rows << MeiGridView::rowFor(f, a.unit, title, [&model](std::int64_t l) { return model.className(l); });
        }
        grid.setRows(rows);
        QFont font = grid.font();
        font.setPointSizeF(figurePresetInfo(preset).fontPoints);
        grid.setFont(font);
        exportWidgetFigure(&grid, out, preset, a.dpi);
    } else {
        throw Error("figure --kind '" + a.kind + "' is not known (valid: loss, ii-distribution, ii-scatter, mei-grid)");
    }
    std::cout << "wrote " << a.out << " (" << a.preset << ")\n";
}

} // namespace

static repalign::cli::CommandRegistrar reg(80, [](CLI::App& app) {
    auto args = std::make_shared<FigureArgs>();
    auto* sub = app.add_subcommand("figure", "Render the workbench's figures headless: loss curves, II distributions, "
                                             "paired II scatter, MEI grids (PNG, SVG or PDF)");
    sub->add_option("--kind", args->kind, "loss | ii-distribution | ii-scatter | mei-grid")->required();
    sub->add_option("--run", args->runs, "Run directory (loss; repeatable to overlay runs)");
    sub->add_option("--analysis", args->analyses, "Analysis .h5 (ii-*, mei-grid; repeatable)");
    sub->add_option("--labels", args->labels, "Names for the analyses, in order")->delimiter(',');
    sub->add_option("--out", args->out, "Figure file: .png, .svg or .pdf")->required();
    sub->add_option("--preset", args->preset, "talk (16:9 slide) | column (3.5 in) | two-column (7 in)")->capture_default_str();
    sub->add_option("--dpi", args->dpi, "PNG resolution")->capture_default_str()->check(CLI::Range(36, 1200));
    sub->add_option("--metric", args->metric, "loss: a metrics.csv name (loss, acc, lr, ...); ii-*: lpips | color | label");
    sub->add_option("--plot", args->plot, "ii-distribution: histogram | violin | box")->capture_default_str();
    sub->add_option("--x", args->x, "loss: step | epoch | wall")->capture_default_str();
    sub->add_option("--smoothing", args->smoothing, "loss: EMA weight in [0, 1)")->capture_default_str();
    sub->add_flag("--log-y", args->logY, "loss: logarithmic y axis");
    sub->add_option("--unit", args->unit, "mei-grid: unit index")->capture_default_str();
    sub->callback([args] { run(*args); });
});
