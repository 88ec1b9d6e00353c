#include "DatasetPanel.h"

#include "AppContext.h"
#include "PlotStyle.h"
#include "analysis/Probe.h"
#include "batch/BatchMerge.h"
#include "batch/BatchRun.h"
#include "store/Workspace.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace strata {

namespace {

double at(const QJsonArray &a, int i)
{
    const QJsonValue v = a.at(i);
    return v.isDouble() ? v.toDouble() : std::nan("");
}

QString interval(double mean, double low, double high)
{
    if (std::isnan(mean))
        return QStringLiteral("–");
    return QStringLiteral("%1  [%2, %3]").arg(mean, 0, 'f', 3).arg(low, 0, 'f', 3).arg(high, 0, 'f', 3);
}

} // namespace

DatasetPanel::DatasetPanel(AppContext *context) : Panel(context)
{
    auto *layout = new QVBoxLayout(this);
    m_title = new QLabel(this);
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    auto *row = new QHBoxLayout;
    m_figure = new QComboBox(this);
    m_figure->setObjectName(QStringLiteral("datasetFigure"));
    m_modelLabel = new QLabel(this);
    m_model = new QComboBox(this);
    m_scoreLabel = new QLabel(this);
    m_score = new QComboBox(this);
    m_score->setObjectName(QStringLiteral("datasetScore"));
    m_export = new QPushButton(this);
    row->addWidget(m_figure);
    row->addWidget(m_modelLabel);
    row->addWidget(m_model);
    row->addWidget(m_scoreLabel);
    row->addWidget(m_score);
    row->addStretch();
    row->addWidget(m_export);
    layout->addLayout(row);
    auto *split = new QSplitter(Qt::Vertical, this);
    m_plot = new QCustomPlot(split);
    m_plot->setMinimumHeight(220);
    PlotStyle::putLegendBelow(m_plot); // once: a row under the axes, shown only for the line charts
    m_table = new QTableWidget(split);
    m_table->setColumnCount(3);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    split->addWidget(m_plot);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    connect(m_figure, &QComboBox::currentIndexChanged, this, [this] { draw(); });
    connect(m_model, &QComboBox::currentIndexChanged, this, [this] { draw(); });
    connect(m_score, &QComboBox::currentIndexChanged, this, [this] { draw(); });
    connect(m_export, &QPushButton::clicked, this,
            [this] { FigureExport::exportInteractively(this, m_plot, figureData(), QStringLiteral("dataset-%1").arg(m_figure->currentData().toInt())); });
    // A head of the ranked table becomes the selected head in every panel.
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this](int r, int) {
        if (QTableWidgetItem *it = m_table->item(r, 0))
            this->context()->setLayerHead(it->data(Qt::UserRole).toInt(), it->data(Qt::UserRole + 1).toInt());
    });
    connect(context, &AppContext::currentSessionChanged, this, [this] { showSession(this->context()->currentSession()); });
    connect(context, &AppContext::workspaceContentChanged, this, [this] {
        if (!hasBatch())
            showSession(this->context()->currentSession());
    });
    retranslate();
    showSession(context->currentSession());
}

QString DatasetPanel::figureName(Figure f)
{
    switch (f) {
    case HeadScores:
        return tr("Head scores (mean over items, 95 % interval)");
    case Lens:
        return tr("Logit lens by layer");
    case Similarity:
        return tr("Similarity of layers");
    case Patching:
        return tr("Patching, mean over pairs");
    case ProbeAccuracy:
        return tr("Probe accuracy by layer");
    }
    return QString();
}

void DatasetPanel::retranslate()
{
    m_modelLabel->setText(tr("Model:"));
    m_scoreLabel->setText(tr("Score:"));
    m_export->setText(tr("Export…"));
    m_export->setToolTip(tr("Save this figure (PNG, SVG, PDF) or its numbers (CSV, JSON)"));
    m_table->setHorizontalHeaderLabels({tr("Head"), tr("Mean [95 % interval]"), tr("Items")});
    rebuildChoices();
}

bool DatasetPanel::showSession(qint64 sessionId)
{
    m_batch = QJsonObject();
    if (Workspace *ws = context()->workspace(); ws && sessionId > 0) {
        try {
            m_batch = Batch::batchResultOf(*ws, sessionId);
        } catch (const Error &e) {
            m_status->setText(e.message());
        }
    }
    rebuildChoices();
    return hasBatch();
}

QList<DatasetPanel::Figure> DatasetPanel::figures() const
{
    QList<Figure> out;
    const QJsonObject a = aggregate();
    for (const auto &[key, f] : {std::pair{"heads", HeadScores}, std::pair{"lens", Lens}, std::pair{"similarity", Similarity}, std::pair{"patching", Patching},
                                 std::pair{"probe", ProbeAccuracy}})
        if (a.contains(QLatin1String(key)))
            out << f;
    return out;
}

