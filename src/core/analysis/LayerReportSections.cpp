// The layer report's parts, each measured and written in words with its figures: context aggregation,
// the hierarchy of probes, the residual conveyor, the logit lens, compression of paraphrases, head roles
// and the heads' heatmaps. LayerReport.cpp runs them in order and reads and writes the report.
#include "LayerReportSections.h"

#include "InductionProbe.h"
#include "LogitLens.h"
#include "Probe.h"
#include "ResidualAnalysis.h"
#include "SyntacticHeads.h"
#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "util/Error.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace strata {

QJsonArray reportJsonArray(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(std::isnan(x) ? QJsonValue() : QJsonValue(x));
    return a;
}

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("strata", text); // the context lupdate gives calls in this file
}

QString num(double v, int decimals = 2)
{
    return std::isnan(v) ? QStringLiteral("–") : QString::number(v, 'f', decimals);
}

QStringList layerLabels(int n, bool withEmbeddings)
{
    QStringList out;
    if (withEmbeddings)
        out << QStringLiteral("emb");
    for (int l = 0; l < n; ++l)
        out << QString::number(l);
    return out;
}

// The score a role is called by (as in HeadMetrics::dominantRole's candidates).
double roleScore(const HeadScores &s, HeadRole r)
{
    switch (r) {
    case HeadRole::Sink:
        return s.firstToken;
    case HeadRole::PreviousToken:
        return s.previousToken;
    case HeadRole::Induction:
        return s.induction;
    case HeadRole::DuplicateToken:
        return s.duplicateToken;
    case HeadRole::CurrentToken:
        return s.currentToken;
    case HeadRole::Local:
        return s.localWindow;
    case HeadRole::Stripe:
        return s.stripe;
    case HeadRole::LongRange:
        return s.tokens > 0 ? s.meanDistance / s.tokens : std::nan("");
    case HeadRole::Semantic:
        return s.semantic;
    case HeadRole::BlockSparse:
        return s.blockSparse;
    case HeadRole::Syntactic:
        return s.syntactic;
    case HeadRole::Diffuse:
        break;
    }
    return std::nan("");
}
} // namespace

// Part 1: context aggregation.
ReportSection reportContextSection(const std::vector<HeadScores> &scores, int layers)
{
    ReportSection s;
    s.id = QStringLiteral("context");
    s.title = tr("1. Context aggregation");
    s.claim = tr("Attention reaches further with depth: deeper layers gather context from more distant tokens.");
    std::vector<double> distance(size_t(layers), 0.0), farthest(size_t(layers), 0.0), entropy(size_t(layers), 0.0);
    std::vector<int> count(size_t(layers), 0);
    for (const HeadScores &h : scores) {
        distance[size_t(h.layer)] += h.meanDistance;
        entropy[size_t(h.layer)] += h.normalizedEntropy;
        farthest[size_t(h.layer)] = std::max(farthest[size_t(h.layer)], h.meanDistance);
        ++count[size_t(h.layer)];
    }
    for (int l = 0; l < layers; ++l) {
        distance[size_t(l)] /= std::max(1, count[size_t(l)]);
        entropy[size_t(l)] /= std::max(1, count[size_t(l)]);
    }
    const double rho = LayerReports::depthCorrelation(distance);
    s.numbers = {{QStringLiteral("mean_distance"), reportJsonArray(distance)},
                 {QStringLiteral("farthest_head_distance"), reportJsonArray(farthest)},
                 {QStringLiteral("normalized_entropy"), reportJsonArray(entropy)},
                 {QStringLiteral("depth_correlation"), rho}};
    const double first = distance.front(), last = distance.back();
    const bool grows = last > first && rho >= 0.5;
    s.verdict = grows ? ReportSection::Verdict::Holds : ReportSection::Verdict::DoesNotHold;
    s.reading = (grows ? tr("Mean attention distance grows from %1 tokens in layer 0 to %2 in layer %3 (rank correlation with depth %4).")
                       : tr("Mean attention distance does not grow steadily with depth: %1 tokens in layer 0, %2 in layer %3 (rank correlation "
                            "with depth %4)."))
                    .arg(num(first, 1), num(last, 1))
                    .arg(layers - 1)
                    .arg(num(rho));
    s.reading +=
        QLatin1Char(' ') + tr("Normalised attention entropy goes from %1 to %2 (0 = one key, 1 = uniform).").arg(num(entropy.front()), num(entropy.back()));
    ReportFigure f;
    f.title = tr("Attention distance by layer");
    f.xLabel = tr("Layer");
    f.yLabel = tr("Tokens");
    f.categories = layerLabels(layers, false);
    f.series = {{tr("mean over heads"), distance}, {tr("farthest head"), farthest}};
    ReportFigure e;
    e.title = tr("Attention entropy by layer");
    e.xLabel = tr("Layer");
    e.yLabel = tr("Entropy / maximum");
    e.categories = f.categories;
    e.series = {{tr("mean over heads"), entropy}};
    s.figures = {f, e};
    return s;
}

