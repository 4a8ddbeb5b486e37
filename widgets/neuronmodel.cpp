#include "neuronmodel.h"

#include "common/error.h"
#include "data/dataset.h"
#include "run/rundir.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPainter>
#include <QRegularExpression>

#include <cmath>

namespace repalign::gui {

QString analysisLabel(const QString& path, bool withName)
{
    const QFileInfo fi(path);
    QDir dir = fi.absoluteDir();
    if (dir.dirName() == QLatin1String(RunLayout::kAnalysisDir) && dir.cdUp())
        return withName ? QStringLiteral("%1 / %2").arg(dir.dirName(), fi.completeBaseName()) : dir.dirName();
    return fi.completeBaseName();
}

QString analysisRunName(const QString& path, const AnalysisFile* file)
{
    const QFileInfo fi(path);
    QDir dir = fi.absoluteDir();
    if (dir.dirName() == QLatin1String(RunLayout::kAnalysisDir) && dir.cdUp())
        return dir.dirName();
    if (file && !file->checkpoint.empty()) {
        // Text only: the checkpoint may be relative to where the analysis ran, or gone.
        const QString ck = QDir::fromNativeSeparators(QString::fromStdString(file->checkpoint));
        const QStringList parts = ck.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        if (parts.size() >= 3 && parts[parts.size() - 2] == QLatin1String(RunLayout::kCheckpointsDir)
            && parts[parts.size() - 3] != QLatin1String(".") && parts[parts.size() - 3] != QLatin1String(".."))
            return parts[parts.size() - 3];
        const QString base = QFileInfo(ck).completeBaseName();
        if (!base.isEmpty())
            return base;
    }
    return fi.completeBaseName();
}

QImage rgbImage(const std::uint8_t* data, int height, int width)
{
    QImage img(data, width, height, width * 3, QImage::Format_RGB888);
    return img.copy();
}

NeuronModel::NeuronModel(QObject* parent)
    : QAbstractTableModel(parent)
{
    m_loadTimer.setSingleShot(true);
    m_loadTimer.setInterval(0);
    connect(&m_loadTimer, &QTimer::timeout, this, &NeuronModel::loadPending);
}

void NeuronModel::open(const QString& path)
{
    auto file = std::make_shared<AnalysisFile>(path.toStdString());
    beginResetModel();
    m_file = std::move(file);
    m_path = path;
    m_cache.clear();
    m_pending.clear();
    m_loadedCount = 0;
    m_classes.clear();
    // Class names where the data spec tells them.
    try {
        const DataSpec spec = parseDataSpec(m_file->data);
        if (spec.kind == "shapes") {
            for (const auto& c : shapesClassNames())
                m_classes << QString::fromStdString(c);
        } else if (spec.kind == "cifar10") {
            QFile meta(QDir(QString::fromStdString(spec.path)).filePath(QStringLiteral("batches.meta.txt")));
            if (meta.open(QIODevice::ReadOnly))
                for (const QByteArray& line : meta.readAll().split('\n'))
                    if (!line.trimmed().isEmpty())
                        m_classes << QString::fromUtf8(line.trimmed());
        }
    } catch (const Error&) {
    }
    endResetModel();
}

void NeuronModel::close()
{
    beginResetModel();
    m_file.reset();
    m_path.clear();
    m_cache.clear();
    m_pending.clear();
    endResetModel();
}

QString NeuronModel::className(std::int64_t label) const
{
    if (label >= 0 && label < m_classes.size())
        return m_classes[static_cast<int>(label)];
    return QString::number(label);
}

int NeuronModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_file ? 0 : static_cast<int>(m_file->units);
}

int NeuronModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void NeuronModel::setThumbnailSide(int side)
{
    if (side == m_side)
        return;
    m_side = side;
    m_cache.clear();
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, MeiColumn), index(rowCount() - 1, MeiColumn));
}

QPixmap NeuronModel::thumbnailStrip(int unit) const
{
    if (QPixmap* p = m_cache.object(unit))
        return *p;
    const auto images = m_file->meiImages(unit);
    ++m_loadedCount;
    const int k = static_cast<int>(images.size());
    const int gap = 2;
    QPixmap strip(k * m_side + (k - 1) * gap, m_side);
    strip.fill(Qt::transparent);
    QPainter p(&strip);
    for (int i = 0; i < k; ++i) {
        const QImage img = rgbImage(images[i].data(), m_file->imageHeight, m_file->imageWidth);
        p.drawImage(QRect(i * (m_side + gap), 0, m_side, m_side), img);
    }
    p.end();
    m_cache.insert(unit, new QPixmap(strip));
    return strip;
}

