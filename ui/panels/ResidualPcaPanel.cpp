#include "ResidualPcaPanel.h"

#include "AppContext.h"
#include "analysis/ResidualAnalysis.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QToolTip>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <cmath>

namespace strata {

namespace {
// The residual stream at "stage" s: 0 = embeddings, s = after layer s-1.
const HostTensor *stage(const Trace &t, int s)
{
    if (s == 0)
        return &t.embed;
    return size_t(s - 1) < t.layers.size() && !t.layers[size_t(s - 1)].residPost.isEmpty() ? &t.layers[size_t(s - 1)].residPost : nullptr;
}
} // namespace

ResidualPcaPanel::ResidualPcaPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    m_layerLabel = new QLabel;
    m_layer = new QSlider(Qt::Horizontal);
    m_layer->setObjectName(QStringLiteral("pcaLayer"));
    m_basis = new QComboBox;
    m_colour = new QComboBox;
    m_trajectory = new QCheckBox;
    m_trajectory->setChecked(true);
    m_export = new QPushButton;
    row->addWidget(m_layerLabel);
    row->addWidget(m_layer, 1);
    row->addWidget(m_basis);
    row->addWidget(m_colour);
    row->addWidget(m_trajectory);
    row->addWidget(m_export);
    v->addLayout(row);
    m_plot = new QCustomPlot;
    m_plot->setObjectName(QStringLiteral("pcaPlot"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    v->addWidget(m_plot, 1);
    m_info = new QLabel;
    m_info->setWordWrap(true);
    v->addWidget(m_info);
    connect(m_layer, &QSlider::valueChanged, this, &ResidualPcaPanel::redraw);
    connect(m_basis, &QComboBox::currentIndexChanged, this, &ResidualPcaPanel::redraw);
    connect(m_colour, &QComboBox::currentIndexChanged, this, &ResidualPcaPanel::redraw);
    connect(m_trajectory, &QCheckBox::toggled, this, &ResidualPcaPanel::redraw);
    connect(m_export, &QPushButton::clicked, this, [this] { FigureExport::exportInteractively(this, m_plot, figureData(), QStringLiteral("residual-pca")); });
    connect(context, &AppContext::traceChanged, this, [this] {
        const TracePtr t = this->context()->trace();
        const QSignalBlocker b(m_layer);
        m_layer->setRange(0, t ? int(t->layers.size()) : 0);
        m_layer->setValue(m_layer->maximum());
        redraw();
    });
    connect(context, &AppContext::selectionChanged, this, &ResidualPcaPanel::redraw);
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *e) {
        const TracePtr t = this->context()->trace();
        if (!t || m_xy.empty())
            return;
        int best = -1;
        double bestD = 12 * 12;
        for (int i = 0; i < t->tokenCount(); ++i) {
            const double dx = m_plot->xAxis->coordToPixel(m_xy[size_t(i) * 2]) - e->position().x();
            const double dy = m_plot->yAxis->coordToPixel(m_xy[size_t(i) * 2 + 1]) - e->position().y();
            if (dx * dx + dy * dy < bestD) {
                bestD = dx * dx + dy * dy;
                best = i;
            }
        }
        if (best >= 0)
            QToolTip::showText(e->globalPosition().toPoint(), tr("#%1 '%2'").arg(best).arg(t->tokenStrings.value(best)), m_plot);
        else
            QToolTip::hideText();
    });
    retranslate();
}

void ResidualPcaPanel::retranslate()
{
    m_layerLabel->setText(tr("Layer"));
    for (auto [box, items] : {std::pair{m_basis, QStringList{tr("Basis of this layer"), tr("One basis for all layers")}},
                              std::pair{m_colour, QStringList{tr("Colour by position"), tr("Colour by token")}}}) {
        const int idx = std::max(0, box->currentIndex());
        const QSignalBlocker b(box);
        box->clear();
        box->addItems(items);
        box->setCurrentIndex(idx);
    }
    m_trajectory->setText(tr("Trajectory of the selected token"));
    m_export->setText(tr("Export…"));
    redraw();
}

void ResidualPcaPanel::setSharedBasis(bool shared)
{
    m_basis->setCurrentIndex(shared ? 1 : 0);
}
void ResidualPcaPanel::setLayerIndex(int index)
{
    m_layer->setValue(index);
}

