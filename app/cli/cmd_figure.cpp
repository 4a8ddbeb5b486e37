// repalign-cli figure: the GUI's figures rendered headless (offscreen Qt platform), so a
// talk's figures can be rebuilt from a script.
#include "cli/command.h"

#include "common/error.h"
#include "interpret/visualize.h"
#include "pipeline/align.h"
#include "pipeline/study.h"
#include "psych/psych.h"
#include "run/rundir.h"

#include "alignmentplot.h"
#include "behaviourplots.h"
#include "distributionplots.h"
#include "figureexport.h"
#include "meigridfigure.h"
#include "metricplot.h"
#include "metricsmodel.h"
#include "neuronmodel.h"
#include "plotstyle.h"
#include "psychplots.h"
#include "qcp.h"

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
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
    std::string metric; // loss: metrics.csv name (loss, acc, lr, ...); ii-*: lpips|color|label
    std::string plot = "histogram";
    std::string x = "step";
    double smoothing = 0.6;
    bool logY = false;
    long long unit = -1; // mei-grid: one unit (kept for scripts); --units/--top/--bottom choose several
    std::string units;
    int top = 0, bottom = 0;
    std::string study, y = "ii_lpips", hue, y2; // study: folder, II column, grouping axis, second axis
};

/// Widgets need a QApplication; on a machine without a display use the offscreen platform.
std::unique_ptr<QApplication> ensureApplication()
{
    if (QApplication::instance())
        return nullptr;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")
        && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "repalign-cli";
    static char* argv[] = {name, nullptr};
    return std::make_unique<QApplication>(argc, argv);
}

/// What every figure kind shares: the output file, its preset, and the analyses' labels.
struct FigureTarget {
    QString out;
    repalign::gui::FigurePreset preset {};
    const std::vector<std::string>* labels = nullptr;
    QString label(std::size_t i) const { return i < labels->size() ? QString::fromStdString((*labels)[i]) : QString(); }
};

using namespace repalign;
using namespace repalign::gui;

void lossFigure(const FigureArgs& a, const FigureTarget& f)
{
    if (a.runs.empty())
        throw Error("figure --kind loss needs --run DIR (repeatable)");
    MetricsModel model;
    QStringList runs;
    for (const std::string& r : a.runs) {
        const QString path = QFileInfo(QString::fromStdString(r)).absoluteFilePath();
        if (!QFileInfo::exists(QString::fromStdString(RunLayout(path.toStdString()).metrics())))
            throw Error("run '" + r + "' has no metrics.csv");
        model.addRun(path);
        runs << path;
    }
    const QString metric = a.metric.empty() ? QStringLiteral("loss") : QString::fromStdString(a.metric);
    if (!model.metricNames().contains(metric))
        throw Error("metric '" + metric.toStdString()
            + "' is not in the runs' metrics.csv (valid: " + model.metricNames().join(QStringLiteral(", ")).toStdString() + ")");
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
    const FigurePresetInfo info = figurePresetInfo(f.preset);
    plot.resize(static_cast<int>(info.inches.width() * kLayoutDpi), static_cast<int>(info.inches.height() * kLayoutDpi));
    plot.setSeries(model, runs, runColors(runs), options);
    exportPlotFigure(&plot, f.out, f.preset, a.dpi);
}

void iiFigure(const FigureArgs& a, const FigureTarget& f)
{
    const QString metric = a.metric.empty() ? QStringLiteral("lpips") : QString::fromStdString(a.metric);
    if (metric != QLatin1String("lpips") && metric != QLatin1String("color") && metric != QLatin1String("label"))
        throw Error("--metric '" + metric.toStdString() + "' is not an II metric (valid: lpips, color, label)");
    if (a.analyses.empty())
        throw Error("figure --kind " + a.kind + " needs --analysis FILE (repeatable)");
    QList<DistributionGroup> groups;
    for (std::size_t i = 0; i < a.analyses.size(); ++i)
        groups << loadDistributionGroup(QString::fromStdString(a.analyses[i]), metric, f.label(i));
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
    exportPlotFigure(&plot, f.out, f.preset, a.dpi);
}

