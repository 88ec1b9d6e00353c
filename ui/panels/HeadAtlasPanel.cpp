#include "HeadAtlasPanel.h"
#include "model/ModelFamily.h"
#include "util/Error.h"

#include "AppContext.h"
#include "PlotStyle.h"
#include "jobs/JobRunner.h"
#include "models/HeadScoresModel.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <QFileDialog>
#include <QFileInfo>
#include <cmath>

Q_DECLARE_METATYPE(std::shared_ptr<const strata::SyntacticHeadsResult>)

namespace strata {

HeadAtlasPanel::HeadAtlasPanel(AppContext *context) : Panel(context), m_model(new HeadScoresModel(this)), m_proxy(new QSortFilterProxyModel(this))
{
    auto *v = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    m_thresholdLabel = new QLabel;
    row->addWidget(m_thresholdLabel);
    auto spin = [&](double value) {
        auto *s = new QDoubleSpinBox;
        s->setRange(0.05, 1.0);
        s->setSingleStep(0.05);
        s->setValue(value);
        row->addWidget(s);
        connect(s, &QDoubleSpinBox::valueChanged, this, &HeadAtlasPanel::refresh);
        return s;
    };
    const RoleThresholds defaults;
    m_sink = spin(defaults.sink);
    m_prev = spin(defaults.previousToken);
    m_induction = spin(defaults.induction);
    row->addStretch(1);
    m_treebank = new QPushButton;
    m_treebank->setObjectName(QStringLiteral("atlasTreebank"));
    row->addWidget(m_treebank);
    m_ablate = new QPushButton;
    m_ablate->setObjectName(QStringLiteral("atlasAblate"));
    row->addWidget(m_ablate);
    m_export = new QPushButton;
    row->addWidget(m_export);
    v->addLayout(row);

    auto *split = new QSplitter(Qt::Vertical);
    auto *top = new QSplitter(Qt::Horizontal);
    m_grid = new QCustomPlot;
    m_grid->setObjectName(QStringLiteral("headGrid"));
    m_chart = new QCustomPlot;
    m_chart->setObjectName(QStringLiteral("roleMixChart"));
    top->addWidget(m_grid);
    top->addWidget(m_chart);
    split->addWidget(top);
    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("headTable"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::UserRole);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(HeadScoresModel::Layer, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection); // several heads for the ablation
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    split->addWidget(m_table);
    split->setSizes({340, 220});
    top->setStretchFactor(0, 1);
    top->setStretchFactor(1, 1);
    // The role legend sits beside the chart, not over its bars.
    auto *legendCell = new QCPLayoutGrid;
    m_chart->plotLayout()->addElement(0, 1, legendCell);
    legendCell->addElement(0, 0, m_chart->legend);
    m_chart->plotLayout()->setColumnStretchFactor(1, 0.001);
    m_chart->legend->setVisible(true);
    v->addWidget(split, 1);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("atlasStatus"));
    m_status->setWordWrap(true);
    v->addWidget(m_status);

