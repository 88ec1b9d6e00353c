#include "ReportRenderer.h"

#include "ReportStyle.h"
#include "util/Error.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>

namespace strata::ReportRenderer {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("strata::ReportRenderer", text); // the context lupdate gives calls here
}

QString num(double v)
{
    if (std::isnan(v))
        return QStringLiteral("–");
    const double a = std::abs(v);
    return QString::number(v, 'f', a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

QFont font(double points, bool bold = false)
{
    QFont f;
    f.setPointSizeF(points);
    f.setBold(bold);
    return f;
}

QColor viridis(double t)
{
    static const QColor stops[] = {QColor(68, 1, 84), QColor(59, 82, 139), QColor(33, 145, 140), QColor(94, 201, 98), QColor(253, 231, 37)};
    t = std::clamp(t, 0.0, 1.0) * 4;
    const int i = std::min(3, int(t));
    const double f = t - i;
    const QColor &a = stops[i], &b = stops[i + 1];
    return QColor::fromRgbF(float(a.redF() + f * (b.redF() - a.redF())), float(a.greenF() + f * (b.greenF() - a.greenF())),
                            float(a.blueF() + f * (b.blueF() - a.blueF())));
}

QColor colorOf(const ReportFigure &f, int series)
{
    if (f.kind == ReportFigure::Kind::StackedBars) {
        const QList<HeadRole> roles = HeadMetrics::allRoles();
        for (HeadRole r : roles)
            if (HeadMetrics::roleName(r) == f.series[size_t(series)].name)
                return ReportStyle::roleColor(r);
    }
    return ReportStyle::seriesColor(series);
}

// Tick values covering [lo, hi] at a 1-2-5 step.
std::vector<double> ticks(double lo, double hi)
{
    const double span = std::max(1e-12, hi - lo);
    const double raw = span / 5;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    std::vector<double> t;
    for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-6; v += step)
        t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    return t;
}

void paintHeatmap(QPainter &p, const QRectF &area, const ReportFigure &f)
{
    const int cols = int(f.categories.size()), rows = int(f.rowLabels.size());
    if (cols == 0 || rows == 0 || f.cells.size() != size_t(rows) * cols)
        return;
    p.setFont(font(4.5));
    const QFontMetricsF fm(p.font());
    double labelW = 0;
    for (const QString &s : f.rowLabels)
        labelW = std::max(labelW, fm.horizontalAdvance(s));
    labelW = std::min(labelW + 4, area.width() * 0.25);
    const double side = std::min((area.width() - labelW - 30) / cols, (area.height() - labelW) / rows);
    const QRectF grid(area.left() + labelW, area.top(), side * cols, side * rows);
    double hi = 0;
    for (double v : f.cells)
        if (!std::isnan(v))
            hi = std::max(hi, v);
    hi = hi > 0 ? hi : 1;
    p.setPen(Qt::NoPen);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const double v = f.cells[size_t(r) * cols + c];
            p.setBrush(c > r ? QColor(245, 245, 245) : viridis(std::isnan(v) ? 0 : v / hi));
            p.drawRect(QRectF(grid.left() + c * side, grid.top() + r * side, side + 0.05, side + 0.05));
        }
    p.setPen(Qt::black);
    for (int r = 0; r < rows; ++r)
        p.drawText(QRectF(area.left(), grid.top() + r * side, labelW - 2, side), Qt::AlignRight | Qt::AlignVCenter,
                   fm.elidedText(f.rowLabels[r], Qt::ElideRight, labelW - 2));
    for (int c = 0; c < cols; ++c) {
        p.save();
        p.translate(grid.left() + (c + 0.5) * side, grid.bottom() + 2);
        p.rotate(90);
        p.drawText(QRectF(0, -side / 2, labelW, side), Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(f.categories[c], Qt::ElideRight, labelW));
        p.restore();
    }
    // Colour scale.
    const QRectF scale(grid.right() + 6, grid.top(), 6, grid.height());
    for (int i = 0; i < 50; ++i)
        p.fillRect(QRectF(scale.left(), scale.bottom() - (i + 1) * scale.height() / 50, scale.width(), scale.height() / 50 + 0.1), viridis(i / 49.0));
    p.drawText(QPointF(scale.right() + 2, scale.top() + fm.ascent()), num(hi));
    p.drawText(QPointF(scale.right() + 2, scale.bottom()), QStringLiteral("0"));
}

} // namespace

