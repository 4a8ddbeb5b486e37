#include "setuppanel.h"

#include "analysisformpanel.h"
#include "background.h"
#include "behaveformpanel.h"
#include "corejobs.h"
#include "trainformpanel.h"
#include "tuneformpanel.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "run/project.h"
#include "run/rundir.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QVBoxLayout>

namespace repalign::gui {

SetupPanel::SetupPanel(QWidget* parent)
    : QWidget(parent)
{
    m_train = new TrainFormPanel;
    m_tune = new TuneFormPanel;
    m_analysis = new AnalysisFormPanel;
    m_behave = new BehaveFormPanel;
    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    auto scrolled = [](QWidget* w) {
        auto* s = new QScrollArea;
        s->setWidgetResizable(true);
        s->setFrameShape(QFrame::NoFrame);
        s->setWidget(w);
        return s;
    };
    m_tabs->addTab(scrolled(m_train), tr("Baseline training"));
    m_tabs->addTab(scrolled(m_tune), tr("Neural fine-tuning"));
    m_tabs->addTab(scrolled(m_analysis), tr("Analysis"));
    m_tabs->addTab(scrolled(m_behave), tr("Behaviour"));

    m_launch = new QPushButton(QIcon(QStringLiteral(":/icons/launch.svg")), tr("&Launch"));
    m_launch->setDefault(true);
    m_launch->setToolTip(tr("Queue this as a job (Ctrl+Return)"));
    m_launch->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    auto* load = new QPushButton(tr("Load YAML…"));
    auto* save = new QPushButton(QIcon(QStringLiteral(":/icons/save.svg")), tr("Save YAML…"));
    auto* cluster = new QPushButton(QIcon(QStringLiteral(":/icons/cluster.svg")), tr("Export for cluster…"));
    cluster->setToolTip(tr("Writes the YAML and an sbatch script that runs repalign-cli with it"));
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_estimate = new QLabel;
    m_estimate->setObjectName(QStringLiteral("durationEstimate"));
    m_estimate->setWordWrap(true);
    m_estimate->setToolTip(tr("From the images per second measured by this project's last training run on the same device"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_status, 1);
    bar->addWidget(m_estimate, 1);
    bar->addWidget(load);
    bar->addWidget(save);
    bar->addWidget(cluster);
    bar->addWidget(m_launch);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addLayout(bar);

    connect(m_launch, &QPushButton::clicked, this, &SetupPanel::launch);
    connect(load, &QPushButton::clicked, this, &SetupPanel::loadYaml);
    connect(save, &QPushButton::clicked, this, &SetupPanel::saveYaml);
    connect(cluster, &QPushButton::clicked, this, &SetupPanel::exportForClusterDialog);
    connect(m_tabs, &QTabWidget::currentChanged, this, &SetupPanel::updateState);
    for (ConfigForm* f : {static_cast<ConfigForm*>(m_train), static_cast<ConfigForm*>(m_tune),
             static_cast<ConfigForm*>(m_analysis), static_cast<ConfigForm*>(m_behave)})
        connect(f, &ConfigForm::validityChanged, this, &SetupPanel::updateState);

    // The project's checkpoints (folder scans) and the duration estimate (metrics reads) are
    // worked out off the UI thread, after the changes settle.
    m_scanTimer.setSingleShot(true);
    m_scanTimer.setInterval(300);
    connect(&m_scanTimer, &QTimer::timeout, this, &SetupPanel::scanNow);
    m_estimateTimer.setSingleShot(true);
    m_estimateTimer.setInterval(300);
    connect(&m_estimateTimer, &QTimer::timeout, this, &SetupPanel::updateEstimate);
    connect(m_train, &ConfigForm::changed, &m_estimateTimer, qOverload<>(&QTimer::start));
    connect(m_tabs, &QTabWidget::currentChanged, &m_estimateTimer, qOverload<>(&QTimer::start));
    updateState();
}

void SetupPanel::setProjectPath(const QString& path)
{
    m_project = path;
    m_train->setProjectPath(path);
    m_checkpoints.clear();
    updateState();
    rescanProject();
}

void SetupPanel::rescanProject()
{
    m_scanTimer.start();
    m_estimateTimer.start(); // a run that finished is a new measurement
}

void SetupPanel::scanNow()
{
    if (m_project.isEmpty())
        return;
    if (m_scanning) { // one scan at a time; the latest request runs after it
        m_scanAgain = true;
        return;
    }
    m_scanning = true;
    const std::string project = m_project.toStdString();
    runInBackground(
        this,
        [project] {
            std::vector<ProjectCheckpoint> list;
            try {
                list = listProjectCheckpoints(project);
            } catch (const std::exception&) {
            }
            return list;
        },
        [this, project](std::vector<ProjectCheckpoint> list) {
            m_scanning = false;
            if (m_scanAgain) {
                m_scanAgain = false;
                m_scanTimer.start();
            }
            if (project != m_project.toStdString())
                return; // another project was opened meanwhile
            QList<ConfigForm::ProjectCheckpoint> entries;
            m_checkpoints.clear();
            for (const ProjectCheckpoint& c : list) {
                entries.append({QStringLiteral("%1 ▸ %2").arg(QString::fromStdString(c.run), QString::fromStdString(c.file)),
                    QString::fromStdString(c.path)});
                m_checkpoints.append({QString::fromStdString(c.runDir), QString::fromStdString(c.path)});
            }
            m_tune->setProjectCheckpoints(entries);
            m_analysis->setProjectCheckpoints(entries);
            m_behave->setProjectCheckpoints(entries);
            Q_EMIT projectScanned();
        });
}

QString SetupPanel::preferredCheckpoint(const QString& runDir) const
{
    for (const auto& [run, path] : m_checkpoints)
        if (run == runDir)
            return path;
    // Not in the last scan (a run that just wrote its first checkpoint): one folder listing.
    return QString::fromStdString(repalign::preferredCheckpoint(runDir.toStdString()));
}

void SetupPanel::fineTuneFrom(const QString& runDir)
{
    const QString ckpt = preferredCheckpoint(runDir);
    if (ckpt.isEmpty()) {
        Q_EMIT message(tr("%1 has no checkpoint yet").arg(runDir));
        return;
    }
    m_tune->setBaseCheckpoint(ckpt);
    m_tune->setRunName(QStringLiteral("%1-tuned").arg(QFileInfo(runDir).fileName()));
    showForm(1);
}

void SetupPanel::analyse(const QString& runDir)
{
    const QString ckpt = preferredCheckpoint(runDir);
    if (ckpt.isEmpty()) {
        Q_EMIT message(tr("%1 has no checkpoint yet").arg(runDir));
        return;
    }
    m_analysis->setCheckpoint(ckpt);
    // The data the run was validated on (its run.yaml, a small file).
    const std::string data = baseRunValidationData(ckpt.toStdString());
    if (!data.empty())
        m_analysis->setData(QString::fromStdString(data));
    showForm(2);
}

QString SetupPanel::estimateText() const
{
    return m_estimate->isHidden() ? QString() : m_estimate->text();
}

void SetupPanel::updateEstimate()
{
    const int generation = ++m_estimateGeneration;
    if (currentForm() != m_train || m_project.isEmpty() || !m_train->isValid()) {
        m_estimate->clear();
        m_estimate->setVisible(false);
        return;
    }
    TrainConfig config;
    try {
        config = m_train->config();
    } catch (const Error&) {
        m_estimate->setVisible(false);
        return;
    }
    const std::string project = m_project.toStdString();
    runInBackground(
        this, [project, config] { return estimateTrainingDuration(project, config); },
        [this, generation, device = QString::fromStdString(config.device)](const DurationEstimate& e) {
            if (generation != m_estimateGeneration)
                return;
            const QLocale locale;
            if (e.seconds >= 0) {
                m_estimate->setText(
                    tr("About %1 (%2 images at %3 images/s, measured by %4)")
                        .arg(QString::fromStdString(formatDuration(e.seconds)), locale.toString(static_cast<qlonglong>(e.images)),
                            locale.toString(e.speed.imagesPerSecond, 'f', 0),
                            QFileInfo(QString::fromStdString(e.speed.run)).fileName()));
            } else {
                m_estimate->setText(tr("Duration: no measurement yet on %1 (%2 images to train on)")
                                        .arg(device, locale.toString(static_cast<qlonglong>(e.images))));
            }
            m_estimate->setVisible(true);
            Q_EMIT estimateUpdated();
        });
}

ConfigForm* SetupPanel::currentForm() const
{
    switch (m_tabs->currentIndex()) {
    case 1:
        return m_tune;
    case 2:
        return m_analysis;
    case 3:
        return m_behave;
    default:
        return m_train;
    }
}

void SetupPanel::showForm(int index)
{
    m_tabs->setCurrentIndex(index);
}

void SetupPanel::updateState()
{
    ConfigForm* f = currentForm();
    m_launch->setEnabled(f->isValid());
    if (f->isValid()) {
        m_status->setStyleSheet(QString());
        m_status->setText(tr("Ready. Runs are written to %1").arg(m_project.isEmpty() ? tr("(no project open)") : m_project));
    } else {
        m_status->setStyleSheet(QStringLiteral("color: #c0392b;"));
        m_status->setText(f->errorText());
    }
}

JobSpec SetupPanel::buildJob() const
{
    ConfigForm* f = currentForm();
    if (!f->validateNow())
        throw Error(f->errorText().toStdString());
    if (m_project.isEmpty())
        throw Error("no project is open (File > Open project)");
    if (f == m_analysis) {
        AnalyzeOptions o = m_analysis->options();
        // Next to the checkpoint's run: <run>/analysis/<name>.h5, else the project's analysis folder.
        QDir ckptDir = QFileInfo(QString::fromStdString(o.checkpoint)).absoluteDir();
        QString runDir = ckptDir.dirName() == QLatin1String(RunLayout::kCheckpointsDir)
            ? QFileInfo(ckptDir.absolutePath()).absolutePath()
            : QDir(m_project).filePath(QStringLiteral("analyses"));
        o.out = RunLayout(runDir.toStdString()).analysis(m_analysis->runName().toStdString());
        return makeAnalyzeJob(o);
    }
    if (f == m_behave) {
        behaviour::BehaveOptions o = m_behave->options();
        // As the analysis: <run>/analysis/<name>.h5 (an existing analysis there gains /behaviour).
        QDir ckptDir = QFileInfo(QString::fromStdString(o.checkpoint)).absoluteDir();
        QString runDir = ckptDir.dirName() == QLatin1String(RunLayout::kCheckpointsDir)
            ? QFileInfo(ckptDir.absolutePath()).absolutePath()
            : QDir(m_project).filePath(QStringLiteral("analyses"));
        o.out = RunLayout(runDir.toStdString()).analysis(m_behave->runName().toStdString());
        return makeBehaveJob(o);
    }
    QString runDir = QDir(m_project).filePath(f->runName());
    for (int i = 2; QFileInfo::exists(runDir); ++i)
        runDir = QDir(m_project).filePath(QStringLiteral("%1-%2").arg(f->runName()).arg(i));
    if (f == m_tune)
        return makeTuneJob(m_tune->config(), runDir);
    return makeTrainJob(m_train->config(), runDir);
}

void SetupPanel::launch()
{
    try {
        const JobSpec spec = buildJob();
        Q_EMIT launchRequested(spec);
        Q_EMIT message(tr("Queued: %1").arg(spec.title));
    } catch (const Error& e) {
        QMessageBox::warning(this, tr("Cannot launch"), QString::fromStdString(e.what()));
    }
}

void SetupPanel::saveYaml()
{
    ConfigForm* f = currentForm();
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save YAML"), QDir(m_project).filePath(f->runName() + QStringLiteral(".yaml")), tr("YAML (*.yaml *.yml)"));
    if (path.isEmpty())
        return;
    try {
        writeFileAtomic(path.toStdString(), f->yaml().toStdString());
        Q_EMIT message(tr("Saved %1").arg(path));
    } catch (const Error& e) {
        QMessageBox::warning(this, tr("Cannot save"), QString::fromStdString(e.what()));
    }
}

void SetupPanel::loadYaml()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load YAML"), m_project, tr("YAML (*.yaml *.yml);;All files (*)"));
    if (path.isEmpty())
        return;
    try {
        currentForm()->loadYamlFile(path);
        Q_EMIT message(tr("Loaded %1").arg(path));
    } catch (const Error& e) {
        QMessageBox::warning(this, tr("Cannot load"), QString::fromStdString(e.what()));
    }
}

QString SetupPanel::exportForCluster(const QString& folder) const
{
    ConfigForm* f = currentForm();
    if (!f->validateNow())
        throw Error(f->errorText().toStdString());
    QDir().mkpath(folder);
    const QString name = f->runName();
    const QString yamlPath = QDir(folder).filePath(QStringLiteral("%1-%2.yaml").arg(f->kind(), name));
    const QString scriptPath = QDir(folder).filePath(QStringLiteral("%1-%2.sbatch").arg(f->kind(), name));
    writeFileAtomic(yamlPath.toStdString(), f->yaml().toStdString());
    const bool cuda = f->yaml().contains(QStringLiteral("device: cuda")) || f->yaml().contains(QStringLiteral("device: \"cuda"));
    QString script;
    QTextStream o(&script);
    o << "#!/bin/bash\n";
    o << "# Written by RepAlign Workbench: submit with  sbatch " << QFileInfo(scriptPath).fileName() << "\n";
    o << "#SBATCH --job-name=repalign-" << f->kind() << "-" << name << "\n";
    o << "#SBATCH --output=repalign-" << f->kind() << "-" << name << "-%j.out\n";
    o << "#SBATCH --cpus-per-task=8\n#SBATCH --mem=32G\n#SBATCH --time=24:00:00\n";
    if (cuda)
        o << "#SBATCH --gres=gpu:1\n";
    o << "set -euo pipefail\ncd \"${SLURM_SUBMIT_DIR:-$(dirname \"$0\")}\"\n";
    o << "REPALIGN_CLI=${REPALIGN_CLI:-repalign-cli}\n";
    QString command = f->cliCommand(QFileInfo(yamlPath).fileName(),
        f->kind() == QLatin1String("analyze") || f->kind() == QLatin1String("behave") ? QStringLiteral("analysis")
                                                                                      : QStringLiteral("runs/") + name);
    command.replace(QStringLiteral("repalign-cli "), QStringLiteral("\"$REPALIGN_CLI\" "));
    o << command << "\n";
    writeFileAtomic(scriptPath.toStdString(), script.toStdString());
    QFile::setPermissions(scriptPath, QFile::permissions(scriptPath) | QFile::ExeOwner | QFile::ExeGroup);
    return scriptPath;
}

void SetupPanel::exportForClusterDialog()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Export for cluster: choose a folder"), m_project);
    if (folder.isEmpty())
        return;
    try {
        const QString script = exportForCluster(folder);
        Q_EMIT message(tr("Wrote %1 and its YAML").arg(script));
        QMessageBox::information(this, tr("Export for cluster"),
            tr("Wrote\n%1\n\nSubmit it with: sbatch %2").arg(script, QFileInfo(script).fileName()));
    } catch (const Error& e) {
        QMessageBox::warning(this, tr("Cannot export"), QString::fromStdString(e.what()));
    }
}

} // namespace repalign::gui