void meiGridFigure(const FigureArgs& a, const FigureTarget& f)
{
    if (a.analyses.empty() || a.analyses.size() > 2)
        throw Error("figure --kind mei-grid needs --analysis FILE (one, or two to compare side by side)");
    const std::string metric = a.metric.empty() ? "lpips" : a.metric;
    if (metric != "lpips" && metric != "color" && metric != "label")
        throw Error("--metric '" + metric + "' is not an II metric (valid: lpips, color, label)");
    std::vector<std::unique_ptr<NeuronModel>> models;
    QList<MeiFigureSource> sources;
    for (std::size_t i = 0; i < a.analyses.size(); ++i) {
        models.push_back(std::make_unique<NeuronModel>());
        NeuronModel* model = models.back().get();
        model->open(QString::fromStdString(a.analyses[i]));
        QString name = f.label(i);
        if (name.isEmpty())
            name = analysisRunName(*model->analysis());
        sources << MeiFigureSource {model->analysis(), name, [model](std::int64_t l) { return model->className(l); }};
    }
    const AnalysisFile& first = *sources.front().file;
    const int chosen = (a.unit >= 0 ? 1 : 0) + (a.units.empty() ? 0 : 1) + (a.top > 0 ? 1 : 0) + (a.bottom > 0 ? 1 : 0);
    if (chosen > 1)
        throw Error("figure --kind mei-grid: give one of --unit, --units, --top, --bottom");
    std::vector<std::int64_t> units;
    if (a.unit >= 0)
        units = parseUnitList(QString::number(a.unit), first.units);
    else if (!a.units.empty())
        units = parseUnitList(QString::fromStdString(a.units), first.units);
    else if (a.bottom > 0)
        units = rankUnits(first, metric, a.bottom, false);
    else
        units = rankUnits(first, metric, a.top > 0 ? a.top : 4, true);
    exportMeiGridFigure(buildMeiGridFigure(sources, units, metric), f.out, f.preset, a.dpi);
}

void synthGridFigure(const FigureArgs& a, const FigureTarget& f)
{
    if (a.analyses.size() != 1)
        throw Error("figure --kind synth-grid needs one --analysis FILE holding /synth (repalign-cli visualize --out FILE)");
    const std::string path = a.analyses.front();
    SynthIndex synth;
    if (!readSynthIndex(path, synth))
        throw Error(path + " has no /synth (write it with repalign-cli visualize --out " + path + ")");
    const std::string noun = synth.objective == "voxel" ? "voxel" : synth.objective == "channel" ? "channel" : "unit";
    std::vector<std::int64_t> units;
    if (!a.units.empty()) {
        units = parseIndexList(a.units, "--units");
        for (std::int64_t u : units)
            if (synth.find(u) < 0)
                throw Error("--units: " + noun + " " + std::to_string(u) + " has no synthesised images in " + path);
    } else {
        units.assign(
            synth.units.begin(), synth.units.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(synth.units.size(), 4)));
    }
    // Beside the dataset MEIs when the file is an analysis of the same layer's units.
    std::unique_ptr<NeuronModel> model;
    try {
        if (synth.objective != "voxel") {
            model = std::make_unique<NeuronModel>();
            model->open(QString::fromStdString(path));
            if (model->analysis()->layer != synth.layer)
                model.reset();
        }
    } catch (const Error&) {
        model.reset();
    }
    MeiGridFigure figure;
    if (model) {
        const QString name = a.labels.empty() ? analysisRunName(*model->analysis()) : QString::fromStdString(a.labels.front());
        NeuronModel* m = model.get();
        figure = buildMeiGridFigure({MeiFigureSource {m->analysis(), name, [m](std::int64_t l) { return m->className(l); }}},
            units, a.metric.empty() ? "lpips" : a.metric);
    } else {
        for (std::int64_t u : units) {
            figure.units << u;
            figure.blocks << QList<MeiFigureBlock>();
        }
    }
    figure.models << QCoreApplication::translate("repalign::cli::Figure", "synthesised");
    for (int row = 0; row < figure.units.size(); ++row) {
        const std::int64_t u = figure.units[row];
        const std::int64_t e = synth.find(u);
        const std::size_t first = static_cast<std::size_t>(e) * static_cast<std::size_t>(synth.starts);
        MeiFigureBlock block;
        block.heading = QStringLiteral("%1 %2").arg(QString::fromStdString(noun)).arg(u);
        block.score = QCoreApplication::translate("repalign::cli::Figure", "best %1")
                          .arg(QString::number(
                              static_cast<double>(
                                  synth.activations[first + static_cast<std::size_t>(synth.best[static_cast<std::size_t>(e)])]),
                              'g', 4));
        const auto images = readSynthImages(path, synth, e);
        for (int r = 0; r < static_cast<int>(images.size()); ++r) {
            MeiFigureCell cell;
            cell.image = rgbImage(images[static_cast<std::size_t>(r)].data(), synth.height, synth.width);
            cell.activation = synth.activations[first + static_cast<std::size_t>(r)];
            cell.label = QCoreApplication::translate("repalign::cli::Figure", "start %1").arg(r + 1);
            block.cells << cell;
        }
        figure.blocks[row] << block;
    }
    exportMeiGridFigure(figure, f.out, f.preset, a.dpi);
}

