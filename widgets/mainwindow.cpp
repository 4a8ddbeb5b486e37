#include "mainwindow.h"

#include "analysisformpanel.h"
#include "behaveformpanel.h"
#include "behaviourview.h"
#include "corejobs.h"
#include "distributionsview.h"
#include "figuredialog.h"
#include "figureexport.h"
#include "importnsddialog.h"
#include "jobdock.h"
#include "jobqueuemodel.h"
#include "meigridfigure.h"
#include "metricsmodel.h"
#include "monitorview.h"
#include "neuronsview.h"
#include "preferencesdialog.h"
#include "projectmodel.h"
#include "psychrunnerdialog.h"
#include "psychview.h"
#include "qcp.h"
#include "setuppanel.h"
#include "studypanel.h"
#include "trainformpanel.h"
#include "tuneformpanel.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "common/paths.h"
#include "common/version.h"
#include "settingskeys.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

namespace repalign::gui {

namespace {
QString formatEta(double seconds)
{
    if (seconds < 0)
        return {};
    const qint64 s = static_cast<qint64>(seconds + 0.5);
    if (s >= 3600)
        return MainWindow::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    if (s >= 60)
        return MainWindow::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return MainWindow::tr("%1 s").arg(s);
}
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("RepAlign Workbench"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/repalign.svg")));
    m_project = new ProjectModel(this);
    m_metrics = new MetricsModel(this);
    m_metrics->setPollInterval(PreferencesDialog::pollIntervalSetting());
    m_jobs = new JobQueueModel(this);

    // Project sidebar.
    m_tree = new QTreeView;
    m_tree->setModel(m_project);
    m_tree->setHeaderHidden(true);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->setUniformRowHeights(true);
    m_tree->setMinimumWidth(160);
    auto* projectDock = new QDockWidget(tr("Project"), this);
    projectDock->setObjectName(QStringLiteral("ProjectDock"));
    projectDock->setWidget(m_tree);
    addDockWidget(Qt::LeftDockWidgetArea, projectDock);

    // Central tabs.
    m_setup = new SetupPanel;
    m_monitor = new MonitorView(m_metrics);
    m_neurons = new NeuronsView;
    m_distributions = new DistributionsView;
    m_tabs = new QTabWidget;
    m_tabs->addTab(m_setup, tr("Setup"));
    m_tabs->addTab(m_monitor, tr("Monitor"));
    m_tabs->addTab(m_neurons, tr("Neurons"));
    m_tabs->addTab(m_distributions, tr("Distributions"));
    // Studies: a grid of conditions; its runs open in the tabs above.
    auto* study = new StudyPanel(m_jobs);
    m_tabs->addTab(study, tr("Study"));
    connect(study, &StudyPanel::openRunRequested, this, [this](const QString& run) {
        m_monitor->addRun(run);
        m_tabs->setCurrentWidget(m_monitor);
    });
    connect(study, &StudyPanel::openAnalysisRequested, this, [this](const QString& analysis) {
        m_neurons->openAnalysis(analysis);
        m_tabs->setCurrentWidget(m_neurons);
    });
    connect(study, &StudyPanel::compareRequested, this, [this](const QStringList& analyses) {
        m_distributions->setSelectedAnalyses(analyses);
        m_tabs->setCurrentWidget(m_distributions);
    });
    connect(study, &StudyPanel::exportPlotRequested, this, &MainWindow::exportPlot);

    buildDemoBanner();
    buildDemoResultPanel();

    auto* central = new QWidget;
    auto* cl = new QVBoxLayout(central);
    cl->setContentsMargins(4, 4, 4, 0);
    cl->addWidget(m_demoBanner);
    cl->addWidget(m_demoResult);
    cl->addWidget(m_tabs, 1);
    setCentralWidget(central);

    m_jobDock = new JobDock(m_jobs, this);
    addDockWidget(Qt::BottomDockWidgetArea, m_jobDock);

    buildStatusBar();

    buildMenus();

    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::onSelectionChanged);
    connect(m_tree, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        const auto kind = static_cast<ProjectModel::Kind>(index.data(ProjectModel::KindRole).toInt());
        if (kind == ProjectModel::Kind::Analysis) {
            m_neurons->openAnalysis(index.data(ProjectModel::PathRole).toString());
            m_tabs->setCurrentWidget(m_neurons);
        } else if (kind == ProjectModel::Kind::Run) {
            m_tabs->setCurrentWidget(m_monitor);
        }
    });
    connect(m_tree, &QTreeView::customContextMenuRequested, this, &MainWindow::treeContextMenu);
    // A run that appears while the window is open (a job here, the demo, repalign-cli elsewhere)
    // is overlaid in the Monitor at once, so its curves show up as it trains.
    connect(m_project, &ProjectModel::runAdded, this, [this](const QString& run) {
        if (isVisible())
            m_monitor->addRun(run);
        updateDemoBanner();
    });
    connect(m_project, &ProjectModel::runRemoved, this, [this](const QString& run) {
        m_metrics->removeRun(run);
        updateDemoBanner();
    });
    connect(m_project, &ProjectModel::analysisAdded, this, [this] { refreshAnalysisLists(); });
    // New or removed runs and checkpoints: the forms' checkpoint lists follow (scanned off the UI thread).
    connect(m_project, &QStandardItemModel::rowsInserted, m_setup, &SetupPanel::rescanProject);
    connect(m_project, &QStandardItemModel::rowsRemoved, m_setup, &SetupPanel::rescanProject);
    connect(m_project, &ProjectModel::runStateChanged, m_setup, &SetupPanel::rescanProject);
    connect(m_project, &ProjectModel::rowsRemoved, this, [this] { refreshAnalysisLists(); });
    connect(m_setup, &SetupPanel::launchRequested, this, [this](const JobSpec& spec) { launch(spec); });
    connect(m_setup, &SetupPanel::message, this, [this](const QString& m) { statusBar()->showMessage(m, 6000); });
    connect(m_monitor, &MonitorView::exportRequested, this, &MainWindow::exportPlot);
    // The Neurons tab exports the MEI figure of the selected unit (both models in compare mode).
    connect(m_neurons, &NeuronsView::exportRequested, this, [this](QWidget*, const QString&) { exportMeiFigure(); });
    connect(m_neurons, &NeuronsView::status, this, [this](const QString& m) { statusBar()->showMessage(m, 5000); });
    connect(m_distributions, &DistributionsView::exportRequested, this, &MainWindow::exportWidget);
    connect(m_distributions, &DistributionsView::exportPlotRequested, this, &MainWindow::exportPlot);
    connect(m_distributions->psychView(), &PsychView::runExperimentRequested, this, &MainWindow::runPsychophysics);

