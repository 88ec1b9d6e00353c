#include "HubDownloadDialog.h"

#include "AppContext.h"
#include "hub/HubDownloader.h"
#include "jobs/JobRunner.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace strata {

HubDownloadDialog::HubDownloadDialog(AppContext *context, QWidget *parent) : QDialog(parent), m_context(context), m_runner(new JobRunner(this))
{
    setWindowTitle(tr("Download from the Hub"));
    auto *v = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_repo = new QLineEdit;
    m_repo->setObjectName(QStringLiteral("repoEdit"));
    m_repo->setPlaceholderText(QStringLiteral("openai-community/gpt2"));
    m_revision = new QLineEdit(QStringLiteral("main"));
    m_endpoint = new QLineEdit(HubDownloader::defaultEndpoint());
    form->addRow(tr("Repository"), m_repo);
    form->addRow(tr("Revision"), m_revision);
    form->addRow(tr("Endpoint"), m_endpoint);
    v->addLayout(form);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    v->addWidget(m_progress);
    m_status = new QLabel(tr("Files go to the Hugging Face cache, where Python tools find them too. An interrupted download resumes."));
    m_status->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("downloadStatus"));
    v->addWidget(m_status);
    auto *buttons = new QDialogButtonBox;
    m_start = buttons->addButton(tr("Download"), QDialogButtonBox::AcceptRole);
    m_cancel = buttons->addButton(tr("Cancel"), QDialogButtonBox::RejectRole);
    v->addWidget(buttons);
    connect(m_start, &QPushButton::clicked, this, &HubDownloadDialog::start);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_job)
            m_runner->cancel(m_job);
        else
            reject();
    });
    connect(m_runner, &JobRunner::jobProgress, this, [this](quint64, double f, const QString &what) {
        m_progress->setValue(int(f * 1000));
        if (!what.isEmpty())
            m_status->setText(tr("Downloading %1…").arg(what));
    });
    resize(520, 220);
}

HubDownloadDialog::~HubDownloadDialog() = default;

void HubDownloadDialog::setRepo(const QString &repo)
{
    m_repo->setText(repo);
}

void HubDownloadDialog::start()
{
    HubDownloadRequest req;
    req.repoId = m_repo->text().trimmed();
    req.revision = m_revision->text().trimmed();
    req.endpoint = m_endpoint->text().trimmed();
    m_start->setEnabled(false);
    m_status->setText(tr("Connecting to %1…").arg(req.endpoint));
    m_job = m_runner->submit(
        QStringLiteral("download"), tr("Downloading %1").arg(req.repoId), [req](JobControl &c) { return QVariant(HubDownloader::download(req, &c)); }, this,
        [this, req](const JobResult &r) {
            m_job = 0;
            m_start->setEnabled(true);
            if (!r.ok) {
                m_status->setText(r.cancelled ? tr("Cancelled. Downloading again resumes where it stopped.") : tr("Failed: %1").arg(r.error));
                return;
            }
            m_progress->setValue(1000);
            m_status->setText(tr("Downloaded to %1").arg(r.value.toString()));
            Q_EMIT downloaded(r.value.toString());
            m_context->loadModel(r.value.toString());
            accept();
        });
}

} // namespace strata
