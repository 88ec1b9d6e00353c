#include "LayerReport.h"
#include "LayerReportSections.h"

#include "InductionProbe.h"
#include "ConllU.h"
#include "SyntacticHeads.h"
#include "jobs/JobControl.h"
#include "model/ModelFamily.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace strata {

namespace {

std::vector<double> doubles(const QJsonArray &a)
{
    std::vector<double> v;
    for (const QJsonValue &x : a)
        v.push_back(x.isDouble() ? x.toDouble() : std::nan(""));
    return v;
}

void progress(const JobControl *control, double fraction, const QString &what)
{
    if (control) {
        control->throwIfCancelled();
        control->report(fraction, what);
    }
}

} // namespace

const ReportSection *LayerReport::section(const QString &id) const
{
    for (const ReportSection &s : sections)
        if (s.id == id)
            return &s;
    return nullptr;
}

QJsonObject LayerReport::toJson() const
{
    QJsonArray secs;
    for (const ReportSection &s : sections) {
        QJsonArray figs;
        for (const ReportFigure &f : s.figures) {
            QJsonArray series;
            for (const ReportSeries &r : f.series)
                series.append(QJsonObject{{QStringLiteral("name"), r.name}, {QStringLiteral("values"), reportJsonArray(r.values)}});
            figs.append(QJsonObject{{QStringLiteral("kind"), int(f.kind)},
                                    {QStringLiteral("title"), f.title},
                                    {QStringLiteral("x_label"), f.xLabel},
                                    {QStringLiteral("y_label"), f.yLabel},
                                    {QStringLiteral("categories"), QJsonArray::fromStringList(f.categories)},
                                    {QStringLiteral("row_labels"), QJsonArray::fromStringList(f.rowLabels)},
                                    {QStringLiteral("cells"), reportJsonArray(f.cells)},
                                    {QStringLiteral("series"), series}});
        }
        secs.append(QJsonObject{{QStringLiteral("id"), s.id},
                                {QStringLiteral("title"), s.title},
                                {QStringLiteral("claim"), s.claim},
                                {QStringLiteral("reading"), s.reading},
                                {QStringLiteral("verdict"), int(s.verdict)},
                                {QStringLiteral("numbers"), s.numbers},
                                {QStringLiteral("figures"), figs}});
    }
    return {{QStringLiteral("model"), modelName},
            {QStringLiteral("model_label"), modelLabel},
            {QStringLiteral("fingerprint"), fingerprint},
            {QStringLiteral("layers"), layers},
            {QStringLiteral("heads"), heads},
            {QStringLiteral("prompt"), prompt},
            {QStringLiteral("prompt_tokens"), promptTokens},
            {QStringLiteral("created"), created.toString(Qt::ISODate)},
            {QStringLiteral("seconds"), seconds},
            {QStringLiteral("sections"), secs}};
}

