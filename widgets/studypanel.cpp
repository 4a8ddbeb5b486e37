#include "studypanel.h"

#include "background.h"
#include "distributionplots.h"
#include "jobqueuemodel.h"
#include "plotstyle.h"
#include "qcp.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "pipeline/study.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
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
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace repalign::gui {

namespace {

enum ConditionRole { RunDirRole = Qt::UserRole + 1, StageRole, AnalysisRole, BaselineAnalysisRole };

struct PlanResult {
    std::shared_ptr<const StudyPlan> plan;
    QString text, error;
};

struct StatusResult {
    std::shared_ptr<const StudyPlan> plan;
    std::vector<std::vector<QString>> rows; ///< name, stage, state, progress, message, runDir, analysis, baselineAnalysis
    QString finished; ///< the finished analyses, one name a line
    QString error;
};

struct FigureResult {
    std::shared_ptr<const StudyTable> table;
    std::vector<StudyFigurePoint> points;
    QString error;
};

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

StatusResult readStatus(std::shared_ptr<const StudyPlan> plan, const std::string& folder)
{
    StatusResult r;
    try {
        if (!plan)
            plan = std::make_shared<const StudyPlan>(readStudyFolder(folder));
        r.plan = plan;
        for (const StudyRunState& s : studyStatus(*plan)) {
            const StudyRun* run = plan->find(s.name);
            const QString analysis = s.stage == "analyze" ? qs(plan->analysisPath(s.name)) : QString();
            const QString baseline
                = run && !run->baselineAnalysis.empty() ? qs(plan->analysisPath(run->baselineAnalysis)) : QString();
            r.rows.push_back({qs(s.name), qs(s.stage), qs(s.state), QString::number(100.0 * s.progress, 'f', 0), qs(s.message),
                qs(plan->runDir(s.name)), analysis, baseline});
            if (s.stage == "analyze" && s.state == "finished")
                r.finished += qs(s.name) + QLatin1Char('\n');
        }
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
    // File and folder.
    m_file = new QLineEdit;
    m_file->setObjectName(QStringLiteral("studyFile"));
    m_file->setPlaceholderText(tr("study.yaml"));
    auto* open = new QPushButton(tr("Open…"));
    auto* save = new QPushButton(tr("Save"));
    auto* examples = new QToolButton;
    examples->setObjectName(QStringLiteral("studyExamples"));
    examples->setText(tr("Examples"));
    examples->setToolTip(tr("Open a copy of a study shipped with the program"));
    examples->setPopupMode(QToolButton::InstantPopup);
    auto* exampleMenu = new QMenu(examples);
    for (const QString& name : exampleStudies())
        exampleMenu->addAction(name, this, [this, name] { chooseExample(name); });
    examples->setMenu(exampleMenu);
    m_folder = new QLineEdit;
    m_folder->setPlaceholderText(tr("folder for the runs (default: next to the study file, named after it)"));
    auto* browse = new QPushButton(tr("Browse…"));
    auto* files = new QFormLayout;
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(open);
    fileRow->addWidget(save);
    fileRow->addWidget(examples);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browse);
    files->addRow(tr("Study file:"), fileRow);
    files->addRow(tr("Study folder:"), folderRow);

    // The study text.
    m_editor = new QPlainTextEdit;
    m_editor->setObjectName(QStringLiteral("studyEditor"));
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_editor->setFont(mono);
    m_editor->setPlaceholderText(tr("train:, tune: and analyze: blocks (the Setup forms' YAML) and a grid:"));

    // The grid form.
    m_grid = new QTableWidget(0, 3);
    m_grid->setHorizontalHeaderLabels({tr("Axis (key path)"), tr("Values"), tr("Zip group")});
    m_grid->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_grid->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_grid->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_grid->horizontalHeaderItem(2)->setToolTip(
        tr("Axes with the same zip group advance together (their value lists have the same length) instead of crossing"));
    m_grid->verticalHeader()->setVisible(false);
    m_axisKey = new QComboBox;
    m_axisKey->setEditable(true);
    for (const std::string& k : studyAxisExamples())
        m_axisKey->addItem(qs(k));
    m_axisKey->setToolTip(tr("seed, or train./tune./analyze. followed by a key of that stage's config"));
    m_axisValues = new QLineEdit;
    m_axisValues->setPlaceholderText(tr("[0, 0.5, 1]"));
    auto* add = new QPushButton(tr("Add axis"));
    auto* remove = new QPushButton(tr("Remove axis"));
    auto* zip = new QPushButton(tr("Zip selected"));
    zip->setToolTip(tr("The selected axes advance together instead of crossing (a zip group in study.yaml)"));
    auto* unzip = new QPushButton(tr("Unzip"));
    unzip->setToolTip(tr("The selected axes cross the others again"));
    auto* addRow = new QHBoxLayout;
    addRow->addWidget(m_axisKey, 1);
    addRow->addWidget(m_axisValues, 1);
    addRow->addWidget(add);
    addRow->addWidget(remove);
    auto* zipRow = new QHBoxLayout;
    zipRow->addStretch(1);
    zipRow->addWidget(zip);
    zipRow->addWidget(unzip);
    auto* gridBox = new QGroupBox(tr("Grid"));
    auto* gl = new QVBoxLayout(gridBox);
    gl->addWidget(m_grid, 1);
    gl->addLayout(zipRow);
    gl->addLayout(addRow);

    // Actions and the plan.
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
    m_planView->setFont(mono);

    // Live conditions.
    m_conditions = new QStandardItemModel(0, 5, this);
    m_conditions->setHorizontalHeaderLabels({tr("Condition"), tr("Stage"), tr("State"), tr("Progress %"), tr("Message")});
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

    // The study figure (as figure --kind study) and the comparison table (as study compare).
    m_figX = new QComboBox;
    m_figX->setObjectName(QStringLiteral("studyFigureX"));
    m_figX->setToolTip(tr("The grid axis along the x axis"));
    m_figY = new QComboBox;
    m_figY->setObjectName(QStringLiteral("studyFigureY"));
    for (const char* m : {"lpips", "color", "label"})
        m_figY->addItem(metricLabel(QLatin1String(m)), QLatin1String(m));
    m_figY->setToolTip(tr("The II metric: mean over the units with a 95% bootstrap confidence interval"));
    m_figHue = new QComboBox;
    m_figHue->setObjectName(QStringLiteral("studyFigureHue"));
    m_figHue->setToolTip(tr("A grid axis whose values get one line each"));
    m_figY2 = new QComboBox;
    m_figY2->setObjectName(QStringLiteral("studyFigureY2"));
    m_figY2->addItem(tr("(none)"), QString());
    m_figY2->addItem(tr("Accuracy"), QStringLiteral("accuracy"));
    m_figY2->setToolTip(tr("Classification accuracy on a second y axis"));
    auto* exportFig = new QPushButton(QIcon(QStringLiteral(":/icons/export.svg")), tr("Export figure…"));
    auto* figBar = new QHBoxLayout;
    figBar->addWidget(new QLabel(tr("x:")));
    figBar->addWidget(m_figX, 1);
    figBar->addWidget(new QLabel(tr("y:")));
    figBar->addWidget(m_figY);
    figBar->addWidget(new QLabel(tr("Lines:")));
    figBar->addWidget(m_figHue, 1);
    figBar->addWidget(new QLabel(tr("Second axis:")));
    figBar->addWidget(m_figY2);
    figBar->addWidget(exportFig);
    m_figure = new QCustomPlot;
    m_figure->setObjectName(QStringLiteral("studyFigure"));
    m_figure->setMinimumHeight(140);
    m_figure->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    stylePlot(m_figure);
    m_figure->setContextMenuPolicy(Qt::CustomContextMenu);
    m_figureNote = new QLabel(tr("The figure appears when analyses have finished."));
    m_figureNote->setWordWrap(true);
    auto* figPage = new QWidget;
    auto* fl = new QVBoxLayout(figPage);
    fl->addLayout(figBar);
    fl->addWidget(m_figure, 1);
    fl->addWidget(m_figureNote);
    m_comparison = new QPlainTextEdit;
    m_comparison->setObjectName(QStringLiteral("studyComparison"));
    m_comparison->setReadOnly(true);
    m_comparison->setFont(mono);
    m_comparison->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_comparison->setPlaceholderText(tr("Each tuned condition against its own baseline, when analyses have finished."));
    auto* copyMd = new QPushButton(tr("Copy as Markdown"));
    auto* copyTex = new QPushButton(tr("Copy as LaTeX"));
    auto* saveCsv = new QPushButton(tr("Save as CSV…"));
    auto* tableBar = new QHBoxLayout;
    tableBar->addStretch(1);
    tableBar->addWidget(copyMd);
    tableBar->addWidget(copyTex);
    tableBar->addWidget(saveCsv);
    auto* tablePage = new QWidget;
    auto* tl = new QVBoxLayout(tablePage);
    tl->addWidget(m_comparison, 1);
    tl->addLayout(tableBar);
    m_results = new QTabWidget;
    m_results->addTab(m_conditionsView, tr("Conditions"));
    m_results->addTab(figPage, tr("Figure"));
    m_results->addTab(tablePage, tr("Comparison"));

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

    m_textTimer = new QTimer(this);
    m_textTimer->setSingleShot(true);
    m_textTimer->setInterval(300);
    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(1500);
    m_pollTimer->start();

    connect(open, &QPushButton::clicked, this, &StudyPanel::openFile);
    // A path typed or pasted into the field loads on Return, like Open.
    connect(m_file, &QLineEdit::returnPressed, this, [this] {
        const QString path = m_file->text().trimmed();
        if (!path.isEmpty())
            loadStudy(path);
    });
    connect(save, &QPushButton::clicked, this, &StudyPanel::saveFile);
    connect(browse, &QPushButton::clicked, this, &StudyPanel::chooseFolder);
    connect(add, &QPushButton::clicked, this, [this] {
        if (m_axisKey->currentText().trimmed().isEmpty() || m_axisValues->text().trimmed().isEmpty()) {
            m_message->setText(tr("Give the axis a key path and a list of values, e.g. tune.alpha and [0, 0.5, 1]."));
            return;
        }
        addAxis(m_axisKey->currentText().trimmed(), m_axisValues->text().trimmed());
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_grid->currentRow();
        if (row >= 0) {
            m_grid->removeRow(row);
            gridEdited();
        }
    });
    connect(m_grid, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (m_syncing)
            return;
        gridEdited();
        // Zip groups and the lengths of zipped axes: the plan follows at once.
        if (item && (item->column() == 2 || !zipGroupOf(item->row()).isEmpty()))
            previewZips();
    });
    auto selectedRows = [this] {
        QList<int> rows;
        for (const QModelIndex& i : m_grid->selectionModel()->selectedRows())
            rows << i.row();
        if (rows.isEmpty())
            for (const QTableWidgetItem* item : m_grid->selectedItems())
                if (!rows.contains(item->row()))
                    rows << item->row();
        return rows;
    };
    connect(zip, &QPushButton::clicked, this, [this, selectedRows] { zipAxes(selectedRows()); });
    connect(unzip, &QPushButton::clicked, this, [this, selectedRows] { unzipAxes(selectedRows()); });
    connect(m_editor, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_syncing)
            m_textTimer->start();
    });
    connect(m_textTimer, &QTimer::timeout, this, &StudyPanel::textEdited);
    connect(m_planButton, &QPushButton::clicked, this, &StudyPanel::plan);
    connect(m_runButton, &QPushButton::clicked, this, &StudyPanel::run);
    connect(m_exportButton, &QPushButton::clicked, this, &StudyPanel::exportDialog);
    connect(m_pollTimer, &QTimer::timeout, this, [this] {
        if (isVisible() && !resolvedFolder().isEmpty())
            refresh();
    });
    connect(m_conditionsView, &QTableView::doubleClicked, this, [this](const QModelIndex& i) { activateCondition(i, false); });
    connect(m_conditionsView, &QWidget::customContextMenuRequested, this, &StudyPanel::conditionMenu);
    connect(m_folder, &QLineEdit::editingFinished, this, [this] { m_plan.reset(); });
    for (QComboBox* box : {m_figX, m_figY, m_figHue, m_figY2})
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_syncing)
                updateFigure();
        });
    connect(exportFig, &QPushButton::clicked, this, [this] { Q_EMIT exportPlotRequested(m_figure, QStringLiteral("study")); });
    connect(m_figure, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QMenu menu;
        menu.addAction(QIcon(QStringLiteral(":/icons/export.svg")), tr("Export figure…"), this,
            [this] { Q_EMIT exportPlotRequested(m_figure, QStringLiteral("study")); });
        menu.exec(m_figure->mapToGlobal(pos));
    });
    connect(copyMd, &QPushButton::clicked, this,
        [this] { QApplication::clipboard()->setText(comparisonText(QStringLiteral("markdown"))); });
    connect(copyTex, &QPushButton::clicked, this,
        [this] { QApplication::clipboard()->setText(comparisonText(QStringLiteral("latex"))); });
    connect(saveCsv, &QPushButton::clicked, this, &StudyPanel::saveComparisonCsv);
}