void layerProfileFigure(const FigureArgs& a, const FigureTarget& f)
{
    if (a.analyses.size() != 1)
        throw Error("figure --kind layer-profile needs one --analysis FILE written by repalign-cli align");
    const AlignmentScores scores = readAlignment(a.analyses.front());
    const std::string score = a.metric.empty() ? "rsa" : a.metric;
    const auto names = alignmentScoreNames();
    if (std::find(names.begin(), names.end(), score) == names.end())
        throw Error("--metric '" + score + "' is not an alignment score (valid: " + joinChoices(names) + ")");
    QCustomPlot plot;
    stylePlot(&plot);
    plotLayerProfile(&plot, scores, QString::fromStdString(score));
    exportPlotFigure(&plot, f.out, f.preset, a.dpi);
}

void studyFigure(const FigureArgs& a, const FigureTarget& f)
{
    if (a.study.empty())
        throw Error("figure --kind study needs --study DIR (a study folder)");
    const std::string metric = a.y.rfind("ii_", 0) == 0 ? a.y.substr(3) : a.y;
    if (metric != "lpips" && metric != "color" && metric != "label")
        throw Error("--y '" + a.y + "' is not an II column (valid: ii_lpips, ii_color, ii_label)");
    if (!a.y2.empty() && a.y2 != "accuracy")
        throw Error("--y2 '" + a.y2 + "' is not known (valid: accuracy)");
    const StudyTable table = compareStudy(readStudyFolder(a.study), metric);
    QList<StudyFigureSeriesPoint> points;
    for (const auto& p : studyFigurePoints(table, a.x, a.hue))
        points << StudyFigureSeriesPoint {
            QString::fromStdString(p.x), QString::fromStdString(p.hue), p.mean, p.low, p.high, p.y2};
    if (points.isEmpty())
        throw Error("figure --kind study: no finished analysis has a value for axis '" + a.x + "' yet");
    QCustomPlot plot;
    stylePlot(&plot);
    plotStudyFigure(&plot, points, QString::fromStdString(a.x),
        QStringLiteral("%1 (mean, 95% CI)").arg(metricLabel(QString::fromStdString(metric))),
        a.y2.empty() ? QString() : QStringLiteral("accuracy"), QString::fromStdString(a.hue));
    exportPlotFigure(&plot, f.out, f.preset, a.dpi);
}

void psychFigure(const FigureArgs& a, const FigureTarget& f)
{
    if (a.analyses.size() != 1)
        throw Error("figure --kind " + a.kind + " needs one --analysis FILE written by repalign-cli psych import (or simulate)");
    const std::string metric = a.metric.empty() ? "lpips" : a.metric;
    if (a.kind == "psych-ii" && metric != "lpips" && metric != "color")
        throw Error("--metric '" + metric + "' is not an II of the psychophysics units (valid: lpips, color)");
    const psych::PsychSummary summary = psych::readPsychSummary(a.analyses.front());
    QCustomPlot plot;
    stylePlot(&plot);
    if (a.kind == "psych-accuracy")
        plotPsychAccuracy(&plot, summary);
    else
        plotPsychIi(&plot, summary, QString::fromStdString(metric));
    exportPlotFigure(&plot, f.out, f.preset, a.dpi);
}

/// robustness, corruption-heatmap, reliability, human-agreement: /behaviour of repalign-cli behave.
void behaviourFigure(const FigureArgs& a, const FigureTarget& f)
{
    if (a.analyses.empty())
        throw Error("figure --kind " + a.kind
            + " needs --analysis FILE (a file with /behaviour from repalign-cli behave; repeatable, the baseline first)");
    if (!a.metric.empty() && a.kind != "robustness")
        throw Error("--metric is not used by --kind " + a.kind + " (robustness takes all | pgd | corruption)");
    QList<BehaviourModel> models;
    for (std::size_t i = 0; i < a.analyses.size(); ++i)
        models << loadBehaviourModel(QString::fromStdString(a.analyses[i]), f.label(i));
    // Files of the same name in different folders: named by their position.
    for (int i = 0; i < models.size(); ++i)
        for (int j = i + 1; j < models.size(); ++j)
            if (models[i].label == models[j].label)
                for (int k : {i, j})
                    models[k].label = QStringLiteral("%1 (%2)").arg(models[k].label).arg(k + 1);
    for (const QString& note : behaviourMismatchNotes(models))
        std::cerr << "note: " << note.toStdString() << "\n";
    QCustomPlot plot;
    stylePlot(&plot);
    plotBehaviourFigure(&plot, QString::fromStdString(a.kind), models, QString::fromStdString(a.metric));
    exportPlotFigure(&plot, f.out, f.preset, a.dpi);
}

/// One row per --kind: add a figure kind by writing its function and adding a row here.
struct FigureKind {
    const char* name;
    void (*render)(const FigureArgs&, const FigureTarget&);
};