QJsonObject DatasetPanel::aggregate() const
{
    const QJsonArray models = m_batch.value(QStringLiteral("models")).toArray();
    const int i = std::clamp(m_model->currentIndex(), 0, std::max(0, int(models.size()) - 1));
    return models.at(i).toObject().value(QStringLiteral("aggregate")).toObject();
}

void DatasetPanel::rebuildChoices()
{
    const QSignalBlocker b1(m_figure), b2(m_model), b3(m_score);
    const int figure = m_figure->currentData().isValid() ? m_figure->currentData().toInt() : -1;
    const int model = m_model->currentIndex(), score = m_score->currentIndex();
    m_model->clear();
    for (const QJsonValue &m : m_batch.value(QStringLiteral("models")).toArray())
        m_model->addItem(m.toObject().value(QStringLiteral("name")).toString());
    m_model->setCurrentIndex(std::clamp(model, 0, std::max(0, m_model->count() - 1)));
    m_model->setVisible(m_model->count() > 1);
    m_modelLabel->setVisible(m_model->count() > 1);
    m_figure->clear();
    for (Figure f : figures())
        m_figure->addItem(figureName(f), int(f));
    const int fi = m_figure->findData(figure);
    m_figure->setCurrentIndex(fi >= 0 ? fi : 0);
    m_score->clear();
    // The head atlas's column names (and their translations), with the id the CLI and JSON use.
    static const char *shortNames[] = {"Prev", "Current", "Local", "BOS", "Dup", "Distance", "Entropy", "Stripe", "Semantic", "Block"};
    const QStringList ids = batchHeadScoreNames();
    for (int i = 0; i < ids.size() && i < int(std::size(shortNames)); ++i)
        m_score->addItem(QStringLiteral("%1 (%2)").arg(QCoreApplication::translate("strata::HeadScoresModel", shortNames[i]), ids[i]), ids[i]);
    m_score->setCurrentIndex(score >= 0 ? score : 0);
    if (hasBatch())
        m_title->setText(tr("Batch “%1”: %2 of %3 items in %4 shards.")
                             .arg(m_batch.value(QStringLiteral("name")).toString())
                             .arg(m_batch.value(QStringLiteral("merged_items")).toInt())
                             .arg(m_batch.value(QStringLiteral("items")).toInt())
                             .arg(m_batch.value(QStringLiteral("shards")).toInt()));
    else
        m_title->setText(tr("No batch session is open."));
    draw();
}

void DatasetPanel::setFigure(Figure f)
{
    const int i = m_figure->findData(int(f));
    if (i >= 0)
        m_figure->setCurrentIndex(i);
}

void DatasetPanel::setModelIndex(int i)
{
    m_model->setCurrentIndex(i);
}

void DatasetPanel::setScore(int i)
{
    m_score->setCurrentIndex(i);
}

FigureData DatasetPanel::figureData() const
{
    return m_data;
}

QString DatasetPanel::status() const
{
    return m_status->text();
}

void DatasetPanel::drawHeatmap(int rows, int cols, const QJsonArray &values, int stride, int offset, const QStringList &rowLabels, const QStringList &colLabels,
                               const QString &scaleLabel, bool diverging)
{
    auto *map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    map->data()->setSize(cols, rows);
    map->data()->setRange(QCPRange(0, cols - 1), QCPRange(0, rows - 1));
    double lo = 0, hi = 0;
    m_data.rowLabels = rowLabels;
    m_data.columnLabels = colLabels;
    for (int r = 0; r < rows; ++r) {
        std::vector<double> line;
        for (int c = 0; c < cols; ++c) {
            const double v = at(values, (r * cols + c) * stride + offset);
            map->data()->setCell(c, r, v);
            line.push_back(v);
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
        m_data.values.push_back(line);
    }
    map->setInterpolate(false);
    auto *scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, scale);
    map->setColorScale(scale);
    scale->setGradient(diverging ? PlotStyle::divergingGradient() : PlotStyle::sequentialGradient());
    const double m = std::max(std::abs(lo), std::abs(hi));
    scale->setDataRange(diverging ? QCPRange(-std::max(m, 1e-9), std::max(m, 1e-9)) : QCPRange(lo, std::max(hi, lo + 1e-9)));
    scale->axis()->setLabel(scaleLabel);
    auto xt = QSharedPointer<QCPAxisTickerText>::create();
    for (int c = 0; c < cols; ++c)
        xt->addTick(c, colLabels.value(c));
    auto yt = QSharedPointer<QCPAxisTickerText>::create();
    for (int r = 0; r < rows; ++r)
        yt->addTick(r, rowLabels.value(r));
    m_plot->xAxis->setTicker(xt);
    m_plot->yAxis->setTicker(yt);
    m_plot->yAxis->setRangeReversed(true);
    m_plot->xAxis->setRange(-0.5, cols - 0.5);
    m_plot->yAxis->setRange(-0.5, rows - 0.5);
}