bool ResidualPcaPanel::redraw()
{
    using namespace ResidualAnalysis;
    m_plot->clearGraphs();
    m_plot->clearItems();
    m_xy.clear();
    const TracePtr t = context()->trace();
    const int s = m_layer->value();
    const HostTensor *X = t ? stage(*t, s) : nullptr;
    if (!t || !X || t->tokenCount() < 3) {
        m_info->setText(t ? tr("PCA needs at least three tokens and the residual stream of this layer.")
                          : tr("Run a prompt to see its token vectors layer by layer."));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return false;
    }
    const int T = t->tokenCount(), D = int(X->dim(1));
    const bool shared = m_basis->currentIndex() == 1;
    Pca pc;
    if (shared) {
        std::vector<float> all;
        int rows = 0;
        for (int k = 0; k <= int(t->layers.size()); ++k)
            if (const HostTensor *h = stage(*t, k)) {
                const auto f = h->toFloatVector();
                all.insert(all.end(), f.begin(), f.end());
                rows += T;
            }
        pc = pca(all, rows, D, 2);
    } else {
        pc = pca(X->toFloatVector(), T, D, 2);
    }
    m_xy = pc.project(X->toFloatVector(), T);
    // One graph per token so each can carry its own colour.
    for (int i = 0; i < T; ++i) {
        QCPGraph *g = m_plot->addGraph();
        g->setLineStyle(QCPGraph::lsNone);
        QColor c = m_colour->currentIndex() == 0 ? QColor::fromHsvF(0.7 * i / std::max(1, T - 1), 0.75, 0.85)
                                                 : QColor::fromHsv(int(qHash(t->tokens[size_t(i)].id) % 360), 160, 200);
        const bool selected = i == context()->token();
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, selected ? QColor(230, 40, 40) : c, selected ? 12 : 7));
        g->addData(m_xy[size_t(i) * 2], m_xy[size_t(i) * 2 + 1]);
        if (T <= 60) {
            auto *label = new QCPItemText(m_plot);
            label->position->setCoords(m_xy[size_t(i) * 2], m_xy[size_t(i) * 2 + 1]);
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            label->setPadding(QMargins(4, 0, 0, 2));
            label->setText(t->tokenStrings.value(i));
            label->setColor(QColor(70, 70, 70));
        }
    }
    // The selected token's path through the layers, in the same basis (meaningful in the shared basis).
    const int sel = context()->token();
    if (m_trajectory->isChecked() && sel >= 0 && sel < T) {
        QCPCurve *curve = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
        int k = 0;
        for (int st = 0; st <= int(t->layers.size()); ++st)
            if (const HostTensor *h = stage(*t, st)) {
                const auto row = h->slice0(sel).toFloatVector();
                const auto p = pc.project(row, 1);
                curve->addData(k++, p[0], p[1]);
            }
        curve->setPen(QPen(QColor(230, 40, 40, 150), 1.5, Qt::DashLine));
        curve->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(230, 40, 40, 150), 5));
    }
    m_plot->rescaleAxes();
    for (QCPAxis *a : {m_plot->xAxis, m_plot->yAxis})
        a->scaleRange(1.15, a->range().center());
    m_plot->xAxis->setLabel(tr("PC1 (%1 % of variance)").arg(100 * pc.explained[0], 0, 'f', 1));
    m_plot->yAxis->setLabel(tr("PC2 (%1 % of variance)").arg(100 * pc.explained[1], 0, 'f', 1));
    m_layerLabel->setText(s == 0 ? tr("Embeddings") : tr("After layer %1").arg(t->layers[size_t(s - 1)].layer));
    m_info->setText(tr("%1 tokens; the first two principal components explain %2 % of the variance%3. Drag the slider to move through depth.")
                        .arg(T)
                        .arg(100 * (pc.explained[0] + pc.explained[1]), 0, 'f', 1)
                        .arg(shared ? tr(" of all layers together") : QString()));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    return true;
}

FigureData ResidualPcaPanel::figureData() const
{
    FigureData fd;
    const TracePtr t = context()->trace();
    if (!t || m_xy.empty())
        return fd;
    fd.title = QStringLiteral("residual stream PCA, stage %1").arg(m_layer->value());
    fd.columnLabels = {QStringLiteral("PC1"), QStringLiteral("PC2")};
    fd.rowLabels = t->tokenStrings;
    for (int i = 0; i < t->tokenCount(); ++i)
        fd.values.push_back({m_xy[size_t(i) * 2], m_xy[size_t(i) * 2 + 1]});
    return fd;
}

} // namespace strata
