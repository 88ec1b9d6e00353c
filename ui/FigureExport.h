#pragma once

#include <QString>
#include <QStringList>

#include <vector>

class QCustomPlot;
class QWidget;

namespace strata {

// A figure's numbers: a matrix with row and column labels, or a table. Exported as CSV or JSON.
struct FigureData
{
    QString title;
    QStringList rowLabels;
    QStringList columnLabels;
    std::vector<std::vector<double>> values; // rows x columns
};

namespace FigureExport {
// Asks for a file name and writes the figure (PNG, SVG, PDF) or its data (CSV, JSON) by the chosen
// suffix. The figure is a QCustomPlot, or any widget that paints itself. Shows a message box naming
// the file on failure. Returns the path written, or empty.
QString exportInteractively(QWidget *parent, QWidget *figure, const FigureData &data, const QString &baseName);
// Non-interactive forms (tested). Throw Error on failure.
void saveFigure(QWidget *figure, const QString &path, int width = 0, int height = 0);
void savePlot(QCustomPlot *plot, const QString &path, int width = 0, int height = 0);
void saveData(const FigureData &data, const QString &path);
} // namespace FigureExport

} // namespace strata
