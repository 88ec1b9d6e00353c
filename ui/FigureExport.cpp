#include "FigureExport.h"

#include "AppContext.h"
#include "Panel.h"
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

QString caption(const QWidget *parent, const QString &what)
{
    for (const QObject *o = parent; o; o = o->parent())
        if (const auto *panel = qobject_cast<const Panel *>(o)) {
            QStringList parts;
            if (!what.isEmpty())
                parts << what;
            if (const TracePtr t = panel->context()->trace()) {
                parts << t->model.runLabel();
                const QString prompt = t->prompt.simplified();
                parts << QStringLiteral("“%1”").arg(prompt.size() > 60 ? prompt.left(57) + QStringLiteral("…") : prompt);
            }
            return parts.join(QStringLiteral(" — "));
        }
    return what;
}

namespace {
// Puts a caption row on top of the plot for the export, and takes it away again.
class PlotCaption
{
public:
    PlotCaption(QCustomPlot *plot, const QString &text) : m_plot(plot)
    {
        if (text.isEmpty())
            return;
        m_plot->plotLayout()->insertRow(0);
        m_element = new QCPTextElement(m_plot, text, QFont(m_plot->font().family(), m_plot->font().pointSize(), QFont::Bold));
        m_plot->plotLayout()->addElement(0, 0, m_element);
        m_plot->replot(QCustomPlot::rpImmediateRefresh);
    }
    ~PlotCaption()
    {
        if (!m_element)
            return;
        m_plot->plotLayout()->remove(m_element);
        m_plot->plotLayout()->simplify();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    PlotCaption(const PlotCaption &) = delete;
    PlotCaption &operator=(const PlotCaption &) = delete;

private:
    QCustomPlot *m_plot;
    QCPTextElement *m_element = nullptr;
};

// A widget's picture with a caption strip above it.
QImage captioned(QWidget *figure, const QString &text)
{
    const QPixmap pic = figure->grab();
    if (text.isEmpty())
        return pic.toImage();
    QFont font = figure->font();
    font.setBold(true);
    const int strip = QFontMetrics(font).height() * 2;
    QImage img(pic.width(), pic.height() + strip, QImage::Format_ARGB32);
    img.fill(Qt::white);
    QPainter p(&img);
    p.setFont(font);
    p.setPen(Qt::black);
    p.drawText(QRect(0, 0, pic.width(), strip), Qt::AlignCenter, text);
    p.drawPixmap(0, strip, pic);
    return img;
}
} // namespace

void savePlot(QCustomPlot *plot, const QString &path, int width, int height, const QString &caption)
{
    const PlotCaption title(plot, caption);
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

void saveFigure(QWidget *figure, const QString &path, int width, int height, const QString &caption)
{
    if (auto *plot = qobject_cast<QCustomPlot *>(figure))
        return savePlot(plot, path, width, height, caption);
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QImage picture = captioned(figure, caption);
    const QSize size = picture.size();
    bool ok = false;
    if (suffix == QLatin1String("png") || suffix == QLatin1String("jpg")) {
        ok = picture.save(path);
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator gen;
        gen.setFileName(path);
        gen.setSize(size);
        gen.setViewBox(QRect(QPoint(0, 0), size));
        QPainter p;
        ok = p.begin(&gen);
        if (ok) {
            if (caption.isEmpty())
                figure->render(&p);
            else
                p.drawImage(0, 0, picture);
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
            if (caption.isEmpty())
                figure->render(&p);
            else
                p.drawImage(0, 0, picture);
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
        const QString title = caption(parent, data.title);
        if (suffix == QLatin1String("csv") || suffix == QLatin1String("json")) {
            FigureData titled = data;
            titled.title = title;
            saveData(titled, path);
        } else {
            saveFigure(figure, path, 0, 0, title);
        }
    } catch (const Error &e) {
        QMessageBox::warning(parent, QObject::tr("Export failed"), e.message());
        return QString();
    }
    return path;
}

} // namespace strata::FigureExport