void DatasetPanel::fillHeadTable()
{
    const QJsonObject h = aggregate().value(QStringLiteral("heads")).toObject();
    const QJsonArray shape = h.value(QStringLiteral("shape")).toArray();
    m_table->setRowCount(0);
    if (shape.size() != 3)
        return;
    const int L = shape[0].toInt(), H = shape[1].toInt(), S = shape[2].toInt(), s = std::clamp(m_score->currentIndex(), 0, S - 1);
    const QJsonArray mean = h.value(QStringLiteral("mean")).toArray(), low = h.value(QStringLiteral("low")).toArray(),
                     high = h.value(QStringLiteral("high")).toArray(), n = h.value(QStringLiteral("n")).toArray();
    std::vector<int> cells(size_t(L * H));
    for (int c = 0; c < L * H; ++c)
        cells[size_t(c)] = c;
    std::stable_sort(cells.begin(), cells.end(), [&](int a, int b) {
        const double x = at(mean, a * S + s), y = at(mean, b * S + s);
        return std::isnan(y) ? !std::isnan(x) : x > y;
    });
    m_table->setRowCount(L * H);
    for (int r = 0; r < L * H; ++r) {
        const int c = cells[size_t(r)], i = c * S + s;
        auto *head = new QTableWidgetItem(QStringLiteral("L%1 H%2").arg(c / H).arg(c % H));
        head->setData(Qt::UserRole, c / H);
        head->setData(Qt::UserRole + 1, c % H);
        m_table->setItem(r, 0, head);
        m_table->setItem(r, 1, new QTableWidgetItem(interval(at(mean, i), at(low, i), at(high, i))));
        m_table->setItem(r, 2, new QTableWidgetItem(QString::number(n.at(i).toInt())));
    }
    m_table->resizeColumnsToContents();
}

