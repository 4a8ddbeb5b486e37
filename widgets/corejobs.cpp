#include "corejobs.h"

#include "interpret/synth_ii.h"
#include "run/import_checkpoint.h"
#include "run/rundir.h"
#include "train/trainer.h"
#include "train/tuner.h"

#include <QDir>
#include <QFileInfo>

namespace repalign::gui {

JobSpec makeTrainJob(const TrainConfig& config, const QString& runDir)
{
    JobSpec spec;
    spec.kind = QStringLiteral("train");
    spec.runDir = runDir;
    spec.title = QObject::tr("Train %1 (%2)").arg(QFileInfo(runDir).fileName(), QString::fromStdString(config.model));
    spec.work = [config, runDir](ProgressSink& sink, const CancelToken& cancel) {
        TrainJob job(config, runDir.toStdString());
        const TrainResult r = job.run(sink, cancel);
        JobOutcome out;
        out.state = r.status;
        out.message = r.message.empty() ? QObject::tr("%1 epochs, val acc %2").arg(r.epochsDone).arg(r.lastValAcc, 0, 'f', 4)
                                        : QString::fromStdString(r.message);
        return out;
    };
    return spec;
}

JobSpec makeTuneJob(const TuneConfig& config, const QString& runDir)
{
    JobSpec spec;
    spec.kind = QStringLiteral("tune");
    spec.runDir = runDir;
    spec.title = QObject::tr("Fine-tune %1 on %2")
                     .arg(QFileInfo(runDir).fileName(), QString::fromStdString(config.rois.empty() ? "" : config.rois.front()));
    spec.work = [config, runDir](ProgressSink& sink, const CancelToken& cancel) {
        TuneJob job(config, runDir.toStdString());
        const TuneResult r = job.run(sink, cancel);
        JobOutcome out;
        out.state = r.status;
        QString msg = QString::fromStdString(r.message);
        if (msg.isEmpty()) {
            msg = QObject::tr("%1 epochs").arg(r.epochsDone);
            for (const TuneRoiResult& roi : r.best)
                msg += QObject::tr(", %1 median r %2").arg(QString::fromStdString(roi.roi)).arg(roi.rMedian, 0, 'f', 3);
            if (r.lastValAcc >= 0)
                msg += QObject::tr(", val acc %1").arg(r.lastValAcc, 0, 'f', 4);
        }
        out.message = msg;
        return out;
    };
    return spec;
}

JobSpec makeAnalyzeJob(const AnalyzeOptions& options)
{
    JobSpec spec;
    spec.kind = QStringLiteral("analyze");
    const QString out = QString::fromStdString(options.out);
    // analysis/<name>.h5 inside a run: the run is two levels up.
    const QDir dir = QFileInfo(out).dir();
    spec.runDir
        = dir.dirName() == QLatin1String(RunLayout::kAnalysisDir) ? QFileInfo(dir.absolutePath()).absolutePath() : QString();
    if (options.iiOn != "dataset") {
        // The II on synthesised images (analyze --ii-on synth|synth:FILE): /ii_synth added to out.
        spec.title = QObject::tr("II on synthesised images → %1").arg(QFileInfo(out).fileName());
        spec.work = [options](ProgressSink& sink, const CancelToken& cancel) {
            QDir().mkpath(QFileInfo(QString::fromStdString(options.out)).absolutePath());
            const SynthIIValues v = computeSynthII(synthIIOptions(options), sink, cancel);
            double lpips = 0;
            for (float x : v.lpips)
                lpips += x;
            JobOutcome outcome;
            outcome.message = QObject::tr("%1 units, II-LPIPS on synthesised images %2%3")
                                  .arg(v.units.size())
                                  .arg(v.lpips.empty() ? 0.0 : lpips / static_cast<double>(v.lpips.size()), 0, 'f', 3)
                                  .arg(v.lpipsCalibrated ? QString() : QObject::tr(" (uncalibrated LPIPS)"));
            return outcome;
        };
        return spec;
    }
    spec.title = QObject::tr("Analyse %1 (%2)").arg(QFileInfo(out).fileName(), QString::fromStdString(options.layer));
    spec.work = [options](ProgressSink& sink, const CancelToken& cancel) {
        QDir().mkpath(QFileInfo(QString::fromStdString(options.out)).absolutePath());
        AnalyzeJob job(options);
        const AnalyzeResult r = job.run(sink, cancel);
        JobOutcome outcome;
        outcome.message = QObject::tr("%1 units, II-LPIPS %2 ± %3%4")
                              .arg(r.units)
                              .arg(r.iiLpipsMean, 0, 'f', 3)
                              .arg(r.iiLpipsStd, 0, 'f', 3)
                              .arg(r.lpipsCalibrated ? QString() : QObject::tr(" (uncalibrated LPIPS)"));
        return outcome;
    };
    return spec;
}

JobSpec makeBehaveJob(const behaviour::BehaveOptions& options)
{
    JobSpec spec;
    spec.kind = QStringLiteral("behave");
    const QString out = QString::fromStdString(options.out);
    const QDir dir = QFileInfo(out).dir();
    spec.runDir
        = dir.dirName() == QLatin1String(RunLayout::kAnalysisDir) ? QFileInfo(dir.absolutePath()).absolutePath() : QString();
    spec.title = QObject::tr("Behaviour %1 (%2)")
                     .arg(QFileInfo(out).fileName(), QFileInfo(QString::fromStdString(options.checkpoint)).fileName());
    spec.work = [options](ProgressSink& sink, const CancelToken& cancel) {
        QDir().mkpath(QFileInfo(QString::fromStdString(options.out)).absolutePath());
        const behaviour::BehaveResult r = behaviour::runBehave(options, sink, cancel);
        const behaviour::BehaviourData& d = r.data;
        QStringList parts;
        parts << QObject::tr("accuracy %1, ECE %2").arg(d.accuracy, 0, 'f', 4).arg(d.calibration.ece, 0, 'f', 4);
        if (d.human.present)
            parts << QObject::tr("human agreement %1").arg(d.human.agreement, 0, 'f', 4);
        if (d.corruption.present)
            parts << QObject::tr("CIFAR-10-C %1").arg(d.corruption.meanAccuracy, 0, 'f', 4);
        for (const behaviour::PgdCurve& p : d.pgd)
            if (!p.accuracy.empty())
                parts << QObject::tr("PGD %1 %2 at the largest ε")
                             .arg(QString::fromStdString(p.norm))
                             .arg(p.accuracy.back(), 0, 'f', 4);
        JobOutcome outcome;
        outcome.message = parts.join(QStringLiteral("; "));
        return outcome;
    };
    return spec;
}

JobSpec makeImportJob(const QString& file, const QString& runDir)
{
    JobSpec spec;
    spec.kind = QStringLiteral("import");
    spec.title = QObject::tr("Import %1 as %2").arg(QFileInfo(file).fileName(), QFileInfo(runDir).fileName());
    spec.work = [file, runDir](ProgressSink&, const CancelToken&) {
        const ImportResult r = importCheckpoint(file.toStdString(), runDir.toStdString());
        JobOutcome out;
        out.message = QObject::tr("%1 in %2").arg(QString::fromStdString(r.summary), runDir);
        return out;
    };
    return spec;
}

QString demoComparisonText(const DemoResult& r)
{
    QStringList parts;
    if (!r.behaviourComparison.empty())
        parts << QObject::tr("Behaviour, baseline vs neural-tuned:") + QLatin1Char('\n')
                + QString::fromStdString(r.behaviourComparison).trimmed();
    if (!r.comparison.empty())
        parts << QObject::tr("II-LPIPS, baseline vs neural-tuned (layer4, k=5):") + QLatin1Char('\n')
                + QString::fromStdString(r.comparison).trimmed();
    return parts.join(QStringLiteral("\n\n"));
}

JobSpec makeDemoJob(const DemoOptions& options, std::shared_ptr<DemoResult> result)
{
    JobSpec spec;
    spec.kind = QStringLiteral("demo");
    spec.title = QObject::tr("Demo pipeline");
    spec.work = [options, result](ProgressSink& sink, const CancelToken& cancel) {
        const DemoResult r = runDemo(options, sink, cancel);
        // The window shows the comparison tables (MainWindow::showDemoResult); the queue's message stays one line.
        if (result)
            *result = r;
        JobOutcome out;
        out.state = r.status;
        QStringList lines;
        for (const auto& s : r.summary)
            lines << QString::fromStdString(s);
        out.message = lines.join(QStringLiteral("; "));
        return out;
    };
    return spec;
}

} // namespace repalign::gui