const FigureKind kFigureKinds[] = {
    {"loss", lossFigure},
    {"ii-distribution", iiFigure},
    {"ii-scatter", iiFigure},
    {"mei-grid", meiGridFigure},
    {"layer-profile", layerProfileFigure},
    {"synth-grid", synthGridFigure},
    {"study", studyFigure},
    {"psych-accuracy", psychFigure},
    {"psych-ii", psychFigure},
    {"robustness", behaviourFigure},
    {"corruption-heatmap", behaviourFigure},
    {"reliability", behaviourFigure},
    {"human-agreement", behaviourFigure},
};

std::string figureKindChoices(const char* separator)
{
    std::string s;
    for (const FigureKind& k : kFigureKinds)
        s += (s.empty() ? "" : separator) + std::string(k.name);
    return s;
}

void run(const FigureArgs& a)
{
    const auto kind
        = std::find_if(std::begin(kFigureKinds), std::end(kFigureKinds), [&](const FigureKind& k) { return a.kind == k.name; });
    if (kind == std::end(kFigureKinds))
        throw Error("figure --kind '" + a.kind + "' is not known (valid: " + figureKindChoices(", ") + ")");
    FigureTarget target;
    target.out = QString::fromStdString(a.out);
    figureFormat(target.out); // fails early on an unknown suffix
    target.preset = parseFigurePreset(QString::fromStdString(a.preset));
    target.labels = &a.labels;
    auto app = ensureApplication();
    QDir().mkpath(QFileInfo(target.out).absolutePath());
    kind->render(a, target);
    std::cout << "wrote " << a.out << " (" << a.preset << ")\n";
}

} // namespace

static repalign::cli::CommandRegistrar reg(80, [](CLI::App& app) {
    auto args = std::make_shared<FigureArgs>();
    auto* sub = app.add_subcommand("figure",
        "Render the workbench's figures headless: loss curves, II distributions, "
        "paired II scatter, MEI grids, brain-alignment layer profiles, synthesised MEIs (PNG, SVG or PDF)");
    sub->add_option("--kind", args->kind, figureKindChoices(" | "))->required();
    sub->add_option("--run", args->runs, "Run directory (loss; repeatable to overlay runs)");
    sub->add_option("--analysis", args->analyses,
        "Analysis .h5 (ii-*, mei-grid; repeatable); layer-profile: the file of repalign-cli align; synth-grid: a file with "
        "/synth; psych-*: the output of repalign-cli psych import; robustness, corruption-heatmap, reliability, "
        "human-agreement: files with /behaviour (repalign-cli behave), the baseline first");
    sub->add_option("--labels", args->labels, "Names for the analyses, in order")->delimiter(',');
    sub->add_option("--out", args->out, "Figure file: .png, .svg or .pdf")->required();
    sub->add_option("--preset", args->preset, "talk (16:9 slide) | column (3.5 in) | two-column (7 in)")->capture_default_str();
    sub->add_option("--dpi", args->dpi, "PNG resolution")->capture_default_str()->check(CLI::Range(36, 1200));
    sub->add_option("--metric", args->metric,
        "loss: a metrics.csv name (loss, acc, lr, ...); ii-*: lpips | color | label; layer-profile: rsa | cka | "
        "r_median | normalized_median; psych-ii: lpips | color; robustness: all | pgd | corruption (panels)");
    sub->add_option("--plot", args->plot, "ii-distribution: histogram | violin | box")->capture_default_str();
    sub->add_option("--x", args->x, "loss: step | epoch | wall; study: a grid axis (e.g. tune.alpha)")->capture_default_str();
    sub->add_option("--study", args->study, "study: the study folder (study run / export-slurm --out)");
    sub->add_option("--y", args->y, "study: ii_lpips | ii_color | ii_label (mean with a 95% bootstrap CI)")
        ->capture_default_str();
    sub->add_option("--hue", args->hue, "study: a grid axis whose values get one line each (e.g. tune.rois)");
    sub->add_option("--y2", args->y2, "study: accuracy on a second y axis");
    sub->add_option("--smoothing", args->smoothing, "loss: EMA weight in [0, 1)")->capture_default_str();
    sub->add_flag("--log-y", args->logY, "loss: logarithmic y axis");
    sub->add_option("--unit", args->unit, "mei-grid: one unit");
    sub->add_option("--units", args->units, "mei-grid, synth-grid: units and ranges, e.g. 3,17,40-43");
    sub->add_option("--top", args->top, "mei-grid: the N units with the largest II (--metric) of the first analysis (default 4)");
    sub->add_option("--bottom", args->bottom, "mei-grid: the N units with the smallest II of the first analysis");
    sub->callback([args] { run(*args); });
});