// Part 2: linguistic hierarchy (probes), from a CoNLL-U treebank.
ReportSection reportHierarchySection(LoadedModel &model, const ReportOptions &o, const JobControl *control)
{
    ReportSection s;
    s.id = QStringLiteral("hierarchy");
    s.title = tr("2. A linguistic hierarchy");
    s.claim = tr("Probes read word-level categories (part of speech) early, syntax (dependency relations) in the middle, meaning late.");
    if (o.conllTrain.isEmpty()) {
        s.reading = tr("Not measured: no CoNLL-U treebank was given (strata-cli report --conllu FILE, or pick one in the report dialog).");
        return s;
    }
    // Without a dev file, every fifth sentence of the train file is held out as dev.
    QTemporaryDir tmp;
    QString train = o.conllTrain, dev = o.conllDev;
    if (dev.isEmpty()) {
        QFile tf(tmp.filePath(QStringLiteral("train.conllu"))), df(tmp.filePath(QStringLiteral("dev.conllu")));
        if (!tf.open(QIODevice::WriteOnly) || !df.open(QIODevice::WriteOnly))
            throw Error(QStringLiteral("Cannot write the probe's held-out split in %1.").arg(tmp.path()));
        QFile in(o.conllTrain);
        if (!in.open(QIODevice::ReadOnly))
            throw Error(QStringLiteral("%1: cannot open: %2.").arg(o.conllTrain, in.errorString()));
        // Split the file's sentence blocks (blank-line separated) as they are.
        const QList<QByteArray> blocks = in.readAll().split('\n');
        QByteArray block;
        int index = 0;
        auto flush = [&] {
            if (block.trimmed().isEmpty())
                return;
            (index++ % 5 == 4 ? df : tf).write(block + '\n');
            block.clear();
        };
        for (const QByteArray &line : blocks) {
            block += line + '\n';
            if (line.trimmed().isEmpty())
                flush();
        }
        flush();
        train = tf.fileName();
        dev = df.fileName();
    }
    ProbeRunOptions po;
    po.maxTrain = o.probeSentences;
    po.maxDev = std::max(50, o.probeSentences / 4);
    po.maxEval = po.maxDev;
    po.control = false;
    const ProbeRun run = Probe::run(model, train, dev, QString(), po, control);
    ReportFigure f;
    f.title = tr("Probe accuracy by layer point");
    f.xLabel = tr("Layer point (emb = embeddings, n = after block n)");
    f.yLabel = tr("Accuracy");
    QJsonObject tasks;
    QStringList parts;
    double uposGain = std::nan(""), deprelGain = std::nan("");
    for (const ProbeTaskResult &t : run.tasks) {
        std::vector<double> acc;
        for (const ProbeLayerResult &l : t.layers)
            acc.push_back(l.accuracy);
        if (f.categories.isEmpty())
            f.categories = layerLabels(int(acc.size()) - 1, true);
        f.series.push_back({t.task.toUpper(), acc});
        tasks.insert(t.task, QJsonObject{{QStringLiteral("accuracy"), reportJsonArray(acc)},
                                         {QStringLiteral("best_layer_point"), t.bestLayer},
                                         {QStringLiteral("expected_layer"), t.expectedLayer},
                                         {QStringLiteral("gain_layer"), t.gainLayer},
                                         {QStringLiteral("majority_accuracy"), t.majorityAccuracy}});
        parts << tr("%1 is read best at layer point %2 (accuracy %3, majority baseline %4; gain-weighted layer %5)")
                     .arg(t.task.toUpper())
                     .arg(t.bestLayer)
                     .arg(num(t.layers[size_t(t.bestLayer)].accuracy), num(t.majorityAccuracy), num(t.gainLayer, 1));
        if (t.task == QLatin1String("upos"))
            uposGain = t.gainLayer;
        if (t.task == QLatin1String("deprel"))
            deprelGain = t.gainLayer;
    }
    s.numbers = {{QStringLiteral("tasks"), tasks}, {QStringLiteral("train_sentences"), run.tasks.empty() ? 0 : run.tasks.front().trainItems}};
    s.figures = {f};
    s.reading = parts.join(QStringLiteral("; ")) + QStringLiteral(". ");
    if (std::isnan(uposGain) || std::isnan(deprelGain)) {
        s.reading += tr("Both UPOS and deprel are needed to compare their depths.");
    } else if (deprelGain > uposGain) {
        s.verdict = ReportSection::Verdict::Holds;
        s.reading += tr("Dependency relations are gained later than part of speech (layer %1 against %2), as the hierarchy claims.")
                         .arg(num(deprelGain, 1), num(uposGain, 1));
    } else {
        s.verdict = ReportSection::Verdict::DoesNotHold;
        s.reading += tr("Dependency relations are not gained later than part of speech here (layer %1 against %2).").arg(num(deprelGain, 1), num(uposGain, 1));
    }
    return s;
}

