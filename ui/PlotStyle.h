#pragma once

#include "analysis/HeadMetrics.h"

#include <QColor>

class QCPColorGradient;
class QCustomPlot;

namespace strata::PlotStyle {
// One fixed, distinguishable colour per head role (also readable by colour-blind users: hue and lightness differ).
QColor roleColor(HeadRole role);
// Distinct hues for categories (parts of speech, classes): Kelly's colours of maximum contrast, white
// and black left out; i wraps after 20.
QColor categoricalColor(int i);
// A perceptually ordered dark-to-light gradient (viridis stops); NaN cells show the background.
QCPColorGradient sequentialGradient();
// Blue - white - red for signed differences centred on 0 (set the range symmetric); NaN transparent.
QCPColorGradient divergingGradient();
// Moves the plot's legend into a row of its own under the axes, so that it never covers the data;
// hidden until the caller shows it (an empty legend would squeeze the plot). wrap > 0: that many
// entries per row, filled row by row; 0: one row.
void putLegendBelow(QCustomPlot *plot, int wrap = 0);
// A grey line of text in the middle of an empty plot saying what to do (empty text: removed), so that
// bare axes before a first run do not look broken. The item is named "placeholder".
void setPlaceholder(QCustomPlot *plot, const QString &text);
} // namespace strata::PlotStyle
