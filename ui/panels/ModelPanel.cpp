#include "ModelPanel.h"

#include <QCoreApplication>

#include "AppContext.h"
#include "TrainingCurves.h"
#include "hub/HubCache.h"
#include "model/ComputeRuntime.h"
#include "model/ModelEstimate.h"
#include "model/ModelSource.h"
#include "settings/Settings.h"
#include "util/Error.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QVBoxLayout>

namespace strata {

namespace {
// Qt's own translations have no Chinese for sizes under 1 KiB ("0 bytes"); those are said here.
QString dataSize(const QLocale &loc, qint64 bytes)
{
    return bytes < 1024 ? QCoreApplication::translate("strata::ModelPanel", "%1 bytes").arg(bytes) : loc.formattedDataSize(bytes);
}
} // namespace

namespace {
const Setting<QString> kComputeRequest{"Model/compute", QStringLiteral("auto")};
} // namespace

namespace {
enum Role { LocationRole = Qt::UserRole + 1 };
}

ModelPanel::ModelPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    m_list = new QListWidget;
    m_list->setObjectName(QStringLiteral("modelList"));
    v->addWidget(m_list, 1);
    auto *row = new QHBoxLayout;
    m_load = new QPushButton;
    m_openFolder = new QPushButton;
    m_openFile = new QPushButton;
    m_unload = new QPushButton;
    m_refresh = new QPushButton;
    for (QPushButton *b : {m_load, m_openFolder, m_openFile, m_unload, m_refresh})
        row->addWidget(b);
    v->addLayout(row);
    // The compute precision the next load uses (a run records the one it ran with).
    auto *computeRow = new QHBoxLayout;
    m_computeLabel = new QLabel;
    m_compute = new QComboBox;
    m_compute->setObjectName(QStringLiteral("computePrecision"));
    for (const char *c : {"auto", "f32", "bf16"})
        m_compute->addItem(QString(), QString::fromLatin1(c));
    try {
        if (qEnvironmentVariableIsEmpty("STRATA_COMPUTE")) // the environment wins over the saved choice
            ComputeRuntime::setComputeRequest(kComputeRequest.value());
    } catch (const Error &) {
        kComputeRequest.reset(); // a damaged setting falls back to auto
    }
    m_compute->setCurrentIndex(std::max(0, m_compute->findData(ComputeRuntime::computeRequest())));
    connect(m_compute, &QComboBox::currentIndexChanged, this, [this] {
        const QString c = m_compute->currentData().toString();
        ComputeRuntime::setComputeRequest(c);
        kComputeRequest.setValue(c);
    });
    m_computeLabel->setBuddy(m_compute);
    computeRow->addWidget(m_computeLabel);
    computeRow->addWidget(m_compute, 1);
    v->addLayout(computeRow);
    m_estimate = new QLabel;
    m_estimate->setObjectName(QStringLiteral("modelEstimate"));
    m_estimate->setWordWrap(true);
    v->addWidget(m_estimate);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    v->addWidget(m_status);
    m_cardBox = new QGroupBox;
    m_card = new QFormLayout(m_cardBox);
    v->addWidget(m_cardBox);
    m_curves = new QPushButton;
    m_curves->setObjectName(QStringLiteral("trainingCurvesButton"));
    m_curves->hide();
    v->addWidget(m_curves, 0, Qt::AlignLeft);
    m_license = new QPlainTextEdit;
    m_license->setReadOnly(true);
    m_license->setMaximumHeight(80);
    m_license->hide();
    v->addWidget(m_license);

    connect(m_list, &QListWidget::itemActivated, this, &ModelPanel::loadSelected);
    connect(m_list, &QListWidget::currentItemChanged, this, &ModelPanel::showEstimate);
    connect(m_load, &QPushButton::clicked, this, &ModelPanel::loadSelected);
    connect(m_openFolder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a Hugging Face model folder"));
        if (!dir.isEmpty())
            this->context()->loadModel(dir);
    });
    connect(m_openFile, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Open a GGUF model"), QString(), tr("GGUF models (*.gguf);;All files (*)"));
        if (!f.isEmpty())
            this->context()->loadModel(f);
    });
    connect(m_unload, &QPushButton::clicked, context, &AppContext::unloadModel);
    connect(m_curves, &QPushButton::clicked, this, &ModelPanel::showTrainingCurves);
    connect(m_refresh, &QPushButton::clicked, this, &ModelPanel::refreshList);
    connect(context, &AppContext::modelChanged, this, [this] {
        showCard();
        refreshList();
    });
    connect(context, &AppContext::modelLoading, this, [this](const QString &loc) { m_status->setText(tr("Loading %1…").arg(loc)); });
    connect(context, &AppContext::modelLoadFailed, this, [this](const QString &e) { m_status->setText(tr("Could not load: %1").arg(e)); });
    retranslate();
    refreshList();
    showCard();
}

