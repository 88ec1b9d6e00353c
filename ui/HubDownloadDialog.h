#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace strata {

class AppContext;
class JobRunner;

// File > Download from the Hub: fetches a repository into the local Hugging Face cache (progress,
// cancel; a second attempt resumes) and loads it when done.
class HubDownloadDialog : public QDialog
{
    Q_OBJECT
public:
    explicit HubDownloadDialog(AppContext *context, QWidget *parent = nullptr);
    ~HubDownloadDialog() override;
    void setRepo(const QString &repo);
    void start();

Q_SIGNALS:
    void downloaded(const QString &snapshotFolder);

private:
    AppContext *m_context;
    JobRunner *m_runner; // its own worker: a download must not block model runs
    QLineEdit *m_repo, *m_revision, *m_endpoint;
    QProgressBar *m_progress;
    QLabel *m_status;
    QPushButton *m_start, *m_cancel;
    quint64 m_job = 0;
};

} // namespace strata