StudyPanel::~StudyPanel() = default;

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

void StudyPanel::loadStudy(const QString& path)
{
    m_file->setText(path);
    if (m_folder->text().isEmpty()) {
        const QFileInfo fi(path);
        m_folder->setText(fi.absoluteDir().filePath(fi.completeBaseName()));
    }
    const std::string p = path.toStdString();
    runInBackground(
        this,
        [p]() -> std::pair<QString, QString> {
            try {
                return {qs(readFileText(p)), QString()};
            } catch (const std::exception& e) {
                return {QString(), qs(e.what())};
            }
        },
        [this](std::pair<QString, QString> r) {
            if (!r.second.isEmpty()) {
                m_message->setText(r.second);
                Q_EMIT failed(r.second);
                return;
            }
            setStudyText(r.first);
            m_message->setText(tr("Loaded %1.").arg(m_file->text()));
        });
}

void StudyPanel::setStudyText(const QString& text)
{
    m_syncing = true;
    m_editor->setPlainText(text);
    m_syncing = false;
    m_plan.reset();
    rebuildGridForm();
}

QString StudyPanel::studyText() const
{
    return m_editor->toPlainText();
}

QString StudyPanel::studyFile() const
{
    return m_file->text();
}

void StudyPanel::setStudyFolder(const QString& dir)
{
    m_folder->setText(dir);
    m_plan.reset();
}