void ModelPanel::retranslate()
{
    m_load->setText(tr("Load"));
    m_openFolder->setText(tr("Open folder…"));
    m_openFile->setText(tr("Open GGUF…"));
    m_unload->setText(tr("Unload"));
    m_refresh->setText(tr("Refresh"));
    m_computeLabel->setText(tr("&Compute:"));
    m_compute->setItemText(0, ComputeRuntime::nativeBf16().isEmpty() ? tr("auto (f32: this CPU has no native bfloat16)")
                                                                     : tr("auto (bf16 from 1 billion parameters, %1)").arg(ComputeRuntime::nativeBf16()));
    m_compute->setItemText(1, tr("f32 (exact)"));
    m_compute->setItemText(2, ComputeRuntime::nativeBf16().isEmpty() ? tr("bf16 (emulated here: slower than f32)") : tr("bf16 (faster, approximate)"));
    m_compute->setToolTip(tr("Precision of the matrix products for the next model you load. bf16 holds the weights in bfloat16 and runs every "
                             "matrix product, attention's included, on bfloat16 operands through oneDNN with float32 results; norms, softmax, "
                             "attention patterns and everything stored stay float32. Runs record which one they used."));
    m_cardBox->setTitle(tr("Model card"));
    m_curves->setText(tr("Training curves…"));
    m_curves->setToolTip(tr("How this model learned: losses and the best previous-token and induction scores against training steps "
                            "(from the training-log.csv Strata's trainer wrote beside it)."));
    m_list->setToolTip(tr("Double-click a model to load it."));
    refreshList();
    showCard();
}

void ModelPanel::refreshList()
{
    m_list->clear();
    auto add = [this](const QString &text, const QString &loc, const QString &tip) {
        auto *it = new QListWidgetItem(text, m_list);
        it->setData(LocationRole, loc);
        it->setToolTip(tip);
    };
    bool demo = false;
    for (const QString &c : demoModelCandidates())
        demo = demo || QFileInfo(QDir(c).filePath(QStringLiteral("config.json"))).isFile();
    if (demo)
        add(tr("Demo model (bundled)"), QStringLiteral("demo"), tr("The small GPT-2 trained by Strata itself"));
    for (const HubCache::Entry &e : HubCache::listModels())
        add(tr("%1 (Hugging Face cache, %2)").arg(e.repoId, e.revision),
            e.revision == QLatin1String("main") ? e.repoId : e.repoId + QLatin1Char('@') + e.revision, e.snapshotPath);
    QSet<QString> seen; // lists saved before recent entries were canonical may name one file twice
    for (const QString &r : context()->recentModels()) {
        const QString key = QFileInfo(r).exists() ? QFileInfo(r).canonicalFilePath() : r;
        // The demo is already listed as the bundled model; a file that is gone is not offered.
        if (r == QLatin1String("demo") || seen.contains(key) || (QDir::isAbsolutePath(r) && !QFileInfo::exists(r)))
            continue;
        seen.insert(key);
        add(tr("%1 (recent)").arg(QFileInfo(r).fileName().isEmpty() ? r : QFileInfo(r).fileName()), r, r);
    }
    // The loaded model's entry, so that the estimate beside the list is of the model on screen.
    int row = m_list->count() ? 0 : -1;
    if (const auto model = context()->model()) {
        const QString path = QFileInfo(model->info().path).canonicalFilePath();
        for (int i = 0; i < m_list->count(); ++i) {
            const QString loc = m_list->item(i)->data(LocationRole).toString();
            if (loc == model->info().location || (!path.isEmpty() && QFileInfo(loc).canonicalFilePath() == path))
                row = i;
        }
    }
    if (row >= 0)
        m_list->setCurrentRow(row);
}

