#pragma once

#include "JobControl.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QVariant>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace strata {

struct JobResult
{
    quint64 id = 0;
    bool ok = false;
    bool cancelled = false;
    QVariant value;
    QString error;
};

// One worker thread that owns model work (torch is not re-entrant per model, and one thread keeps
// memory predictable). Jobs run in submission order. A job submitted with the tag of a job that is
// still queued replaces it (scrubbing through layers only computes the latest request). Results
// come back on the runner's thread and are dropped when the receiver no longer exists.
class JobRunner : public QObject
{
    Q_OBJECT
public:
    using Work = std::function<QVariant(JobControl &)>;
    using Done = std::function<void(const JobResult &)>;

    explicit JobRunner(QObject *parent = nullptr);
    ~JobRunner() override; // cancels everything and joins the worker

    quint64 submit(const QString &tag, const QString &title, Work work, QObject *receiver, Done done);
    void cancel(quint64 id);
    void cancelAll();
    bool isBusy() const;
    int pendingCount() const; // running + queued
    QString currentTitle() const;

Q_SIGNALS:
    void jobStarted(quint64 id, const QString &title);
    void jobProgress(quint64 id, double fraction, const QString &what);
    void jobFinished(quint64 id, bool ok, bool cancelled, const QString &error);
    void busyChanged(bool busy);

private:
    struct Job
    {
        quint64 id = 0;
        QString tag;
        QString title;
        Work work;
        QPointer<QObject> receiver;
        Done done;
        std::shared_ptr<JobControl> control;
    };
    void loop();
    void deliver(const std::shared_ptr<Job> &job, JobResult result);

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::shared_ptr<Job>> m_queue;
    std::shared_ptr<Job> m_running;
    bool m_stopping = false;
    quint64 m_nextId = 1;
    std::thread m_thread;
};

} // namespace strata
