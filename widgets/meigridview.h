#pragma once
/// @file meigridview.h
/// The MEI grid of the Neurons tab and of MEI figures: k images per row, one row per analysis
/// (or per set of synthesised images), with a title and captions under each image.
#include "interpret/analysis.h"

#include <QImage>
#include <QWidget>

#include <cstdint>
#include <functional>

namespace repalign::gui {

/// k MEIs per row, one row per analysis, with captions; exportable as a figure. With a minimum
/// thumbnail side set (the neuron browser), a row that does not fit wraps onto more lines instead
/// of shrinking its thumbnails, and the view asks for the height that takes (height for width).
class MeiGridView : public QWidget {
    Q_OBJECT
public:
    struct Row {
        QString title;
        QList<QImage> images;
        QStringList captions;
    };
    /// Where everything is drawn: one title per row, an image and a caption cell per MEI.
    struct Layout {
        QList<QRect> titles;
        QList<QList<QRect>> images, captions;
        int perLine = 0; ///< MEIs per line
        int side = 0; ///< thumbnail side in pixels
        int height = 0; ///< height the content needs
    };
    explicit MeiGridView(QWidget* parent = nullptr);
    void setRows(const QList<Row>& rows);
    const QList<Row>& rows() const { return m_rows; }
    /// Thumbnails never get smaller than @p side pixels (0: fit the widget, the export default).
    void setMinimumSide(int side);
    int minimumSide() const { return m_minSide; }
    /// The layout at @p width x @p height (height 0: as tall as the content needs).
    Layout layoutFor(int width, int height = 0) const;
    /// Caption lines as drawn in a cell @p width pixels wide (elided to fit).
    QStringList captionLines(const QString& caption, int width) const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override;
    int heightForWidth(int width) const override;
    /// Builds the row for @p unit of @p file.
    static Row rowFor(
        const AnalysisFile& file, std::int64_t unit, const QString& title, const std::function<QString(std::int64_t)>& className);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QList<Row> m_rows;
    int m_minSide = 0;
};

} // namespace repalign::gui
