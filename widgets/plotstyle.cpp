#include "plotstyle.h"

#include "qcp.h"

#include <algorithm>
#include <cmath>

namespace repalign::gui {

namespace {
const QColor kOkabeIto[] = {
    QColor(0, 114, 178), // blue
    QColor(230, 159, 0), // orange
    QColor(0, 158, 115), // bluish green
    QColor(204, 121, 167), // reddish purple
    QColor(86, 180, 233), // sky blue
    QColor(213, 94, 0), // vermillion
    QColor(240, 228, 66), // yellow
    QColor(0, 0, 0), // black
};
} // namespace

int paletteSize()
{
    return static_cast<int>(sizeof(kOkabeIto) / sizeof(kOkabeIto[0]));
}

QColor paletteColor(int index)
{
    const int n = paletteSize();
    return kOkabeIto[((index % n) + n) % n];
}

void stylePlot(QCustomPlot* plot, double basePointSize)
{
    QFont tick = plot->font();
    tick.setPointSizeF(basePointSize);
    QFont label = tick;
    label.setPointSizeF(basePointSize + 1.0);
    const QColor axisColor(60, 60, 60);
    const QColor gridColor(225, 225, 225);
    for (QCPAxis* axis : plot->axisRect()->axes()) {
        axis->setTickLabelFont(tick);
        axis->setLabelFont(label);
        axis->setBasePen(QPen(axisColor, 1));
        axis->setTickPen(QPen(axisColor, 1));
        axis->setSubTickPen(QPen(axisColor, 1));
        axis->setTickLabelColor(axisColor);
        axis->setLabelColor(axisColor);
        axis->grid()->setPen(QPen(gridColor, 1, Qt::SolidLine));
        axis->grid()->setSubGridVisible(false);
        axis->grid()->setZeroLinePen(Qt::NoPen);
    }
    plot->legend->setFont(tick);
    plot->legend->setBorderPen(QPen(QColor(200, 200, 200)));
    plot->legend->setBrush(QColor(255, 255, 255, 220));
    if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(0))) {
        QFont tf = label;
        tf.setBold(true);
        title->setFont(tf);
    }
    plot->setBackground(Qt::white);
}

QVector<double> emaSmooth(const QVector<double>& y, double weight)
{
    QVector<double> out(y.size());
    if (weight <= 0.0) {
        out = y;
        return out;
    }
    weight = std::min(weight, 0.9999);
    double s = 0.0;
    double correction = 1.0;
    int n = 0;
    for (int i = 0; i < y.size(); ++i) {
        const double v = y[i];
        if (!std::isfinite(v)) { // a NaN/inf (diverged step) must not poison the rest
            out[i] = v;
            continue;
        }
        s = weight * s + (1.0 - weight) * v;
        ++n;
        correction *= weight;
        out[i] = s / (1.0 - correction);
    }
    return out;
}

Decimated decimateMinMax(const QVector<double>& x, const QVector<double>& y, double xmin, double xmax, int columns)
{
    Decimated d;
    const int n = std::min(x.size(), y.size());
    if (n == 0)
        return d;
    auto lo = std::lower_bound(x.begin(), x.begin() + n, xmin);
    auto hi = std::upper_bound(x.begin(), x.begin() + n, xmax);
    int begin = static_cast<int>(lo - x.begin());
    int end = static_cast<int>(hi - x.begin());
    // One neighbour on each side so the line reaches the edges of the view.
    begin = std::max(0, begin - 1);
    end = std::min(n, end + 1);
    const int count = end - begin;
    columns = std::max(1, columns);
    if (count <= 4 * columns || !(xmax > xmin)) {
        d.x.reserve(count);
        d.y.reserve(count);
        for (int i = begin; i < end; ++i) {
            d.x.push_back(x[i]);
            d.y.push_back(y[i]);
        }
        return d;
    }
    d.x.reserve(4 * columns + 4);
    d.y.reserve(4 * columns + 4);
    const double width = (xmax - xmin) / columns;
    int i = begin;
    while (i < end) {
        // The column of point i; points left of xmin or right of xmax get their own bucket.
        const double col = std::floor((x[i] - xmin) / width);
        int first = i, minI = i, maxI = i, last = i;
        int j = i + 1;
        while (j < end && std::floor((x[j] - xmin) / width) == col) {
            if (y[j] < y[minI] || (std::isnan(y[minI]) && !std::isnan(y[j])))
                minI = j;
            if (y[j] > y[maxI] || (std::isnan(y[maxI]) && !std::isnan(y[j])))
                maxI = j;
            last = j;
            ++j;
        }
        int picks[4] = {first, std::min(minI, maxI), std::max(minI, maxI), last};
        int prev = -1;
        for (int p : picks) {
            if (p == prev)
                continue;
            d.x.push_back(x[p]);
            d.y.push_back(y[p]);
            prev = p;
        }
        i = j;
    }
    return d;
}

} // namespace repalign::gui
