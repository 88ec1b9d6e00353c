#include "SimilarityPanel.h"

#include "AppContext.h"
#include "PlotStyle.h"
#include "jobs/JobRunner.h"
#include "settings/Settings.h"
#include "store/Workspace.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QVBoxLayout>

#include <qcustomplot.h>

Q_DECLARE_METATYPE(std::shared_ptr<const strata::ResidualAnalysis::SimilarityAcrossLayers>)

namespace strata {

namespace {
const Setting<QString> kSentences{"Similarity/sentences", QString()};
}

SimilarityPanel::SimilarityPanel(AppContext *context) : Panel(context)
{
    using namespace ResidualAnalysis;
    auto *v = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    m_examples = new QComboBox;
    m_pooling = new QComboBox;
    m_centring = new QComboBox;
    m_run = new QPushButton;
    m_run->setObjectName(QStringLiteral("similarityRun"));
    m_export = new QPushButton;
    m_saveSet = new QPushButton;
    m_saveSet->setObjectName(QStringLiteral("similaritySaveSet"));
    m_word = new QLineEdit;
    m_word->setObjectName(QStringLiteral("similarityWord"));
    m_word->setMinimumWidth(110);
    m_word->setMaximumWidth(160);
    for (QWidget *w : std::initializer_list<QWidget *>{m_examples, m_pooling, m_centring, m_word})
        row->addWidget(w);
    row->addStretch(1);
    row->addWidget(m_saveSet);
    row->addWidget(m_run);
    row->addWidget(m_export);
    v->addLayout(row);
    auto *split = new QSplitter(Qt::Horizontal);
    m_editor = new QPlainTextEdit;
    m_editor->setObjectName(QStringLiteral("similaritySentences"));
    split->addWidget(m_editor);
    m_plot = new QCustomPlot;
    m_plot->setObjectName(QStringLiteral("similarityPlot"));
    PlotStyle::putLegendBelow(m_plot, 4); // under the axes: inside, it covered the lines near 1
    split->addWidget(m_plot);
    auto *matrixBox = new QWidget;
    auto *mv = new QVBoxLayout(matrixBox);
    mv->setContentsMargins(0, 0, 0, 0);
    m_stageLabel = new QLabel;
    m_stage = new QSlider(Qt::Horizontal);
    mv->addWidget(m_stageLabel);
    mv->addWidget(m_stage);
    m_matrix = new QCustomPlot;
    m_matrix->setObjectName(QStringLiteral("similarityMatrix"));
    m_map = new QCPColorMap(m_matrix->xAxis, m_matrix->yAxis);
    m_map->setGradient(PlotStyle::divergingGradient());
    m_map->setDataRange(QCPRange(-1, 1));
    // The colour scale beside the matrix (it had none): cosine from -1 to 1.
    auto *scale = new QCPColorScale(m_matrix);
    scale->setObjectName(QStringLiteral("similarityScale"));
    m_matrix->plotLayout()->addElement(0, 1, scale);
    scale->setType(QCPAxis::atRight);
    m_map->setColorScale(scale); // the map now takes gradient and range from the scale
    scale->setGradient(PlotStyle::divergingGradient());
    scale->setDataRange(QCPRange(-1, 1));
    auto *group = new QCPMarginGroup(m_matrix);
    m_matrix->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_map->setInterpolate(false);
    m_matrix->yAxis->setRangeReversed(true);
    mv->addWidget(m_matrix, 1);
    split->addWidget(matrixBox);
    split->setSizes({260, 420, 300});
    v->addWidget(split, 1);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    v->addWidget(m_status);

    const QString saved = kSentences.value();
    m_editor->setPlainText(saved.isEmpty() ? builtInExampleSets().first().sentences.join(QLatin1Char('\n')) : saved);
    connect(m_examples, &QComboBox::activated, this, [this](int i) {
        const auto sets = ResidualAnalysis::builtInExampleSets();
        const QJsonObject saved = m_examples->itemData(i).toJsonObject();
        if (!saved.isEmpty()) { // a set kept in the session
            QStringList sentences;
            for (const QJsonValue &v : saved.value(QStringLiteral("sentences")).toArray())
                sentences << v.toString();
            setSentences(sentences);
            setWord(saved.value(QStringLiteral("word")).toString());
            return;
        }
        if (i > 0 && i <= sets.size()) {
            setSentences(sets[i - 1].sentences);
            // The "bank" set is a word-in-context experiment.
            setWord(sets[i - 1].title.startsWith(QLatin1String("Word in context")) ? QStringLiteral("bank") : QString());
        }
    });
    connect(m_run, &QPushButton::clicked, this, &SimilarityPanel::compute);
    connect(m_stage, &QSlider::valueChanged, this, &SimilarityPanel::redraw);
    connect(m_export, &QPushButton::clicked, this,
            [this] { FigureExport::exportInteractively(this, m_plot, figureData(), QStringLiteral("sentence-similarity")); });
    connect(m_editor, &QPlainTextEdit::textChanged, this, [this] { kSentences.setValue(m_editor->toPlainText()); });
    connect(m_saveSet, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString first = m_editor->toPlainText().section(QLatin1Char('\n'), 0, 0).left(40);
        const QString name = QInputDialog::getText(this, tr("Keep this sentence set"), tr("Name"), QLineEdit::Normal, first, &ok);
        if (ok && !name.trimmed().isEmpty())
            saveSet(name.trimmed());
    });
    connect(context, &AppContext::workspaceContentChanged, this, &SimilarityPanel::fillSets);
    connect(context, &AppContext::workspaceChanged, this, &SimilarityPanel::fillSets);
    retranslate();
}