QString StudyPanel::studyFolder() const
{
    return m_folder->text();
}

QString StudyPanel::resolvedFolder() const
{
    if (!m_folder->text().trimmed().isEmpty())
        return m_folder->text().trimmed();
    if (!m_file->text().trimmed().isEmpty()) {
        const QFileInfo fi(m_file->text().trimmed());
        return fi.absoluteDir().filePath(fi.completeBaseName());
    }
    return {};
}

int StudyPanel::axisCount() const
{
    return m_grid->rowCount();
}

void StudyPanel::addAxis(const QString& key, const QString& values)
{
    m_syncing = true;
    const int row = m_grid->rowCount();
    m_grid->insertRow(row);
    m_grid->setItem(row, 0, new QTableWidgetItem(key));
    m_grid->setItem(row, 1, new QTableWidgetItem(values));
    m_grid->setItem(row, 2, new QTableWidgetItem);
    m_syncing = false;
    gridEdited();
}

QString StudyPanel::zipGroupOf(int row) const
{
    const auto* z = m_grid->item(row, 2);
    return z ? z->text().trimmed() : QString();
}

void StudyPanel::zipAxes(const QList<int>& rows)
{
    if (rows.size() < 2) {
        m_message->setText(tr("Select two or more axes to zip them."));
        return;
    }
    // A new group number: one more than the largest in use.
    int group = 0;
    for (int r = 0; r < m_grid->rowCount(); ++r)
        group = std::max(group, zipGroupOf(r).toInt());
    m_syncing = true;
    for (int r : rows)
        if (r >= 0 && r < m_grid->rowCount())
            m_grid->setItem(r, 2, new QTableWidgetItem(QString::number(group + 1)));
    m_syncing = false;
    gridEdited();
    previewZips();
}

