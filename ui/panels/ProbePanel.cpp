#include "ProbePanel.h"

#include "AppContext.h"
#include "PlotStyle.h"
#include "jobs/JobRunner.h"
#include "settings/Settings.h"
#include "store/Workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>

#include <qcustomplot.h>

namespace strata {

namespace {
const Setting<QString> kTrain{"Probes/train", QString()};
const Setting<QString> kDev{"Probes/dev", QString()};
const Setting<QString> kTest{"Probes/test", QString()};
const Setting<QStringList> kTasks{"Probes/tasks", {QStringLiteral("upos"), QStringLiteral("deprel")}};
const Setting<int> kSentences{"Probes/sentences", 2000};

const char *const kTaskIds[] = {"upos", "xpos", "deprel", "headdist", "sentence"};

QColor taskColor(int i)
{
    static const QColor colours[] = {QColor(0, 114, 178), QColor(213, 94, 0), QColor(0, 158, 115), QColor(204, 121, 167), QColor(230, 159, 0)};
    return colours[i % 5];
}

QString layerLabel(const ProbeRun &r, int point)
{
    if (r.site != QLatin1String("resid"))
        return QString::number(point);
    return point == 0 ? QCoreApplication::translate("strata::ProbePanel", "emb") : QString::number(point - 1);
}
} // namespace

QLineEdit *ProbePanel::fileRow(QGridLayout *grid, int row, QLabel **label, QPushButton **browse)
{
    *label = new QLabel;
    auto *edit = new QLineEdit;
    edit->setClearButtonEnabled(true);
    *browse = new QPushButton;
    grid->addWidget(*label, row, 0);
    grid->addWidget(edit, row, 1);
    grid->addWidget(*browse, row, 2);
    connect(*browse, &QPushButton::clicked, this, [this, edit] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Labelled data"), QFileInfo(edit->text()).absolutePath(),
                                                       tr("CoNLL-U or labelled sentences (*.conllu *.csv *.tsv);;All files (*)"));
        if (!f.isEmpty())
            edit->setText(f);
    });
    return edit;
}

