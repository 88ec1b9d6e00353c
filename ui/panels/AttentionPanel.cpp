#include "AttentionPanel.h"

#include "AppContext.h"
#include "PlotStyle.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QSpinBox>
#include <QToolTip>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <cmath>

namespace strata {

AttentionPanel::AttentionPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    m_layerLabel = new QLabel;
    m_layer = new QSpinBox;
    m_layer->setObjectName(QStringLiteral("layerSpin"));
    m_headLabel = new QLabel;
    m_head = new QSpinBox;
    m_head->setObjectName(QStringLiteral("headSpin"));
    m_scalingLabel = new QLabel;
    m_scaling = new QComboBox;
    m_export = new QPushButton;
    for (QWidget *w : std::initializer_list<QWidget *>{m_layerLabel, m_layer, m_headLabel, m_head, m_scalingLabel, m_scaling})
        row->addWidget(w);
    row->addStretch(1);
    row->addWidget(m_export);
    v->addLayout(row);

    m_plot = new QCustomPlot;
    m_plot->setObjectName(QStringLiteral("attentionPlot"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_map->setColorScale(m_scale);
    m_map->setGradient(PlotStyle::sequentialGradient());
    m_map->setInterpolate(false);
    m_plot->yAxis->setRangeReversed(true);
    m_plot->xAxis->setTickLabelRotation(60);
    auto *group = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_rowMark = new QCPItemRect(m_plot);
    m_colMark = new QCPItemRect(m_plot);
    for (QCPItemRect *r : {m_rowMark, m_colMark}) {
        r->setPen(QPen(QColor(230, 40, 40), 1.5));
        r->setBrush(Qt::NoBrush);
        r->setVisible(false);
    }
    v->addWidget(m_plot, 1);
    m_info = new QLabel;
    m_info->setWordWrap(true);
    v->addWidget(m_info);

    connect(m_layer, &QSpinBox::valueChanged, this, [this](int l) { this->context()->setLayer(l); });
    connect(m_head, &QSpinBox::valueChanged, this, [this](int h) { this->context()->setHead(h); });
    connect(m_scaling, &QComboBox::currentIndexChanged, this, [this] {
        m_shownTrace = nullptr;
        redraw();
    });
    connect(m_export, &QPushButton::clicked, this, [this] {
        FigureExport::exportInteractively(this, m_plot, figureData(),
                                          QStringLiteral("attention-L%1-H%2").arg(this->context()->layer()).arg(this->context()->head()));
    });
    connect(context, &AppContext::traceChanged, this, [this] {
        syncControls();
        redraw();
    });
    connect(context, &AppContext::selectionChanged, this, [this] {
        syncControls();
        redraw();
    });
    retranslate();
    syncControls();
    redraw();
}

void AttentionPanel::retranslate()
{
    m_layerLabel->setText(tr("Layer"));
    m_headLabel->setText(tr("Head"));
    m_scalingLabel->setText(tr("Scale"));
    const int idx = std::max(0, m_scaling->currentIndex());
    m_scaling->blockSignals(true);
    m_scaling->clear();
    m_scaling->addItems({tr("Linear"), tr("Log"), tr("Per-row max")});
    m_scaling->setCurrentIndex(idx);
    m_scaling->blockSignals(false);
    m_export->setText(tr("Export…"));
    m_plot->xAxis->setLabel(tr("Key (attended-to token)"));
    m_plot->yAxis->setLabel(tr("Query (attending token)"));
    m_scale->axis()->setLabel(tr("Attention weight"));
    m_plot->replot();
}

void AttentionPanel::setScaling(Scaling s)
{
    m_scaling->setCurrentIndex(int(s));
}

void AttentionPanel::syncControls()
{
    const TracePtr t = context()->trace();
    const QSignalBlocker b1(m_layer), b2(m_head);
    m_layer->setRange(0, t ? t->model.nLayers - 1 : 0);
    m_head->setRange(0, t ? t->model.nHeads - 1 : 0);
    m_layer->setValue(context()->layer());
    m_head->setValue(context()->head());
    m_layer->setEnabled(bool(t));
    m_head->setEnabled(bool(t));
}

bool AttentionPanel::redraw()
{
    const TracePtr t = context()->trace();
    const LayerTrace *lt = t ? t->layer(context()->layer()) : nullptr;
    if (!lt || lt->attn.isEmpty()) {
        m_map->data()->clear();
        m_info->setText(t ? tr("Attention of this layer was not captured.") : tr("Run a prompt to see its attention."));
        PlotStyle::setPlaceholder(m_plot, m_info->text());
        m_rowMark->setVisible(false);
        m_colMark->setVisible(false);
        m_plot->replot();
        return false;
    }
    PlotStyle::setPlaceholder(m_plot, {});
    const int T = t->tokenCount();
    const int h = context()->head();
    if (m_shownTrace != t.get() || m_shownLayer != context()->layer() || m_shownHead != h) {
        const Scaling s = Scaling(std::max(0, m_scaling->currentIndex()));
        QCPColorMapData *d = m_map->data();
        d->setSize(T, T);
        d->setRange(QCPRange(0, T - 1), QCPRange(0, T - 1));
        const int64_t base = int64_t(h) * T * T;
        for (int q = 0; q < T; ++q) {
            double rowMax = 0;
            if (s == Scaling::RowMax)
                for (int k = 0; k <= q; ++k)
                    rowMax = std::max(rowMax, double(lt->attn.floatAt(base + int64_t(q) * T + k)));
            for (int k = 0; k < T; ++k) {
                double w = lt->attn.floatAt(base + int64_t(q) * T + k);
                if (k > q)
                    w = std::nan(""); // future positions: drawn as background
                else if (s == Scaling::Log)
                    w = std::log10(std::max(w, 1e-6));
                else if (s == Scaling::RowMax)
                    w = rowMax > 0 ? w / rowMax : 0;
                d->setCell(k, q, w);
            }
        }
        m_map->setDataRange(s == Scaling::Log ? QCPRange(-6, 0) : QCPRange(0, 1));
        m_scale->axis()->setLabel(s == Scaling::Log      ? tr("log10 attention weight")
                                  : s == Scaling::RowMax ? tr("Weight / row maximum")
                                                         : tr("Attention weight"));
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        const int step = std::max(1, T / 48);
        for (int i = 0; i < T; i += step)
            ticker->addTick(i, t->tokenStrings.value(i));
        m_plot->xAxis->setTicker(ticker);
        m_plot->yAxis->setTicker(ticker);
        if (m_shownTrace != t.get()) {
            m_plot->xAxis->setRange(-0.5, T - 0.5);
            m_plot->yAxis->setRange(-0.5, T - 0.5);
        }
        m_shownTrace = t.get();
        m_shownLayer = context()->layer();
        m_shownHead = h;
        const int kv = size_t(h) < t->kvHeadOfQueryHead.size() ? t->kvHeadOfQueryHead[size_t(h)] : h;
        m_info->setText(tr("Layer %1, head %2%3 · %4 tokens · %5 · keys Alt+←/→ head, Alt+↑/↓ layer")
                            .arg(m_shownLayer)
                            .arg(h)
                            .arg(t->model.nKvHeads != t->model.nHeads ? tr(" (reads KV head %1)").arg(kv) : QString())
                            .arg(T)
                            .arg(t->model.runLabel()));
    }
    highlightToken();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    return true;
}

void AttentionPanel::highlightToken()
{
    const TracePtr t = context()->trace();
    const int tok = context()->token();
    const bool on = t && tok >= 0 && tok < t->tokenCount();
    m_rowMark->setVisible(on);
    m_colMark->setVisible(on);
    if (!on)
        return;
    const int T = t->tokenCount();
    m_rowMark->topLeft->setCoords(-0.5, tok - 0.5);
    m_rowMark->bottomRight->setCoords(T - 0.5, tok + 0.5);
    m_colMark->topLeft->setCoords(tok - 0.5, -0.5);
    m_colMark->bottomRight->setCoords(tok + 0.5, T - 0.5);
}

FigureData AttentionPanel::figureData() const
{
    FigureData fd;
    const TracePtr t = context()->trace();
    const LayerTrace *lt = t ? t->layer(context()->layer()) : nullptr;
    if (!lt || lt->attn.isEmpty())
        return fd;
    const int T = t->tokenCount();
    fd.title = QStringLiteral("attention L%1 H%2 (rows: query, columns: key)").arg(context()->layer()).arg(context()->head());
    fd.rowLabels = t->tokenStrings;
    fd.columnLabels = t->tokenStrings;
    const int64_t base = int64_t(context()->head()) * T * T;
    for (int q = 0; q < T; ++q) {
        std::vector<double> row(static_cast<size_t>(T));
        for (int k = 0; k < T; ++k)
            row[size_t(k)] = lt->attn.floatAt(base + int64_t(q) * T + k);
        fd.values.push_back(std::move(row));
    }
    return fd;
}

bool AttentionPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_plot)
        return Panel::eventFilter(watched, event);
    const TracePtr t = context()->trace();
    auto cellAt = [&](const QPointF &pos, int *q, int *k) {
        const int T = t ? t->tokenCount() : 0;
        *k = int(std::lround(m_plot->xAxis->pixelToCoord(pos.x())));
        *q = int(std::lround(m_plot->yAxis->pixelToCoord(pos.y())));
        return t && m_plot->axisRect()->rect().contains(pos.toPoint()) && *k >= 0 && *q >= 0 && *k < T && *q < T;
    };
    // The cell under the mouse as tooltip text, or empty outside the heatmap.
    auto cellText = [&](const QPointF &pos) {
        int q, k;
        const LayerTrace *lt = t ? t->layer(context()->layer()) : nullptr;
        if (!lt || lt->attn.isEmpty() || !cellAt(pos, &q, &k))
            return QString();
        const int T = t->tokenCount();
        const float w = lt->attn.floatAt((int64_t(context()->head()) * T + q) * T + k);
        return tr("query #%1 '%2'\nkey #%3 '%4'\nweight %5").arg(q).arg(t->tokenStrings.value(q)).arg(k).arg(t->tokenStrings.value(k)).arg(w, 0, 'f', 4);
    };
    if (event->type() == QEvent::MouseMove || event->type() == QEvent::ToolTip) {
        // A resting mouse sends ToolTip: answer it here, or the dock's general tooltip replaces the cell's value.
        const bool move = event->type() == QEvent::MouseMove;
        const QPointF pos = move ? static_cast<QMouseEvent *>(event)->position() : QPointF(static_cast<QHelpEvent *>(event)->pos());
        const QPoint global = move ? static_cast<QMouseEvent *>(event)->globalPosition().toPoint() : static_cast<QHelpEvent *>(event)->globalPos();
        const QString text = cellText(pos);
        if (!text.isEmpty())
            QToolTip::showText(global, text, m_plot);
        else
            QToolTip::hideText();
        if (!move)
            return true;
    } else if (event->type() == QEvent::MouseButtonRelease) {
        auto *me = static_cast<QMouseEvent *>(event);
        int q, k;
        if (me->button() == Qt::LeftButton && cellAt(me->position(), &q, &k))
            context()->setToken(q);
    } else if (event->type() == QEvent::MouseButtonDblClick && t) {
        m_plot->xAxis->setRange(-0.5, t->tokenCount() - 0.5);
        m_plot->yAxis->setRange(-0.5, t->tokenCount() - 0.5);
        m_plot->replot();
        return true;
    }
    return Panel::eventFilter(watched, event);
}

} // namespace strata
