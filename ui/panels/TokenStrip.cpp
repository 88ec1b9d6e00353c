#include "TokenStrip.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

namespace strata {

namespace {
constexpr int kPad = 4;
constexpr int kGap = 3;
} // namespace

TokenStrip::TokenStrip(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void TokenStrip::setTokens(const QStringList &display, const std::vector<TokenPiece> &, const QStringList &tooltips)
{
    m_display = display;
    m_tooltips = tooltips;
    m_selected = -1;
    layoutChips(width());
    updateGeometry();
    update();
}

void TokenStrip::setSelected(int index)
{
    if (index == m_selected)
        return;
    m_selected = index;
    update();
}

void TokenStrip::layoutChips(int width)
{
    m_rects.clear();
    const QFontMetrics fm(font());
    const int h = fm.height() + 2 * kPad;
    int x = 0, y = 0;
    for (const QString &s : m_display) {
        const int w = fm.horizontalAdvance(s.isEmpty() ? QStringLiteral(" ") : s) + 2 * kPad;
        if (x > 0 && x + w > width) {
            x = 0;
            y += h + kGap;
        }
        m_rects.emplace_back(x, y, w, h);
        x += w + kGap;
    }
}

int TokenStrip::heightForWidth(int w) const
{
    auto *self = const_cast<TokenStrip *>(this);
    self->layoutChips(w);
    const int h = m_rects.empty() ? QFontMetrics(font()).height() + 2 * kPad : m_rects.back().bottom() + 1;
    self->layoutChips(width());
    return h;
}

QSize TokenStrip::sizeHint() const
{
    return QSize(300, heightForWidth(300));
}

QRect TokenStrip::chipRect(int index) const
{
    return index >= 0 && size_t(index) < m_rects.size() ? m_rects[size_t(index)] : QRect();
}

void TokenStrip::resizeEvent(QResizeEvent *)
{
    layoutChips(width());
    updateGeometry();
}

void TokenStrip::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    for (size_t i = 0; i < m_rects.size(); ++i) {
        const QRectF r = QRectF(m_rects[i]).adjusted(0.5, 0.5, -0.5, -0.5);
        const bool sel = int(i) == m_selected;
        p.setPen(sel ? pal.color(QPalette::Highlight) : pal.color(QPalette::Mid));
        p.setBrush(sel ? pal.color(QPalette::Highlight).lighter(170) : (i % 2 ? pal.color(QPalette::AlternateBase) : pal.color(QPalette::Base)));
        p.drawRoundedRect(r, 3, 3);
        p.setPen(pal.color(QPalette::Text));
        p.drawText(m_rects[i], Qt::AlignCenter, m_display[int(i)]);
    }
}

void TokenStrip::mousePressEvent(QMouseEvent *e)
{
    for (size_t i = 0; i < m_rects.size(); ++i)
        if (m_rects[i].contains(e->position().toPoint())) {
            setSelected(int(i));
            Q_EMIT tokenClicked(int(i));
            return;
        }
}

bool TokenStrip::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip) {
        auto *he = static_cast<QHelpEvent *>(e);
        for (size_t i = 0; i < m_rects.size(); ++i)
            if (m_rects[i].contains(he->pos())) {
                QToolTip::showText(he->globalPos(), m_tooltips.value(int(i)), this, m_rects[i]);
                return true;
            }
        QToolTip::hideText();
        e->ignore();
        return true;
    }
    return QWidget::event(e);
}

} // namespace strata