ProbePanel::ProbePanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    auto *grid = new QGridLayout;
    m_train = fileRow(grid, 0, &m_trainLabel, &m_trainBrowse);
    m_dev = fileRow(grid, 1, &m_devLabel, &m_devBrowse);
    m_test = fileRow(grid, 2, &m_testLabel, &m_testBrowse);
    m_train->setObjectName(QStringLiteral("probeTrain"));
    m_train->setText(kTrain.value());
    m_dev->setText(kDev.value());
    m_test->setText(kTest.value());
    v->addLayout(grid);

    auto *tasks = new QHBoxLayout;
    m_tasksLabel = new QLabel;
    tasks->addWidget(m_tasksLabel);
    const QStringList chosen = kTasks.value();
    for (const char *id : kTaskIds) {
        auto *box = new QCheckBox;
        box->setObjectName(QStringLiteral("task_") + QString::fromLatin1(id));
        box->setChecked(chosen.contains(QString::fromLatin1(id)));
        m_taskBoxes << box;
        tasks->addWidget(box);
    }
    tasks->addStretch();
    v->addLayout(tasks);

    auto *opts = new QHBoxLayout;
    m_poolLabel = new QLabel;
    m_pool = new QComboBox;
    m_siteLabel = new QLabel;
    m_site = new QComboBox;
    m_classifierLabel = new QLabel;
    m_classifier = new QComboBox;
    m_sentencesLabel = new QLabel;
    m_sentences = new QSpinBox;
    m_sentences->setRange(0, 100000);
    m_sentences->setSingleStep(500);
    m_sentences->setValue(kSentences.value());
    m_control = new QCheckBox;
    m_control->setChecked(true);
    for (QWidget *w :
         std::initializer_list<QWidget *>{m_poolLabel, m_pool, m_siteLabel, m_site, m_classifierLabel, m_classifier, m_sentencesLabel, m_sentences, m_control})
        opts->addWidget(w);
    opts->addStretch();
    v->addLayout(opts);

    auto *actions = new QHBoxLayout;
    m_run = new QPushButton;
    m_run->setObjectName(QStringLiteral("runProbes"));
    m_cancel = new QPushButton;
    m_cancel->setEnabled(false);
    m_savedLabel = new QLabel;
    m_saved = new QComboBox;
    m_saved->setMinimumContentsLength(24);
    m_export = new QPushButton;
    actions->addWidget(m_run);
    actions->addWidget(m_cancel);
    actions->addSpacing(12);
    actions->addWidget(m_savedLabel);
    actions->addWidget(m_saved, 1);
    actions->addWidget(m_export);
    v->addLayout(actions);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    v->addWidget(m_status);

    auto *split = new QSplitter(Qt::Vertical);
    m_plot = new QCustomPlot;
    m_plot->setObjectName(QStringLiteral("probePlot"));
    m_plot->setMinimumHeight(260);
    PlotStyle::putLegendBelow(m_plot, 3);
    // Accuracy by layer and the confusion matrix side by side, the table of tasks under them: under
    // the table, the matrix of 17 parts of speech had 150 px and was unreadable.
    auto *top = new QSplitter(Qt::Horizontal);
    top->addWidget(m_plot);
    split->addWidget(top);
    m_table = new QTableWidget;
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->setMinimumHeight(70);
    auto *confBox = new QWidget;
    auto *cv = new QVBoxLayout(confBox);
    cv->setContentsMargins(0, 0, 0, 0);
    auto *confRow = new QHBoxLayout;
    m_confTask = new QComboBox;
    m_confLayer = new QComboBox;
    m_exportConfusion = new QPushButton;
    confRow->addWidget(m_confTask);
    confRow->addWidget(m_confLayer);
    confRow->addStretch();
    confRow->addWidget(m_exportConfusion);
    cv->addLayout(confRow);
    m_confusion = new QCustomPlot;
    m_confusion->setObjectName(QStringLiteral("confusionPlot"));
    m_confusion->setMinimumSize(300, 250);
    cv->addWidget(m_confusion, 1);
    top->addWidget(confBox);
    top->setSizes({520, 460});
    split->addWidget(m_table);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    v->addWidget(split, 1);

    connect(m_run, &QPushButton::clicked, this, &ProbePanel::run);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_job)
            this->context()->jobs()->cancel(m_job);
    });
    connect(m_export, &QPushButton::clicked, this, [this] { FigureExport::exportInteractively(this, m_plot, figureData(), QStringLiteral("probes")); });
    connect(m_exportConfusion, &QPushButton::clicked, this, [this] {
        FigureData d;
        if (m_result && m_confTask->currentIndex() >= 0 && m_confLayer->currentIndex() >= 0) {
            const ProbeTaskResult &t = m_result->tasks[size_t(m_confTask->currentIndex())];
            const ProbeLayerResult &l = t.layers[size_t(m_confLayer->currentIndex())];
            const int C = int(t.classes.size());
            d.title = tr("Confusion of %1 at layer %2 (rows: gold, columns: predicted)").arg(t.task, layerLabel(*m_result, l.layer));
            d.rowLabels = d.columnLabels = t.classes;
            for (int g = 0; g < C; ++g) {
                std::vector<double> row;
                for (int p = 0; p < C; ++p)
                    row.push_back(l.confusion.empty() ? 0 : l.confusion[size_t(g * C + p)]);
                d.values.push_back(row);
            }
        }
        FigureExport::exportInteractively(this, m_confusion, d, QStringLiteral("probe-confusion"));
    });
    connect(m_confTask, &QComboBox::currentIndexChanged, this, &ProbePanel::drawConfusion);
    connect(m_confLayer, &QComboBox::currentIndexChanged, this, &ProbePanel::drawConfusion);
    connect(m_saved, &QComboBox::activated, this, [this](int i) {
        const QJsonObject o = m_saved->itemData(i).toJsonObject();
        if (!o.isEmpty())
            showResult(ProbeRun::fromJson(o));
    });
    connect(context, &AppContext::workspaceContentChanged, this, &ProbePanel::reloadSaved);
    connect(context, &AppContext::workspaceChanged, this, &ProbePanel::reloadSaved);
    connect(context, &AppContext::modelChanged, this, [this] { m_run->setEnabled(this->context()->hasModel() && !m_job); });
    m_run->setEnabled(context->hasModel());
    retranslate();
    reloadSaved();
}