void ModelPanel::showEstimate()
{
    QListWidgetItem *it = m_list->currentItem();
    if (!it) {
        m_estimate->clear();
        return;
    }
    const ModelEstimate e = estimateModel(it->data(LocationRole).toString());
    const QLocale loc;
    if (!e.known) {
        m_estimate->setText(e.error);
        return;
    }
    const int t = e.contextLength > 0 ? std::min(e.contextLength, 1024) : 1024;
    QString text = tr("Before loading: %1 layers × %2 heads, d=%3; weights %4 on disk (+%5 in memory); a full float32 trace at %6 tokens needs %7.")
                       .arg(e.nLayers)
                       .arg(e.nHeads)
                       .arg(e.dModel)
                       .arg(dataSize(loc, e.weightFileBytes), dataSize(loc, e.weightMemoryBytes))
                       .arg(t)
                       .arg(dataSize(loc, e.fullTraceBytes(t)));
    if (!e.weightTypes.isEmpty())
        text += QLatin1Char(' ') + tr("Tensor types: %1.").arg(e.weightTypes);
    m_estimate->setText(text);
}

void ModelPanel::loadSelected()
{
    if (QListWidgetItem *it = m_list->currentItem())
        context()->loadModel(it->data(LocationRole).toString());
}

QString ModelPanel::computeText(const ModelInfo &i)
{
    QString t = i.compute == QLatin1String("bf16") ? tr("bf16 products (weights in bfloat16; norms, softmax and the trace in float32)") : tr("f32 (exact)");
    if (!i.computeNote.isEmpty())
        t += QStringLiteral(" — ") + tr("no native bfloat16 on this CPU: emulated, slower than f32");
    return t;
}

void ModelPanel::showCard()
{
    while (m_card->rowCount())
        m_card->removeRow(0);
    const auto model = context()->model();
    m_unload->setEnabled(bool(model));
    m_curves->setVisible(!trainingLogPath().isEmpty());
    if (!model) {
        m_card->addRow(new QLabel(tr("No model loaded.")));
        m_license->hide();
        return;
    }
    const ModelInfo &i = model->info();
    const QLocale loc;
    m_status->setText(tr("Loaded from %1").arg(i.path));
    m_card->addRow(tr("Name"), new QLabel(i.name));
    m_card->addRow(tr("Family"), new QLabel(QStringLiteral("%1 (%2)").arg(i.family, i.architecture)));
    m_card->addRow(tr("Layers"), new QLabel(QString::number(i.nLayers)));
    m_card->addRow(tr("Heads"), new QLabel(i.nKvHeads != i.nHeads ? tr("%1 query / %2 key-value").arg(i.nHeads).arg(i.nKvHeads) : QString::number(i.nHeads)));
    m_card->addRow(tr("Width"), new QLabel(tr("%1 (head dim %2, MLP %3)").arg(i.dModel).arg(i.headDim).arg(i.dMlp)));
    m_card->addRow(tr("Parameters"), new QLabel(loc.toString(qlonglong(i.parameterCount))));
    m_card->addRow(tr("Vocabulary"), new QLabel(loc.toString(qlonglong(i.vocabSize))));
    m_card->addRow(tr("Context"), new QLabel(tr("%1 tokens").arg(i.contextLength)));
    m_card->addRow(tr("Weights"), new QLabel(tr("%1, %2").arg(i.dtype, dataSize(loc, i.fileBytes))));
    m_card->addRow(tr("Compute"), new QLabel(computeText(i)));
    m_card->addRow(tr("Fingerprint"), new QLabel(i.fingerprint));
    const int t = std::min(i.contextLength, 1024);
    m_card->addRow(tr("Full trace"), new QLabel(tr("%1 at %2 tokens (float32)").arg(dataSize(loc, i.traceBytes(t))).arg(t)));
    m_license->setPlainText(i.licenseText);
    m_license->setVisible(!i.licenseText.isEmpty());
}

QString ModelPanel::trainingLogPath() const
{
    const auto model = context()->model();
    if (!model)
        return {};
    const QFileInfo fi(model->info().path);
    const QString log = QDir(fi.isDir() ? fi.absoluteFilePath() : fi.absolutePath()).filePath(QStringLiteral("training-log.csv"));
    return QFileInfo(log).isFile() ? log : QString();
}

void ModelPanel::showTrainingCurves()
{
    const QString log = trainingLogPath();
    if (log.isEmpty())
        return;
    try {
        auto *dialog = new TrainingCurvesDialog(log, context()->model()->info().name, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setObjectName(QStringLiteral("trainingCurvesDialog"));
        dialog->open();
    } catch (const Error &e) {
        QMessageBox::warning(this, tr("Training curves"), e.message());
    }
}

} // namespace strata
