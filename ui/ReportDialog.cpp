#include "ReportDialog.h"

#include "AppContext.h"
#include "ProgressText.h"
#include "jobs/JobRunner.h"
#include "model/ModelFamily.h"
#include "report/ReportRenderer.h"
#include "store/Workspace.h"

#include <QCheckBox>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QUrl>
#include <QVBoxLayout>

namespace strata {

namespace {
QWidget *withBrowse(QLineEdit *edit, QPushButton *browse)
{
    auto *w = new QWidget;
    auto *h = new QHBoxLayout(w);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(edit, 1);
    h->addWidget(browse);
    return w;
}
} // namespace

ReportDialog::ReportDialog(AppContext *context, QWidget *parent) : QDialog(parent), m_context(context)
{
    setWindowTitle(tr("Layer report"));
    auto *intro = new QLabel(tr("One document that answers “why do deeper blocks hold more abstract features, and what does each head do?” "
                                "for the loaded model: attention distance, probes, the residual stream, the logit lens, paraphrase similarity "
                                "and head roles by depth, each measured and read out."));
    intro->setWordWrap(true);
    const QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    m_out = new QLineEdit(QDir(docs.isEmpty() ? QDir::homePath() : docs).filePath(QStringLiteral("strata-report.pdf")));
    auto *browseOut = new QPushButton(tr("Browse…"));
    m_conllu = new QLineEdit;
    m_conllu->setPlaceholderText(tr("optional: a CoNLL-U treebank for the probes (part 2)"));
    auto *browseConllu = new QPushButton(tr("Browse…"));
    m_sentences = new QSpinBox;
    m_sentences->setRange(20, 20000);
    m_sentences->setValue(400);
    m_open = new QCheckBox(tr("Open the report when it is written"));
    m_open->setChecked(true);
    auto *form = new QFormLayout;
    form->addRow(tr("Write to"), withBrowse(m_out, browseOut));
    form->addRow(tr("Treebank"), withBrowse(m_conllu, browseConllu));
    form->addRow(tr("Probe sentences"), m_sentences);
    form->addRow(QString(), m_open);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setVisible(false);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    auto *buttons = new QDialogButtonBox;
    m_start = buttons->addButton(tr("Write report"), QDialogButtonBox::AcceptRole);
    m_cancel = buttons->addButton(tr("Cancel"), QDialogButtonBox::RejectRole);
    auto *close = buttons->addButton(QDialogButtonBox::Close);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    m_cancel->setEnabled(false);
    m_start->setDefault(true);
    setMinimumWidth(640);
    connect(browseOut, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getSaveFileName(this, tr("Write the report to"), m_out->text(), tr("PDF (*.pdf);;HTML (*.html)"));
        if (!f.isEmpty())
            m_out->setText(f);
    });
    connect(browseConllu, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Treebank for the probes"), m_conllu->text(), tr("CoNLL-U (*.conllu);;All files (*)"));
        if (!f.isEmpty())
            m_conllu->setText(f);
    });
    connect(m_start, &QPushButton::clicked, this, &ReportDialog::start);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_job)
            m_context->jobs()->cancel(m_job);
    });
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    connect(m_context->jobs(), &JobRunner::jobProgress, this, [this](quint64 id, double fraction, const QString &what) {
        if (id != m_job)
            return;
        m_progress->setValue(int(1000 * fraction));
        if (!what.isEmpty())
            m_status->setText(localizedProgress(what));
    });
}

void ReportDialog::setOutput(const QString &file)
{
    m_out->setText(file);
}

void ReportDialog::setTreebank(const QString &conllu)
{
    m_conllu->setText(conllu);
}

void ReportDialog::start()
{
    const std::shared_ptr<LoadedModel> model = m_context->model();
    if (!model) {
        m_status->setText(tr("Load a model first (File › Open)."));
        return;
    }
    const QString out = m_out->text().trimmed();
    if (out.isEmpty() || !ReportRenderer::isReportFile(out)) {
        m_status->setText(tr("Choose a file ending in .pdf or .html to write the report to."));
        return;
    }
    ReportOptions o;
    o.conllTrain = m_conllu->text().trimmed();
    if (!o.conllTrain.isEmpty() && !QFileInfo::exists(o.conllTrain)) {
        m_status->setText(tr("The treebank %1 does not exist.").arg(o.conllTrain));
        return;
    }
    o.probeSentences = m_sentences->value();
    m_start->setEnabled(false);
    m_cancel->setEnabled(true);
    m_progress->setVisible(true);
    m_progress->setValue(0);
    m_status->setText(tr("Measuring…"));
    m_job = m_context->jobs()->submit(
        QStringLiteral("layer-report"), tr("Writing the layer report"),
        [model, o, out](JobControl &control) {
            // Measured and drawn on the worker: a long report's PDF must not stall the window either.
            const LayerReport report = LayerReports::build(*model, o, &control);
            ReportRenderer::write(report, out);
            return QVariant(report.toJson());
        },
        this,
        [this, out](const JobResult &r) {
            m_job = 0;
            m_start->setEnabled(true);
            m_cancel->setEnabled(false);
            m_progress->setVisible(false);
            if (r.cancelled) {
                m_status->setText(tr("Cancelled; nothing was written."));
                return;
            }
            if (!r.ok) {
                m_status->setText(tr("The report could not be made: %1").arg(r.error));
                return;
            }
            finish(LayerReport::fromJson(r.value.toJsonObject()), out);
        });
}

void ReportDialog::finish(const LayerReport &report, const QString &out)
{
    // Kept in the session (the numbers and readings; the file can be written again from them).
    if (Workspace *ws = m_context->workspace(); ws && !ws->isReadOnly()) {
        ResultRecord rec;
        rec.sessionId = m_context->ensureSession();
        rec.kind = QStringLiteral("report");
        rec.name = tr("Layer report of %1").arg(report.modelLabel);
        rec.modelFingerprint = report.fingerprint;
        rec.data = report.toJson();
        if (rec.sessionId)
            m_context->guardStore([&] { ws->addResult(rec); }, tr("Saving the report"));
    }
    m_status->setText(tr("Written to %1 (%2 s).").arg(QDir::toNativeSeparators(out)).arg(report.seconds, 0, 'f', 1));
    Q_EMIT m_context->message(tr("Layer report of %1 written to %2.").arg(report.modelLabel, QDir::toNativeSeparators(out)));
    Q_EMIT written(out);
    if (m_open->isChecked() && qEnvironmentVariableIsEmpty("STRATA_NO_OPEN"))
        QDesktopServices::openUrl(QUrl::fromLocalFile(out));
}

} // namespace strata