void ProbePanel::retranslate()
{
    m_trainLabel->setText(tr("Train"));
    m_devLabel->setText(tr("Dev"));
    m_testLabel->setText(tr("Test"));
    for (QPushButton *b : {m_trainBrowse, m_devBrowse, m_testBrowse})
        b->setText(tr("Browse…"));
    m_train->setPlaceholderText(tr("CoNLL-U (e.g. UD English-EWT train) or CSV/TSV of label, sentence"));
    m_dev->setPlaceholderText(tr("for early stopping"));
    m_test->setPlaceholderText(tr("held-out data to report on (optional: dev is used)"));
    m_tasksLabel->setText(tr("Tasks"));
    const QStringList names{tr("UPOS"), tr("XPOS"), tr("Dependency relation"), tr("Head distance"), tr("Sentence label (CSV/TSV)")};
    for (int i = 0; i < m_taskBoxes.size(); ++i)
        m_taskBoxes[i]->setText(names.value(i));
    auto refill = [](QComboBox *box, const QStringList &items) {
        const int i = std::max(0, box->currentIndex());
        box->blockSignals(true);
        box->clear();
        box->addItems(items);
        box->setCurrentIndex(i);
        box->blockSignals(false);
    };
    m_poolLabel->setText(tr("Sub-words"));
    refill(m_pool, {tr("first"), tr("last"), tr("mean")});
    m_siteLabel->setText(tr("Vectors"));
    refill(m_site, {tr("residual stream"), tr("attention output"), tr("MLP output")});
    m_classifierLabel->setText(tr("Probe"));
    refill(m_classifier, {tr("logistic regression"), tr("MLP (one hidden layer)")});
    m_sentencesLabel->setText(tr("Train sentences"));
    m_sentences->setSpecialValueText(tr("all"));
    m_sentences->setToolTip(tr("Sentences read from the training file; dev and test read a quarter as many."));
    m_control->setText(tr("Control task"));
    m_control->setToolTip(tr("Hewitt & Liang: the same probe on random labels fixed per word type; selectivity = accuracy − control accuracy."));
    m_run->setText(tr("Run probes"));
    m_cancel->setText(tr("Cancel"));
    m_savedLabel->setText(tr("Saved in session"));
    m_export->setText(tr("Export…"));
    m_exportConfusion->setText(tr("Export…"));
    if (!m_result && !m_job)
        m_status->setText(tr("Probes ask: from which layer can a simple classifier read part of speech, syntax…? Choose labelled data and run."));
    m_plot->xAxis->setLabel(tr("Layer (emb = embeddings)"));
    m_plot->yAxis->setLabel(tr("Held-out accuracy"));
    if (m_result && !m_job)
        showResult(*m_result); // the table's headers and the status line in the new language
    else {
        redraw();
        drawConfusion();
    }
}

void ProbePanel::setFiles(const QString &train, const QString &dev, const QString &test)
{
    m_train->setText(train);
    m_dev->setText(dev);
    m_test->setText(test);
}

void ProbePanel::setTasks(const QStringList &tasks)
{
    for (int i = 0; i < m_taskBoxes.size(); ++i)
        m_taskBoxes[i]->setChecked(tasks.contains(QString::fromLatin1(kTaskIds[i])));
}

void ProbePanel::setSentences(int n)
{
    m_sentences->setValue(n);
}