LayerReport LayerReport::fromJson(const QJsonObject &o)
{
    LayerReport r;
    r.modelName = o.value(QStringLiteral("model")).toString();
    r.modelLabel = o.value(QStringLiteral("model_label")).toString();
    r.fingerprint = o.value(QStringLiteral("fingerprint")).toString();
    r.layers = o.value(QStringLiteral("layers")).toInt();
    r.heads = o.value(QStringLiteral("heads")).toInt();
    r.prompt = o.value(QStringLiteral("prompt")).toString();
    r.promptTokens = o.value(QStringLiteral("prompt_tokens")).toInt();
    r.created = QDateTime::fromString(o.value(QStringLiteral("created")).toString(), Qt::ISODate);
    r.seconds = o.value(QStringLiteral("seconds")).toDouble();
    for (const QJsonValue &sv : o.value(QStringLiteral("sections")).toArray()) {
        const QJsonObject so = sv.toObject();
        ReportSection s;
        s.id = so.value(QStringLiteral("id")).toString();
        s.title = so.value(QStringLiteral("title")).toString();
        s.claim = so.value(QStringLiteral("claim")).toString();
        s.reading = so.value(QStringLiteral("reading")).toString();
        s.verdict = ReportSection::Verdict(std::clamp(so.value(QStringLiteral("verdict")).toInt(), 0, 2));
        s.numbers = so.value(QStringLiteral("numbers")).toObject();
        for (const QJsonValue &fv : so.value(QStringLiteral("figures")).toArray()) {
            const QJsonObject fo = fv.toObject();
            ReportFigure f;
            f.kind = ReportFigure::Kind(std::clamp(fo.value(QStringLiteral("kind")).toInt(), 0, 2));
            f.title = fo.value(QStringLiteral("title")).toString();
            f.xLabel = fo.value(QStringLiteral("x_label")).toString();
            f.yLabel = fo.value(QStringLiteral("y_label")).toString();
            for (const QJsonValue &c : fo.value(QStringLiteral("categories")).toArray())
                f.categories << c.toString();
            for (const QJsonValue &c : fo.value(QStringLiteral("row_labels")).toArray())
                f.rowLabels << c.toString();
            f.cells = doubles(fo.value(QStringLiteral("cells")).toArray());
            for (const QJsonValue &rv : fo.value(QStringLiteral("series")).toArray())
                f.series.push_back({rv.toObject().value(QStringLiteral("name")).toString(), doubles(rv.toObject().value(QStringLiteral("values")).toArray())});
            s.figures.push_back(f);
        }
        r.sections.push_back(s);
    }
    return r;
}

namespace LayerReports {

QString defaultPrompt()
{
    return QStringLiteral("Once upon a time, a little girl named Mia lived near a big forest. Every morning she walked to the river with her dog. "
                          "The dog liked to run after birds.\n\n"
                          "One day Mia found a small red box under a tree. Inside the box was an old key. She wondered which door the key could open.\n\n"
                          "Mia walked to the river with her dog. Every morning she walked to the river with her dog, and the dog ran after the birds. "
                          "At home, her mother smiled and said the key opened the garden gate.");
}

QStringList paraphrasePairs(const QString &language)
{
    if (language == QLatin1String("zh"))
        return {QStringLiteral("猫坐在垫子上。"),     QStringLiteral("一只猫正待在地毯上。"), QStringLiteral("今天股市大幅下跌。"),
                QStringLiteral("今天股价急剧下滑。"), QStringLiteral("他很快跑回了家。"),     QStringLiteral("他飞奔着回到住处。"),
                QStringLiteral("这本书非常有趣。"),   QStringLiteral("这部小说十分好看。"),   QStringLiteral("明天可能会下雨。"),
                QStringLiteral("明日或许有降水。"),   QStringLiteral("孩子们在公园里玩耍。"), QStringLiteral("小朋友们在花园中嬉戏。")};
    return {QStringLiteral("The cat sat on the mat."),
            QStringLiteral("A kitten was resting on the rug."),
            QStringLiteral("The stock market fell sharply today."),
            QStringLiteral("Shares dropped steeply on the exchange this afternoon."),
            QStringLiteral("He ran home quickly."),
            QStringLiteral("He hurried back to his house."),
            QStringLiteral("This book is very interesting."),
            QStringLiteral("I find this novel truly fascinating."),
            QStringLiteral("It may rain tomorrow."),
            QStringLiteral("Showers are possible the next day."),
            QStringLiteral("The children played in the park."),
            QStringLiteral("Kids were having fun in the garden.")};
}

double paraphraseGap(const std::vector<std::vector<double>> &sim)
{
    const int n = int(sim.size());
    double para = 0, other = 0;
    int np = 0, no = 0;
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j) {
            if (i / 2 == j / 2) {
                para += sim[size_t(i)][size_t(j)];
                ++np;
            } else {
                other += sim[size_t(i)][size_t(j)];
                ++no;
            }
        }
    return np && no ? para / np - other / no : std::nan("");
}