bool SimilarityPanel::saveSet(const QString &name)
{
    Workspace *ws = context()->workspace();
    QStringList sentences;
    for (const QString &line : m_editor->toPlainText().split(QLatin1Char('\n')))
        if (!line.trimmed().isEmpty())
            sentences << line.trimmed();
    if (!ws || ws->isReadOnly() || sentences.isEmpty()) {
        m_status->setText(tr("Nothing to keep, or the workspace is read-only."));
        return false;
    }
    const qint64 session = context()->ensureSession();
    ResultRecord r;
    r.sessionId = session;
    r.kind = QStringLiteral("sentence-set");
    r.name = name;
    r.data = QJsonObject{{QStringLiteral("sentences"), QJsonArray::fromStringList(sentences)}, {QStringLiteral("word"), m_word->text().trimmed()}};
    const bool ok = session && context()->guardStore([&] { ws->addResult(r); }, tr("Keeping the sentence set"));
    if (ok)
        m_status->setText(tr("Kept “%1” in the session.").arg(name));
    return ok;
}

QStringList SimilarityPanel::savedSetNames() const
{
    QStringList names;
    for (int i = 0; i < m_examples->count(); ++i)
        if (!m_examples->itemData(i).toJsonObject().isEmpty())
            names << m_examples->itemText(i);
    return names;
}

void SimilarityPanel::fillSets()
{
    const QSignalBlocker b(m_examples);
    const int builtIn = 1 + int(ResidualAnalysis::builtInExampleSets().size());
    while (m_examples->count() > builtIn)
        m_examples->removeItem(m_examples->count() - 1);
    Workspace *ws = context()->workspace();
    if (!ws || !context()->currentSession())
        return;
    try {
        const QList<ResultRecord> sets = ws->results(context()->currentSession(), QStringLiteral("sentence-set"));
        if (!sets.isEmpty())
            m_examples->insertSeparator(m_examples->count());
        for (const ResultRecord &r : sets)
            m_examples->addItem(tr("Session: %1").arg(r.name), r.data);
    } catch (const StoreError &) {
    }
}