void ProbePanel::run()
{
    auto model = context()->model();
    if (!model) {
        m_status->setText(tr("Load a model first."));
        Q_EMIT finished(false);
        return;
    }
    ProbeRunOptions o;
    o.tasks.clear();
    for (int i = 0; i < m_taskBoxes.size(); ++i)
        if (m_taskBoxes[i]->isChecked())
            o.tasks << QString::fromLatin1(kTaskIds[i]);
    if (o.tasks.isEmpty() || m_train->text().trimmed().isEmpty() || m_dev->text().trimmed().isEmpty()) {
        m_status->setText(tr("Choose at least one task, a training file and a dev file."));
        Q_EMIT finished(false);
        return;
    }
    o.features.pooling = WordPooling(std::max(0, m_pool->currentIndex()));
    o.features.site = ProbeSite(std::max(0, m_site->currentIndex()));
    o.features.cacheDir = QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).filePath(QStringLiteral("probe-features"));
    o.training.mlp = m_classifier->currentIndex() == 1;
    o.control = m_control->isChecked();
    o.maxTrain = m_sentences->value();
    o.maxDev = o.maxEval = o.maxTrain > 0 ? std::max(1, o.maxTrain / 4) : 0;
    const QString train = m_train->text().trimmed(), dev = m_dev->text().trimmed(), test = m_test->text().trimmed();
    kTrain.setValue(train);
    kDev.setValue(dev);
    kTest.setValue(test);
    kTasks.setValue(o.tasks);
    kSentences.setValue(o.maxTrain);
    m_run->setEnabled(false);
    m_cancel->setEnabled(true);
    m_status->setText(tr("Extracting features and training probes…"));
    m_job = context()->jobs()->submit(
        QStringLiteral("probe"), tr("Probing %1").arg(o.tasks.join(QStringLiteral(", "))),
        [model, train, dev, test, o](JobControl &c) { return QVariant(Probe::run(*model, train, dev, test, o, &c).toJson()); }, this,
        [this](const JobResult &r) {
            m_job = 0;
            m_cancel->setEnabled(false);
            m_run->setEnabled(context()->hasModel());
            if (!r.ok) {
                m_status->setText(r.cancelled ? tr("Cancelled; the previous result is still shown.") : tr("Probing failed: %1").arg(r.error));
                Q_EMIT finished(false);
                return;
            }
            const ProbeRun run = ProbeRun::fromJson(r.value.toJsonObject());
            showResult(run);
            // Kept in the current session with the run's settings and numbers.
            if (Workspace *ws = context()->workspace(); ws && !ws->isReadOnly()) {
                const qint64 session = context()->ensureSession();
                QStringList names;
                for (const ProbeTaskResult &t : run.tasks)
                    names << t.task;
                ResultRecord rec;
                rec.sessionId = session;
                rec.kind = QStringLiteral("probe");
                rec.name = tr("%1 on %2 (%3)").arg(names.join(QStringLiteral(", ")), run.modelName, run.site);
                rec.modelFingerprint = run.fingerprint;
                rec.data = run.toJson();
                if (session)
                    context()->guardStore([&] { ws->addResult(rec); }, tr("Saving the probe result"));
            }
            QStringList best;
            for (const ProbeTaskResult &t : run.tasks)
                best << tr("%1 %2 at %3").arg(t.task).arg(t.layers[size_t(t.bestLayer)].accuracy, 0, 'f', 3).arg(layerLabel(run, t.bestLayer));
            Q_EMIT context()->message(tr("Probes on %1 (%2): best held-out accuracy %3.").arg(run.modelName, run.site, best.join(QStringLiteral("; "))));
            Q_EMIT finished(true);
        });
}

void ProbePanel::reloadSaved()
{
    m_saved->clear();
    Workspace *ws = context()->workspace();
    const qint64 session = context()->currentSession();
    if (!ws || !session) {
        m_saved->setEnabled(false);
        return;
    }
    try {
        for (const ResultRecord &r : ws->results(session, QStringLiteral("probe")))
            m_saved->addItem(QStringLiteral("%1 — %2").arg(QLocale().toString(r.created.toLocalTime(), QLocale::ShortFormat), r.name), r.data);
    } catch (const StoreError &) {
    }
    m_saved->setEnabled(m_saved->count() > 0);
    m_saved->setCurrentIndex(m_saved->count() - 1);
    // The latest saved result is drawn, not only listed (after a restart, or on opening a session).
    if (!m_result && !m_job && m_saved->count() > 0) {
        const QJsonObject o = m_saved->itemData(m_saved->count() - 1).toJsonObject();
        if (!o.isEmpty())
            showResult(ProbeRun::fromJson(o));
    }
}

