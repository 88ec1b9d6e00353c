// File > Report as a user runs it: on the demo model the dialog writes a PDF, keeps the report in the
// current session (numbers and readings), and refuses a bad output name with a message; Cancel
// stops a report in progress and writes nothing.
#include "AppContext.h"
#include "GuiTestMain.h"
#include "GuiTestUtil.h"
#include "ReportDialog.h"
#include "TestUtil.h"
#include "store/Workspace.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>

using namespace strata;

class TestReportDialog : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    static QLabel *status(ReportDialog &d)
    {
        QLabel *last = nullptr;
        for (QLabel *l : d.findChildren<QLabel *>())
            if (l->wordWrap())
                last = l; // the status line is the last word-wrapped label (after the introduction)
        return last;
    }

private Q_SLOTS:
    void initTestCase() { qputenv("STRATA_NO_OPEN", "1"); }

    void writesAndKeepsTheReport()
    {
        AppContext ctx;
        QVERIFY(ctx.openWorkspace(m_dir.filePath(QStringLiteral("report.strata"))));
        QVERIFY(testutil::loadAndWait(ctx, QStringLiteral("demo")));
        ReportDialog d(&ctx);
        const QString pdf = m_dir.filePath(QStringLiteral("demo.pdf"));
        d.setOutput(m_dir.filePath(QStringLiteral("demo.docx")));
        d.start();
        QVERIFY2(status(d)->text().contains(QStringLiteral(".pdf")), qPrintable(status(d)->text())); // refused, with what to do instead
        d.setOutput(pdf);
        QSignalSpy written(&d, &ReportDialog::written);
        d.start();
        QVERIFY(written.wait(60000));
        QFile f(pdf);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(5) == "%PDF-");
        const QList<ResultRecord> kept = ctx.workspace()->results(ctx.currentSession(), QStringLiteral("report"));
        QCOMPARE(kept.size(), 1);
        const LayerReport back = LayerReport::fromJson(kept.first().data);
        QCOMPARE(int(back.sections.size()), 7);
        QCOMPARE(back.modelName, ctx.model()->info().name);
        QVERIFY(status(d)->text().contains(QStringLiteral("demo.pdf")));
    }

    void cancelWritesNothing()
    {
        AppContext ctx;
        QVERIFY(testutil::loadAndWait(ctx, QStringLiteral("demo")));
        ReportDialog d(&ctx);
        const QString pdf = m_dir.filePath(QStringLiteral("cancelled.pdf"));
        d.setOutput(pdf);
        d.setTreebank(testutil::sharedPath(QStringLiteral("probing/ud-en-ewt/en_ewt-ud-dev.conllu"))); // probes: long enough to cancel
        d.start();
        QPushButton *cancel = nullptr;
        for (QPushButton *b : d.findChildren<QPushButton *>())
            if (b->text() == QStringLiteral("Cancel"))
                cancel = b;
        QVERIFY(cancel && cancel->isEnabled());
        QTest::qWait(300);
        cancel->click();
        QTRY_VERIFY_WITH_TIMEOUT(status(d)->text().contains(QStringLiteral("Cancelled")), 60000);
        QVERIFY(!QFileInfo::exists(pdf));
    }
};

STRATA_GUI_TEST_MAIN(TestReportDialog)
#include "tst_reportdialog.moc"