double depthCorrelation(const std::vector<double> &v)
{
    const int n = int(v.size());
    if (n < 3)
        return std::nan("");
    // Ranks of the values (ties averaged), against the ranks 0..n-1 of depth.
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return v[size_t(a)] < v[size_t(b)]; });
    std::vector<double> rank(static_cast<size_t>(n));
    for (int i = 0; i < n;) {
        int j = i;
        while (j + 1 < n && v[size_t(order[size_t(j + 1)])] == v[size_t(order[size_t(i)])])
            ++j;
        for (int k = i; k <= j; ++k)
            rank[size_t(order[size_t(k)])] = (i + j) / 2.0;
        i = j + 1;
    }
    const double mean = (n - 1) / 2.0;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; ++i) {
        sxy += (i - mean) * (rank[size_t(i)] - mean);
        sxx += (i - mean) * (i - mean);
        syy += (rank[size_t(i)] - mean) * (rank[size_t(i)] - mean);
    }
    return syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

LayerReport build(LoadedModel &model, const ReportOptions &o, const JobControl *control)
{
    QElapsedTimer timer;
    timer.start();
    LayerReport r;
    const ModelInfo &info = model.info();
    r.modelName = info.name;
    r.modelLabel = info.runLabel();
    r.fingerprint = info.fingerprint;
    r.layers = info.nLayers;
    r.heads = info.nHeads;
    r.prompt = o.prompt.isEmpty() ? defaultPrompt() : o.prompt;
    if (o.prompt.isEmpty()) {
        // The built-in text is cut at a sentence end to fit a short context (the demo model's 128).
        while (info.contextLength > 0 && int(model.tokenizePrompt(r.prompt).size()) > info.contextLength) {
            const qsizetype end = r.prompt.lastIndexOf(QLatin1Char('.'), r.prompt.size() - 2);
            if (end <= 0)
                break;
            r.prompt = r.prompt.left(end + 1);
        }
    }
    r.created = QDateTime::currentDateTime();
    progress(control, 0.0, QStringLiteral("Report: tracing the prompt"));
    const TracePtr trace = model.trace(r.prompt, TraceOptions{}, nullptr);
    r.promptTokens = trace->tokenCount();
    std::vector<HeadScores> scores = HeadMetrics::scoreTrace(*trace);
    progress(control, 0.1, QStringLiteral("Report: induction test"));
    const InductionResult ind = InductionProbe::run(model, o.inductionSpan, 4, 1234, nullptr); // as strata-cli heads
    for (HeadScores &s : scores)
        if (size_t(s.layer) < ind.score.size() && size_t(s.head) < ind.score[size_t(s.layer)].size())
            s.induction = ind.score[size_t(s.layer)][size_t(s.head)];
    if (!o.conllTrain.isEmpty()) {
        // Syntactic heads from the treebank's first sentences (as strata-cli syntax / the atlas).
        progress(control, 0.15, QStringLiteral("Report: syntactic heads"));
        const ConllFile treebank = ConllU::load(o.conllTrain, std::min(o.probeSentences, 200));
        SyntacticHeads::applyTo(SyntacticHeads::evaluate(model, treebank.sentences, 20, control), scores);
    }
    r.sections.push_back(reportContextSection(scores, info.nLayers));
    progress(control, 0.2, QStringLiteral("Report: probes"));
    r.sections.push_back(reportHierarchySection(model, o, control));
    r.sections.push_back(reportConveyorSection(*trace));
    progress(control, 0.6, QStringLiteral("Report: logit lens"));
    r.sections.push_back(reportLensSection(model, *trace, nullptr));
    progress(control, 0.7, QStringLiteral("Report: paraphrase similarity"));
    r.sections.push_back(reportCompressionSection(model, control));
    r.sections.push_back(reportRolesSection(scores, info.nLayers));
    r.sections.push_back(reportHeadsSection(model, *trace, scores, o.heatmapTokens));
    r.seconds = timer.nsecsElapsed() / 1e9;
    progress(control, 1.0, QString());
    return r;
}

QString verdictName(ReportSection::Verdict v)
{
    switch (v) {
    case ReportSection::Verdict::Holds:
        return QCoreApplication::translate("strata::LayerReports", "holds");
    case ReportSection::Verdict::DoesNotHold:
        return QCoreApplication::translate("strata::LayerReports", "does not hold");
    case ReportSection::Verdict::NotMeasured:
        break;
    }
    return QCoreApplication::translate("strata::LayerReports", "not measured");
}

} // namespace LayerReports

} // namespace strata