void ProbePanel::showResult(const ProbeRun &run)
{
    m_result = run;
    QStringList lines;
    lines << tr("%1: %2 vectors, %3 sub-word, %4 probes; evaluated on %5%6. Features %7 s%8, total %9 s.")
                 .arg(run.modelName, run.site, run.pooling, run.classifier, QFileInfo(run.evalPath).fileName(),
                      run.evalIsDev ? tr(" (the dev file, also used for early stopping)") : QString())
                 .arg(run.featureSeconds, 0, 'f', 1)
                 .arg(run.featuresFromCache ? tr(" (from the cache)") : QString())
                 .arg(run.totalSeconds, 0, 'f', 1);
    if (run.skippedSentences > 0)
        lines << tr("%1 sentences longer than the model's context were skipped.").arg(run.skippedSentences);
    if (!run.problems.isEmpty())
        lines << tr("%1 malformed lines were skipped (first: %2).").arg(run.problems.size()).arg(run.problems.first());
    m_status->setText(lines.join(QLatin1Char('\n')));

    m_table->clear();
    m_table->setColumnCount(7);
    m_table->setHorizontalHeaderLabels(
        {tr("Task"), tr("Best layer"), tr("Expected layer"), tr("Gain-weighted layer"), tr("Best accuracy"), tr("Majority"), tr("Selectivity there")});
    m_table->horizontalHeaderItem(2)->setToolTip(tr("Mean layer point weighted by accuracy: near the middle whenever the curve is flat."));
    m_table->horizontalHeaderItem(3)->setToolTip(tr("Mean layer point weighted by each layer's gain over the one before: where the information appears."));
    m_table->setRowCount(int(run.tasks.size()));
    for (int i = 0; i < int(run.tasks.size()); ++i) {
        const ProbeTaskResult &t = run.tasks[size_t(i)];
        const ProbeLayerResult &b = t.layers[size_t(t.bestLayer)];
        const QStringList cells{t.task,
                                layerLabel(run, t.bestLayer),
                                QString::number(t.expectedLayer, 'f', 2),
                                QString::number(t.gainLayer, 'f', 2),
                                QString::number(b.accuracy, 'f', 3),
                                QString::number(t.majorityAccuracy, 'f', 3),
                                b.controlAccuracy < 0 ? QStringLiteral("–") : QString::number(b.selectivity, 'f', 3)};
        for (int c = 0; c < cells.size(); ++c)
            m_table->setItem(i, c, new QTableWidgetItem(cells[c]));
    }
    m_table->resizeColumnsToContents();

    m_confTask->blockSignals(true);
    m_confLayer->blockSignals(true);
    m_confTask->clear();
    for (const ProbeTaskResult &t : run.tasks)
        m_confTask->addItem(t.task);
    m_confLayer->clear();
    for (int l = 0; l < run.layerPoints; ++l)
        m_confLayer->addItem(tr("layer %1").arg(layerLabel(run, l)));
    if (!run.tasks.empty())
        m_confLayer->setCurrentIndex(run.tasks.front().bestLayer);
    m_confTask->blockSignals(false);
    m_confLayer->blockSignals(false);
    redraw();
    drawConfusion();
}