    connect(m_jobs, &JobQueueModel::jobStarted, this, [this](int, const QString& title, const QString& runDir) {
        m_jobLabel->setText(title);
        m_progress->setValue(0);
        m_progress->setVisible(true);
        if (!runDir.isEmpty()) {
            m_monitor->addRun(runDir);
            m_project->refresh();
        }
    });
    connect(m_jobs, &JobQueueModel::progressChanged, this, &MainWindow::onProgress);
    connect(m_jobs, &JobQueueModel::jobFinished, this, [this](int id, RunState state, const QString& message) {
        statusBar()->showMessage(tr("%1: %2. %3").arg(m_jobs->jobTitle(id), JobQueueModel::stateLabel(state), message), 10000);
        m_project->refresh();
        if (state == RunState::Failed)
            m_jobDock->show();
    });
    connect(m_jobs, &JobQueueModel::idle, this, [this] {
        m_progress->setVisible(false);
        m_jobLabel->clear();
        if (m_closing)
            close();
    });

    restoreSettings();
}

void MainWindow::buildDemoBanner()
{
    // The demo offer: shown while the project has no runs.
    m_demoBanner = new QWidget;
    m_demoBanner->setObjectName(QStringLiteral("demoBanner"));
    m_demoBanner->setStyleSheet(
        QStringLiteral("#demoBanner { background: #e8f3fb; border: 1px solid #9cc7e6; border-radius: 4px; }"));
    auto* bannerText = new QLabel(tr("<b>This project is empty.</b> Run the demo pipeline to see the whole study on small "
                                     "built-in data: a baseline, neural fine-tuning, the analysis of both models and their "
                                     "comparison. Every step shows up here as it runs."));
    bannerText->setWordWrap(true);
    m_demoButton = new QPushButton(QIcon(QStringLiteral(":/icons/demo.svg")), tr("Run demo pipeline"));
    auto* bl = new QHBoxLayout(m_demoBanner);
    bl->addWidget(bannerText, 1);
    bl->addWidget(m_demoButton);
    connect(m_demoButton, &QPushButton::clicked, this, &MainWindow::runDemoPipeline);
}

