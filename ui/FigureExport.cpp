#include "FigureExport.h"

#include "util/Error.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextStream>

#include <qcustomplot.h>

namespace strata::FigureExport {

namespace {
QString csvField(const QString &s)
{
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n')))
        return s;
    return QLatin1Char('"') + QString(s).replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
}
} // namespace

void savePlot(QCustomPlot *plot, const QString &path, int width, int height)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool ok = false;
    if (suffix == QLatin1String("svg")) {
        const int w = width > 0 ? width : plot->width(), h = height > 0 ? height : plot->height();
        QSvgGenerator gen;
        gen.setFileName(path);
        gen.setSize(QSize(w, h));
        gen.setViewBox(QRect(0, 0, w, h));
        gen.setTitle(plot->objectName());
        QCPPainter painter;
        ok = painter.begin(&gen);
        if (ok) {
            plot->toPainter(&painter, w, h);
            ok = painter.end();
        }
        ok = ok && QFileInfo(path).size() > 0;
    } else if (suffix == QLatin1String("png"))
        ok = plot->savePng(path, width, height, 2.0);
    else if (suffix == QLatin1String("pdf"))
        ok = plot->savePdf(path, width, height);
    else if (suffix == QLatin1String("jpg") || suffix == QLatin1String("jpeg"))
        ok = plot->saveJpg(path, width, height, 2.0);
    else
        throw Error(QStringLiteral("Cannot export a figure as '.%1'; choose PNG, SVG, PDF, CSV or JSON.").arg(suffix));
    if (!ok)
        throw Error(QStringLiteral("Could not write %1 (is the folder writable and the disk not full?).").arg(path));
}

void saveFigure(QWidget *figure, const QString &path, int width, int height)
{
    if (auto *plot = qobject_cast<QCustomPlot *>(figure))
        return savePlot(plot, path, width, height);
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QSize size = figure->size();
    bool ok = false;
    if (suffix == QLatin1String("png") || suffix == QLatin1String("jpg")) {
        ok = figure->grab().save(path);
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator gen;
        gen.setFileName(path);
        gen.setSize(size);
        gen.setViewBox(QRect(QPoint(0, 0), size));
        QPainter p;
        ok = p.begin(&gen);
        if (ok) {
            figure->render(&p);
            ok = p.end();
        }
    } else if (suffix == QLatin1String("pdf")) {
        QPdfWriter pdf(path);
        pdf.setPageSize(QPageSize(QSizeF(size) * 0.75, QPageSize::Point)); // 96 dpi pixels to points
        pdf.setPageMargins(QMarginsF());
        pdf.setResolution(96);
        QPainter p;
        ok = p.begin(&pdf);
        if (ok) {
            figure->render(&p);
            ok = p.end();
        }
    } else {
        throw Error(QStringLiteral("Cannot export a figure as '.%1'; choose PNG, SVG, PDF, CSV or JSON.").arg(suffix));
    }
    if (!ok || QFileInfo(path).size() == 0)
        throw Error(QStringLiteral("Could not write %1 (is the folder writable and the disk not full?).").arg(path));
}

void saveData(const FigureData &data, const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    QByteArray bytes;
    if (suffix == QLatin1String("csv")) {
        QString out;
        QTextStream s(&out);
        s << csvField(data.title);
        for (const QString &c : data.columnLabels)
            s << ',' << csvField(c);
        s << '\n';
        for (size_t r = 0; r < data.values.size(); ++r) {
            s << csvField(data.rowLabels.value(int(r)));
            for (double v : data.values[r])
                s << ',' << QString::number(v, 'g', 9);
            s << '\n';
        }
        s.flush();
        bytes = out.toUtf8();
    } else if (suffix == QLatin1String("json")) {
        QJsonArray rows;
        for (const auto &row : data.values) {
            QJsonArray r;
            for (double v : row)
                r.append(v);
            rows.append(r);
        }
        bytes = QJsonDocument(QJsonObject{{QStringLiteral("title"), data.title},
                                          {QStringLiteral("rows"), QJsonArray::fromStringList(data.rowLabels)},
                                          {QStringLiteral("columns"), QJsonArray::fromStringList(data.columnLabels)},
                                          {QStringLiteral("values"), rows}})
                    .toJson(QJsonDocument::Indented);
    } else {
        throw Error(QStringLiteral("Cannot export data as '.%1'; choose CSV or JSON.").arg(suffix));
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        throw Error(QStringLiteral("Could not write %1: %2.").arg(path, f.errorString()));
}

QString exportInteractively(QWidget *parent, QWidget *figure, const FigureData &data, const QString &baseName)
{
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        parent, QObject::tr("Export figure"), baseName + QStringLiteral(".png"),
        QObject::tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;CSV data (*.csv);;JSON data (*.json)"), &selected);
    if (path.isEmpty())
        return QString();
    try {
        const QString suffix = QFileInfo(path).suffix().toLower();
        if (suffix == QLatin1String("csv") || suffix == QLatin1String("json"))
            saveData(data, path);
        else
            saveFigure(figure, path);
    } catch (const Error &e) {
        QMessageBox::warning(parent, QObject::tr("Export failed"), e.message());
        return QString();
    }
    return path;
}

} // namespace strata::FigureExport