void StudyPanel::unzipAxes(const QList<int>& rows)
{
    m_syncing = true;
    for (int r : rows)
        if (r >= 0 && r < m_grid->rowCount())
            m_grid->setItem(r, 2, new QTableWidgetItem);
    m_syncing = false;
    gridEdited();
    previewZips();
}

void StudyPanel::previewZips()
{
    // The plan follows the zip groups at once (lengths checked by the study parser: the CLI's line).
    if (!resolvedFolder().isEmpty())
        plan();
}

void StudyPanel::gridEdited()
{
    std::vector<StudyGridEntry> grid;
    std::vector<std::vector<std::string>> zips;
    QStringList groups; // zip group labels in order of first appearance
    for (int r = 0; r < m_grid->rowCount(); ++r) {
        const auto* k = m_grid->item(r, 0);
        const auto* v = m_grid->item(r, 1);
        if (!k || !v || k->text().trimmed().isEmpty())
            continue;
        grid.push_back({k->text().trimmed().toStdString(), v->text().trimmed().toStdString()});
        const QString g = zipGroupOf(r);
        if (g.isEmpty())
            continue;
        if (!groups.contains(g)) {
            groups << g;
            zips.emplace_back();
        }
        zips[static_cast<std::size_t>(groups.indexOf(g))].push_back(grid.back().key);
    }
    const std::string text = m_editor->toPlainText().toStdString();
    m_syncing = true;
    m_editor->setPlainText(qs(studyWithGrid(text, grid, zips)));
    m_syncing = false;
    m_plan.reset();
}