void paintFigure(QPainter &p, const QRectF &rect, const ReportFigure &f)
{
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::black);
    p.setFont(font(7.5, true));
    const QFontMetricsF titleFm(p.font());
    p.drawText(QRectF(rect.left(), rect.top(), rect.width(), titleFm.height()), Qt::AlignLeft | Qt::AlignVCenter,
               titleFm.elidedText(f.title, Qt::ElideRight, rect.width()));
    double top = rect.top() + titleFm.height() + 2;
    if (f.kind == ReportFigure::Kind::Heatmap) {
        paintHeatmap(p, QRectF(rect.left(), top, rect.width(), rect.bottom() - top), f);
        p.restore();
        return;
    }
    // Legend: one row (or more) of swatches between the title and the data.
    p.setFont(font(6));
    const QFontMetricsF fm(p.font());
    double x = rect.left();
    for (size_t s = 0; s < f.series.size(); ++s) {
        bool any = false;
        for (double v : f.series[s].values)
            any = any || (!std::isnan(v) && v != 0);
        if (!any && f.kind == ReportFigure::Kind::StackedBars)
            continue;
        const double w = 12 + fm.horizontalAdvance(f.series[s].name) + 10;
        if (x + w > rect.right() && x > rect.left()) {
            x = rect.left();
            top += fm.height();
        }
        p.fillRect(QRectF(x, top + fm.height() / 2 - 2.5, 9, 5), colorOf(f, int(s)));
        p.drawText(QPointF(x + 12, top + fm.ascent()), f.series[s].name);
        x += w;
    }
    top += fm.height() + 4;
    // Value range.
    double lo = 0, hi = 0;
    bool first = true;
    const int n = int(f.categories.size());
    if (f.kind == ReportFigure::Kind::StackedBars) {
        for (int c = 0; c < n; ++c) {
            double sum = 0;
            for (const ReportSeries &s : f.series)
                if (size_t(c) < s.values.size() && !std::isnan(s.values[size_t(c)]))
                    sum += s.values[size_t(c)];
            hi = std::max(hi, sum);
        }
        first = false;
    } else {
        for (const ReportSeries &s : f.series)
            for (double v : s.values)
                if (!std::isnan(v)) {
                    lo = first ? v : std::min(lo, v);
                    hi = first ? v : std::max(hi, v);
                    first = false;
                }
        if (lo > 0 && lo < 0.5 * hi)
            lo = 0;
        const double pad = std::max(1e-9, (hi - lo) * 0.06);
        hi += pad;
        lo = lo == 0 ? 0 : lo - pad;
    }
    if (first || hi <= lo)
        hi = lo + 1;
    const std::vector<double> yt = ticks(lo, hi);
    double yLabelW = 0;
    for (double t : yt)
        yLabelW = std::max(yLabelW, fm.horizontalAdvance(QString::number(t, 'g', 4)));
    const QRectF plot(rect.left() + yLabelW + fm.height() + 6, top, rect.width() - yLabelW - fm.height() - 10, rect.bottom() - top - 2.4 * fm.height() - 4);
    auto yOf = [&](double v) { return plot.bottom() - (v - lo) / (hi - lo) * plot.height(); };
    auto xOf = [&](int c) { return plot.left() + (c + 0.5) * plot.width() / std::max(1, n); };
    // Grid and axes.
    p.setPen(QPen(QColor(225, 225, 225), 0.5));
    for (double t : yt)
        p.drawLine(QPointF(plot.left(), yOf(t)), QPointF(plot.right(), yOf(t)));
    p.setPen(QPen(Qt::black, 0.7));
    p.drawLine(plot.bottomLeft(), plot.bottomRight());
    p.drawLine(plot.bottomLeft(), plot.topLeft());
    for (double t : yt)
        p.drawText(QRectF(rect.left(), yOf(t) - fm.height() / 2, yLabelW + fm.height() + 2, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
                   QString::number(t, 'g', 4));
    double widest = 1;
    for (const QString &c : f.categories)
        widest = std::max(widest, fm.horizontalAdvance(c) + 4);
    const int every = std::max(1, int(std::ceil(widest / (plot.width() / std::max(1, n)))));
    for (int c = 0; c < n; c += every)
        p.drawText(QRectF(xOf(c) - 30, plot.bottom() + 2, 60, fm.height()), Qt::AlignHCenter | Qt::AlignTop, f.categories[c]);
    p.drawText(QRectF(plot.left(), plot.bottom() + fm.height() + 3, plot.width(), fm.height()), Qt::AlignHCenter, f.xLabel);
    p.save();
    p.translate(rect.left(), plot.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-plot.height() / 2, 0, plot.height(), fm.height()), Qt::AlignCenter, f.yLabel);
    p.restore();
    if (f.kind == ReportFigure::Kind::StackedBars) {
        const double bw = plot.width() / std::max(1, n) * 0.7;
        p.setPen(QPen(Qt::white, 0.3));
        for (int c = 0; c < n; ++c) {
            double base = 0;
            for (size_t s = 0; s < f.series.size(); ++s) {
                const double v = c < int(f.series[s].values.size()) ? f.series[s].values[size_t(c)] : 0;
                if (std::isnan(v) || v <= 0)
                    continue;
                p.setBrush(colorOf(f, int(s)));
                p.drawRect(QRectF(QPointF(xOf(c) - bw / 2, yOf(base + v)), QPointF(xOf(c) + bw / 2, yOf(base))));
                base += v;
            }
        }
    } else {
        if (lo < 0 && hi > 0) {
            p.setPen(QPen(QColor(150, 150, 150), 0.5, Qt::DashLine));
            p.drawLine(QPointF(plot.left(), yOf(0)), QPointF(plot.right(), yOf(0)));
        }
        for (size_t s = 0; s < f.series.size(); ++s) {
            const QColor col = colorOf(f, int(s));
            p.setPen(QPen(col, 1.2));
            QPainterPath path;
            bool open = false;
            for (int c = 0; c < n && c < int(f.series[s].values.size()); ++c) {
                const double v = f.series[s].values[size_t(c)];
                if (std::isnan(v)) {
                    open = false;
                    continue;
                }
                const QPointF pt(xOf(c), yOf(v));
                if (open)
                    path.lineTo(pt);
                else
                    path.moveTo(pt);
                open = true;
            }
            p.setBrush(Qt::NoBrush);
            p.drawPath(path);
            p.setBrush(col);
            for (int c = 0; c < n && c < int(f.series[s].values.size()); ++c)
                if (!std::isnan(f.series[s].values[size_t(c)]))
                    p.drawEllipse(QPointF(xOf(c), yOf(f.series[s].values[size_t(c)])), 1.6, 1.6);
        }
    }
    p.restore();
}