void MainWindow::buildDemoResultPanel()
{
    // What `repalign-cli demo` prints at its end: the summary, then the comparison tables.
    m_demoResult = new QWidget;
    m_demoResult->setObjectName(QStringLiteral("demoResult"));
    m_demoResult->setStyleSheet(
        QStringLiteral("#demoResult { background: #eef7ee; border: 1px solid #9ccc9c; border-radius: 4px; }"));
    m_demoSummary = new QLabel;
    m_demoSummary->setWordWrap(true);
    m_demoSummary->setTextFormat(Qt::PlainText);
    m_demoSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_demoTables = new QPlainTextEdit;
    m_demoTables->setObjectName(QStringLiteral("demoTables"));
    m_demoTables->setReadOnly(true);
    m_demoTables->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_demoTables->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // Nine lines of the tables; the rest scrolls (the Behaviour view below keeps its room).
    m_demoTables->setFixedHeight(QFontMetrics(m_demoTables->font()).lineSpacing() * 9 + 12);
    auto* behaviour = new QPushButton(tr("Show behaviour"));
    behaviour->setToolTip(tr("Distributions ▸ Behaviour: the demo's baseline and tuned models"));
    auto* ii = new QPushButton(tr("Show II distributions"));
    ii->setToolTip(tr("Distributions ▸ II distributions: the demo's two analyses"));
    auto* dismiss = new QToolButton;
    dismiss->setAutoRaise(true);
    dismiss->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    dismiss->setToolTip(tr("Hide the demo's results"));
    auto* top = new QHBoxLayout;
    top->addWidget(m_demoSummary, 1);
    top->addWidget(behaviour, 0, Qt::AlignTop);
    top->addWidget(ii, 0, Qt::AlignTop);
    top->addWidget(dismiss, 0, Qt::AlignTop);
    auto* l = new QVBoxLayout(m_demoResult);
    l->addLayout(top);
    l->addWidget(m_demoTables);
    m_demoResult->hide();
    connect(dismiss, &QToolButton::clicked, m_demoResult, &QWidget::hide);
    // The tables are for Distributions: on the other tabs the panel keeps its summary only (the
    // Neurons and Monitor plots need the height at 1280x800); Show behaviour brings them back.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_tabs->currentWidget() != m_distributions)
            m_demoTables->hide();
    });
    connect(behaviour, &QPushButton::clicked, this, [this] {
        m_demoTables->setVisible(!m_demoTables->toPlainText().isEmpty());
        m_tabs->setCurrentWidget(m_distributions);
        m_distributions->views()->setCurrentWidget(m_distributions->behaviourView());
    });
    connect(ii, &QPushButton::clicked, this, [this] {
        m_tabs->setCurrentWidget(m_distributions);
        m_distributions->views()->setCurrentIndex(0);
    });
}

void MainWindow::buildStatusBar()
{
    // Status bar: device, then the current job.
    m_device = new QLabel(tr("Device: %1").arg(QString::fromStdString(deviceSummary())));
    m_jobLabel = new QLabel;
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(false);
    m_progress->setVisible(false);
    m_runState = new QLabel;
    m_runState->setObjectName(QStringLiteral("runStateLabel"));
    statusBar()->addPermanentWidget(m_runState);
    statusBar()->addPermanentWidget(m_jobLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_device);
    // Run states change as the project model re-reads status.json: one update per burst.
    m_runStateTimer = new QTimer(this);
    m_runStateTimer->setSingleShot(true);
    m_runStateTimer->setInterval(0);
    connect(m_runStateTimer, &QTimer::timeout, this, &MainWindow::updateRunStates);
    connect(m_project, &QStandardItemModel::dataChanged, m_runStateTimer, qOverload<>(&QTimer::start));
    connect(m_project, &QStandardItemModel::rowsInserted, m_runStateTimer, qOverload<>(&QTimer::start));
    connect(m_project, &QStandardItemModel::rowsRemoved, m_runStateTimer, qOverload<>(&QTimer::start));
}

