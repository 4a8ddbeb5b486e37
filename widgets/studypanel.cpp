// The Study tab: the panel that puts the editor room (studypanel_editor.cpp), the conditions
// (StudyConditionsModel) and the results (StudyResultsView) together, and plans, runs and
// exports the study.
#include "studypanel.h"

#include "background.h"
#include "jobqueuemodel.h"
#include "qcp.h"
#include "studyconditionsmodel.h"
#include "studyresultsview.h"

#include "common/error.h"
#include "pipeline/study.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace repalign::gui {

namespace {

struct PlanResult {
    std::shared_ptr<const StudyPlan> plan;
    QString text, error;
};

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

/// The study as the core parses it: the origin is the file (or FOLDER/study.yaml), relative
/// paths resolve against the file's folder.
PlanResult planStudy(const std::string& text, const std::string& file, const std::string& folder)
{
    PlanResult r;
    try {
        const std::string origin = file.empty() ? folder + "/study.yaml" : file;
        const std::string baseDir = file.empty() ? folder : QFileInfo(qs(file)).absolutePath().toStdString();
        auto plan = std::make_shared<const StudyPlan>(parseStudy(text, origin, folder, baseDir));
        r.text = qs(formatStudyPlan(*plan));
        r.plan = plan;
    } catch (const std::exception& e) {
        r.error = qs(e.what());
    }
    return r;
}

} // namespace

