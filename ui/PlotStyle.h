#pragma once

class QCPColorGradient;

namespace strata::PlotStyle {
// A perceptually ordered dark-to-light gradient (viridis stops); NaN cells show the background.
QCPColorGradient sequentialGradient();
} // namespace strata::PlotStyle