void ProbePanel::redraw()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_plot->legend->setVisible(m_result.has_value());
    if (!m_result) {
        PlotStyle::setPlaceholder(m_plot, tr("Choose labelled data (a CoNLL-U treebank)\nand press Run probes: accuracy by layer appears here."));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const ProbeRun &r = *m_result;
    QVector<double> x;
    QVector<QString> ticks;
    for (int l = 0; l < r.layerPoints; ++l) {
        x << l;
        ticks << layerLabel(r, l);
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTicks(x, ticks);
    m_plot->xAxis->setTicker(ticker);
    for (int i = 0; i < int(r.tasks.size()); ++i) {
        const ProbeTaskResult &t = r.tasks[size_t(i)];
        QVector<double> acc, sel;
        bool hasControl = false;
        for (const ProbeLayerResult &l : t.layers) {
            acc << l.accuracy;
            sel << l.selectivity;
            hasControl = hasControl || l.controlAccuracy >= 0;
        }
        const QColor c = taskColor(i);
        QCPGraph *g = m_plot->addGraph();
        g->setData(x, acc);
        g->setName(tr("%1 accuracy").arg(t.task));
        g->setPen(QPen(c, 2.5));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
        if (hasControl) {
            QCPGraph *s = m_plot->addGraph();
            s->setData(x, sel);
            s->setName(tr("%1 selectivity").arg(t.task));
            s->setPen(QPen(c, 1.5, Qt::DashLine));
            s->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        }
        QCPGraph *m = m_plot->addGraph();
        m->setData({x.first() - 0.3, x.last() + 0.3}, {t.majorityAccuracy, t.majorityAccuracy});
        m->setName(tr("%1 majority baseline").arg(t.task));
        m->setPen(QPen(c.lighter(140), 1, Qt::DotLine));
        // The expected layer: a marker on the x axis; the best layer: a ring on its point.
        auto *exp = new QCPItemTracer(m_plot);
        exp->setGraph(nullptr);
        // Along the top of the plot, one line per task whatever its height (axis-rect ratio in y).
        const double markerY = 0.06 + 0.13 * i;
        exp->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        exp->position->setCoords(t.expectedLayer, markerY);
        exp->setStyle(QCPItemTracer::tsSquare);
        exp->setSize(9);
        exp->setPen(QPen(c, 2));
        exp->setBrush(c);
        auto *label = new QCPItemText(m_plot);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(t.expectedLayer, markerY);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        label->setPadding(QMargins(8, 0, 0, 0));
        label->setText(tr("%1: expected layer %2, gain-weighted %3").arg(t.task).arg(t.expectedLayer, 0, 'f', 2).arg(t.gainLayer, 0, 'f', 2));
        label->setColor(c.darker(130));
        auto *best = new QCPItemTracer(m_plot);
        best->position->setCoords(t.bestLayer, t.layers[size_t(t.bestLayer)].accuracy);
        best->setStyle(QCPItemTracer::tsCircle);
        best->setSize(16);
        best->setPen(QPen(c, 2));
    }
    m_plot->xAxis->setRange(-0.4, r.layerPoints - 0.6);
    m_plot->yAxis->setRange(0, 1);
    m_plot->legend->setFont(QFont(m_plot->font().family(), 8));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void ProbePanel::drawConfusion()
{
    m_confusion->clearPlottables();
    m_confusion->clearItems();
    m_confusion->plotLayout()->clear();
    auto *rect = new QCPAxisRect(m_confusion);
    m_confusion->plotLayout()->addElement(0, 0, rect);
    if (!m_result || m_confTask->currentIndex() < 0 || m_confLayer->currentIndex() < 0) {
        PlotStyle::setPlaceholder(m_confusion, tr("The confusion matrix of a task at a layer\nappears here after a run."));
        m_confusion->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const ProbeTaskResult &t = m_result->tasks[size_t(m_confTask->currentIndex())];
    const ProbeLayerResult &l = t.layers[size_t(std::min<int>(m_confLayer->currentIndex(), int(t.layers.size()) - 1))];
    const int C = int(t.classes.size());
    if (l.confusion.size() != size_t(C) * size_t(C)) {
        m_confusion->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    auto *map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    map->data()->setSize(C, C);
    map->data()->setRange(QCPRange(0, C - 1), QCPRange(0, C - 1));
    // Rows normalised: the share of each gold class predicted as each class (recall on the diagonal).
    for (int g = 0; g < C; ++g) {
        double rowSum = 0;
        for (int p = 0; p < C; ++p)
            rowSum += l.confusion[size_t(g * C + p)];
        for (int p = 0; p < C; ++p)
            map->data()->setCell(p, C - 1 - g, rowSum > 0 ? l.confusion[size_t(g * C + p)] / rowSum : std::nan(""));
    }
    map->setGradient(PlotStyle::sequentialGradient());
    map->setDataRange(QCPRange(0, 1));
    map->setInterpolate(false);
    auto xt = QSharedPointer<QCPAxisTickerText>::create(), yt = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < C; ++i) {
        xt->addTick(i, t.classes[i]);
        yt->addTick(C - 1 - i, t.classes[i]);
    }
    QCPAxis *bottom = rect->axis(QCPAxis::atBottom), *left = rect->axis(QCPAxis::atLeft);
    bottom->setTicker(xt);
    left->setTicker(yt);
    bottom->setTickLabelRotation(60);
    const QFont small(m_confusion->font().family(), C > 20 ? 6 : 8);
    bottom->setTickLabelFont(small);
    left->setTickLabelFont(small);
    bottom->setLabel(tr("Predicted (layer %1; rows sum to 1)").arg(layerLabel(*m_result, l.layer)));
    left->setLabel(tr("Gold"));
    bottom->setRange(-0.5, C - 0.5);
    left->setRange(-0.5, C - 0.5);
    m_confusion->replot(QCustomPlot::rpQueuedReplot);
}

FigureData ProbePanel::figureData() const
{
    FigureData d;
    if (!m_result)
        return d;
    d.title = tr("Probe accuracy, control accuracy and selectivity per layer (%1)").arg(m_result->modelName);
    for (int l = 0; l < m_result->layerPoints; ++l)
        d.columnLabels << layerLabel(*m_result, l);
    for (const ProbeTaskResult &t : m_result->tasks) {
        std::vector<double> acc, f1, ctl, sel;
        for (const ProbeLayerResult &l : t.layers) {
            acc.push_back(l.accuracy);
            f1.push_back(l.macroF1);
            ctl.push_back(l.controlAccuracy);
            sel.push_back(l.selectivity);
        }
        d.rowLabels << t.task + QStringLiteral(" accuracy") << t.task + QStringLiteral(" macro-F1") << t.task + QStringLiteral(" control accuracy")
                    << t.task + QStringLiteral(" selectivity");
        d.values.push_back(acc);
        d.values.push_back(f1);
        d.values.push_back(ctl);
        d.values.push_back(sel);
    }
    return d;
}

} // namespace strata
