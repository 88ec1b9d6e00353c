#pragma once

#include "analysis/HeadMetrics.h"

#include <QColor>

class QCPColorGradient;

namespace strata::PlotStyle {
// One fixed, distinguishable colour per head role (also readable by colour-blind users: hue and lightness differ).
QColor roleColor(HeadRole role);
// A perceptually ordered dark-to-light gradient (viridis stops); NaN cells show the background.
QCPColorGradient sequentialGradient();
// Blue - white - red for signed differences centred on 0 (set the range symmetric); NaN transparent.
QCPColorGradient divergingGradient();
} // namespace strata::PlotStyle
