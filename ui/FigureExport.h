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
// suffix. The figure is a QCustomPlot, or any widget that paints itself. An exported figure carries
// a caption line on top: what it is (data.title) and, when it comes from a panel, the run's model
// and the start of its prompt (the data's title gets the same). Shows a message box naming the file
// on failure. Returns the path written, or empty.
QString exportInteractively(QWidget *parent, QWidget *figure, const FigureData &data, const QString &baseName);
// "what — model — “prompt…”" for a figure shown in a panel (parent or one of its ancestors).
QString caption(const QWidget *parent, const QString &what);
// Non-interactive forms (tested). Throw Error on failure. A non-empty caption is drawn above the figure.
void saveFigure(QWidget *figure, const QString &path, int width = 0, int height = 0, const QString &caption = {});
void savePlot(QCustomPlot *plot, const QString &path, int width = 0, int height = 0, const QString &caption = {});
void saveData(const FigureData &data, const QString &path);
} // namespace FigureExport

} // namespace strata
