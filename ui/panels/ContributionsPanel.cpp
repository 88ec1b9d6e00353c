#include "ContributionsPanel.h"

#include "AppContext.h"
#include "analysis/ResidualAnalysis.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <qcustomplot.h>

namespace strata {

ContributionsPanel::ContributionsPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    m_info = new QLabel;
    m_info->setWordWrap(true);
    m_export = new QPushButton;
    row->addWidget(m_info, 1);
    row->addWidget(m_export);
    v->addLayout(row);
    m_plot = new QCustomPlot;
    m_plot->setObjectName(QStringLiteral("contributionsPlot"));
    v->addWidget(m_plot, 1);
    connect(m_export, &QPushButton::clicked, this, [this] { FigureExport::exportInteractively(this, m_plot, figureData(), QStringLiteral("contributions")); });
    connect(context, &AppContext::traceChanged, this, &ContributionsPanel::redraw);
    retranslate();
}

void ContributionsPanel::retranslate()
{
    m_info->setText(tr("Mean L2 norm per token of what each layer's attention and MLP write into the residual stream, and of the stream itself."));
    m_export->setText(tr("Export…"));
    redraw();
}

void ContributionsPanel::redraw()
{
    m_plot->clearPlottables();
    const TracePtr t = context()->trace();
    if (!t || t->layers.empty()) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const ResidualAnalysis::Contributions c = ResidualAnalysis::contributionNorms(*t);
    QVector<double> x;
    for (int l : c.layers)
        x << l;
    auto addBars = [&](const std::vector<double> &y, const QString &name, const QColor &colour, double offset) {
        auto *b = new QCPBars(m_plot->xAxis, m_plot->yAxis);
        QVector<double> xs;
        for (double xv : x)
            xs << xv + offset;
        b->setData(xs, QVector<double>(y.begin(), y.end()));
        b->setWidth(0.35);
        b->setName(name);
        b->setBrush(colour);
        b->setPen(Qt::NoPen);
    };
    addBars(c.attnOut, tr("attention output"), QColor(0, 114, 178), -0.18);
    addBars(c.mlpOut, tr("MLP output"), QColor(213, 94, 0), 0.18);
    QCPGraph *g = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    g->setData(x, QVector<double>(c.residPost.begin(), c.residPost.end()));
    g->setName(tr("residual stream (right axis)"));
    g->setPen(QPen(QColor(60, 60, 60), 2));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    m_plot->yAxis2->setVisible(true);
    m_plot->rescaleAxes();
    m_plot->yAxis->setRange(0, m_plot->yAxis->range().upper * 1.1);
    m_plot->yAxis2->setRange(0, m_plot->yAxis2->range().upper * 1.1);
    m_plot->xAxis->setRange(-0.6, c.layers.size() - 0.4);
    m_plot->xAxis->setLabel(tr("Layer"));
    m_plot->yAxis->setLabel(tr("Mean norm written per token"));
    m_plot->yAxis2->setLabel(tr("Residual stream norm"));
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

FigureData ContributionsPanel::figureData() const
{
    FigureData fd;
    const TracePtr t = context()->trace();
    if (!t)
        return fd;
    const ResidualAnalysis::Contributions c = ResidualAnalysis::contributionNorms(*t);
    fd.title = QStringLiteral("mean L2 norm per token");
    fd.columnLabels = {QStringLiteral("attn_out"), QStringLiteral("mlp_out"), QStringLiteral("resid_post")};
    for (size_t i = 0; i < c.layers.size(); ++i) {
        fd.rowLabels << QStringLiteral("layer %1").arg(c.layers[i]);
        fd.values.push_back({c.attnOut[i], c.mlpOut[i], c.residPost[i]});
    }
    return fd;
}

} // namespace strata
