#pragma once
/// @file neuronmodel.h
/// Every unit of an analysis as a table row (unit, II-LPIPS, II-color, II-label, top
/// activation, MEI thumbnails), with thumbnails read lazily from the HDF5 file for the rows
/// a view actually asks for, and a sort/filter proxy.
#include "interpret/analysis.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QImage>
#include <QPixmap>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QTimer>

#include <memory>

namespace repalign::gui {

/// "run" for RUN/analysis/NAME.h5, "run / NAME" with @p withName; else the file's base name.
QString analysisLabel(const QString& path, bool withName = false);

/// The run an analysis belongs to, for messages: the run directory of RUN/analysis/NAME.h5,
/// else the run directory of the analysed checkpoint (RUN/checkpoints/X.pt, from the file's
/// `checkpoint` attribute), else the checkpoint's base name, else the file's base name.
QString analysisRunName(const QString& path, const AnalysisFile* file);

/// uint8 HWC RGB -> QImage (deep copy).
QImage rgbImage(const std::uint8_t* data, int height, int width);

class NeuronModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { UnitColumn, LpipsColumn, ColorColumn, LabelColumn, TopActivationColumn, MeiColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, UnitRole };

    explicit NeuronModel(QObject* parent = nullptr);

    /// Opens an analysis file (throws repalign::Error naming the file when it is not one).
    void open(const QString& path);
    void close();
    const AnalysisFile* analysis() const { return m_file.get(); }
    std::shared_ptr<const AnalysisFile> analysisShared() const { return m_file; }
    QString path() const { return m_path; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    /// The MEI thumbnail strip of @p unit (loads it now when not cached).
    QPixmap thumbnailStrip(int unit) const;
    /// Units whose thumbnails were read so far (lazy loading is observable in tests).
    int loadedThumbnails() const { return m_loadedCount; }
    /// Thumbnail side in pixels.
    void setThumbnailSide(int side);
    int thumbnailSide() const { return m_side; }
    /// Class names for labels, when the analysis' data spec tells (shapes, cifar10 meta).
    QString className(std::int64_t label) const;

private:
    void loadPending();
    std::shared_ptr<AnalysisFile> m_file;
    QString m_path;
    QStringList m_classes;
    int m_side = 34;
    mutable QCache<int, QPixmap> m_cache {4096};
    mutable QSet<int> m_pending;
    mutable QTimer m_loadTimer;
    mutable int m_loadedCount = 0;
};

/// Sorts numerically and filters by unit number or a range of the chosen metric column:
/// "42" (unit numbers containing 42), ">0.3", "<0.2", "0.2-0.4", "0.2..0.4".
class NeuronFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit NeuronFilterModel(QObject* parent = nullptr);
    /// Returns false (and keeps the old filter) when @p text cannot be read.
    bool setFilterText(const QString& text);
    void setMetricColumn(int column);
    int metricColumn() const { return m_column; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_unitText;
    double m_min = -std::numeric_limits<double>::infinity();
    double m_max = std::numeric_limits<double>::infinity();
    bool m_range = false;
    int m_column = NeuronModel::LpipsColumn;
};

} // namespace repalign::gui