QByteArray figureSvg(const ReportFigure &figure, int width, int height)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    svg.setSize(QSize(width, height));
    svg.setViewBox(QRect(0, 0, width, height));
    svg.setResolution(96);
    svg.setTitle(figure.title);
    {
        QPainter p(&svg);
        paintFigure(p, QRectF(4, 4, width - 8, height - 8), figure);
    }
    QByteArray out = buffer.data();
    const qsizetype at = out.indexOf("<svg");
    return at > 0 ? out.mid(at) : out;
}

namespace {

QString verdictColour(ReportSection::Verdict v)
{
    return v == ReportSection::Verdict::Holds         ? QStringLiteral("#0b7a3e")
           : v == ReportSection::Verdict::DoesNotHold ? QStringLiteral("#b33a00")
                                                      : QStringLiteral("#666");
}

QString subtitle(const LayerReport &r)
{
    return tr("%1 · %2 layers × %3 heads · prompt of %4 tokens · %5 · measured in %6 s")
        .arg(r.modelLabel)
        .arg(r.layers)
        .arg(r.heads)
        .arg(r.promptTokens)
        .arg(QLocale().toString(r.created, QLocale::ShortFormat))
        .arg(QString::number(r.seconds, 'f', 1));
}

} // namespace

QString html(const LayerReport &r)
{
    QString h;
    h +=
        QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%1</title>\n").arg(tr("How %1 abstracts").arg(r.modelName.toHtmlEscaped()));
    h += QStringLiteral("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}h2{margin-top:2em}"
                        ".verdict{font-weight:bold;padding:0 .4em;border-radius:3px;color:#fff}.claim{color:#555;font-style:italic}"
                        "table{border-collapse:collapse;font-size:80%;margin:.4em 0 1.2em}td,th{border:1px solid #ccc;padding:1px 5px;text-align:right}"
                        ".figs{display:flex;flex-wrap:wrap;gap:12px}.fig{flex:0 0 auto}</style></head><body>\n");
    h += QStringLiteral("<h1>%1</h1>\n<p>%2</p>\n").arg(tr("How %1 abstracts, layer by layer").arg(r.modelName.toHtmlEscaped()), subtitle(r).toHtmlEscaped());
    h += QStringLiteral("<details><summary>%1</summary><pre>%2</pre></details>\n").arg(tr("Prompt"), r.prompt.toHtmlEscaped());
    for (const ReportSection &s : r.sections) {
        h += QStringLiteral("<h2>%1 <span class=\"verdict\" style=\"background:%2\">%3</span></h2>\n")
                 .arg(s.title.toHtmlEscaped(), verdictColour(s.verdict), LayerReports::verdictName(s.verdict).toHtmlEscaped());
        h += QStringLiteral("<p class=\"claim\">%1</p>\n<p>%2</p>\n<div class=\"figs\">\n").arg(s.claim.toHtmlEscaped(), s.reading.toHtmlEscaped());
        for (const ReportFigure &f : s.figures) {
            const bool heat = f.kind == ReportFigure::Kind::Heatmap;
            h += QStringLiteral("<div class=\"fig\">") + QString::fromUtf8(figureSvg(f, heat ? 340 : 520, heat ? 340 : 300));
            if (!heat && !f.series.empty()) {
                h += QStringLiteral("<table><tr><th></th>");
                for (const QString &c : f.categories)
                    h += QStringLiteral("<th>%1</th>").arg(c.toHtmlEscaped());
                h += QStringLiteral("</tr>");
                for (const ReportSeries &series : f.series) {
                    h += QStringLiteral("<tr><th>%1</th>").arg(series.name.toHtmlEscaped());
                    for (double v : series.values)
                        h += QStringLiteral("<td>%1</td>").arg(num(v));
                    h += QStringLiteral("</tr>");
                }
                h += QStringLiteral("</table>");
            }
            h += QStringLiteral("</div>\n");
        }
        h += QStringLiteral("</div>\n");
    }
    h += QStringLiteral("</body></html>\n");
    return h;
}