MainWindow::~MainWindow()
{
    m_jobs->shutdown();
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(
        QIcon(QStringLiteral(":/icons/new.svg")), tr("&New project…"), QKeySequence::New, this, &MainWindow::newProject);
    file->addAction(QIcon(QStringLiteral(":/icons/folder.svg")), tr("&Open project…"), QKeySequence::Open, this,
        &MainWindow::openProjectDialog);
    file->addAction(tr("Open &run…"), this, &MainWindow::openRunDialog);
    file->addSeparator();
    file->addAction(tr("Import &NSD…"), this, &MainWindow::importNsd);
    file->addAction(tr("Import PyTorch &checkpoint…"), this, &MainWindow::importCheckpoint);
    file->addAction(tr("Run &psychophysics experiment…"), this, &MainWindow::runPsychophysics);
    file->addSeparator();
    file->addAction(QIcon(QStringLiteral(":/icons/export.svg")), tr("&Export figure…"), QKeySequence(Qt::CTRL | Qt::Key_E), this,
        &MainWindow::exportFigure);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("Train &baseline…"), this, [this] {
        m_setup->showForm(0);
        m_tabs->setCurrentWidget(m_setup);
    });
    run->addAction(tr("&Fine-tune…"), this, [this] {
        m_setup->showForm(1);
        m_tabs->setCurrentWidget(m_setup);
    });
    run->addAction(tr("&Analyze…"), this, [this] {
        m_setup->showForm(2);
        m_tabs->setCurrentWidget(m_setup);
    });
    run->addAction(tr("&Compare"), this, [this] { m_tabs->setCurrentWidget(m_distributions); });
    run->addSeparator();
    run->addAction(QIcon(QStringLiteral(":/icons/demo.svg")), tr("Run &demo pipeline"), this, &MainWindow::runDemoPipeline);
    run->addSeparator();
    run->addAction(QIcon(QStringLiteral(":/icons/cancel.svg")), tr("Cancel &job"), QKeySequence(Qt::CTRL | Qt::Key_Period),
        m_jobs, &JobQueueModel::cancelCurrent);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QStringList names = {tr("&Setup"), tr("&Monitor"), tr("&Neurons"), tr("&Distributions"), tr("S&tudy")};
    for (int i = 0; i < names.size(); ++i)
        view->addAction(names[i], QKeySequence(Qt::CTRL | (Qt::Key_1 + i)), this, [this, i] { m_tabs->setCurrentIndex(i); });
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    QMenu* settings = menuBar()->addMenu(tr("&Settings"));
    settings->addAction(tr("&Preferences…"), QKeySequence::Preferences, this, &MainWindow::showPreferences);
    QMenu* language = settings->addMenu(tr("&Language"));
    const QList<QPair<QString, QString>> langs = {{tr("System language"), QString()},
        {QStringLiteral("English"), QStringLiteral("en")}, {QStringLiteral("Deutsch"), QStringLiteral("de")}};
    auto* group = new QActionGroup(this);
    for (const auto& l : langs) {
        QAction* a = language->addAction(l.first);
        a->setCheckable(true);
        a->setChecked(PreferencesDialog::languageSetting() == l.second);
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, code = l.second] {
            QSettings().setValue(settings::kLanguage, code);
            QMessageBox::information(this, tr("Language"), tr("The language changes after a restart."));
        });
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Documentation"), QKeySequence::HelpContents, this, &MainWindow::showDocumentation);
    help->addAction(tr("&About RepAlign Workbench"), this, &MainWindow::showAbout);
}

void MainWindow::restoreSettings()
{
    QSettings s;
    if (!restoreGeometry(s.value(settings::kWindowGeometry).toByteArray())) {
        // First start: the whole screen on a laptop, most of it on a large monitor.
        const QSize avail = screen() ? screen()->availableGeometry().size() : QSize(1280, 800);
        resize(avail.width() <= 1440 ? avail : QSize(avail.width() * 9 / 10, avail.height() * 9 / 10));
    }
    if (!restoreState(s.value(settings::kWindowState).toByteArray())) {
        // First start: a narrow project tree and a short job dock leave room for the plots.
        resizeDocks({m_jobDock}, {170}, Qt::Vertical);
    }
}

QString MainWindow::demoProjectPath()
{
    // The same folder `repalign-cli demo` and ./workbench write (one function in core).
    return QString::fromStdString(defaultDemoProjectDir());
}

