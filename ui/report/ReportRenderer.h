#pragma once

#include "analysis/LayerReport.h"

#include <QByteArray>
#include <QRectF>
#include <QString>

class QPainter;

namespace strata::ReportRenderer {

// Draws one figure (lines, stacked bars or a heatmap) into rect with its title, axes and a legend
// above the data (never over it). Vector drawing only, so PDF and SVG output stay sharp.
void paintFigure(QPainter &p, const QRectF &rect, const ReportFigure &figure);
// The figure as a standalone SVG document.
QByteArray figureSvg(const ReportFigure &figure, int width = 520, int height = 300);

// The whole report as one HTML page (figures inline as SVG, each followed by a table of its numbers).
QString html(const LayerReport &report);
// The whole report as a PDF (A4, vector figures, fonts embedded). Throws Error when the file
// cannot be written.
void writePdf(const LayerReport &report, const QString &path);
// By extension: .pdf or .html/.htm; anything else throws Error naming the choices.
void write(const LayerReport &report, const QString &path);
// Whether write() takes this file name (.pdf, .html, .htm), so callers can refuse it before measuring.
bool isReportFile(const QString &path);

} // namespace strata::ReportRenderer
