#include "unitplots.h"

#include "plotstyle.h"

#include <algorithm>

namespace repalign::gui {

QCPColorGradient viridisGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, QColor(68, 1, 84));
    g.setColorStopAt(0.25, QColor(59, 82, 139));
    g.setColorStopAt(0.5, QColor(33, 145, 140));
    g.setColorStopAt(0.75, QColor(94, 201, 98));
    g.setColorStopAt(1.0, QColor(253, 231, 37));
    return g;
}

PairwiseLpipsPlot::PairwiseLpipsPlot(QWidget* parent)
    : QCustomPlot(parent)
{
    setMinimumSize(170, 190);
    stylePlot(this, 8);
    plotLayout()->insertRow(0);
    m_title = new QCPTextElement(this, tr("Pairwise LPIPS"));
    plotLayout()->addElement(0, 0, m_title);
    m_scale = new QCPColorScale(this);
    m_scale->setGradient(viridisGradient());
    m_scale->setBarWidth(10);
    plotLayout()->addElement(1, 1, m_scale);
    xAxis->grid()->setVisible(false);
    yAxis->grid()->setVisible(false);
    xAxis->setLabel(tr("MEI"));
    yAxis->setLabel(tr("MEI"));
    stylePlot(this, 8);
}

void PairwiseLpipsPlot::showUnit(const AnalysisFile& file, int unit, const QString& title)
{
    clearPlottables();
    clearItems();
    m_title->setText(tr("Pairwise LPIPS"));
    setToolTip(tr("Pairwise LPIPS · %1").arg(title));
    if (file.hasPairs) {
        const std::vector<float> pairs = file.lpipsPairs(unit);
        const int k = file.k;
        auto* map = new QCPColorMap(xAxis, yAxis);
        map->data()->setSize(k, k);
        map->data()->setRange(QCPRange(1, k), QCPRange(1, k));
        double vmax = 0;
        for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j) {
                const double v = pairs[static_cast<std::size_t>(i) * k + j];
                map->data()->setCell(j, k - 1 - i, v); // row 1 at the top, like a matrix
                vmax = std::max(vmax, v);
            }
        map->setGradient(viridisGradient());
        map->setDataRange(QCPRange(0, vmax > 0 ? vmax : 1));
        map->setInterpolate(false);
        m_scale->setDataRange(map->dataRange());
        map->setColorScale(m_scale);
        xAxis->setRange(0.5, k + 0.5);
        yAxis->setRange(0.5, k + 0.5);
        QSharedPointer<QCPAxisTickerText> xt(new QCPAxisTickerText), yt(new QCPAxisTickerText);
        for (int i = 1; i <= k; ++i) {
            xt->addTick(i, QString::number(i));
            yt->addTick(k + 1 - i, QString::number(i));
        }
        xAxis->setTicker(xt);
        yAxis->setTicker(yt);
        // Numbers in the cells only where they fit and mean something (calibrated LPIPS is ~0.1-0.6).
        if (k <= 8 && vmax >= 0.05)
            for (int i = 0; i < k; ++i)
                for (int j = 0; j < k; ++j) {
                    auto* t = new QCPItemText(this);
                    t->position->setCoords(j + 1, k - i);
                    const double v = pairs[static_cast<std::size_t>(i) * k + j];
                    t->setText(QString::number(v, 'f', 2));
                    t->setColor(v > 0.6 * vmax ? Qt::black : Qt::white);
                    QFont f = font();
                    f.setPointSizeF(7);
                    t->setFont(f);
                }
    }
    if (!file.hasPairs)
        m_title->setText(tr("Pairwise LPIPS: not stored in this file"));
    replot(QCustomPlot::rpQueuedReplot);
}

LayerLpipsPlot::LayerLpipsPlot(QWidget* parent)
    : QCustomPlot(parent)
{
    setMinimumSize(170, 190);
    plotLayout()->insertRow(0);
    plotLayout()->addElement(0, 0, new QCPTextElement(this, tr("II-LPIPS by AlexNet layer")));
    yAxis->setLabel(tr("LPIPS part"));
    xAxis->setLabel(tr("AlexNet relu layer"));
    stylePlot(this, 8);
    // The legend (compare mode) gets a row of its own under the title, so it never covers a bar.
    m_legendRow = new QCPLayoutGrid;
    plotLayout()->insertRow(1);
    plotLayout()->addElement(1, 0, m_legendRow);
    plotLayout()->setRowStretchFactor(1, 0.001);
    axisRect()->insetLayout()->take(legend);
    m_legendRow->addElement(0, 0, legend);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(1); // one entry per line: the panel can be narrow
    legend->setBorderPen(Qt::NoPen);
    legend->setBrush(Qt::NoBrush);
    legend->setVisible(false);
    m_group = new QCPBarsGroup(this);
}

void LayerLpipsPlot::showUnit(const QList<const AnalysisFile*>& files, const QStringList& names, int unit)
{
    m_group->clear();
    clearPlottables();
    QCPBarsGroup* group = m_group;
    double top = 0;
    for (int s = 0; s < files.size(); ++s) {
        auto* bars = new QCPBars(xAxis, yAxis);
        bars->setBarsGroup(group);
        bars->setWidth(files.size() > 1 ? 0.35 : 0.6);
        bars->setPen(Qt::NoPen);
        bars->setBrush(paletteColor(s));
        bars->setName(names[s]);
        QVector<double> x, y;
        for (int l = 0; l < 5; ++l) {
            x << l + 1;
            y << files[s]->iiLpipsPerLayer[unit][l];
            top = std::max(top, y.back());
        }
        bars->setData(x, y);
    }
    QSharedPointer<QCPAxisTickerText> lt(new QCPAxisTickerText);
    for (int l = 0; l < 5; ++l)
        lt->addTick(l + 1, QString::number(l + 1));
    xAxis->setTicker(lt);
    xAxis->setRange(0.4, 5.6);
    yAxis->setRange(0, top > 0 ? top * 1.15 : 1);
    legend->setVisible(files.size() > 1);
    replot(QCustomPlot::rpQueuedReplot);
}

} // namespace repalign::gui