namespace {

// A simple flowing layout on QPdfWriter pages (units: 1/96 inch).
class PdfLayout
{
public:
    PdfLayout(QPdfWriter &writer, QPainter &painter) : m_writer(writer), m_p(painter)
    {
        m_width = m_writer.width();
        m_height = m_writer.height();
    }
    double width() const { return m_width; }
    void need(double h)
    {
        if (m_y + h > m_height && m_y > 0) {
            m_writer.newPage();
            m_y = 0;
        }
    }
    void text(const QString &s, const QFont &f, const QColor &c = Qt::black)
    {
        m_p.setFont(f);
        m_p.setPen(c);
        const QRectF r = m_p.boundingRect(QRectF(0, 0, m_width, 1e6), Qt::TextWordWrap, s);
        need(r.height());
        m_p.drawText(QRectF(0, m_y, m_width, r.height() + 1), Qt::TextWordWrap, s);
        m_y += r.height() + 4;
    }
    void figures(const std::vector<ReportFigure> &figs)
    {
        const double gap = 12;
        for (size_t i = 0; i < figs.size(); i += 2) {
            const bool heat = figs[i].kind == ReportFigure::Kind::Heatmap;
            const double w = (m_width - gap) / 2, h = heat ? w : 200;
            const double tableH = heat ? 0 : tableHeight(figs, i);
            need(h + tableH);
            for (size_t j = i; j < std::min(figs.size(), i + 2); ++j) {
                const double x = (j - i) * (w + gap);
                paintFigure(m_p, QRectF(x, m_y, w, h), figs[j]);
                if (!heat)
                    table(figs[j], QRectF(x, m_y + h + 2, w, tableH));
            }
            m_y += h + tableH + 10;
        }
    }
    void skip(double h) { m_y += h; }

private:
    double tableHeight(const std::vector<ReportFigure> &figs, size_t i) const
    {
        size_t rows = 0;
        for (size_t j = i; j < std::min(figs.size(), i + 2); ++j)
            if (figs[j].kind != ReportFigure::Kind::StackedBars)
                rows = std::max(rows, figs[j].series.size() + 1);
        return rows * 8.5;
    }
    void table(const ReportFigure &f, const QRectF &r)
    {
        if (f.kind == ReportFigure::Kind::StackedBars || f.series.empty())
            return;
        m_p.setFont(font(4.8));
        m_p.setPen(QColor(60, 60, 60));
        const int cols = int(f.categories.size());
        const double nameW = r.width() * 0.22, cw = (r.width() - nameW) / std::max(1, cols);
        const QFontMetricsF fm(m_p.font());
        for (int c = 0; c < cols; ++c)
            m_p.drawText(QRectF(r.left() + nameW + c * cw, r.top(), cw, 8.5), Qt::AlignRight | Qt::AlignVCenter, f.categories[c]);
        for (size_t s = 0; s < f.series.size(); ++s) {
            const double y = r.top() + (s + 1) * 8.5;
            m_p.drawText(QRectF(r.left(), y, nameW, 8.5), Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(f.series[s].name, Qt::ElideRight, nameW - 2));
            for (int c = 0; c < cols && c < int(f.series[s].values.size()); ++c)
                m_p.drawText(QRectF(r.left() + nameW + c * cw, y, cw, 8.5), Qt::AlignRight | Qt::AlignVCenter, num(f.series[s].values[size_t(c)]));
        }
    }