// Part 3: the residual stream as a conveyor belt.
ReportSection reportConveyorSection(const Trace &trace)
{
    ReportSection s;
    s.id = QStringLiteral("conveyor");
    s.title = tr("3. The residual stream as a conveyor belt");
    s.claim = tr("Each block adds an increment to the residual stream; the stream grows as blocks write into it and later blocks read it.");
    const ResidualAnalysis::Contributions c = ResidualAnalysis::contributionNorms(trace);
    double embedNorm = 0;
    {
        const std::vector<float> e = trace.embed.toFloatVector();
        const int T = int(trace.embed.dim(0)), D = int(trace.embed.dim(1));
        for (int t = 0; t < T; ++t) {
            double n = 0;
            for (int d = 0; d < D; ++d)
                n += double(e[size_t(t) * D + d]) * e[size_t(t) * D + d];
            embedNorm += std::sqrt(n) / T;
        }
    }
    std::vector<double> stream = {embedNorm}, attn = {std::nan("")}, mlp = {std::nan("")};
    std::vector<double> share;
    for (size_t l = 0; l < c.layers.size(); ++l) {
        const double before = stream.back();
        stream.push_back(c.residPost[l]);
        attn.push_back(c.attnOut[l]);
        mlp.push_back(c.mlpOut[l]);
        share.push_back(before > 0 ? (c.attnOut[l] + c.mlpOut[l]) / before : std::nan(""));
    }
    const double meanShare = share.empty() ? std::nan("") : std::accumulate(share.begin(), share.end(), 0.0) / double(share.size());
    int growing = 0;
    for (size_t i = 1; i < stream.size(); ++i)
        growing += stream[i] > stream[i - 1];
    const double ratio = embedNorm > 0 ? stream.back() / embedNorm : std::nan("");
    s.numbers = {{QStringLiteral("stream_norm"), reportJsonArray(stream)}, {QStringLiteral("attention_norm"), reportJsonArray(attn)},
                 {QStringLiteral("mlp_norm"), reportJsonArray(mlp)},       {QStringLiteral("growth_ratio"), ratio},
                 {QStringLiteral("blocks_that_grow_the_stream"), growing}, {QStringLiteral("mean_increment_share"), meanShare}};
    const int blocks = int(c.layers.size());
    s.verdict = growing * 2 > blocks ? ReportSection::Verdict::Holds : ReportSection::Verdict::DoesNotHold;
    s.reading = tr("The residual stream's mean norm goes from %1 at the embeddings to %2 after the last block (%3 times); %4 of %5 blocks make it "
                   "larger. What a block writes (attention plus MLP) is on average %6 % of the norm of the stream it reads.")
                    .arg(num(embedNorm), num(stream.back()), num(ratio, 1))
                    .arg(growing)
                    .arg(blocks)
                    .arg(num(100 * meanShare, 0));
    ReportFigure f;
    f.title = tr("Norms by layer");
    f.xLabel = tr("Layer point (emb = embeddings, n = after block n)");
    f.yLabel = tr("Mean L2 norm");
    f.categories = layerLabels(blocks, true);
    f.series = {{tr("residual stream"), stream}, {tr("attention output"), attn}, {tr("MLP output"), mlp}};
    s.figures = {f};
    return s;
}