void MainWindow::openProject(const QString& path)
{
    m_project->setProjectPath(path);
    m_setup->setProjectPath(m_project->projectPath());
    QSettings().setValue(settings::kLastProject, m_project->projectPath());
    setWindowTitle(tr("%1 — RepAlign Workbench").arg(QDir(path).dirName()));
    m_monitor->setRuns(m_project->runPaths());
    // The demo's data (CIFAR-10 format) is the natural default for new runs in its project.
    const QString demoData = QDir(m_project->projectPath()).filePath(QStringLiteral("data/demo-cifar"));
    if (QFileInfo(demoData + QStringLiteral("/test_batch.bin")).exists()) {
        // The baseline form shows the demo's recipe here, not the reference's 150 epochs.
        m_setup->trainForm()->applyPreset(QStringLiteral("demo"));
        if (auto* data = qobject_cast<QLineEdit*>(m_setup->analysisForm()->field(QStringLiteral("data")));
            data && data->text().isEmpty())
            data->setText(QStringLiteral("cifar10:") + demoData);
        if (auto* data = qobject_cast<QLineEdit*>(m_setup->behaveForm()->field(QStringLiteral("data")));
            data && data->text().isEmpty())
            m_setup->behaveForm()->setData(QStringLiteral("cifar10:") + demoData);
    }
    const QString bundle = QDir(m_project->projectPath()).filePath(QStringLiteral("data/virtual-cortex.h5"));
    auto* bundleField = qobject_cast<QLineEdit*>(m_setup->tuneForm()->field(QStringLiteral("bundle")));
    if (QFileInfo::exists(bundle) && bundleField && bundleField->text().isEmpty())
        m_setup->tuneForm()->setBundle(bundle);
    refreshAnalysisLists();
    updateDemoBanner();
    statusBar()->showMessage(
        tr("Project %1: %n run(s)", nullptr, static_cast<int>(m_project->runPaths().size())).arg(m_project->projectPath()), 6000);
}

QString MainWindow::projectPath() const
{
    return m_project->projectPath();
}

void MainWindow::updateDemoBanner()
{
    m_demoBanner->setVisible(!m_project->projectPath().isEmpty() && m_project->runPaths().isEmpty() && !m_jobs->busy());
}

void MainWindow::refreshAnalysisLists()
{
    // RUN/analysis also holds behave, align and psych files: the Distributions tab hands each to
    // the view that reads it; the Neurons tab offers the unit analyses only.
    const QStringList files = m_project->analysisPaths();
    QStringList analyses;
    for (const QString& p : files)
        if (isUnitAnalysisFile(p))
            analyses << p;
    m_neurons->setAvailableAnalyses(analyses);
    m_distributions->setAvailableAnalyses(files);
    if (m_neurons->model()->path().isEmpty() && !analyses.isEmpty())
        m_neurons->openAnalysis(analyses.first());
}

int MainWindow::launch(const JobSpec& spec)
{
    const int id = m_jobs->enqueue(spec);
    m_jobDock->show();
    updateDemoBanner();
    return id;
}

int MainWindow::runDemoPipeline()
{
    if (m_project->projectPath().isEmpty())
        openProject(demoProjectPath());
    DemoOptions options;
    options.projectDir = m_project->projectPath().toStdString();
    auto result = std::make_shared<DemoResult>();
    return launchDemo(makeDemoJob(options, result), result);
}

int MainWindow::launchDemo(const JobSpec& spec, std::shared_ptr<DemoResult> result)
{
    m_demoBanner->setVisible(false);
    m_demoResult->hide();
    m_tabs->setCurrentWidget(m_monitor);
    const int id = launch(spec);
    // The job wrote *result on the worker thread before the queue reported it finished.
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(m_jobs, &JobQueueModel::jobFinished, this, [this, id, result, connection](int done, RunState state) {
        if (done != id)
            return;
        disconnect(*connection);
        if (state == RunState::Finished)
            showDemoResult(*result);
    });
    return id;
}

void MainWindow::showDemoResult(const DemoResult& r)
{
    QStringList summary;
    for (const std::string& line : r.summary)
        summary << QString::fromStdString(line);
    m_demoSummary->setText(tr("Demo finished. %1").arg(summary.join(QStringLiteral("; "))));
    const QString tables = demoComparisonText(r);
    m_demoTables->setPlainText(tables);
    m_demoResult->show();
    // The project's lists were refreshed as the job finished; the behaviour files are shown at once.
    const QString base = QString::fromStdString(r.baselineBehaviour), tuned = QString::fromStdString(r.tunedBehaviour);
    if (!base.isEmpty()) {
        BehaviourView* view = m_distributions->behaviourView();
        view->setFiles(base, tuned); // read by the view off the UI thread
        m_tabs->setCurrentWidget(m_distributions);
        m_distributions->views()->setCurrentWidget(view);
    } else if (!r.tunedAnalysis.empty()) {
        m_tabs->setCurrentWidget(m_distributions);
        m_distributions->views()->setCurrentIndex(0);
    }
    m_demoTables->setVisible(!tables.isEmpty() && m_tabs->currentWidget() == m_distributions);
}

QString MainWindow::demoResultText() const
{
    if (m_demoResult->isHidden())
        return {};
    return m_demoSummary->text() + QLatin1Char('\n') + m_demoTables->toPlainText();
}