StudyPanel::StudyPanel(JobQueueModel* jobs, QWidget* parent)
    : QWidget(parent)
    , m_jobsModel(jobs)
{
    QFormLayout* files = buildFileRows();
    buildEditor();
    QWidget* gridBox = buildGridForm();
    QLayout* actions = buildActions();
    buildConditionsView();
    m_results = new StudyResultsView(m_conditionsView);

    auto* right = new QWidget;
    auto* rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(gridBox, 1);
    rl->addLayout(actions);
    rl->addWidget(m_message);
    rl->addWidget(m_planView, 1);
    auto* top = new QSplitter(Qt::Horizontal);
    top->addWidget(m_editor);
    top->addWidget(right);
    top->setStretchFactor(0, 1);
    top->setStretchFactor(1, 1);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(top);
    split->addWidget(m_results);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    // The panel scrolls rather than claiming its full height: a tall minimum here would squeeze
    // the job dock (and every other tab) on a 1280x800 screen.
    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    layout->addLayout(files);
    layout->addWidget(split, 1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(1500);
    m_pollTimer->start();
    connect(m_pollTimer, &QTimer::timeout, this, [this] {
        if (isVisible() && !resolvedFolder().isEmpty())
            refresh();
    });
    connect(m_results, &StudyResultsView::figureUpdated, this, &StudyPanel::figureUpdated);
    connect(m_results, &StudyResultsView::exportPlotRequested, this, &StudyPanel::exportPlotRequested);
    connect(m_results, &StudyResultsView::message, m_message, &QLabel::setText);
}

StudyPanel::~StudyPanel() = default;

QLayout* StudyPanel::buildActions()
{
    m_jobs = new QSpinBox;
    m_jobs->setRange(1, 64);
    m_jobs->setValue(1);
    m_jobs->setToolTip(tr("Conditions run at once; the CPU threads are split between them"));
    m_planButton = new QPushButton(tr("Plan"));
    m_runButton = new QPushButton(tr("Run"));
    m_exportButton = new QPushButton(tr("Export for SLURM…"));
    auto* actions = new QHBoxLayout;
    actions->addWidget(new QLabel(tr("At once:")));
    actions->addWidget(m_jobs);
    actions->addStretch(1);
    actions->addWidget(m_planButton);
    actions->addWidget(m_runButton);
    actions->addWidget(m_exportButton);
    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_planView = new QPlainTextEdit;
    m_planView->setReadOnly(true);
    m_planView->setFont(monospaceFont());
    connect(m_planButton, &QPushButton::clicked, this, &StudyPanel::plan);
    connect(m_runButton, &QPushButton::clicked, this, &StudyPanel::run);
    connect(m_exportButton, &QPushButton::clicked, this, &StudyPanel::exportDialog);
    return actions;
}

void StudyPanel::buildConditionsView()
{
    m_conditions = new StudyConditionsModel(this);
    m_conditionsView = new QTableView;
    m_conditionsView->setModel(m_conditions);
    m_conditionsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_conditionsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_conditionsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_conditionsView->verticalHeader()->setVisible(false);
    m_conditionsView->horizontalHeader()->setStretchLastSection(true);
    // Condition names are the runs' names: shown whole, not wrapped or elided.
    m_conditionsView->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_conditionsView->setWordWrap(false);
    m_conditionsView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_conditionsView->setToolTip(tr("Double-click: a run opens in Monitor, an analysis in Neurons"));
    connect(m_conditionsView, &QTableView::doubleClicked, this, [this](const QModelIndex& i) { activateCondition(i, false); });
    connect(m_conditionsView, &QWidget::customContextMenuRequested, this, &StudyPanel::conditionMenu);
}

void StudyPanel::setExecutable(const QString& path)
{
    m_executable = path;
}

QString StudyPanel::executable() const
{
    if (!m_executable.isEmpty())
        return m_executable;
    const QString next = QCoreApplication::applicationDirPath() + QStringLiteral("/repalign-cli");
    if (QFileInfo(next).isExecutable())
        return next;
    return QStandardPaths::findExecutable(QStringLiteral("repalign-cli"));
}

void StudyPanel::plan()
{
    const QString folder = resolvedFolder();
    if (folder.isEmpty()) {
        m_message->setText(tr("Choose a study folder (where the runs go) first."));
        Q_EMIT failed(m_message->text());
        return;
    }
    m_message->setText(tr("Planning…"));
    const std::string text = studyText().toStdString(), file = m_file->text().trimmed().toStdString(), dir = folder.toStdString();
    runLatestInBackground(
        this, m_generation, [text, file, dir] { return planStudy(text, file, dir); },
        [this](PlanResult r) {
            if (!r.error.isEmpty()) {
                m_message->setText(r.error);
                Q_EMIT failed(r.error);
                return;
            }
            setPlan(r.plan);
            m_planView->setPlainText(r.text);
            m_message->setText(tr("%n runs planned.", nullptr, static_cast<int>(m_plan->runs.size())));
            Q_EMIT planned(static_cast<int>(m_plan->runs.size()));
        });
}

void StudyPanel::run()
{
    const QString exe = executable();
    if (exe.isEmpty()) {
        m_message->setText(tr("repalign-cli was not found next to this program or on PATH; the study runs each condition "
                              "through it."));
        Q_EMIT failed(m_message->text());
        return;
    }
    // Plan first (validation before any work), then queue the run.
    QMetaObject::Connection* once = new QMetaObject::Connection;
    QMetaObject::Connection* onFail = new QMetaObject::Connection;
    auto cleanup = [once, onFail] {
        QObject::disconnect(*once);
        QObject::disconnect(*onFail);
        delete once;
        delete onFail;
    };
    *onFail = connect(this, &StudyPanel::failed, this, [cleanup] { cleanup(); });
    *once = connect(this, &StudyPanel::planned, this, [this, exe, cleanup](int) {
        cleanup();
        if (!m_jobsModel || !m_plan)
            return;
        auto plan = m_plan;
        StudyRunOptions options;
        options.executable = exe.toStdString();
        options.jobs = m_jobs->value();
        JobSpec spec;
        spec.title = tr("Study %1").arg(qs(plan->name));
        spec.kind = QStringLiteral("study");
        spec.runDir = qs(plan->studyDir);
        spec.work = [plan, options](ProgressSink& sink, const CancelToken& cancel) {
            const StudyRunSummary s = runStudy(*plan, options, sink, cancel);
            JobOutcome o;
            o.state = s.status;
            o.message
                = QCoreApplication::translate("repalign::gui::StudyPanel", "%1 finished, %2 skipped, %3 failed, %4 not started")
                      .arg(s.finished)
                      .arg(s.skipped)
                      .arg(s.failed)
                      .arg(s.blocked);
            return o;
        };
        const int id = m_jobsModel->enqueue(spec);
        m_message->setText(tr("Study queued: %1").arg(qs(plan->studyDir)));
        Q_EMIT runQueued(id);
    });
    plan();
}

void StudyPanel::exportDialog()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Export for SLURM"));
    auto* partition = new QLineEdit;
    auto* account = new QLineEdit;
    auto* time = new QLineEdit(QStringLiteral("04:00:00"));
    auto* gpus = new QSpinBox;
    gpus->setRange(0, 16);
    auto* cpus = new QSpinBox;
    cpus->setRange(0, 256);
    cpus->setSpecialValueText(tr("cluster default"));
    auto* parallel = new QSpinBox;
    parallel->setRange(0, 10000);
    parallel->setSpecialValueText(tr("no limit"));
    auto* form = new QFormLayout(&dialog);
    form->addRow(tr("Partition:"), partition);
    form->addRow(tr("Account:"), account);
    form->addRow(tr("Time per condition:"), time);
    form->addRow(tr("GPUs per task:"), gpus);
    form->addRow(tr("CPUs per task:"), cpus);
    form->addRow(tr("Conditions at once:"), parallel);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return;
    SlurmOptions o;
    o.partition = partition->text().trimmed().toStdString();
    o.account = account->text().trimmed().toStdString();
    o.time = time->text().trimmed().toStdString();
    o.gpusPerTask = gpus->value();
    o.cpusPerTask = cpus->value();
    o.maxParallel = parallel->value();
    exportSlurm(o);
}