// Part 4: pressure of the loss (logit lens).
ReportSection reportLensSection(LoadedModel &model, const Trace &trace, const JobControl *control)
{
    ReportSection s;
    s.id = QStringLiteral("lens");
    s.title = tr("4. Pressure of the loss: the prediction forms late");
    s.claim = tr("Read through the unembedding (logit lens), early layers do not yet predict the final next token; the prediction forms in late layers.");
    const LogitLensResult r = LogitLens::compute(model, trace, 1, control);
    std::vector<double> top1(size_t(r.layers), 0.0), kl(size_t(r.layers), 0.0), rank(size_t(r.layers), 0.0);
    for (int l = 0; l < r.layers; ++l) {
        std::vector<int> ranks;
        for (int t = 0; t < r.tokens; ++t) {
            top1[size_t(l)] += r.finalRank[r.at(l, t)] == 0 ? 1.0 / r.tokens : 0.0;
            kl[size_t(l)] += r.kl[r.at(l, t)] / r.tokens;
            ranks.push_back(r.finalRank[r.at(l, t)]);
        }
        std::nth_element(ranks.begin(), ranks.begin() + long(ranks.size() / 2), ranks.end());
        rank[size_t(l)] = ranks.empty() ? std::nan("") : ranks[ranks.size() / 2];
    }
    int formed = -1;
    for (int l = 0; l < r.layers && formed < 0; ++l)
        if (top1[size_t(l)] >= 0.5)
            formed = l;
    s.numbers = {{QStringLiteral("top1_agreement"), reportJsonArray(top1)},
                 {QStringLiteral("mean_kl"), reportJsonArray(kl)},
                 {QStringLiteral("median_rank"), reportJsonArray(rank)},
                 {QStringLiteral("first_layer_half_top1"), formed}};
    const bool late = formed >= r.layers / 2;
    s.verdict = late ? ReportSection::Verdict::Holds : ReportSection::Verdict::DoesNotHold;
    s.reading = tr("The final prediction is top-1 at layer 0 for %1 % of positions and at layer %2 for %3 %; it first holds for half of the positions at "
                   "layer %4 of %5. The median rank of the final token falls from %6 to %7 and the mean KL divergence to the final distribution from "
                   "%8 to %9 nats.")
                    .arg(num(100 * top1.front(), 0))
                    .arg(r.layers - 1)
                    .arg(num(100 * top1.back(), 0))
                    .arg(formed)
                    .arg(r.layers)
                    .arg(num(rank.front(), 0), num(rank.back(), 0), num(kl.front()), num(kl.back()));
    if (!late)
        s.reading += QLatin1Char(' ') + tr("So in this model the prediction does not form late: it is readable in the first half of the layers.");
    ReportFigure f;
    f.title = tr("Logit lens by layer");
    f.xLabel = tr("Layer");
    f.yLabel = tr("Share of positions");
    f.categories = layerLabels(r.layers, false);
    f.series = {{tr("top-1 = final prediction"), top1}};
    ReportFigure k = f;
    k.title = tr("KL divergence to the final distribution");
    k.yLabel = tr("Nats");
    k.series = {{tr("mean KL"), kl}};
    s.figures = {f, k};
    return s;
}

