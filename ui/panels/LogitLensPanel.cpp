#include "LogitLensPanel.h"

#include "AppContext.h"
#include "PlotStyle.h"
#include "jobs/JobRunner.h"
#include "tokenize/Tokenizer.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <cmath>

Q_DECLARE_METATYPE(std::shared_ptr<const strata::LogitLensResult>)

namespace strata {

LogitLensPanel::LogitLensPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    m_metricLabel = new QLabel;
    m_metric = new QComboBox;
    m_metric->setObjectName(QStringLiteral("lensMetric"));
    m_export = new QPushButton;
    row->addWidget(m_metricLabel);
    row->addWidget(m_metric);
    row->addStretch(1);
    row->addWidget(m_export);
    v->addLayout(row);
    auto *split = new QSplitter(Qt::Vertical);
    m_plot = new QCustomPlot;
    m_plot->setObjectName(QStringLiteral("lensPlot"));
    m_plot->setMouseTracking(true);
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_map->setColorScale(m_scale);
    m_map->setGradient(PlotStyle::sequentialGradient());
    m_map->setInterpolate(false);
    m_plot->xAxis->setTickLabelRotation(60);
    m_detail = new QCustomPlot;
    m_detail->setObjectName(QStringLiteral("lensDetail"));
    split->addWidget(m_plot);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    v->addWidget(split, 1);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    v->addWidget(m_status);

    connect(m_metric, &QComboBox::currentIndexChanged, this, &LogitLensPanel::redraw);
    m_plot->installEventFilter(this);
    connect(m_export, &QPushButton::clicked, this, [this] { FigureExport::exportInteractively(this, m_plot, figureData(), QStringLiteral("logit-lens")); });
    connect(context, &AppContext::traceChanged, this, &LogitLensPanel::compute);
    connect(context, &AppContext::modelChanged, this, [this] {
        m_resultTrace = nullptr; // another model: what was computed no longer belongs to it
        compute();
    });
    connect(context, &AppContext::selectionChanged, this, &LogitLensPanel::drawDetail);
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *e) {
        if (!m_result)
            return;
        const int t = int(std::lround(m_plot->xAxis->pixelToCoord(e->position().x())));
        const int l = int(std::lround(m_plot->yAxis->pixelToCoord(e->position().y())));
        const TracePtr tr_ = this->context()->trace();
        const auto model = this->context()->model();
        if (!tr_ || !model || t < 0 || l < 0 || t >= m_result->tokens || l >= m_result->layers) {
            QToolTip::hideText();
            return;
        }
        QString text = tr("Layer %1, after '%2' (#%3)\nmodel's final prediction: '%4' (rank here %5, p=%6)\n")
                           .arg(tr_->layers[size_t(l)].layer)
                           .arg(tr_->tokenStrings.value(t))
                           .arg(t)
                           .arg(model->tokenizer().displayString(m_result->finalToken[size_t(t)]))
                           .arg(m_result->finalRank[m_result->at(l, t)])
                           .arg(m_result->finalProb[m_result->at(l, t)], 0, 'f', 3);
        for (const auto &e2 : m_result->top[m_result->at(l, t)])
            text += QStringLiteral("\n  %1  %2").arg(model->tokenizer().displayString(e2.id)).arg(e2.prob, 0, 'f', 3);
        QToolTip::showText(e->globalPosition().toPoint(), text, m_plot);
    });
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent *e) {
        const int t = int(std::lround(m_plot->xAxis->pixelToCoord(e->position().x())));
        if (m_result && t >= 0 && t < m_result->tokens)
            this->context()->setToken(t);
    });
    retranslate();
    compute();
}

void LogitLensPanel::retranslate()
{
    m_metricLabel->setText(tr("Colour by"));
    const int idx = std::max(0, m_metric->currentIndex());
    m_metric->blockSignals(true);
    m_metric->clear();
    m_metric->addItems({tr("Probability of the final prediction"), tr("Rank of the final prediction (log10)"), tr("KL to the final distribution (nats)"),
                        tr("Probability of the top token")});
    m_metric->setCurrentIndex(idx);
    m_metric->blockSignals(false);
    m_export->setText(tr("Export…"));
    m_plot->xAxis->setLabel(tr("Position (the token read so far)"));
    m_plot->yAxis->setLabel(tr("Layer"));
    redraw();
}

void LogitLensPanel::setMetric(Metric m)
{
    m_metric->setCurrentIndex(int(m));
}

QString LogitLensPanel::status() const
{
    return m_status->text();
}

