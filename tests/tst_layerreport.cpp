// The layer report: its helpers on constructed data, and every number and sentence of a real
// report against the individual analyses (and strata-cli heads/lens) run on their own.
#include "TestUtil.h"

#include "analysis/LayerReport.h"
#include "analysis/LogitLens.h"
#include "analysis/Probe.h"
#include "analysis/ResidualAnalysis.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "report/ReportRenderer.h"
#include "util/Error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace strata;

namespace {
std::vector<double> numbers(const QJsonValue &v)
{
    std::vector<double> out;
    for (const QJsonValue &x : v.toArray())
        out.push_back(x.isDouble() ? x.toDouble() : std::nan(""));
    return out;
}
} // namespace

class TestLayerReport : public QObject
{
    Q_OBJECT
    PluginHost m_host;
    std::unique_ptr<LoadedModel> m_demo;
    LayerReport m_report;

private Q_SLOTS:
    void initTestCase()
    {
        m_host.loadFrom({QStringLiteral(STRATA_PLUGIN_BUILD_DIR)});
        m_demo = m_host.load(QStringLiteral("demo"));
        m_report = LayerReports::build(*m_demo, ReportOptions{});
    }

    void depthCorrelation()
    {
        QCOMPARE(LayerReports::depthCorrelation({1, 2, 3, 4}), 1.0);
        QCOMPARE(LayerReports::depthCorrelation({4, 3, 2, 1}), -1.0);
        // Ranks 0, 2, 1 (Spearman): 1 - 6 * (0 + 1 + 1) / (3 * 8) = 0.5
        QVERIFY(std::abs(LayerReports::depthCorrelation({1, 9, 5}) - 0.5) < 1e-12);
        QVERIFY(std::isnan(LayerReports::depthCorrelation({1, 2})));
        QCOMPARE(LayerReports::depthCorrelation({3, 3, 3}), 0.0);
    }

    void paraphraseGap()
    {
        // Pairs (0,1) and (2,3) at 0.9 and 0.7, everything across pairs at 0.1: gap 0.8 - 0.1.
        std::vector<std::vector<double>> s(4, std::vector<double>(4, 0.1));
        s[0][1] = s[1][0] = 0.9;
        s[2][3] = s[3][2] = 0.7;
        QVERIFY(std::abs(LayerReports::paraphraseGap(s) - 0.7) < 1e-12);
        QCOMPARE(LayerReports::paraphrasePairs(QStringLiteral("en")).size() % 2, 0);
        QCOMPARE(LayerReports::paraphrasePairs(QStringLiteral("zh")).size(), LayerReports::paraphrasePairs(QStringLiteral("en")).size());
    }

    // Part 1 and the role mix: the head scores of the report's own prompt, scored on their own.
    void attentionPartsMatchHeadScores()
    {
        const ReportSection *s = m_report.section(QStringLiteral("context"));
        QVERIFY(s);
        const TracePtr t = m_demo->trace(m_report.prompt);
        QCOMPARE(t->tokenCount(), m_report.promptTokens);
        const std::vector<HeadScores> scores = HeadMetrics::scoreTrace(*t);
        const std::vector<double> distance = numbers(s->numbers.value(QStringLiteral("mean_distance")));
        QCOMPARE(int(distance.size()), m_demo->info().nLayers);
        for (int l = 0; l < int(distance.size()); ++l) {
            double sum = 0;
            int n = 0;
            for (const HeadScores &h : scores)
                if (h.layer == l) {
                    sum += h.meanDistance;
                    ++n;
                }
            QVERIFY(std::abs(distance[size_t(l)] - sum / n) < 1e-9);
        }
        // The sentence quotes the first and last layer's values and the verdict follows from them.
        QVERIFY2(s->reading.contains(QString::number(distance.front(), 'f', 1)), qPrintable(s->reading));
        QVERIFY2(s->reading.contains(QString::number(distance.back(), 'f', 1)), qPrintable(s->reading));
        const double rho = s->numbers.value(QStringLiteral("depth_correlation")).toDouble();
        QCOMPARE(s->verdict == ReportSection::Verdict::Holds, distance.back() > distance.front() && rho >= 0.5);
        // Role counts add up to every head.
        const QJsonObject counts = m_report.section(QStringLiteral("roles"))->numbers.value(QStringLiteral("heads_by_role_and_layer")).toObject();
        double heads = 0;
        for (const QString &k : counts.keys())
            for (double v : numbers(counts.value(k)))
                heads += v;
        QCOMPARE(int(heads), m_demo->info().nLayers * m_demo->info().nHeads);
    }