// Part 5: compression (paraphrases converge, surface detail fades).
ReportSection reportCompressionSection(LoadedModel &model, const JobControl *control)
{
    ReportSection s;
    s.id = QStringLiteral("compression");
    s.title = tr("5. Compression: paraphrases converge in deep layers");
    s.claim = tr("Sentences that mean the same with different words become more similar with depth, while surface detail fades.");
    ReportFigure f;
    f.title = tr("Paraphrase minus unrelated similarity");
    f.xLabel = tr("Layer point (emb = embeddings, n = after block n)");
    f.yLabel = tr("Cosine similarity gap");
    ReportFigure cka;
    cka.title = tr("Linear CKA with the last layer");
    cka.xLabel = f.xLabel;
    cka.yLabel = tr("CKA");
    QStringList readings;
    int converge = 0, measured = 0;
    for (const QString &lang : {QStringLiteral("en"), QStringLiteral("zh")}) {
        const ResidualAnalysis::SimilarityAcrossLayers r =
            ResidualAnalysis::similarityAcrossLayers(model, LayerReports::paraphrasePairs(lang), ResidualAnalysis::Pooling::Mean,
                                                     ResidualAnalysis::Centring::SubtractMean, ResidualAnalysis::builtInBaselineSentences(), control);
        std::vector<double> gap;
        for (const auto &m : r.similarity)
            gap.push_back(LayerReports::paraphraseGap(m));
        const QString name = lang == QLatin1String("en") ? tr("English") : tr("Chinese");
        if (f.categories.isEmpty()) {
            f.categories = layerLabels(int(gap.size()) - 1, true);
            cka.categories = f.categories;
        }
        f.series.push_back({name, gap});
        cka.series.push_back({name, r.ckaWithLast});
        s.numbers.insert(lang, QJsonObject{{QStringLiteral("gap"), reportJsonArray(gap)}, {QStringLiteral("cka_with_last"), reportJsonArray(r.ckaWithLast)}});
        ++measured;
        const bool widens = gap.back() > gap.front();
        converge += widens;
        readings
            << tr("%1: paraphrases are closer than unrelated sentences by %2 at the embeddings and %3 after the last block (largest %4, at layer point %5)")
                   .arg(name, num(gap.front()), num(gap.back()))
                   .arg(num(*std::max_element(gap.begin(), gap.end())))
                   .arg(f.categories.value(int(std::max_element(gap.begin(), gap.end()) - gap.begin())));
    }
    s.figures = {f, cka};
    s.verdict = converge == measured ? ReportSection::Verdict::Holds : ReportSection::Verdict::DoesNotHold;
    s.reading = readings.join(QStringLiteral("; ")) + QStringLiteral(". ") +
                (converge == measured ? tr("The gap widens with depth: meaning converges while the words differ.")
                                      : tr("The gap does not widen with depth in every language: this model does not show the convergence clearly."));
    return s;
}

// Part 6: the head-role mix by depth.
ReportSection reportRolesSection(const std::vector<HeadScores> &scores, int layers)
{
    ReportSection s;
    s.id = QStringLiteral("roles");
    s.title = tr("6. What each head does: the role mix by depth");
    s.claim = tr("Heads specialise: previous-token, local and sink heads early, induction and longer-range roles deeper.");
    ReportFigure f;
    f.kind = ReportFigure::Kind::StackedBars;
    f.title = tr("Dominant role of each head, by layer");
    f.xLabel = tr("Layer");
    f.yLabel = tr("Heads");
    f.categories = layerLabels(layers, false);
    QStringList found, absent;
    QJsonObject counts;
    std::vector<double> meanLayer;
    for (HeadRole role : HeadMetrics::allRoles()) {
        std::vector<double> perLayer(size_t(layers), 0.0);
        int n = 0, lo = layers, hi = -1;
        double layerSum = 0;
        for (const HeadScores &h : scores)
            if (HeadMetrics::dominantRole(h) == role) {
                perLayer[size_t(h.layer)] += 1;
                ++n;
                lo = std::min(lo, h.layer);
                hi = std::max(hi, h.layer);
                layerSum += h.layer;
            }
        f.series.push_back({HeadMetrics::roleName(role), perLayer});
        counts.insert(HeadMetrics::roleId(role), reportJsonArray(perLayer));
        if (role == HeadRole::Diffuse)
            continue;
        if (n == 0)
            absent << HeadMetrics::roleName(role);
        else
            found << (lo == hi ? tr("%1: %2 (layer %3)").arg(HeadMetrics::roleName(role)).arg(n).arg(lo)
                               : tr("%1: %2 (layers %3-%4, mean %5)").arg(HeadMetrics::roleName(role)).arg(n).arg(lo).arg(hi).arg(num(layerSum / n, 1)));
    }
    s.numbers = {{QStringLiteral("heads_by_role_and_layer"), counts}};
    s.figures = {f};
    s.verdict = found.isEmpty() ? ReportSection::Verdict::DoesNotHold : ReportSection::Verdict::Holds;
    s.reading = found.isEmpty() ? tr("No head reaches the threshold of any role: every head is diffuse or mixed on this text.")
                                : tr("Heads by dominant role: %1.").arg(found.join(QStringLiteral("; ")));
    if (!absent.isEmpty())
        s.reading += QLatin1Char(' ') + tr("No head has these roles here: %1.").arg(absent.join(QStringLiteral(", ")));
    return s;
}