void StudyPanel::exportSlurm(const SlurmOptions& options)
{
    const QString folder = resolvedFolder();
    const QString exe = executable();
    if (folder.isEmpty() || exe.isEmpty()) {
        m_message->setText(folder.isEmpty() ? tr("Choose a study folder (where the runs go) first.")
                                            : tr("repalign-cli was not found next to this program or on PATH."));
        Q_EMIT failed(m_message->text());
        return;
    }
    SlurmOptions o = options;
    o.executable = exe.toStdString();
    const std::string text = studyText().toStdString(), file = m_file->text().trimmed().toStdString(), dir = folder.toStdString();
    runInBackground(
        this,
        [text, file, dir, o]() -> std::pair<QStringList, QString> {
            const PlanResult p = planStudy(text, file, dir);
            if (!p.error.isEmpty())
                return {{}, p.error};
            try {
                QStringList files;
                for (const std::string& f : repalign::exportSlurm(*p.plan, o))
                    files << qs(f);
                return {files, QString()};
            } catch (const std::exception& e) {
                return {{}, qs(e.what())};
            }
        },
        [this](std::pair<QStringList, QString> r) {
            if (!r.second.isEmpty()) {
                m_message->setText(r.second);
                Q_EMIT failed(r.second);
                return;
            }
            m_planView->setPlainText(tr("Wrote:\n%1\n\nSubmit on the cluster with: bash %2")
                                         .arg(r.first.join(QLatin1Char('\n')), r.first.isEmpty() ? QString() : r.first.last()));
            m_message->setText(tr("SLURM scripts written."));
            Q_EMIT exported(r.first);
        });
}

void StudyPanel::refresh()
{
    if (m_refreshing)
        return;
    const QString folder = resolvedFolder();
    if (folder.isEmpty())
        return;
    auto plan = m_plan;
    if (plan && QDir(qs(plan->studyDir)) != QDir(QFileInfo(folder).absoluteFilePath()))
        plan.reset();
    if (!plan && !QFileInfo::exists(folder + QStringLiteral("/plan.tsv"))) {
        if (m_conditions->rowCount() > 0)
            m_conditions->setRowCount(0);
        return;
    }
    m_refreshing = true;
    const std::string dir = folder.toStdString();
    runInBackground(
        this, [plan, dir] { return StudyConditionsModel::read(plan, dir); },
        [this](StudyConditionsModel::Status r) {
            m_refreshing = false;
            if (!r.error.isEmpty())
                return;
            if (!m_plan)
                setPlan(r.plan);
            m_conditions->setRows(r.rows);
            m_results->setFinished(r.finished);
            Q_EMIT refreshed();
        });
}

void StudyPanel::activateCondition(const QModelIndex& index, bool compare)
{
    if (!index.isValid())
        return;
    const int row = index.row();
    const QString analysis = m_conditions->analysis(row);
    if (m_conditions->stage(row) == StudyStage::Analyze) {
        if (!QFileInfo::exists(analysis)) {
            m_message->setText(tr("%1 has not been written yet.").arg(analysis));
            return;
        }
        const QString baseline = m_conditions->baselineAnalysis(row);
        if (compare && QFileInfo::exists(baseline))
            Q_EMIT compareRequested({baseline, analysis});
        else
            Q_EMIT openAnalysisRequested(analysis);
        return;
    }
    Q_EMIT openRunRequested(m_conditions->runDir(row));
}

void StudyPanel::conditionMenu(const QPoint& pos)
{
    const QModelIndex index = m_conditionsView->indexAt(pos);
    if (!index.isValid())
        return;
    QMenu menu;
    if (m_conditions->stage(index.row()) == StudyStage::Analyze) {
        menu.addAction(tr("Open in Neurons"), this, [this, index] { activateCondition(index, false); });
        if (!m_conditions->baselineAnalysis(index.row()).isEmpty())
            menu.addAction(
                tr("Compare with its baseline in Distributions"), this, [this, index] { activateCondition(index, true); });
    } else {
        menu.addAction(tr("Show in Monitor"), this, [this, index] { activateCondition(index, false); });
    }
    menu.exec(m_conditionsView->viewport()->mapToGlobal(pos));
}

void StudyPanel::setPlan(std::shared_ptr<const StudyPlan> plan)
{
    const bool sameAxes = m_plan && plan && [&] {
        if (m_plan->axes.size() != plan->axes.size() || m_plan->studyDir != plan->studyDir)
            return false;
        for (std::size_t i = 0; i < plan->axes.size(); ++i)
            if (m_plan->axes[i].key != plan->axes[i].key)
                return false;
        return true;
    }();
    m_plan = std::move(plan);
    m_results->setPlan(m_plan, sameAxes);
}

void StudyPanel::updateFigure()
{
    m_results->updateFigure();
}

QCustomPlot* StudyPanel::figure() const
{
    return m_results->figure();
}
QComboBox* StudyPanel::figureXBox() const
{
    return m_results->xBox();
}
QComboBox* StudyPanel::figureYBox() const
{
    return m_results->yBox();
}
QComboBox* StudyPanel::figureHueBox() const
{
    return m_results->hueBox();
}
QComboBox* StudyPanel::figureY2Box() const
{
    return m_results->y2Box();
}
QTabWidget* StudyPanel::resultTabs() const
{
    return m_results;
}
QStandardItemModel* StudyPanel::conditions() const
{
    return m_conditions;
}

void StudyPanel::exportFigure(const QString& path, FigurePreset preset, int dpi)
{
    m_results->exportFigure(path, preset, dpi);
}

QString StudyPanel::comparisonText(const QString& format) const
{
    return m_results->comparisonText(format);
}

} // namespace repalign::gui