void StudyPanel::textEdited()
{
    m_plan.reset();
    rebuildGridForm();
}

void StudyPanel::rebuildGridForm()
{
    std::vector<StudyGridEntry> grid;
    std::vector<std::vector<std::string>> zips;
    try {
        grid = studyGridOf(m_editor->toPlainText().toStdString(), &zips);
    } catch (const std::exception& e) {
        m_message->setText(qs(e.what()));
        return;
    }
    // Each axis shows the number of its zip group (the first group that names it).
    auto groupOf = [&](const std::string& key) {
        for (std::size_t z = 0; z < zips.size(); ++z)
            if (std::find(zips[z].begin(), zips[z].end(), key) != zips[z].end())
                return QString::number(z + 1);
        return QString();
    };
    m_syncing = true;
    m_grid->setRowCount(0);
    for (const auto& g : grid) {
        const int row = m_grid->rowCount();
        m_grid->insertRow(row);
        m_grid->setItem(row, 0, new QTableWidgetItem(qs(g.key)));
        m_grid->setItem(row, 1, new QTableWidgetItem(qs(g.values)));
        m_grid->setItem(row, 2, new QTableWidgetItem(groupOf(g.key)));
    }
    m_syncing = false;
}

void StudyPanel::openFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open study"), m_file->text(), tr("Study (*.yaml *.yml)"));
    if (!path.isEmpty()) {
        m_folder->clear();
        loadStudy(path);
    }
}

QStringList StudyPanel::exampleStudies()
{
    return QDir(QStringLiteral(":/studies")).entryList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name);
}

void StudyPanel::chooseExample(const QString& name)
{
    const QString start = QDir(QFileInfo(m_file->text()).absolutePath()).filePath(name);
    const QString path
        = QFileDialog::getSaveFileName(this, tr("Save a copy of the example %1").arg(name), start, tr("Study (*.yaml *.yml)"));
    if (!path.isEmpty())
        openExample(name, path);
}

void StudyPanel::openExample(const QString& name, const QString& path)
{
    QFile resource(QStringLiteral(":/studies/") + name);
    if (!resource.open(QIODevice::ReadOnly)) {
        m_message->setText(
            tr("There is no example study named %1 (examples: %2).").arg(name, exampleStudies().join(QStringLiteral(", "))));
        Q_EMIT failed(m_message->text());
        return;
    }
    const std::string text = resource.readAll().toStdString(), p = path.toStdString();
    runInBackground(
        this,
        [p, text]() -> QString {
            try {
                writeFileAtomic(p, text);
                return {};
            } catch (const std::exception& e) {
                return qs(e.what());
            }
        },
        [this, path](QString error) {
            if (!error.isEmpty()) {
                m_message->setText(error);
                Q_EMIT failed(error);
                return;
            }
            m_folder->clear();
            loadStudy(path);
        });
}

void StudyPanel::saveFile()
{
    QString path = m_file->text();
    if (path.isEmpty())
        path = QFileDialog::getSaveFileName(this, tr("Save study"), QString(), tr("Study (*.yaml *.yml)"));
    if (path.isEmpty())
        return;
    m_file->setText(path);
    saveInBackground(path, studyText());
}

void StudyPanel::chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Study folder"), resolvedFolder());
    if (!dir.isEmpty())
        setStudyFolder(dir);
}