    QPdfWriter &m_writer;
    QPainter &m_p;
    double m_width = 0, m_height = 0, m_y = 0;
};

} // namespace

void writePdf(const LayerReport &r, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("Cannot write the report to %1: %2.").arg(path, file.errorString()));
    {
        QPdfWriter writer(&file);
        writer.setResolution(96);
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter));
        writer.setTitle(tr("How %1 abstracts, layer by layer").arg(r.modelName));
        writer.setCreator(QStringLiteral("Strata"));
        QPainter painter(&writer);
        PdfLayout layout(writer, painter);
        layout.text(tr("How %1 abstracts, layer by layer").arg(r.modelName), font(15, true));
        layout.text(subtitle(r), font(7.5), QColor(80, 80, 80));
        layout.skip(6);
        for (const ReportSection &s : r.sections) {
            layout.need(120);
            layout.text(s.title + QStringLiteral("  —  ") + LayerReports::verdictName(s.verdict), font(11, true),
                        s.verdict == ReportSection::Verdict::Holds         ? QColor(11, 122, 62)
                        : s.verdict == ReportSection::Verdict::DoesNotHold ? QColor(179, 58, 0)
                                                                           : QColor(100, 100, 100));
            QFont claim = font(7.5);
            claim.setItalic(true);
            layout.text(s.claim, claim, QColor(90, 90, 90));
            layout.text(s.reading, font(8));
            layout.figures(s.figures);
            layout.skip(8);
        }
    }
    if (!file.commit())
        throw Error(QStringLiteral("Cannot write the report to %1: %2.").arg(path, file.errorString()));
}

bool isReportFile(const QString &path)
{
    const QString ext = QFileInfo(path).suffix().toLower();
    return ext == QLatin1String("pdf") || ext == QLatin1String("html") || ext == QLatin1String("htm");
}

void write(const LayerReport &report, const QString &path)
{
    if (!isReportFile(path))
        throw Error(QStringLiteral("%1: a report is written as .pdf or .html.").arg(path));
    if (QFileInfo(path).suffix().toLower() == QLatin1String("pdf")) {
        writePdf(report, path);
        return;
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("Cannot write the report to %1: %2.").arg(path, f.errorString()));
    f.write(html(report).toUtf8());
    if (!f.commit())
        throw Error(QStringLiteral("Cannot write the report to %1: %2.").arg(path, f.errorString()));
}

} // namespace strata::ReportRenderer