void LogitLensPanel::compute()
{
    const TracePtr t = context()->trace();
    const auto model = context()->model();
    if (!t || !model) {
        m_result.reset();
        m_resultTrace = nullptr;
        m_status->setText(tr("Run a prompt to read its layers through the unembedding."));
        redraw();
        return;
    }
    if (!context()->modelMatchesTrace()) {
        m_result.reset();
        m_resultTrace = nullptr;
        m_status->setText(tr("This run was made with %1; load that model to read its layers (the loaded %2 has another unembedding).")
                              .arg(t->model.name, model->info().name));
        redraw();
        return;
    }
    if (m_resultTrace == t.get())
        return;
    m_status->setText(tr("Computing the logit lens…"));
    context()->jobs()->submit(
        QStringLiteral("lens"), tr("Logit lens"),
        [model, t](JobControl &c) {
            return QVariant::fromValue(std::shared_ptr<const LogitLensResult>(std::make_shared<LogitLensResult>(LogitLens::compute(*model, *t, 5, &c))));
        },
        this,
        [this, t](const JobResult &r) {
            if (context()->trace() != t)
                return; // a newer run arrived meanwhile
            if (!r.ok) {
                m_status->setText(r.cancelled ? tr("Logit lens cancelled.") : tr("Logit lens failed: %1").arg(r.error));
                return;
            }
            m_result = r.value.value<std::shared_ptr<const LogitLensResult>>();
            m_resultTrace = t.get();
            m_status->setText(tr("Each cell: the top token if the model stopped after that layer. Hover for the top 5; click a column to select it."));
            redraw();
        });
}

void LogitLensPanel::redraw()
{
    m_plot->clearItems();
    const TracePtr t = context()->trace();
    const auto model = context()->model();
    if (!m_result || !t || !model || m_resultTrace != t.get()) {
        m_map->data()->clear();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        drawDetail();
        return;
    }
    const LogitLensResult &r = *m_result;
    const Metric metric = Metric(std::max(0, m_metric->currentIndex()));
    QCPColorMapData *d = m_map->data();
    d->setSize(r.tokens, r.layers);
    d->setRange(QCPRange(0, std::max(1, r.tokens - 1)), QCPRange(0, std::max(1, r.layers - 1)));
    double maxValue = 1;
    for (int l = 0; l < r.layers; ++l)
        for (int i = 0; i < r.tokens; ++i) {
            const size_t c = r.at(l, i);
            double v = 0;
            switch (metric) {
            case Metric::FinalProbability:
                v = r.finalProb[c];
                break;
            case Metric::FinalRank:
                v = std::log10(1.0 + r.finalRank[c]);
                break;
            case Metric::KlToFinal:
                v = r.kl[c];
                break;
            case Metric::TopProbability:
                v = r.top[c].front().prob;
                break;
            }
            maxValue = std::max(maxValue, v);
            d->setCell(i, l, v);
        }
    const bool higherIsCloser = metric == Metric::FinalProbability || metric == Metric::TopProbability;
    m_map->setDataRange(higherIsCloser ? QCPRange(0, 1) : QCPRange(0, maxValue));
    m_scale->axis()->setLabel(m_metric->currentText());
    auto xt = QSharedPointer<QCPAxisTickerText>::create();
    const int step = std::max(1, r.tokens / 48);
    for (int i = 0; i < r.tokens; i += step)
        xt->addTick(i, t->tokenStrings.value(i));
    m_plot->xAxis->setTicker(xt);
    auto yt = QSharedPointer<QCPAxisTickerText>::create();
    for (int l = 0; l < r.layers; ++l)
        yt->addTick(l, QString::number(t->layers[size_t(l)].layer));
    m_plot->yAxis->setTicker(yt);
    m_plot->xAxis->setRange(-0.5, r.tokens - 0.5);
    m_plot->yAxis->setRange(-0.5, r.layers - 0.5);
    drawLabels();
    drawDetail();
}

int LogitLensPanel::labelCount() const
{
    return m_plot->itemCount();
}

bool LogitLensPanel::eventFilter(QObject *watched, QEvent *event)
{
    // The cells' width decides the labels: a lens computed while its tab was hidden (width 0) gets
    // them once shown, and a narrowed window drops them. After the resize has been laid out.
    if (watched == m_plot && (event->type() == QEvent::Resize || event->type() == QEvent::Show) && !m_labelsQueued) {
        m_labelsQueued = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_labelsQueued = false;
                drawLabels();
            },
            Qt::QueuedConnection);
    }
    return Panel::eventFilter(watched, event);
}