void DatasetPanel::draw()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    for (int i = m_plot->plotLayout()->elementCount() - 1; i >= 0; --i)
        if (auto *scale = qobject_cast<QCPColorScale *>(m_plot->plotLayout()->elementAt(i)))
            m_plot->plotLayout()->remove(scale); // the heatmaps' colour scales; the axes and the legend row stay
    m_plot->plotLayout()->simplify();
    m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    m_plot->yAxis->setRangeReversed(false);
    m_plot->xAxis->setLabel(QString());
    m_plot->yAxis->setLabel(QString());
    m_plot->yAxis2->setVisible(false);
    m_plot->legend->setVisible(false);
    m_data = FigureData();
    m_table->setRowCount(0);
    const bool heads = m_figure->currentData().toInt() == HeadScores;
    m_table->setVisible(hasBatch() && heads);
    m_score->setVisible(hasBatch() && heads);
    m_scoreLabel->setVisible(hasBatch() && heads);
    m_export->setEnabled(hasBatch());
    if (!hasBatch()) {
        PlotStyle::setPlaceholder(m_plot, tr("Open a batch session in Sessions to see figures over its whole dataset.\n"
                                             "Make one with strata-cli batch SPEC --out DIR, then strata-cli batch-merge DIR --into WORKSPACE."));
        m_status->setText(
            tr("A batch runs a spec (models, a dataset, analyses) over thousands of items, on this machine or a Slurm cluster; see docs/BATCH.md."));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    PlotStyle::setPlaceholder(m_plot, QString());
    const QJsonObject a = aggregate();
    const QJsonObject model = m_batch.value(QStringLiteral("models")).toArray().at(std::max(0, m_model->currentIndex())).toObject();
    const int L = model.value(QStringLiteral("layers")).toInt(), H = model.value(QStringLiteral("heads")).toInt();
    QStringList layerLabels, headLabels;
    for (int l = 0; l < L; ++l)
        layerLabels << QString::number(l);
    for (int h = 0; h < H; ++h)
        headLabels << QString::number(h);
    QString text = tr("%1 items measured, %2 skipped, %3 tokens on average.")
                       .arg(a.value(QStringLiteral("measured")).toInt())
                       .arg(a.value(QStringLiteral("skipped")).toInt())
                       .arg(a.value(QStringLiteral("tokens_mean")).toDouble(), 0, 'f', 1);
    const Figure f = Figure(m_figure->currentData().toInt());
    m_data.title = figureName(f);
    if (f == HeadScores) {
        const QJsonObject h = a.value(QStringLiteral("heads")).toObject();
        const int S = h.value(QStringLiteral("shape")).toArray().at(2).toInt();
        const QString score = m_score->currentData().toString();
        m_data.title = tr("Mean %1 per head").arg(score);
        drawHeatmap(L, H, h.value(QStringLiteral("mean")).toArray(), S, std::clamp(m_score->currentIndex(), 0, S - 1), layerLabels, headLabels, score, false);
        m_plot->xAxis->setLabel(tr("head"));
        m_plot->yAxis->setLabel(tr("layer"));
        fillHeadTable();
        text += QLatin1Char(' ') + tr("The table ranks the heads by their mean; double-click one to select it in every panel.");
    } else if (f == Lens || f == ProbeAccuracy) {
        QList<std::pair<QString, QJsonObject>> series; // name -> {mean, low, high}
        if (f == Lens) {
            series << std::pair{tr("top-1 agrees with the final prediction"),
                                a.value(QStringLiteral("lens")).toObject().value(QStringLiteral("top1")).toObject()};
        } else {
            const ProbeRun run = ProbeRun::fromJson(a.value(QStringLiteral("probe")).toObject());
            for (const ProbeTaskResult &t : run.tasks) {
                QJsonArray acc;
                for (const ProbeLayerResult &l : t.layers)
                    acc.append(l.accuracy);
                series << std::pair{t.task, QJsonObject{{QStringLiteral("mean"), acc}, {QStringLiteral("low"), acc}, {QStringLiteral("high"), acc}}};
            }
            text += QLatin1Char(' ') + tr("One probe per layer point (0 = embeddings), trained on %1.").arg(run.trainPath);
        }
        double top = 1.0;
        for (int si = 0; si < series.size(); ++si) {
            const QJsonArray mean = series[si].second.value(QStringLiteral("mean")).toArray(), low = series[si].second.value(QStringLiteral("low")).toArray(),
                             high = series[si].second.value(QStringLiteral("high")).toArray();
            QVector<double> x, y, minus, plus;
            std::vector<double> line;
            for (int l = 0; l < mean.size(); ++l) {
                x << l;
                y << at(mean, l);
                minus << at(mean, l) - at(low, l);
                plus << at(high, l) - at(mean, l);
                line.push_back(at(mean, l));
                top = std::max(top, at(high, l));
            }
            auto *g = m_plot->addGraph();
            g->setName(series[si].first);
            g->setPen(QPen(PlotStyle::categoricalColor(si), 2));
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
            g->setData(x, y);
            if (f == Lens) {
                auto *bars = new QCPErrorBars(m_plot->xAxis, m_plot->yAxis);
                bars->setDataPlottable(g);
                bars->setData(minus, plus);
                bars->setPen(QPen(PlotStyle::categoricalColor(si)));
                bars->removeFromLegend();
            }
            m_data.rowLabels << series[si].first;
            m_data.values.push_back(line);
            if (m_data.columnLabels.isEmpty())
                for (int l = 0; l < mean.size(); ++l)
                    m_data.columnLabels << QString::number(l);
        }
        m_plot->xAxis->setLabel(f == Lens ? tr("layer") : tr("layer point"));
        m_plot->yAxis->setLabel(f == Lens ? tr("share of positions (mean over items, 95 % interval)") : tr("accuracy"));
        m_plot->xAxis->setRange(-0.5, std::max(1, int(m_data.columnLabels.size())) - 0.5);
        m_plot->yAxis->setRange(0, top * 1.05);
        m_plot->legend->setVisible(true);
    } else if (f == Similarity) {
        const QJsonObject s = a.value(QStringLiteral("similarity")).toObject();
        const int n = s.value(QStringLiteral("shape")).toArray().at(0).toInt();
        QStringList points;
        for (int i = 0; i < n; ++i)
            points << (i == 0 ? tr("emb") : QString::number(i - 1));
        drawHeatmap(n, n, s.value(QStringLiteral("mean")).toArray(), 1, 0, points, points, tr("cosine (mean over items)"), false);
        m_plot->xAxis->setLabel(tr("layer output"));
        m_plot->yAxis->setLabel(tr("layer output"));
    } else if (f == Patching) {
        const QJsonObject p = a.value(QStringLiteral("patching")).toObject();
        drawHeatmap(p.value(QStringLiteral("rows")).toInt(), p.value(QStringLiteral("cols")).toInt(), p.value(QStringLiteral("mean")).toArray(), 1, 0,
                    layerLabels, headLabels, tr("restored (1 = clean), mean"), true);
        m_plot->xAxis->setLabel(tr("head"));
        m_plot->yAxis->setLabel(tr("layer"));
    }
    m_status->setText(text);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace strata