    // The same numbers strata-cli heads prints for that prompt.
    void contextMatchesTheCli()
    {
        QProcess p;
        p.start(QStringLiteral(STRATA_CLI), {QStringLiteral("heads"), QStringLiteral("--json"), QStringLiteral("--prompt"), m_report.prompt});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 0);
        const QJsonArray heads = QJsonDocument::fromJson(p.readAllStandardOutput()).object().value(QStringLiteral("heads")).toArray();
        const std::vector<double> distance = numbers(m_report.section(QStringLiteral("context"))->numbers.value(QStringLiteral("mean_distance")));
        std::vector<double> sum(distance.size(), 0.0), n(distance.size(), 0.0);
        for (const QJsonValue &h : heads) {
            const int l = h.toObject().value(QStringLiteral("layer")).toInt();
            sum[size_t(l)] += h.toObject().value(QStringLiteral("mean_distance")).toDouble();
            n[size_t(l)] += 1;
        }
        for (size_t l = 0; l < distance.size(); ++l)
            QVERIFY2(std::abs(sum[l] / n[l] - distance[l]) < 1e-6, qPrintable(QStringLiteral("layer %1").arg(l)));
    }

    void lensMatchesLogitLens()
    {
        const ReportSection *s = m_report.section(QStringLiteral("lens"));
        const TracePtr t = m_demo->trace(m_report.prompt);
        const LogitLensResult r = LogitLens::compute(*m_demo, *t, 1);
        const std::vector<double> top1 = numbers(s->numbers.value(QStringLiteral("top1_agreement")));
        QCOMPARE(int(top1.size()), r.layers);
        for (int l = 0; l < r.layers; ++l) {
            int agree = 0;
            for (int i = 0; i < r.tokens; ++i)
                agree += r.finalRank[r.at(l, i)] == 0;
            QVERIFY(std::abs(top1[size_t(l)] - double(agree) / r.tokens) < 1e-9);
        }
        QCOMPARE(top1.back(), 1.0); // the last layer read through the final norm is the model's own output
        QVERIFY2(s->reading.contains(QString::number(100 * top1.front(), 'f', 0) + QStringLiteral(" %")), qPrintable(s->reading));
    }

    void compressionMatchesSimilarity()
    {
        const ReportSection *s = m_report.section(QStringLiteral("compression"));
        for (const QString &lang : {QStringLiteral("en"), QStringLiteral("zh")}) {
            const auto r = ResidualAnalysis::similarityAcrossLayers(*m_demo, LayerReports::paraphrasePairs(lang), ResidualAnalysis::Pooling::Mean,
                                                                    ResidualAnalysis::Centring::SubtractMean, ResidualAnalysis::builtInBaselineSentences());
            const std::vector<double> gap = numbers(s->numbers.value(lang).toObject().value(QStringLiteral("gap")));
            QCOMPARE(gap.size(), r.similarity.size());
            for (size_t i = 0; i < gap.size(); ++i)
                QVERIFY(std::abs(gap[i] - LayerReports::paraphraseGap(r.similarity[i])) < 1e-9);
        }
    }

    void conveyorMatchesContributions()
    {
        const ReportSection *s = m_report.section(QStringLiteral("conveyor"));
        const TracePtr t = m_demo->trace(m_report.prompt);
        const auto c = ResidualAnalysis::contributionNorms(*t);
        const std::vector<double> stream = numbers(s->numbers.value(QStringLiteral("stream_norm")));
        QCOMPARE(stream.size(), c.residPost.size() + 1);
        for (size_t l = 0; l < c.residPost.size(); ++l)
            QVERIFY(std::abs(stream[l + 1] - c.residPost[l]) < 1e-9);
    }

    void withoutTreebankTheHierarchyIsNotMeasured()
    {
        const ReportSection *s = m_report.section(QStringLiteral("hierarchy"));
        QCOMPARE(s->verdict, ReportSection::Verdict::NotMeasured);
        QVERIFY(s->reading.contains(QStringLiteral("CoNLL-U")));
    }

    // stories260K with a small treebank: part 2's accuracies are Probe::run's on the same files.
    void probesOnStories()
    {
        auto m = m_host.load(testutil::sharedPath(QStringLiteral("models/stories260K/stories260K.gguf")));
        ReportOptions o;
        o.conllTrain = testutil::sharedPath(QStringLiteral("probing/ud-en-ewt/en_ewt-ud-dev.conllu"));
        o.conllDev = testutil::sharedPath(QStringLiteral("probing/ud-en-ewt/en_ewt-ud-test.conllu"));
        o.probeSentences = 60;
        const LayerReport r = LayerReports::build(*m, o);
        const ReportSection *s = r.section(QStringLiteral("hierarchy"));
        QVERIFY(s->verdict != ReportSection::Verdict::NotMeasured);
        ProbeRunOptions po;
        po.maxTrain = 60;
        po.maxDev = 50;
        po.maxEval = 50;
        po.control = false;
        const ProbeRun run = Probe::run(*m, o.conllTrain, o.conllDev, QString(), po);
        for (const ProbeTaskResult &t : run.tasks) {
            const QJsonObject task = s->numbers.value(QStringLiteral("tasks")).toObject().value(t.task).toObject();
            const std::vector<double> acc = numbers(task.value(QStringLiteral("accuracy")));
            QCOMPARE(acc.size(), t.layers.size());
            for (size_t l = 0; l < acc.size(); ++l)
                QCOMPARE(acc[l], t.layers[l].accuracy);
            QCOMPARE(task.value(QStringLiteral("best_layer_point")).toInt(), t.bestLayer);
        }
        QCOMPARE(r.layers, 5);
        QVERIFY(r.section(QStringLiteral("context"))->reading.contains(QStringLiteral("layer 4")));
    }

    void roundTripsThroughJson()
    {
        const LayerReport back = LayerReport::fromJson(m_report.toJson());
        QCOMPARE(back.toJson(), m_report.toJson());
    }

    void rendersPdfAndHtml()
    {
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("r.pdf")), html = dir.filePath(QStringLiteral("r.html"));
        ReportRenderer::write(m_report, pdf);
        ReportRenderer::write(m_report, html);
        QFile p(pdf), h(html);
        QVERIFY(p.open(QIODevice::ReadOnly) && h.open(QIODevice::ReadOnly));
        const QByteArray pdfBytes = p.readAll(), htmlBytes = h.readAll();
        QVERIFY(pdfBytes.startsWith("%PDF-"));
        QVERIFY2(pdfBytes.count("/Type /Page") - pdfBytes.count("/Type /Pages") >= 2, "a report of several pages"); // Qt writes one /Type /Page per page
        int figures = 0;
        for (const ReportSection &s : m_report.sections)
            figures += int(s.figures.size());
        QCOMPARE(int(htmlBytes.count("<svg")), figures);
        for (const ReportSection &s : m_report.sections)
            QVERIFY(htmlBytes.contains(s.reading.toHtmlEscaped().toUtf8()));
        QVERIFY_THROWS_EXCEPTION(Error, ReportRenderer::write(m_report, dir.filePath(QStringLiteral("r.docx"))));
    }
};

QTEST_MAIN(TestLayerReport)
#include "tst_layerreport.moc"
