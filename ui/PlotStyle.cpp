#include "PlotStyle.h"

#include "report/ReportStyle.h"

#include <qcustomplot.h>

namespace strata::PlotStyle {

void setPlaceholder(QCustomPlot *plot, const QString &text)
{
    auto *item = plot->findChild<QCPItemText *>(QStringLiteral("placeholder"), Qt::FindDirectChildrenOnly);
    if (text.isEmpty()) {
        if (item)
            plot->removeItem(item);
        return;
    }
    if (!item) {
        item = new QCPItemText(plot);
        item->setObjectName(QStringLiteral("placeholder"));
        item->position->setType(QCPItemPosition::ptAxisRectRatio);
        item->position->setCoords(0.5, 0.5);
        item->setPositionAlignment(Qt::AlignCenter);
        item->setColor(QColor(110, 110, 110));
        item->setClipToAxisRect(false);
    }
    item->setText(text);
}

QColor categoricalColor(int i)
{
    // The two yellows closest to the first one come last, so 17 classes (UPOS) differ by at least 40 in RGB.
    static const QRgb kelly[] = {0xF3C300, 0x875692, 0xF38400, 0xA1CAF1, 0xBE0032, 0xC2B280, 0x848482, 0x008856, 0xE68FAC, 0x0067A5,
                                 0xF99379, 0x604E97, 0xB3446C, 0x882D17, 0x8DB600, 0x654522, 0xE25822, 0x2B3D26, 0xF6A600, 0xDCD300};
    const int n = int(sizeof(kelly) / sizeof(kelly[0]));
    return QColor(kelly[((i % n) + n) % n]);
}

QColor roleColor(HeadRole role)
{
    return ReportStyle::roleColor(role);
}

QCPColorGradient sequentialGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.00, QColor(68, 1, 84));
    g.setColorStopAt(0.25, QColor(59, 82, 139));
    g.setColorStopAt(0.50, QColor(33, 145, 140));
    g.setColorStopAt(0.75, QColor(94, 201, 98));
    g.setColorStopAt(1.00, QColor(253, 231, 37));
    g.setNanHandling(QCPColorGradient::nhTransparent);
    g.setLevelCount(256);
    return g;
}

QCPColorGradient divergingGradient()
{
    QCPColorGradient g;
    g.setColorStopAt(0.0, QColor(33, 102, 172));
    g.setColorStopAt(0.5, QColor(247, 247, 247));
    g.setColorStopAt(1.0, QColor(178, 24, 43));
    g.setNanHandling(QCPColorGradient::nhTransparent);
    return g;
}

void putLegendBelow(QCustomPlot *plot, int wrap)
{
    plot->legend->setVisible(false);
    if (wrap > 0) {
        plot->legend->setWrap(wrap);
        plot->legend->setFillOrder(QCPLegend::foRowsFirst);
    } else {
        plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    }
    // The legend sits between two empty cells: a grid column is no wider than its elements' maximum,
    // and an empty legend's maximum is its margins, which squeezed the axes to 50 px before a first run.
    auto *row = new QCPLayoutGrid;
    plot->plotLayout()->addElement(1, 0, row);
    row->addElement(0, 0, new QCPLayoutElement(plot));
    row->addElement(0, 1, plot->legend);
    row->addElement(0, 2, new QCPLayoutElement(plot));
    row->setColumnStretchFactors({0.001, 1, 0.001});
    row->setColumnSpacing(0);
    plot->plotLayout()->setRowStretchFactor(1, 0.001);
}

} // namespace strata::PlotStyle