    connect(m_table, &QTableView::clicked, this, [this](const QModelIndex &idx) {
        const QModelIndex src = m_proxy->mapToSource(idx);
        const HeadScores &s = m_model->scores().at(size_t(src.row()));
        headClicked(s.layer, s.head);
    });
    connect(m_grid, &QCustomPlot::mousePress, this, [this](QMouseEvent *e) {
        const int head = int(std::lround(m_grid->xAxis->pixelToCoord(e->position().x())));
        const int layer = int(std::lround(m_grid->yAxis->pixelToCoord(e->position().y())));
        if (m_model->scoreFor(layer, head))
            headClicked(layer, head);
    });
    connect(m_grid, &QCustomPlot::mouseMove, this, [this](QMouseEvent *e) {
        const int head = int(std::lround(m_grid->xAxis->pixelToCoord(e->position().x())));
        const int layer = int(std::lround(m_grid->yAxis->pixelToCoord(e->position().y())));
        const HeadScores *s = m_model->scoreFor(layer, head);
        if (!s) {
            m_grid->setToolTip(QString());
            return;
        }
        auto f = [](double x) { return std::isnan(x) ? QStringLiteral("–") : QString::number(x, 'f', 2); };
        m_grid->setToolTip(
            tr("L%1 H%2: %3\nprevious %4 · current %5 · local %6\nBOS %7 · duplicate %8 · induction %9\ndistance %10 · entropy %11 · stripe %12\n"
               "semantic %13 · block-sparse %14")
                .arg(layer)
                .arg(head)
                .arg(HeadMetrics::roleName(HeadMetrics::dominantRole(*s, thresholds())))
                .arg(f(s->previousToken), f(s->currentToken), f(s->localWindow), f(s->firstToken), f(s->duplicateToken), f(s->induction))
                .arg(s->meanDistance, 0, 'f', 1)
                .arg(f(s->normalizedEntropy), f(s->stripe), f(s->semantic), f(s->blockSparse)));
    });
    connect(m_export, &QPushButton::clicked, this, [this] { FigureExport::exportInteractively(this, m_grid, figureData(), QStringLiteral("head-atlas")); });
    connect(m_ablate, &QPushButton::clicked, this, &HeadAtlasPanel::ablateSelected);
    connect(m_treebank, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Treebank for syntactic heads"), m_syntaxFile, tr("CoNLL-U (*.conllu);;All files (*)"));
        if (!f.isEmpty())
            setTreebank(f);
    });
    connect(context, &AppContext::modelChanged, this, [this] { // another model: its own syntax, measured again
        if (m_syntax && (!this->context()->model() || this->context()->model()->info().fingerprint != m_syntaxFingerprint)) {
            m_syntax.reset();
            if (this->context()->model() && !m_syntaxFile.isEmpty())
                setTreebank(m_syntaxFile);
            refresh();
        }
    });
    connect(context, &AppContext::traceChanged, this, [this] {
        this->context()->requestInductionProbe();
        requestScores();
        refresh();
    });
    connect(context, &AppContext::inductionChanged, this, &HeadAtlasPanel::refresh);
    connect(context, &AppContext::selectionChanged, this, &HeadAtlasPanel::drawGrid);
    retranslate();
}

void HeadAtlasPanel::retranslate()
{
    m_thresholdLabel->setText(tr("Thresholds: sink / previous / induction"));
    m_sink->setToolTip(tr("A head whose mean attention to position 0 exceeds this is a sink head"));
    m_prev->setToolTip(tr("Previous-token score needed for the previous-token role"));
    m_induction->setToolTip(tr("Induction score needed for the induction role"));
    m_export->setText(tr("Export…"));
    m_ablate->setText(tr("Ablate selected"));
    m_treebank->setText(tr("Syntax from treebank…"));
    m_treebank->setToolTip(tr("Pick a CoNLL-U file: every head's best dependency relation, against the fixed-offset baseline (first 200 sentences)"));
    m_ablate->setToolTip(tr("Zero-ablate the heads selected in the table (Ctrl/Shift to select several) and see the loss change in the ablation panel"));
    refresh();
}

QList<QPair<int, int>> HeadAtlasPanel::selectedHeads() const
{
    QList<QPair<int, int>> heads;
    for (const QModelIndex &idx : m_table->selectionModel()->selectedRows()) {
        const QModelIndex src = m_proxy->mapToSource(idx);
        if (src.row() >= 0 && size_t(src.row()) < m_model->scores().size()) {
            const HeadScores &s = m_model->scores()[size_t(src.row())];
            heads.append({s.layer, s.head});
        }
    }
    if (heads.isEmpty()) // nothing selected: the head under the shared cursor
        heads.append({context()->layer(), context()->head()});
    std::sort(heads.begin(), heads.end());
    return heads;
}

void HeadAtlasPanel::ablateSelected()
{
    if (!context()->trace())
        return;
    Q_EMIT context()->ablationRequested(selectedHeads());
}

RoleThresholds HeadAtlasPanel::thresholds() const
{
    RoleThresholds t;
    t.sink = m_sink->value();
    t.previousToken = m_prev->value();
    t.induction = m_induction->value();
    return t;
}

void HeadAtlasPanel::showEvent(QShowEvent *e)
{
    Panel::showEvent(e);
    requestScores();
}