void LogitLensPanel::drawLabels()
{
    m_plot->clearItems();
    const TracePtr t = context()->trace();
    const auto model = context()->model();
    if (!m_result || !t || !model || m_resultTrace != t.get() || !m_plot->isVisible()) {
        if (!t)
            PlotStyle::setPlaceholder(m_plot, tr("Run a prompt to read its layers through the unembedding."));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const LogitLensResult &r = *m_result;
    const Metric metric = Metric(std::max(0, m_metric->currentIndex()));
    const bool higherIsCloser = metric == Metric::FinalProbability || metric == Metric::TopProbability;
    const double maxValue = std::max(1e-12, m_map->dataRange().upper);
    m_plot->replot(QCustomPlot::rpImmediateRefresh); // lays the axis rect out for the widget's current size
    const double cellWidth = double(m_plot->axisRect()->width()) / std::max(1, r.tokens);
    if (cellWidth >= 28) {
        QFont small = font();
        small.setPointSizeF(std::max(6.0, small.pointSizeF() - 2));
        QCPColorMapData *d = m_map->data();
        for (int l = 0; l < r.layers; ++l)
            for (int i = 0; i < r.tokens; ++i) {
                auto *label = new QCPItemText(m_plot);
                label->position->setCoords(i, l);
                label->setText(model->tokenizer().displayString(r.top[r.at(l, i)].front().id).left(8));
                label->setFont(small);
                const double v = d->cell(i, l) / (higherIsCloser ? 1.0 : maxValue);
                label->setColor(v > 0.6 ? Qt::black : Qt::white);
                label->setClipToAxisRect(true);
            }
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LogitLensPanel::drawDetail()
{
    m_detail->clearGraphs();
    for (QCPAxis *a : {m_detail->yAxis2})
        a->setVisible(false);
    const TracePtr t = context()->trace();
    if (!m_result || !t || m_resultTrace != t.get()) {
        m_detail->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const LogitLensResult &r = *m_result;
    const int pos = std::clamp(context()->token() < 0 ? r.tokens - 1 : context()->token(), 0, r.tokens - 1);
    QVector<double> x, prob, kl;
    for (int l = 0; l < r.layers; ++l) {
        x << t->layers[size_t(l)].layer;
        prob << r.finalProb[r.at(l, pos)];
        kl << r.kl[r.at(l, pos)];
    }
    const auto model = context()->model();
    const QString finalTok = model ? model->tokenizer().displayString(r.finalToken[size_t(pos)]) : QString();
    QCPGraph *g1 = m_detail->addGraph(m_detail->xAxis, m_detail->yAxis);
    g1->setData(x, prob);
    g1->setName(tr("p('%1')").arg(finalTok));
    g1->setPen(QPen(QColor(0, 114, 178), 2));
    g1->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    QCPGraph *g2 = m_detail->addGraph(m_detail->xAxis, m_detail->yAxis2);
    g2->setData(x, kl);
    g2->setName(tr("KL to final (nats)"));
    g2->setPen(QPen(QColor(213, 94, 0), 2, Qt::DashLine));
    m_detail->yAxis2->setVisible(true);
    m_detail->xAxis->setLabel(tr("Layer — position #%1 '%2'").arg(pos).arg(t->tokenStrings.value(pos)));
    m_detail->yAxis->setLabel(tr("Probability of the final prediction"));
    m_detail->yAxis2->setLabel(tr("KL (nats)"));
    m_detail->yAxis->setRange(0, 1.05);
    g2->rescaleValueAxis();
    m_detail->yAxis2->setRangeLower(0);
    m_detail->xAxis->setRange(-0.3, std::max(1, r.layers - 1) + 0.3);
    m_detail->legend->setVisible(true);
    m_detail->replot(QCustomPlot::rpQueuedReplot);
}

FigureData LogitLensPanel::figureData() const
{
    FigureData fd;
    const TracePtr t = context()->trace();
    if (!m_result || !t)
        return fd;
    const LogitLensResult &r = *m_result;
    fd.title = QStringLiteral("logit lens: probability of the final prediction (rows: layers, columns: positions)");
    fd.columnLabels = t->tokenStrings;
    for (int l = 0; l < r.layers; ++l) {
        fd.rowLabels << QStringLiteral("layer %1").arg(t->layers[size_t(l)].layer);
        std::vector<double> row;
        for (int i = 0; i < r.tokens; ++i)
            row.push_back(r.finalProb[r.at(l, i)]);
        fd.values.push_back(row);
    }
    return fd;
}

} // namespace strata
