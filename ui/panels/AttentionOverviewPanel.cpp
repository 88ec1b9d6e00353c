#include "AttentionOverviewPanel.h"

#include "AppContext.h"
#include "PlotStyle.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>

#include <qcustomplot.h>

namespace strata {

namespace {
constexpr int kLabel = 28; // room for row and column labels
constexpr int kGap = 3;
constexpr int kMaxThumb = 64;
} // namespace

HeadThumbnails::HeadThumbnails(AppContext *context, QWidget *parent) : QWidget(parent), m_context(context)
{
    setMinimumSize(200, 160);
    connect(context, &AppContext::traceChanged, this, &HeadThumbnails::rebuild);
    connect(context, &AppContext::selectionChanged, this, qOverload<>(&QWidget::update));
    rebuild();
}

void HeadThumbnails::rebuild()
{
    m_images.clear();
    m_layers = m_heads = 0;
    const TracePtr t = m_context->trace();
    if (t && !t->layers.empty()) {
        const int T = t->tokenCount();
        const int S = std::min(T, kMaxThumb);
        m_layers = int(t->layers.size());
        m_heads = t->model.nHeads;
        QCPColorGradient g = PlotStyle::sequentialGradient();
        QVector<QRgb> lut(256);
        std::vector<double> ramp(256);
        for (int i = 0; i < 256; ++i)
            ramp[size_t(i)] = i / 255.0;
        g.colorize(ramp.data(), QCPRange(0, 1), lut.data(), 256);
        for (const LayerTrace &l : t->layers) {
            for (int h = 0; h < m_heads; ++h) {
                QImage img(S, S, QImage::Format_RGB32);
                img.fill(QColor(245, 245, 245));
                if (!l.attn.isEmpty()) {
                    const int64_t base = int64_t(h) * T * T;
                    for (int y = 0; y < S; ++y) {
                        // Each thumbnail pixel shows the largest weight in its block, so sharp heads stay visible.
                        const int q0 = y * T / S, q1 = std::max(q0 + 1, (y + 1) * T / S);
                        auto *line = reinterpret_cast<QRgb *>(img.scanLine(y));
                        for (int x = 0; x < S; ++x) {
                            const int k0 = x * T / S, k1 = std::max(k0 + 1, (x + 1) * T / S);
                            if (k0 > q1 - 1)
                                continue;
                            float m = 0;
                            for (int q = q0; q < q1; ++q)
                                for (int k = k0; k < std::min(k1, q + 1); ++k)
                                    m = std::max(m, l.attn.floatAt(base + int64_t(q) * T + k));
                            line[x] = lut[std::clamp(int(m * 255.f), 0, 255)];
                        }
                    }
                }
                m_images.push_back(img);
            }
        }
    }
    update();
}

QRect HeadThumbnails::cellRect(int layer, int head) const
{
    if (m_layers == 0 || m_heads == 0)
        return QRect();
    const int size = std::max(8, std::min((width() - kLabel) / m_heads, (height() - kLabel) / m_layers) - kGap);
    return QRect(kLabel + head * (size + kGap), kLabel + layer * (size + kGap), size, size);
}

void HeadThumbnails::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    if (m_images.empty()) {
        p.drawText(rect(), Qt::AlignCenter, tr("Run a prompt to see every head at once."));
        return;
    }
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    QFont f = font();
    f.setPointSizeF(std::max(6.0, f.pointSizeF() - 1));
    p.setFont(f);
    for (int h = 0; h < m_heads; ++h) {
        const QRect r = cellRect(0, h);
        p.drawText(QRect(r.left(), 0, r.width(), kLabel - 2), Qt::AlignHCenter | Qt::AlignBottom, QStringLiteral("H%1").arg(h));
    }
    const QPen textPen(palette().color(QPalette::WindowText));
    for (int l = 0; l < m_layers; ++l) {
        const QRect r0 = cellRect(l, 0);
        p.setPen(textPen);
        p.drawText(QRect(0, r0.top(), kLabel - 3, r0.height()), Qt::AlignRight | Qt::AlignVCenter,
                   QStringLiteral("L%1").arg(m_context->trace()->layers[size_t(l)].layer));
        for (int h = 0; h < m_heads; ++h) {
            const QRect r = cellRect(l, h);
            p.drawImage(r, m_images[size_t(l * m_heads + h)]);
            if (m_context->trace()->layers[size_t(l)].layer == m_context->layer() && h == m_context->head()) {
                p.setPen(QPen(QColor(230, 40, 40), 2));
                p.setBrush(Qt::NoBrush);
                p.drawRect(r.adjusted(-1, -1, 1, 1));
            }
        }
    }
}

void HeadThumbnails::mousePressEvent(QMouseEvent *e)
{
    for (int l = 0; l < m_layers; ++l)
        for (int h = 0; h < m_heads; ++h)
            if (cellRect(l, h).contains(e->position().toPoint())) {
                m_context->setLayerHead(m_context->trace()->layers[size_t(l)].layer, h);
                return;
            }
}

AttentionOverviewPanel::AttentionOverviewPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    m_hint = new QLabel;
    m_export = new QPushButton;
    row->addWidget(m_hint, 1);
    row->addWidget(m_export);
    v->addLayout(row);
    m_thumbs = new HeadThumbnails(context);
    m_thumbs->setObjectName(QStringLiteral("headThumbnails"));
    v->addWidget(m_thumbs, 1);
    connect(m_export, &QPushButton::clicked, this,
            [this] { FigureExport::exportInteractively(this, m_thumbs, FigureData{}, QStringLiteral("attention-overview")); });
    retranslate();
}

void AttentionOverviewPanel::retranslate()
{
    m_hint->setText(tr("Every head of every layer (rows: layers, columns: heads). Click one to focus it."));
    m_export->setText(tr("Export…"));
}

} // namespace strata