namespace {

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

void StudyPanel::plan()
{
    const QString folder = resolvedFolder();
    if (folder.isEmpty()) {
        m_message->setText(tr("Choose a study folder (where the runs go) first."));
        Q_EMIT failed(m_message->text());
        return;
    }
    m_message->setText(tr("Planning…"));
    const int generation = ++m_generation;
    const std::string text = studyText().toStdString(), file = m_file->text().trimmed().toStdString(), dir = folder.toStdString();
    runInBackground(
        this, [text, file, dir] { return planStudy(text, file, dir); },
        [this, generation](PlanResult r) {
            if (generation != m_generation)
                return;
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
        this, [plan, dir] { return readStatus(plan, dir); },
        [this](StatusResult r) {
            m_refreshing = false;
            if (!r.error.isEmpty())
                return;
            if (!m_plan)
                setPlan(r.plan);
            showConditions(r.rows);
            if (r.finished != m_finished) {
                // More analyses finished (or the folder changed): the figure and table follow.
                m_finished = r.finished;
                updateFigure();
            }
            Q_EMIT refreshed();
        });
}

void StudyPanel::showConditions(const std::vector<std::vector<QString>>& rows)
{
    if (m_conditions->rowCount() != static_cast<int>(rows.size()))
        m_conditions->setRowCount(static_cast<int>(rows.size()));
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
        const auto& row = rows[static_cast<std::size_t>(r)];
        for (int c = 0; c < 5; ++c) {
            QStandardItem* item = m_conditions->item(r, c);
            if (!item) {
                item = new QStandardItem;
                m_conditions->setItem(r, c, item);
            }
            if (item->text() != row[static_cast<std::size_t>(c)])
                item->setText(row[static_cast<std::size_t>(c)]);
        }
        QStandardItem* first = m_conditions->item(r, 0);
        first->setData(row[5], RunDirRole);
        first->setData(row[1], StageRole);
        first->setData(row[6], AnalysisRole);
        first->setData(row[7], BaselineAnalysisRole);
    }
}

void StudyPanel::activateCondition(const QModelIndex& index, bool compare)
{
    if (!index.isValid())
        return;
    const QModelIndex first = m_conditions->index(index.row(), 0);
    const QString stage = first.data(StageRole).toString();
    const QString analysis = first.data(AnalysisRole).toString();
    if (stage == QLatin1String("analyze")) {
        if (!QFileInfo::exists(analysis)) {
            m_message->setText(tr("%1 has not been written yet.").arg(analysis));
            return;
        }
        const QString baseline = first.data(BaselineAnalysisRole).toString();
        if (compare && QFileInfo::exists(baseline))
            Q_EMIT compareRequested({baseline, analysis});
        else
            Q_EMIT openAnalysisRequested(analysis);
        return;
    }
    Q_EMIT openRunRequested(first.data(RunDirRole).toString());
}

void StudyPanel::conditionMenu(const QPoint& pos)
{
    const QModelIndex index = m_conditionsView->indexAt(pos);
    if (!index.isValid())
        return;
    const QModelIndex first = m_conditions->index(index.row(), 0);
    QMenu menu;
    if (first.data(StageRole).toString() == QLatin1String("analyze")) {
        menu.addAction(tr("Open in Neurons"), this, [this, index] { activateCondition(index, false); });
        if (!first.data(BaselineAnalysisRole).toString().isEmpty())
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
    if (!sameAxes) {
        m_finished.clear();
        m_tableKey.clear();
        m_table.reset();
        fillFigureBoxes();
    }
}

void StudyPanel::fillFigureBoxes()
{
    // Keep the user's choice where the axis is still there.
    const QString x = m_figX->currentData().toString(), hue = m_figHue->currentData().toString();
    m_syncing = true;
    m_figX->clear();
    m_figHue->clear();
    m_figHue->addItem(tr("(none)"), QString());
    if (m_plan) {
        for (const StudyAxis& a : m_plan->axes) {
            m_figX->addItem(qs(a.key), qs(a.key));
            m_figHue->addItem(qs(a.key), qs(a.key));
        }
        const int y = m_figY->findData(qs(m_plan->metric));
        if (y >= 0)
            m_figY->setCurrentIndex(y);
    }
    const int xi = m_figX->findData(x);
    m_figX->setCurrentIndex(xi >= 0 ? xi : 0);
    // Default lines: the first other axis (the tune.alpha x tune.rois picture).
    int hi = hue.isEmpty() ? -1 : m_figHue->findData(hue);
    if (hi < 0)
        hi = m_figHue->count() > 2 ? (m_figX->currentIndex() == 0 ? 2 : 1) : 0;
    m_figHue->setCurrentIndex(hi);
    m_syncing = false;
}

void StudyPanel::updateFigure()
{
    const auto plan = m_plan;
    if (!plan)
        return;
    const std::string x = m_figX->currentData().toString().toStdString();
    std::string hue = m_figHue->currentData().toString().toStdString();
    if (hue == x)
        hue.clear();
    const std::string metric = m_figY->currentData().toString().toStdString();
    const QString key = m_finished + QLatin1Char('|') + qs(metric);
    auto cached = key == m_tableKey ? m_table : nullptr;
    const int generation = ++m_figureGeneration;
    if (x.empty() || m_finished.isEmpty()) {
        m_figure->clearPlottables();
        m_figure->replot();
        m_comparison->clear();
        m_figureNote->setText(x.empty() ? tr("The study has no grid axis to plot against.")
                                        : tr("The figure appears when analyses have finished."));
        Q_EMIT figureUpdated(0);
        return;
    }
    runInBackground(
        this,
        [plan, cached, metric, x, hue] {
            FigureResult r;
            try {
                r.table = cached ? cached : std::make_shared<const StudyTable>(compareStudy(*plan, metric));
                r.points = studyFigurePoints(*r.table, x, hue);
            } catch (const std::exception& e) {
                r.error = qs(e.what());
            }
            return r;
        },
        [this, generation, key, metric, x, hue](FigureResult r) {
            if (generation != m_figureGeneration)
                return;
            if (r.table) {
                m_table = r.table;
                m_tableKey = key;
                m_comparison->setPlainText(comparisonText(QStringLiteral("table")));
            }
            QList<StudyFigureSeriesPoint> points;
            for (const auto& p : r.points)
                points << StudyFigureSeriesPoint {qs(p.x), qs(p.hue), p.mean, p.low, p.high, p.y2};
            const bool y2 = !m_figY2->currentData().toString().isEmpty();
            plotStudyFigure(m_figure, points, qs(x), tr("%1 (mean, 95% CI)").arg(metricLabel(qs(metric))),
                y2 ? tr("accuracy") : QString(), qs(hue));
            m_figure->replot();
            if (!r.error.isEmpty())
                m_figureNote->setText(r.error);
            else if (points.isEmpty())
                m_figureNote->setText(tr("No finished analysis has a value for %1 yet.").arg(qs(x)));
            else
                m_figureNote->setText(tr("%n points from the finished analyses; error bars: 95% bootstrap CI of the mean.",
                    nullptr, static_cast<int>(points.size())));
            Q_EMIT figureUpdated(static_cast<int>(points.size()));
        });
}

void StudyPanel::exportFigure(const QString& path, FigurePreset preset, int dpi)
{
    exportPlotFigure(m_figure, path, preset, dpi);
}

QString StudyPanel::comparisonText(const QString& format) const
{
    if (!m_table)
        return {};
    try {
        return qs(formatStudyTable(*m_table, format.toStdString()));
    } catch (const std::exception& e) {
        return qs(e.what());
    }
}

void StudyPanel::saveComparisonCsv()
{
    if (!m_table) {
        m_message->setText(tr("There is no comparison yet: no analysis has finished."));
        return;
    }
    const QString start = m_plan ? qs(m_plan->studyDir) + QStringLiteral("/comparison.csv") : QString();
    const QString path = QFileDialog::getSaveFileName(this, tr("Save comparison"), start, tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    saveInBackground(path, comparisonText(QStringLiteral("csv")));
}

void StudyPanel::saveInBackground(const QString& path, const QString& text)
{
    const std::string p = path.toStdString(), bytes = text.toStdString();
    runInBackground(
        this,
        [p, bytes]() -> QString {
            try {
                writeFileAtomic(p, bytes);
                return {};
            } catch (const std::exception& e) {
                return qs(e.what());
            }
        },
        [this, path](QString error) { m_message->setText(error.isEmpty() ? tr("Saved %1.").arg(path) : error); });
}

} // namespace repalign::gui
