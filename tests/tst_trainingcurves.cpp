// The training curves of a model Strata trained: the log is read back exactly, a damaged log is an
// error naming its line, and the Model panel offers the curves only for a model with a log beside it,
// drawing the logged values.
#include "AppContext.h"
#include "GuiTestMain.h"
#include "GuiTestUtil.h"
#include "TestUtil.h"
#include "TrainingCurves.h"
#include "panels/ModelPanel.h"
#include "train/Gpt2Trainer.h"
#include "util/Error.h"

#include <QPushButton>
#include <qcustomplot.h>

using namespace strata;

class TestTrainingCurves : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    static std::vector<TrainLogRow> rows()
    {
        std::vector<TrainLogRow> r;
        for (int i = 1; i <= 6; ++i) {
            TrainLogRow row{i * 100, 5.0 - 0.5 * i, 4.8 - 0.5 * i, 0.1 * i, i < 3 ? 0.02 : 0.15 * i, i < 3 ? 0.1 : 0.9 * i, 10.0 * i};
            row.previousLayer = 0;
            row.previousHead = i % 2;
            row.inductionLayer = 1;
            row.inductionHead = 3;
            r.push_back(row);
        }
        return r;
    }

    static void write(const QString &path, const QByteArray &bytes)
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }

private Q_SLOTS:
    void logRoundTrip()
    {
        const QString path = m_dir.filePath(QStringLiteral("log.csv"));
        write(path, trainLogCsv(rows()).toUtf8());
        const std::vector<TrainLogRow> back = readTrainLogCsv(path);
        QCOMPARE(back.size(), size_t(6));
        QCOMPARE(back[3].step, 400);
        QCOMPARE(back[3].valLoss, 2.8);
        QCOMPARE(back[3].bestInduction, 0.6);
        QCOMPARE(back[3].inductionHead, 3);
        QCOMPARE(back[4].previousHead, 1);
        // A log from before the layer/head columns still reads.
        write(path, "step,train_loss,val_loss,best_previous_token,best_induction,induction_loss_drop,seconds\n250,5.6,4.3,0.04,0.016,0.09,62\n");
        QCOMPARE(readTrainLogCsv(path).front().inductionLayer, -1);
    }

    void damagedLogsNameTheProblem_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const QByteArray header = "step,train_loss,val_loss,best_previous_token,best_induction,induction_loss_drop,seconds\n";
        QTest::newRow("not a log") << QByteArray("name,value\n1,2\n") << QStringLiteral("not a Strata training log");
        QTest::newRow("short row") << header + "250,5.6,4.3\n" << QStringLiteral("line 2");
        QTest::newRow("not a number") << header + "250,5.6,4.3,0.04,abc,0.09,62\n" << QStringLiteral("line 2");
        QTest::newRow("NaN") << header + "100,5,4,0.1,0.1,0.1,1\n250,5.6,nan,0.04,0.1,0.09,62\n" << QStringLiteral("line 3");
    }
    void damagedLogsNameTheProblem()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const QString path = m_dir.filePath(QStringLiteral("bad.csv"));
        write(path, bytes);
        try {
            readTrainLogCsv(path);
            QFAIL("a damaged log must be refused");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(expected), qPrintable(e.message()));
        }
    }

    void modelPanelDrawsTheLog()
    {
        // A copy of gpt2-tiny with a training log beside its weights.
        const QString model = m_dir.filePath(QStringLiteral("trained"));
        QVERIFY(QDir().mkpath(model));
        for (const QString &f : QDir(testutil::gpt2TinyDir()).entryList(QDir::Files))
            QVERIFY(QFile::copy(QDir(testutil::gpt2TinyDir()).filePath(f), QDir(model).filePath(f)));
        QFile::remove(QDir(model).filePath(QStringLiteral("training-log.csv")));
        write(QDir(model).filePath(QStringLiteral("training-log.csv")), trainLogCsv(rows()).toUtf8());

        AppContext ctx;
        ModelPanel panel(&ctx);
        panel.show();
        auto *button = panel.findChild<QPushButton *>(QStringLiteral("trainingCurvesButton"));
        QVERIFY(button);
        QVERIFY(testutil::loadAndWait(ctx, testutil::gpt2TinyDir()));
        QVERIFY(!QFileInfo::exists(QDir(testutil::gpt2TinyDir()).filePath(QStringLiteral("training-log.csv"))));
        QVERIFY2(!button->isVisible(), "no curves for a model without a log");
        QVERIFY(testutil::loadAndWait(ctx, model));
        QVERIFY(button->isVisible());
        button->click();
        QDialog *dialog = panel.findChild<QDialog *>(QStringLiteral("trainingCurvesDialog"));
        QVERIFY(dialog);
        auto *plot = dialog->findChild<QCustomPlot *>(QStringLiteral("trainingCurves"));
        QVERIFY(plot);
        QCOMPARE(plot->graphCount(), 5); // train, validation, previous-token, induction, copy-loss drop
        QCPGraph *induction = plot->graph(3);
        QCOMPARE(induction->dataCount(), 6);
        QCOMPARE(induction->data()->at(5)->key, 600.0);
        QCOMPARE(induction->data()->at(5)->value, 0.9);
        QCOMPARE(plot->graph(1)->data()->at(0)->value, 4.3);
        dialog->close();
    }
};

STRATA_GUI_TEST_MAIN(TestTrainingCurves)
#include "tst_trainingcurves.moc"