// Part 7: the clearest head of each role, drawn on the report's prompt.
ReportSection reportHeadsSection(LoadedModel &model, const Trace &trace, const std::vector<HeadScores> &scores, int heatmapTokens)
{
    ReportSection s;
    s.id = QStringLiteral("heads");
    s.title = tr("7. The clearest head of each role");
    s.claim = tr("Each role is a visible attention pattern.");
    // Induction and duplicate-token heads show on a repeat: the prompt's first tokens twice.
    TracePtr repeated;
    {
        const std::vector<int64_t> ids = trace.tokenIds();
        const int skip = model.tokenizer().prependsBos() ? 1 : 0;
        const int half = std::min(heatmapTokens / 2, (int(ids.size()) - skip));
        std::vector<int64_t> rep(ids.begin(), ids.begin() + skip);
        for (int copy = 0; copy < 2; ++copy)
            rep.insert(rep.end(), ids.begin() + skip, ids.begin() + skip + half);
        repeated = model.run(rep, TraceOptions{}, nullptr);
        for (int i = 0; i < repeated->tokenCount(); ++i)
            std::const_pointer_cast<Trace>(repeated)->tokenStrings << model.tokenizer().displayString(rep[size_t(i)]);
    }
    QStringList lines;
    QJsonObject best;
    for (HeadRole role : HeadMetrics::allRoles()) {
        if (role == HeadRole::Diffuse)
            continue;
        const HeadScores *top = nullptr;
        for (const HeadScores &h : scores)
            if (HeadMetrics::dominantRole(h) == role && (!top || roleScore(h, role) > roleScore(*top, role)))
                top = &h;
        if (!top)
            continue;
        const bool onRepeat = role == HeadRole::Induction || role == HeadRole::DuplicateToken;
        const Trace &shown = onRepeat ? *repeated : trace;
        const LayerTrace *lt = shown.layer(top->layer);
        if (!lt || lt->attn.isEmpty())
            continue;
        const int T = shown.tokenCount();
        const int first = 0;
        const int n = std::min(T, onRepeat ? T : heatmapTokens);
        const std::vector<float> a = lt->attn.slice0(top->head).toFloatVector();
        ReportFigure f;
        f.kind = ReportFigure::Kind::Heatmap;
        f.title = tr("%1: layer %2, head %3 (score %4)").arg(HeadMetrics::roleName(role)).arg(top->layer).arg(top->head).arg(num(roleScore(*top, role)));
        f.xLabel = tr("Key");
        f.yLabel = tr("Query");
        if (onRepeat)
            f.title += QStringLiteral(" — ") + tr("on the prompt's first tokens repeated");
        for (int i = first; i < first + n; ++i) {
            f.categories << shown.tokenStrings.value(i);
            f.rowLabels << shown.tokenStrings.value(i);
            for (int k = first; k < first + n; ++k)
                f.cells.push_back(a[size_t(i) * T + k]);
        }
        s.figures.push_back(f);
        best.insert(HeadMetrics::roleId(role),
                    QJsonObject{{QStringLiteral("layer"), top->layer}, {QStringLiteral("head"), top->head}, {QStringLiteral("score"), roleScore(*top, role)}});
        lines << tr("%1: L%2 H%3").arg(HeadMetrics::roleName(role)).arg(top->layer).arg(top->head);
    }
    s.numbers = {{QStringLiteral("clearest"), best}};
    s.verdict = lines.isEmpty() ? ReportSection::Verdict::NotMeasured : ReportSection::Verdict::Holds;
    s.reading = lines.isEmpty() ? tr("No head has a role to show.")
                                : tr("Clearest head of each role found (the first %1 tokens of the prompt shown; induction and duplicate-token heads on "
                                     "its first tokens repeated): %2.")
                                      .arg(heatmapTokens)
                                      .arg(lines.join(QStringLiteral("; ")));
    return s;
}

} // namespace strata