void SimilarityPanel::retranslate()
{
    auto fill = [](QComboBox *box, const QStringList &items) {
        const int idx = std::max(0, box->currentIndex());
        const QSignalBlocker b(box);
        box->clear();
        box->addItems(items);
        box->setCurrentIndex(std::min(idx, int(items.size()) - 1));
    };
    QStringList examples{tr("Example sets…")};
    for (const auto &e : ResidualAnalysis::builtInExampleSets())
        examples << e.title;
    fill(m_examples, examples);
    fillSets();
    m_saveSet->setText(tr("Keep set…"));
    m_saveSet->setToolTip(tr("Keep these sentences in the current session"));
    fill(m_pooling, {tr("Mean pooling"), tr("Last token"), tr("Max pooling")});
    fill(m_centring, {tr("Centred on a baseline"), tr("Standardised"), tr("Raw cosine")});
    m_centring->setToolTip(
        tr("Raw cosine of sentence vectors sits near 1 in every layer; centring on a baseline set of sentences removes the shared direction."));
    m_editor->setPlaceholderText(tr("One sentence per line (any language the model handles)."));
    m_word->setPlaceholderText(tr("Word in context (optional)"));
    m_word->setToolTip(
        tr("When set, compare this word's vectors in each sentence instead of whole sentences, e.g. 'bank' by a river and 'bank' that lends money."));
    m_run->setText(tr("Compare"));
    m_export->setText(tr("Export…"));
    if (!m_result)
        m_status->setText(tr("Write sentences (one per line) and press Compare."));
    redraw();
}

void SimilarityPanel::setSentences(const QStringList &sentences)
{
    m_editor->setPlainText(sentences.join(QLatin1Char('\n')));
}

void SimilarityPanel::setWord(const QString &word)
{
    m_word->setText(word);
}

void SimilarityPanel::compute()
{
    using namespace ResidualAnalysis;
    const auto model = context()->model();
    if (!model) {
        m_status->setText(tr("Load a model first."));
        return;
    }
    QStringList sentences;
    for (const QString &l : m_editor->toPlainText().split(QLatin1Char('\n')))
        if (!l.trimmed().isEmpty())
            sentences << l.trimmed();
    if (sentences.size() < 2) {
        m_status->setText(tr("Give at least two sentences."));
        return;
    }
    const Pooling pooling = Pooling(m_pooling->currentIndex());
    const Centring centring = m_centring->currentIndex() == 0   ? Centring::SubtractMean
                              : m_centring->currentIndex() == 1 ? Centring::Standardise
                                                                : Centring::None;
    m_status->setText(tr("Running %1 sentences and the baseline set through the model…").arg(sentences.size()));
    m_run->setEnabled(false);
    const QString word = m_word->text().trimmed();
    context()->jobs()->submit(
        QStringLiteral("similarity"), tr("Sentence similarity"),
        [model, sentences, pooling, centring, word](JobControl &c) {
            // A word in context compares that word's vectors; otherwise whole sentences are pooled.
            return QVariant::fromValue(std::shared_ptr<const SimilarityAcrossLayers>(std::make_shared<SimilarityAcrossLayers>(
                word.isEmpty() ? similarityAcrossLayers(*model, sentences, pooling, centring, builtInBaselineSentences(), &c)
                               : wordInContext(*model, sentences, word, centring, builtInBaselineSentences(), &c))));
        },
        this,
        [this, count = int(sentences.size()), name = model->info().name](const JobResult &r) {
            m_run->setEnabled(true);
            if (!r.ok) {
                m_status->setText(r.cancelled ? tr("Cancelled.") : tr("Failed: %1").arg(r.error));
                return;
            }
            m_result = r.value.value<std::shared_ptr<const ResidualAnalysis::SimilarityAcrossLayers>>();
            const QSignalBlocker b(m_stage);
            m_stage->setRange(0, int(m_result->stages.size()) - 1);
            m_stage->setValue(m_stage->maximum());
            m_status->setText(tr("Each line: one pair of sentences (S0-S1 ...). Dashed: linear CKA between each layer and the last."));
            redraw();
            Q_EMIT context()->message(tr("Similarity of %1 sentences across layers on %2.").arg(count).arg(name));
            Q_EMIT computed();
        });
}