void NeuronModel::loadPending()
{
    if (!m_file)
        return;
    // Read what the views asked for since the last event-loop turn, then tell them.
    const QList<int> units = m_pending.values();
    m_pending.clear();
    int lo = INT_MAX, hi = -1;
    for (int u : units) {
        thumbnailStrip(u);
        lo = std::min(lo, u);
        hi = std::max(hi, u);
    }
    if (hi >= 0)
        Q_EMIT dataChanged(index(lo, MeiColumn), index(hi, MeiColumn), {Qt::DecorationRole});
}

QVariant NeuronModel::data(const QModelIndex& index, int role) const
{
    if (!m_file || !index.isValid() || index.row() >= rowCount())
        return {};
    const int u = index.row();
    const AnalysisFile& f = *m_file;
    auto value = [&](int column) -> double {
        switch (column) {
        case UnitColumn:
            return u;
        case LpipsColumn:
            return f.iiLpips[u];
        case ColorColumn:
            return f.iiColor[u];
        case LabelColumn:
            return f.iiLabel[u];
        case TopActivationColumn:
            return f.meiActivations[static_cast<std::size_t>(u) * f.k];
        }
        return 0.0;
    };
    if (role == UnitRole)
        return u;
    if (role == SortRole)
        return index.column() == MeiColumn ? QVariant(u) : QVariant(value(index.column()));
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case UnitColumn:
            return u;
        case LpipsColumn:
        case ColorColumn:
        case LabelColumn:
            return QString::number(value(index.column()), 'f', 4);
        case TopActivationColumn:
            return QString::number(value(index.column()), 'g', 5);
        case MeiColumn:
            return tr("Unit %1").arg(u);
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() != MeiColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::DecorationRole && index.column() == MeiColumn) {
        if (QPixmap* p = m_cache.object(u))
            return *p;
        // Not read yet: ask for it and draw a blank of the right size meanwhile.
        m_pending.insert(u);
        if (!m_loadTimer.isActive())
            m_loadTimer.start();
        QPixmap blank(f.k * m_side + (f.k - 1) * 2, m_side);
        blank.fill(QColor(235, 235, 235));
        return blank;
    }
    if (role == Qt::SizeHintRole && index.column() == MeiColumn)
        return QSize(f.k * (m_side + 2) + 8, m_side + 6);
    if (role == Qt::ToolTipRole)
        return tr("Unit %1\nII-LPIPS %2, II-color %3, II-label %4")
            .arg(u)
            .arg(f.iiLpips[u], 0, 'f', 4)
            .arg(f.iiColor[u], 0, 'f', 4)
            .arg(f.iiLabel[u], 0, 'f', 4);
    return {};
}

QVariant NeuronModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case UnitColumn:
        return tr("Unit");
    case LpipsColumn:
        return tr("II-LPIPS");
    case ColorColumn:
        return tr("II-color");
    case LabelColumn:
        return tr("II-label");
    case TopActivationColumn:
        return tr("Top activation");
    case MeiColumn:
        return tr("MEIs");
    }
    return {};
}

// ---- filter ------------------------------------------------------------------------------

NeuronFilterModel::NeuronFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(NeuronModel::SortRole);
}

bool NeuronFilterModel::setFilterText(const QString& text)
{
    const QString t = text.trimmed();
    static const QRegularExpression cmp(QStringLiteral("^([<>])=?\\s*([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?\\d+)?)$"));
    static const QRegularExpression range(QStringLiteral("^([-+]?[0-9]*\\.?[0-9]+)\\s*(?:-|\\.\\.)\\s*([-+]?[0-9]*\\.?[0-9]+)$"));
    static const QRegularExpression unit(QStringLiteral("^\\d+$"));
    QString unitText;
    bool isRange = false;
    double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
    if (t.isEmpty()) {
    } else if (auto m = cmp.match(t); m.hasMatch()) {
        isRange = true;
        (m.captured(1) == QLatin1String(">") ? lo : hi) = m.captured(2).toDouble();
    } else if (auto r = range.match(t); r.hasMatch()) {
        isRange = true;
        lo = r.captured(1).toDouble();
        hi = r.captured(2).toDouble();
    } else if (unit.match(t).hasMatch()) {
        unitText = t;
    } else {
        return false;
    }
    m_unitText = unitText;
    m_range = isRange;
    m_min = lo;
    m_max = hi;
    invalidateFilter();
    return true;
}

void NeuronFilterModel::setMetricColumn(int column)
{
    m_column = column;
    invalidateFilter();
}

bool NeuronFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (!m_unitText.isEmpty() && !QString::number(sourceRow).contains(m_unitText))
        return false;
    if (m_range) {
        const double v = sourceModel()->index(sourceRow, m_column, sourceParent).data(NeuronModel::SortRole).toDouble();
        if (!(v >= m_min && v <= m_max))
            return false;
    }
    return true;
}

} // namespace repalign::gui
