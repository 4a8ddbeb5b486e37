// The Study tab's editor room: the study file and folder, the study text, its grid form (axes
// and zip groups kept in step with the text's grid: and zip: blocks) and the example studies.
#include "studypanel.h"

#include "background.h"

#include "common/fsutil.h"
#include "pipeline/study.h"

#include <QComboBox>
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
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace repalign::gui {

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace

QFormLayout* StudyPanel::buildFileRows()
{
    m_file = new QLineEdit;
    m_file->setObjectName(QStringLiteral("studyFile"));
    m_file->setPlaceholderText(tr("study.yaml"));
    auto* open = new QPushButton(tr("Open…"));
    auto* save = new QPushButton(tr("Save"));
    // A push button with a menu: its style leaves room for the menu arrow beside the text (a
    // QToolButton's InstantPopup arrow is drawn over the text).
    auto* examples = new QPushButton(tr("Examples"));
    examples->setObjectName(QStringLiteral("studyExamples"));
    examples->setToolTip(tr("Open a copy of a study shipped with the program"));
    auto* exampleMenu = new QMenu(examples);
    for (const QString& name : exampleStudies())
        exampleMenu->addAction(name, this, [this, name] { chooseExample(name); });
    examples->setMenu(exampleMenu);
    // A little air between the text and the arrow (the style's size hint puts them edge to edge).
    examples->setMinimumWidth(examples->sizeHint().width() + 2 * examples->fontMetrics().horizontalAdvance(QLatin1Char(' ')));
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

    connect(open, &QPushButton::clicked, this, &StudyPanel::openFile);
    // A path typed or pasted into the field loads on Return, like Open.
    connect(m_file, &QLineEdit::returnPressed, this, [this] {
        const QString path = m_file->text().trimmed();
        if (!path.isEmpty())
            loadStudy(path);
    });
    connect(save, &QPushButton::clicked, this, &StudyPanel::saveFile);
    connect(browse, &QPushButton::clicked, this, &StudyPanel::chooseFolder);
    connect(m_folder, &QLineEdit::editingFinished, this, [this] { m_plan.reset(); });
    return files;
}

void StudyPanel::buildEditor()
{
    m_editor = new QPlainTextEdit;
    m_editor->setObjectName(QStringLiteral("studyEditor"));
    m_editor->setFont(monospaceFont());
    m_editor->setPlaceholderText(tr("train:, tune: and analyze: blocks (the Setup forms' YAML) and a grid:"));
    m_textTimer = new QTimer(this);
    m_textTimer->setSingleShot(true);
    m_textTimer->setInterval(300);
    connect(m_editor, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_syncing)
            m_textTimer->start();
    });
    connect(m_textTimer, &QTimer::timeout, this, &StudyPanel::textEdited);
}

QWidget* StudyPanel::buildGridForm()
{
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
    return gridBox;
}

QFont StudyPanel::monospaceFont()
{
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    return mono;
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