void SimilarityPanel::redraw()
{
    m_plot->clearGraphs();
    PlotStyle::setPlaceholder(m_plot, m_result ? QString() : tr("Press Compare: the similarity of each pair of sentences\nat every layer appears here."));
    PlotStyle::setPlaceholder(m_matrix, m_result ? QString() : tr("Every pair at the layer\nchosen with the slider."));
    if (!m_result) {
        m_map->data()->clear(); // an empty map, not a black square, until Compare is pressed
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        m_matrix->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const auto &r = *m_result;
    QVector<double> x;
    for (int s = 0; s < r.stages.size(); ++s)
        x << s;
    const int n = int(r.sentences.size());
    int pairIndex = 0;
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n && pairIndex < 21; ++j, ++pairIndex) {
            QVector<double> y;
            for (const auto &m : r.similarity)
                y << m[size_t(i)][size_t(j)];
            QCPGraph *g = m_plot->addGraph();
            g->setData(x, y);
            g->setName(QStringLiteral("S%1-S%2").arg(i).arg(j));
            g->setPen(QPen(QColor::fromHsvF(std::fmod(0.13 * pairIndex, 1.0), 0.8, 0.8), 2));
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        }
    QCPGraph *cka = m_plot->addGraph();
    cka->setData(x, QVector<double>(r.ckaWithLast.begin(), r.ckaWithLast.end()));
    cka->setName(tr("CKA with last layer"));
    cka->setPen(QPen(Qt::black, 1.5, Qt::DashLine));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int s = 0; s < r.stages.size(); ++s)
        ticker->addTick(s, r.stages[s] == QLatin1String("embed") ? tr("emb") : QStringLiteral("L") + r.stages[s]);
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setRange(-0.3, r.stages.size() - 0.7);
    // Fit the values (centred similarities of related sentences often all sit near 1), never past [-1, 1].
    double lo = 1.0;
    for (const auto &m : r.similarity)
        for (int i = 0; i < n; ++i)
            for (int j = i + 1; j < n; ++j)
                lo = std::min(lo, m[size_t(i)][size_t(j)]);
    for (double v : r.ckaWithLast)
        lo = std::min(lo, v);
    lo = std::max(-1.0, lo - 0.05 * (1.0 - lo) - 0.01);
    m_plot->yAxis->setRange(lo, 1.0 + 0.03 * (1.0 - lo));
    m_plot->xAxis->setLabel(tr("Depth"));
    m_plot->yAxis->setLabel(tr("Cosine similarity"));
    m_plot->legend->setVisible(true);
    m_plot->replot(QCustomPlot::rpQueuedReplot);

    const int s = std::clamp(m_stage->value(), 0, int(r.stages.size()) - 1);
    m_stageLabel->setText(tr("Similarity matrix at %1").arg(r.stages[s] == QLatin1String("embed") ? tr("the embeddings") : tr("layer %1").arg(r.stages[s])));
    m_map->data()->setSize(n, n);
    m_map->data()->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            m_map->data()->setCell(i, j, r.similarity[size_t(s)][size_t(j)][size_t(i)]);
    auto mt = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < n; ++i)
        mt->addTick(i, QStringLiteral("S%1").arg(i));
    m_matrix->xAxis->setTicker(mt);
    m_matrix->yAxis->setTicker(mt);
    m_matrix->xAxis->setRange(-0.5, n - 0.5);
    m_matrix->yAxis->setRange(-0.5, n - 0.5);
    m_matrix->replot(QCustomPlot::rpQueuedReplot);
}

FigureData SimilarityPanel::figureData() const
{
    FigureData fd;
    if (!m_result)
        return fd;
    const auto &r = *m_result;
    fd.title = QStringLiteral("cosine similarity by depth (rows: sentence pairs)");
    fd.columnLabels = r.stages;
    const int n = int(r.sentences.size());
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j) {
            fd.rowLabels << QStringLiteral("%1 | %2").arg(r.sentences[i], r.sentences[j]);
            std::vector<double> row;
            for (const auto &m : r.similarity)
                row.push_back(m[size_t(i)][size_t(j)]);
            fd.values.push_back(row);
        }
    return fd;
}

} // namespace strata
