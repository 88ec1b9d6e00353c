#pragma once

#include "analysis/HeadMetrics.h"

#include <QColor>

// Colours shared by the report (strata_report: QtGui only, used by the CLI) and the GUI's plots.
namespace strata::ReportStyle {

QColor roleColor(HeadRole role);
QColor seriesColor(int index); // Okabe-Ito: distinct for colour-blind readers

} // namespace strata::ReportStyle
