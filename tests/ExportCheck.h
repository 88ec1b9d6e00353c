#pragma once

// Checks of exported files by their content, not their size: a PNG of the asked size with something
// drawn, an SVG document with drawing elements, a complete PDF, and CSV/JSON data equal to the
// figure's numbers.
#include "FigureExport.h"

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QXmlStreamReader>
#include <QtTest>

#include <cmath>

namespace exportcheck {

inline QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Empty when the file is a real figure of that kind, else what is wrong with it.
inline QString figureProblem(const QString &path, int width, int height)
{
    const QByteArray bytes = readAll(path);
    if (bytes.isEmpty())
        return QStringLiteral("%1 is missing or empty").arg(path);
    if (path.endsWith(QLatin1String(".png"))) {
        const QImage img = QImage::fromData(bytes, "PNG");
        if (img.isNull())
            return QStringLiteral("%1 is not a PNG image").arg(path);
        if (img.width() < width || img.height() < height)
            return QStringLiteral("%1 is %2x%3, asked for %4x%5").arg(path).arg(img.width()).arg(img.height()).arg(width).arg(height);
        QSet<QRgb> colours;
        for (int y = 0; y < img.height() && colours.size() < 3; y += 3)
            for (int x = 0; x < img.width() && colours.size() < 3; x += 3)
                colours.insert(img.pixel(x, y));
        return colours.size() >= 3 ? QString() : QStringLiteral("%1 is nearly blank (%2 colours)").arg(path).arg(colours.size());
    }
    if (path.endsWith(QLatin1String(".svg"))) {
        QXmlStreamReader xml(bytes);
        QString root;
        int drawn = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (root.isEmpty())
                root = xml.name().toString();
            const auto n = xml.name();
            drawn += n == QLatin1String("path") || n == QLatin1String("rect") || n == QLatin1String("polyline") || n == QLatin1String("image");
        }
        if (xml.hasError() || root != QLatin1String("svg"))
            return QStringLiteral("%1 is not an SVG document (%2)").arg(path, xml.errorString());
        return drawn > 0 ? QString() : QStringLiteral("%1 draws nothing").arg(path);
    }
    if (path.endsWith(QLatin1String(".pdf"))) {
        if (!bytes.startsWith("%PDF-") || !bytes.trimmed().endsWith("%%EOF") || !bytes.contains("/Page"))
            return QStringLiteral("%1 is not a complete PDF").arg(path);
        return QString();
    }
    return QStringLiteral("%1: unknown figure type").arg(path);
}

// Empty when the CSV or JSON file holds exactly the figure's labels and numbers.
inline QString dataProblem(const QString &path, const strata::FigureData &fd)
{
    const QByteArray bytes = readAll(path);
    std::vector<std::vector<double>> values;
    QStringList rows;
    if (path.endsWith(QLatin1String(".json"))) {
        const QJsonObject o = QJsonDocument::fromJson(bytes).object();
        for (const QJsonValue &r : o.value(QStringLiteral("values")).toArray()) {
            std::vector<double> row;
            for (const QJsonValue &v : r.toArray())
                row.push_back(v.toDouble());
            values.push_back(row);
        }
        for (const QJsonValue &r : o.value(QStringLiteral("rows")).toArray())
            rows << r.toString();
        if (o.value(QStringLiteral("title")).toString() != fd.title)
            return QStringLiteral("%1: title '%2', the figure's '%3'").arg(path, o.value(QStringLiteral("title")).toString(), fd.title);
    } else {
        const QList<QByteArray> lines = bytes.trimmed().split('\n');
        for (int i = 1; i < lines.size(); ++i) { // the first line is the header
            // Row labels may be quoted and hold commas: the numbers are the last columns.
            const QList<QByteArray> cells = lines[i].split(',');
            const int n = int(fd.columnLabels.size());
            std::vector<double> row;
            for (int c = int(cells.size()) - n; c < cells.size(); ++c)
                row.push_back(cells[c].toDouble());
            values.push_back(row);
        }
    }
    if (values.size() != fd.values.size())
        return QStringLiteral("%1: %2 rows, the figure has %3").arg(path).arg(values.size()).arg(fd.values.size());
    if (!rows.isEmpty() && rows != fd.rowLabels)
        return QStringLiteral("%1: row labels differ").arg(path);
    for (size_t r = 0; r < values.size(); ++r) {
        if (values[r].size() != fd.values[r].size())
            return QStringLiteral("%1: row %2 has %3 values, the figure %4").arg(path).arg(r).arg(values[r].size()).arg(fd.values[r].size());
        for (size_t c = 0; c < values[r].size(); ++c) {
            const double want = fd.values[r][c], got = values[r][c];
            if (!(std::isnan(want) && std::isnan(got)) && std::abs(got - want) > 1e-7 * std::max(1.0, std::abs(want)))
                return QStringLiteral("%1: value [%2][%3] is %4, the figure's %5").arg(path).arg(r).arg(c).arg(got).arg(want);
        }
    }
    return QString();
}

} // namespace exportcheck