void HeadAtlasPanel::requestScores()
{
    const TracePtr t = context()->trace();
    if (!t || !isVisible() || t == m_scoredTrace.lock() || t == m_scoringFor.lock())
        return;
    m_scoringFor = t;
    context()->jobs()->submit(
        QStringLiteral("head-atlas-scores"), tr("Scoring heads"), [t](JobControl &) { return QVariant::fromValue(HeadMetrics::scoreTrace(*t)); }, this,
        [this, t](const JobResult &r) {
            if (m_scoringFor.lock() == t)
                m_scoringFor.reset();
            if (!r.ok || t != context()->trace()) {
                requestScores(); // replaced by a newer run (or cancelled): score that one
                return;
            }
            m_scores = r.value.value<std::vector<HeadScores>>();
            m_scoredTrace = t;
            refresh();
            Q_EMIT scored();
        });
}

void HeadAtlasPanel::refresh()
{
    const TracePtr t = context()->trace();
    std::vector<HeadScores> scores = t && t == m_scoredTrace.lock() ? m_scores : std::vector<HeadScores>{};
    const InductionResult *ind = context()->induction();
    for (HeadScores &s : scores)
        if (ind && size_t(s.layer) < ind->score.size() && size_t(s.head) < ind->score[size_t(s.layer)].size())
            s.induction = ind->score[size_t(s.layer)][size_t(s.head)];
    const bool scored = !scores.empty();
    if (m_syntax)
        SyntacticHeads::applyTo(*m_syntax, scores);
    m_model->setScores(std::move(scores), thresholds());
    if (!t)
        m_status->setText(tr("Run a prompt to score its heads."));
    else if (!scored)
        m_status->setText(tr("Scoring the heads of the current run (%1 tokens)…").arg(t->tokenCount()));
    else if (!ind)
        m_status->setText(tr("Scores from the current run (%1 tokens); the induction test is running…").arg(t->tokenCount()));
    else
        m_status->setText(
            tr("Scores from the current run (%1 tokens). Induction test: %2 random tokens repeated; loss %3 → %4 nats from the first to the second copy.")
                .arg(t->tokenCount())
                .arg(ind->spanLength)
                .arg(ind->lossFirstCopy, 0, 'f', 2)
                .arg(ind->lossSecondCopy, 0, 'f', 2));
    if (m_syntax && t)
        m_status->setText(m_status->text() + QLatin1Char(' ') +
                          tr("Syntax: %1 relations from %2 sentences of %3.")
                              .arg(m_syntax->relations.size())
                              .arg(m_syntax->sentences)
                              .arg(QFileInfo(m_syntaxFile).fileName()));
    drawGrid();
    drawChart();
}

void HeadAtlasPanel::setTreebank(const QString &conllu)
{
    const std::shared_ptr<LoadedModel> model = context()->model();
    m_syntaxFile = conllu;
    if (!model)
        return;
    const QString fingerprint = model->info().fingerprint;
    context()->jobs()->submit(
        QStringLiteral("head-atlas-syntax"), tr("Syntactic heads"),
        [model, conllu](JobControl &control) {
            const ConllFile f = ConllU::load(conllu, 200);
            if (f.sentences.empty())
                throw Error(QStringLiteral("%1 holds no usable CoNLL-U sentence.").arg(conllu));
            return QVariant::fromValue(std::make_shared<const SyntacticHeadsResult>(SyntacticHeads::evaluate(*model, f.sentences, 20, &control)));
        },
        this,
        [this, fingerprint](const JobResult &r) {
            if (!r.ok) {
                if (!r.cancelled)
                    Q_EMIT context()->message(tr("Syntactic heads: %1").arg(r.error));
                return;
            }
            if (!context()->model() || context()->model()->info().fingerprint != fingerprint)
                return; // measured for a model that is gone
            m_syntax = r.value.value<std::shared_ptr<const SyntacticHeadsResult>>();
            m_syntaxFingerprint = fingerprint;
            refresh();
            Q_EMIT syntaxMeasured();
        });
}

void HeadAtlasPanel::headClicked(int layer, int head)
{
    context()->setLayerHead(layer, head);
}