void MainWindow::updateRunStates()
{
    auto named = [](const QModelIndex& run) {
        return ProjectModel::stateText(
            run.data(ProjectModel::StateRole).toString(), run.data(ProjectModel::WorldSizeRole).toInt());
    };
    QString text;
    const QString current = m_tree->currentIndex().data(ProjectModel::RunPathRole).toString();
    if (!current.isEmpty())
        if (const QModelIndex run = m_project->indexForPath(current); run.isValid())
            text = tr("%1: %2").arg(QFileInfo(current).fileName(), named(run));
    if (m_runState->text() != text)
        m_runState->setText(text);
    QStringList elsewhere;
    for (const QString& path : m_project->runPaths()) {
        const QModelIndex run = m_project->indexForPath(path);
        if (!run.data(ProjectModel::RunningElsewhereRole).toBool())
            continue;
        const int world = run.data(ProjectModel::WorldSizeRole).toInt();
        elsewhere << (world > 1 ? tr("%1 (%2 ranks)").arg(QFileInfo(path).fileName()).arg(world) : QFileInfo(path).fileName());
    }
    m_jobDock->setRunningElsewhere(elsewhere);
}

void MainWindow::onSelectionChanged()
{
    m_runStateTimer->start();
    QStringList runs;
    QString analysis;
    for (const QModelIndex& index : m_tree->selectionModel()->selectedRows()) {
        const auto kind = static_cast<ProjectModel::Kind>(index.data(ProjectModel::KindRole).toInt());
        const QString run = index.data(ProjectModel::RunPathRole).toString();
        if (!run.isEmpty() && !runs.contains(run))
            runs << run;
        if (kind == ProjectModel::Kind::Analysis)
            analysis = index.data(ProjectModel::PathRole).toString();
        if (kind == ProjectModel::Kind::Checkpoint) {
            const QString ckpt = index.data(ProjectModel::PathRole).toString();
            m_setup->analysisForm()->setCheckpoint(ckpt);
            m_setup->tuneForm()->setBaseCheckpoint(ckpt);
        }
    }
    if (!runs.isEmpty())
        m_monitor->setRuns(runs);
    if (!analysis.isEmpty() && analysis != m_neurons->model()->path())
        m_neurons->openAnalysis(analysis);
}

void MainWindow::treeContextMenu(const QPoint& pos)
{
    const QModelIndex index = m_tree->indexAt(pos);
    if (!index.isValid())
        return;
    const auto kind = static_cast<ProjectModel::Kind>(index.data(ProjectModel::KindRole).toInt());
    const QString path = index.data(ProjectModel::PathRole).toString();
    const QString run = index.data(ProjectModel::RunPathRole).toString();
    QMenu menu;
    if (kind == ProjectModel::Kind::Checkpoint) {
        menu.addAction(tr("Fine-tune from this checkpoint"), this, [this, path] {
            m_setup->tuneForm()->setBaseCheckpoint(path);
            m_setup->showForm(1);
            m_tabs->setCurrentWidget(m_setup);
        });
        menu.addAction(tr("Analyse this checkpoint"), this, [this, path] {
            m_setup->analysisForm()->setCheckpoint(path);
            m_setup->showForm(2);
            m_tabs->setCurrentWidget(m_setup);
        });
    }
    if (kind == ProjectModel::Kind::Analysis) {
        menu.addAction(tr("Open in Neurons"), this, [this, path] {
            m_neurons->openAnalysis(path);
            m_tabs->setCurrentWidget(m_neurons);
        });
        menu.addAction(tr("Compare with the open analysis"), this, [this, path] {
            m_neurons->setCompareAnalysis(path);
            m_tabs->setCurrentWidget(m_neurons);
        });
    }
    if (kind == ProjectModel::Kind::Run) {
        menu.addAction(tr("Fine-tune from this run"), this, [this, run] {
            m_setup->fineTuneFrom(run);
            m_tabs->setCurrentWidget(m_setup);
        });
        menu.addAction(tr("Analyse this run"), this, [this, run] {
            m_setup->analyse(run);
            m_tabs->setCurrentWidget(m_setup);
        });
        menu.addSeparator();
    }
    if (!run.isEmpty()) {
        menu.addAction(tr("Show in Monitor"), this, [this, run] {
            m_monitor->addRun(run);
            m_tabs->setCurrentWidget(m_monitor);
        });
        menu.addAction(tr("Open folder"), this, [run] { QDesktopServices::openUrl(QUrl::fromLocalFile(run)); });
    }
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

void MainWindow::onProgress(int, const ProgressEvent& e)
{
    m_progress->setVisible(true);
    m_progress->setValue(static_cast<int>(std::clamp(e.fraction, 0.0, 1.0) * 1000));
    QString text = QString::fromStdString(e.phase);
    if (e.epochs > 0)
        text += tr(" · epoch %1/%2").arg(e.epoch).arg(e.epochs);
    else if (e.total > 0)
        text += QStringLiteral(" · %1/%2").arg(e.done).arg(e.total);
    if (e.loss >= 0)
        text += tr(" · loss %1").arg(e.loss, 0, 'f', 4);
    if (e.accuracy >= 0)
        text += tr(" · acc %1").arg(e.accuracy, 0, 'f', 3);
    text += QStringLiteral(" · %1 %").arg(e.fraction * 100, 0, 'f', 0);
    if (e.etaSeconds >= 0)
        text += tr(" · ETA %1").arg(formatEta(e.etaSeconds));
    m_jobLabel->setText(text);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_jobs->busy() && !m_closing) {
        const auto answer = QMessageBox::question(this, tr("Jobs are running"),
            tr("A job is still running. Stop it and quit? The run keeps its last checkpoint and can be resumed."),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_closing = true;
        m_jobs->cancelAll();
        statusBar()->showMessage(tr("Stopping the running job…"));
        setEnabled(false);
        event->ignore(); // closes when the queue reports idle
        return;
    }
    if (m_jobs->busy()) {
        event->ignore();
        return;
    }
    QSettings s;
    s.setValue(settings::kWindowGeometry, saveGeometry());
    s.setValue(settings::kWindowState, saveState());
    m_jobs->shutdown();
    event->accept();
}

void MainWindow::newProject()
{
    const QString dir
        = QFileDialog::getExistingDirectory(this, tr("New project: choose or create an empty folder"), QDir::homePath());
    if (!dir.isEmpty())
        openProject(dir);
}

void MainWindow::openProjectDialog()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open project"), m_project->projectPath());
    if (!dir.isEmpty())
        openProject(dir);
}

