#include "jobs/JobRunner.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTimer>
#include <QtTest>

#include <atomic>
#include <thread>

using namespace strata;

class TestJobRunner : public QObject
{
    Q_OBJECT

    // Busy work that polls for cancellation, as model code does per layer.
    static QVariant spin(JobControl &c, int ms)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            c.throwIfCancelled();
            c.report(double(t.elapsed()) / ms, QStringLiteral("spinning"));
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return ms;
    }

private Q_SLOTS:
    void eventLoopKeepsRunningDuringAJob()
    {
        JobRunner runner;
        QObject receiver;
        int ticks = 0;
        // The job ends only after the GUI thread's timer has ticked ten times while it ran: if the
        // event loop were blocked during the job, it would never end (QTRY below bounds that hang).
        std::atomic<int> seen{0};
        QTimer timer;
        connect(&timer, &QTimer::timeout, this, [&] { seen = ++ticks; });
        timer.start(10);
        bool done = false;
        QVariant value;
        runner.submit(
            QString(), QStringLiteral("long"),
            [&seen](JobControl &c) {
                const int start = seen;
                while (seen < start + 10) {
                    c.throwIfCancelled();
                    c.report(0.5, QStringLiteral("waiting for the GUI thread"));
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                }
                return QVariant(400);
            },
            &receiver,
            [&](const JobResult &r) {
                done = r.ok;
                value = r.value;
            });
        QSignalSpy progress(&runner, &JobRunner::jobProgress);
        QTRY_VERIFY_WITH_TIMEOUT(done, 60000);
        QCOMPARE(value.toInt(), 400);
        QVERIFY2(ticks >= 10, qPrintable(QStringLiteral("the GUI thread ticked only %1 times").arg(ticks)));
        QVERIFY(progress.count() > 0);
    }

    void cancelStopsARunningJob()
    {
        JobRunner runner;
        QObject receiver;
        JobResult result;
        bool finished = false;
        QSignalSpy progress(&runner, &JobRunner::jobProgress);
        const quint64 id = runner.submit(
            QString(), QStringLiteral("forever"), [](JobControl &c) { return spin(c, 600000); }, &receiver,
            [&](const JobResult &r) {
                result = r;
                finished = true;
            });
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() > 0, 60000); // cancel part-way: the work has started
        runner.cancel(id);
        QTRY_VERIFY_WITH_TIMEOUT(finished, 60000); // bounds a hang only; the job would run 10 minutes
        QVERIFY(result.cancelled);
        QVERIFY(!result.ok);
        QTRY_VERIFY(!runner.isBusy());
    }

    void newerRequestWithSameTagReplacesQueuedOne()
    {
        JobRunner runner;
        QObject receiver;
        QStringList order;
        std::atomic<int> ran{0};
        runner.submit(
            QString(), QStringLiteral("blocker"),
            [&](JobControl &c) {
                ++ran;
                return spin(c, 150);
            },
            &receiver, [&](const JobResult &) { order << QStringLiteral("blocker"); });
        bool firstCancelled = false;
        runner.submit(
            QStringLiteral("layer"), QStringLiteral("L1"),
            [&](JobControl &) {
                ++ran;
                return QVariant(1);
            },
            &receiver,
            [&](const JobResult &r) {
                firstCancelled = r.cancelled;
                order << QStringLiteral("L1");
            });
        runner.submit(
            QStringLiteral("layer"), QStringLiteral("L2"),
            [&](JobControl &) {
                ++ran;
                return QVariant(2);
            },
            &receiver,
            [&](const JobResult &r) {
                QVERIFY(r.ok);
                order << QStringLiteral("L2");
            });
        QTRY_COMPARE_WITH_TIMEOUT(order.size(), 3, 3000);
        QVERIFY(firstCancelled);
        QCOMPARE(ran.load(), 2); // L1 never ran
        QCOMPARE(order.last(), QStringLiteral("L2"));
    }

    void resultIsDroppedWhenReceiverIsGone()
    {
        JobRunner runner;
        auto *receiver = new QObject;
        bool called = false;
        QSignalSpy finished(&runner, &JobRunner::jobFinished);
        runner.submit(
            QString(), QStringLiteral("x"), [](JobControl &c) { return spin(c, 100); }, receiver, [&](const JobResult &) { called = true; });
        delete receiver;
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 3000);
        QVERIFY(!called);
    }

    void errorsAreReported()
    {
        JobRunner runner;
        QObject receiver;
        JobResult result;
        bool finished = false;
        runner.submit(
            QString(), QStringLiteral("fails"), [](JobControl &) -> QVariant { throw Error(QStringLiteral("bad input: x")); }, &receiver,
            [&](const JobResult &r) {
                result = r;
                finished = true;
            });
        QTRY_VERIFY(finished);
        QVERIFY(!result.ok);
        QCOMPARE(result.error, QStringLiteral("bad input: x"));
    }

    void destroyingTheRunnerCancelsWork()
    {
        QElapsedTimer t;
        t.start();
        {
            JobRunner runner;
            QObject receiver;
            QSignalSpy progress(&runner, &JobRunner::jobProgress);
            runner.submit(QString(), QStringLiteral("forever"), [](JobControl &c) { return spin(c, 600000); }, &receiver, {});
            QTRY_VERIFY_WITH_TIMEOUT(progress.count() > 0, 60000); // the job is running
        }
        QVERIFY(t.elapsed() < 120000); // a hang bound only: without cancel the destructor would wait 10 minutes
    }
};

QTEST_GUILESS_MAIN(TestJobRunner)
#include "tst_jobrunner.moc"