void HeadAtlasPanel::drawGrid()
{
    m_grid->clearItems();
    const auto &scores = m_model->scores();
    if (scores.empty())
        PlotStyle::setPlaceholder(m_grid, context()->trace() ? tr("Scoring the heads…") : tr("Run a prompt to score its heads."));
    int layers = 0, heads = 0;
    for (const HeadScores &s : scores) {
        layers = std::max(layers, s.layer + 1);
        heads = std::max(heads, s.head + 1);
    }
    const RoleThresholds th = thresholds();
    for (const HeadScores &s : scores) {
        auto *r = new QCPItemRect(m_grid);
        r->topLeft->setCoords(s.head - 0.45, s.layer - 0.45);
        r->bottomRight->setCoords(s.head + 0.45, s.layer + 0.45);
        const bool selected = s.layer == context()->layer() && s.head == context()->head();
        r->setBrush(PlotStyle::roleColor(HeadMetrics::dominantRole(s, th)));
        r->setPen(selected ? QPen(Qt::red, 2.5) : QPen(Qt::white));
    }
    m_grid->xAxis->setRange(-0.5, std::max(1, heads) - 0.5);
    m_grid->yAxis->setRange(-0.5, std::max(1, layers) - 0.5);
    m_grid->yAxis->setRangeReversed(true);
    m_grid->xAxis->setLabel(tr("Head"));
    m_grid->yAxis->setLabel(tr("Layer (0 = first)"));
    for (QCPAxis *a : {m_grid->xAxis, m_grid->yAxis}) {
        a->ticker()->setTickStepStrategy(QCPAxisTicker::tssReadability);
        a->grid()->setVisible(false);
    }
    m_grid->replot(QCustomPlot::rpQueuedReplot);
}

void HeadAtlasPanel::drawChart()
{
    m_chart->clearPlottables();
    m_chart->legend->setFont(QFont(font().family(), std::max(7, font().pointSize() - 2)));
    const auto &scores = m_model->scores();
    int layers = 0;
    for (const HeadScores &s : scores)
        layers = std::max(layers, s.layer + 1);
    QCPBars *below = nullptr;
    const RoleThresholds th = thresholds();
    for (HeadRole role : HeadMetrics::allRoles()) {
        QVector<double> x, y;
        bool any = false;
        for (int l = 0; l < layers; ++l) {
            int n = 0;
            for (const HeadScores &s : scores)
                n += s.layer == l && HeadMetrics::dominantRole(s, th) == role;
            x << l;
            y << n;
            any = any || n > 0;
        }
        if (!any)
            continue;
        auto *bars = new QCPBars(m_chart->xAxis, m_chart->yAxis);
        bars->setName(HeadMetrics::roleName(role));
        bars->setData(x, y);
        bars->setBrush(PlotStyle::roleColor(role));
        bars->setPen(QPen(Qt::white));
        bars->setWidth(0.8);
        if (below)
            bars->moveAbove(below);
        below = bars;
    }
    m_chart->xAxis->setLabel(tr("Layer"));
    m_chart->yAxis->setLabel(tr("Heads"));
    m_chart->xAxis->setRange(-0.6, std::max(1, layers) - 0.4);
    m_chart->rescaleAxes(true);
    m_chart->xAxis->setRange(-0.6, std::max(1, layers) - 0.4);
    m_chart->yAxis->setRangeLower(0);
    m_chart->replot(QCustomPlot::rpQueuedReplot);
}

FigureData HeadAtlasPanel::figureData() const
{
    FigureData fd;
    fd.title = QStringLiteral("head scores");
    for (int c = HeadScoresModel::Previous; c < HeadScoresModel::ColumnCount; ++c)
        fd.columnLabels << m_model->headerData(c, Qt::Horizontal).toString();
    for (int r = 0; r < m_model->rowCount(); ++r) {
        const HeadScores &s = m_model->scores()[size_t(r)];
        fd.rowLabels << QStringLiteral("L%1H%2 %3").arg(s.layer).arg(s.head).arg(HeadMetrics::roleId(m_model->roleOf(r)));
        std::vector<double> row;
        for (int c = HeadScoresModel::Previous; c < HeadScoresModel::ColumnCount; ++c)
            row.push_back(m_model->data(m_model->index(r, c), Qt::UserRole).toDouble());
        fd.values.push_back(row);
    }
    return fd;
}

} // namespace strata