void MainWindow::openRunDialog()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open run"), m_project->projectPath());
    if (dir.isEmpty())
        return;
    if (!ProjectModel::isRunDir(dir)) {
        QMessageBox::warning(
            this, tr("Open run"), tr("%1 is not a run directory (no run.yaml, status.json or metrics.csv).").arg(dir));
        return;
    }
    m_monitor->addRun(dir);
    m_tabs->setCurrentWidget(m_monitor);
}

void MainWindow::importNsd()
{
    ImportNsdDialog dialog(m_project->projectPath(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const ImportOptions options = dialog.options();
    launch(ImportNsdDialog::makeJob(options));
    m_setup->tuneForm()->setBundle(QString::fromStdString(options.out));
}

void MainWindow::runPsychophysics()
{
    runPsychExperiment(this, m_project->projectPath());
}

void MainWindow::importCheckpoint()
{
    if (m_project->projectPath().isEmpty()) {
        QMessageBox::warning(this, tr("Import checkpoint"), tr("Open a project first."));
        return;
    }
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Import PyTorch checkpoint"), QDir::homePath(), tr("PyTorch files (*.pt *.pth *.ckpt);;All files (*)"));
    if (file.isEmpty())
        return;
    // Reading, copying and writing the run happen in the job queue, off the UI thread.
    launch(makeImportJob(file, m_project->uniqueRunPath(QStringLiteral("imported-") + QFileInfo(file).completeBaseName())));
}

QString MainWindow::suggestFigurePath(const QString& name) const
{
    const QString folder
        = QSettings()
              .value(settings::kFigureFolder,
                  m_project->projectPath().isEmpty() ? QDir::homePath()
                                                     : QDir(m_project->projectPath()).filePath(QStringLiteral("figures")))
              .toString();
    return QDir(folder).filePath(name + QStringLiteral(".pdf"));
}

void MainWindow::exportPlot(QCustomPlot* plot, const QString& name)
{
    if (!plot)
        return;
    FigureDialog dialog(suggestFigurePath(name), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    try {
        QDir().mkpath(QFileInfo(dialog.path()).absolutePath());
        exportPlotFigure(plot, dialog.path(), dialog.preset(), dialog.dpi());
        statusBar()->showMessage(tr("Wrote %1").arg(dialog.path()), 6000);
    } catch (const Error& e) {
        QMessageBox::warning(this, tr("Export figure"), QString::fromStdString(e.what()));
    }
}

void MainWindow::exportWidget(QWidget* widget, const QString& name)
{
    FigureDialog dialog(suggestFigurePath(name), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    try {
        QDir().mkpath(QFileInfo(dialog.path()).absolutePath());
        exportWidgetFigure(widget, dialog.path(), dialog.preset(), dialog.dpi());
        statusBar()->showMessage(tr("Wrote %1").arg(dialog.path()), 6000);
    } catch (const Error& e) {
        QMessageBox::warning(this, tr("Export figure"), QString::fromStdString(e.what()));
    }
}

void MainWindow::exportMeiFigure()
{
    const int unit = m_neurons->currentUnit();
    NeuronModel* model = m_neurons->model();
    if (unit < 0 || !model || !model->analysis()) {
        QMessageBox::information(this, tr("Export figure"), tr("Select a unit first."));
        return;
    }
    FigureDialog dialog(suggestFigurePath(QStringLiteral("unit%1-meis").arg(unit)), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QList<MeiFigureSource> sources;
    for (NeuronModel* m : {model, m_neurons->compareModel()})
        if (m && m->analysis())
            sources << MeiFigureSource {
                m->analysis(), analysisRunName(*m->analysis()), [m](std::int64_t l) { return m->className(l); }};
    try {
        QDir().mkpath(QFileInfo(dialog.path()).absolutePath());
        exportMeiGridFigure(buildMeiGridFigure(sources, {unit}, "lpips"), dialog.path(), dialog.preset(), dialog.dpi());
        statusBar()->showMessage(tr("Wrote %1").arg(dialog.path()), 6000);
    } catch (const Error& e) {
        QMessageBox::warning(this, tr("Export figure"), QString::fromStdString(e.what()));
    }
}

void MainWindow::exportFigure()
{
    QWidget* tab = m_tabs->currentWidget();
    if (tab == m_monitor) {
        if (MetricPlot* p = m_monitor->currentPlot())
            exportPlot(p, p->metric());
        else
            QMessageBox::information(this, tr("Export figure"), tr("There is no plot to export yet."));
    } else if (tab == m_neurons) {
        exportMeiFigure();
    } else if (tab == m_distributions) {
        exportWidget(m_distributions->page(), QStringLiteral("distributions"));
    } else if (auto* study = qobject_cast<StudyPanel*>(tab)) {
        exportPlot(study->figure(), QStringLiteral("study"));
    } else {
        QMessageBox::information(
            this, tr("Export figure"), tr("Switch to Monitor, Neurons or Distributions to export a figure."));
    }
}

void MainWindow::showPreferences()
{
    PreferencesDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted) {
        m_metrics->setPollInterval(PreferencesDialog::pollIntervalSetting());
        if (!PreferencesDialog::cifarFolderSetting().isEmpty())
            qputenv("REPALIGN_DATA", PreferencesDialog::cifarFolderSetting().toLocal8Bit());
    }
}

void MainWindow::showAbout()
{
    QString libs = QString::fromStdString(libraryVersions()).trimmed().toHtmlEscaped();
    libs.replace(QLatin1Char('\n'), QStringLiteral("<br>"));
    QMessageBox::about(this, tr("About RepAlign Workbench"),
        tr("<h3>RepAlign Workbench %1</h3>"
           "<p>Does tuning an image model to predict brain activity make its units more interpretable? "
           "Train a baseline, fine-tune it on fMRI responses, find each unit's maximally exciting images "
           "and compare their Interpretability Index.</p>"
           "<p><b>Libraries</b><br>%2<br>Qt %3<br>QCustomPlot 2.1</p><p><b>Device</b><br>%4</p>")
            .arg(QString::fromStdString(programVersion()), libs, QString::fromLatin1(qVersion()),
                QString::fromStdString(deviceSummary()).toHtmlEscaped()));
}

void MainWindow::showDocumentation()
{
    // The README next to the installed program or in the source tree, else the design notes online.
    const QStringList candidates = {QCoreApplication::applicationDirPath() + QStringLiteral("/../share/doc/repalign/README.md"),
        QCoreApplication::applicationDirPath() + QStringLiteral("/../../README.md"),
        QCoreApplication::applicationDirPath() + QStringLiteral("/../README.md")};
    for (const QString& c : candidates)
        if (QFileInfo::exists(c)) {
            QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(c).absoluteFilePath()));
            return;
        }
    QMessageBox::information(this, tr("Documentation"),
        tr("The README was not found next to the program. Run repalign-cli --help for the command reference."));
}

} // namespace repalign::gui
