// strata-cli heads, lens, similarity, pca, syntax and probe: the analyses of one model on prompts or
// a treebank, each a pure function in core (the panels call the same ones).
#include "CliSupport.h"

#include "analysis/HeadMetrics.h"
#include "analysis/InductionProbe.h"
#include "analysis/LogitLens.h"
#include "analysis/Probe.h"
#include "analysis/ResidualAnalysis.h"
#include "analysis/SyntacticHeads.h"
#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace strata::cli {

namespace {

// A short natural-text sample for head scores when no prompt is given (written for the project).
const char *kSamplePrompt = "Once upon a time, a little girl named Mia lived near a big forest. Every morning Mia walked to the river "
                            "with her dog. One day the dog saw a red bird. The bird sang a song, and Mia sang the song back to the bird.";

QJsonValue jsonNumber(double v)
{
    return std::isnan(v) ? QJsonValue() : QJsonValue(v);
}

int cmdHeads(QCommandLineParser &p)
{
    const auto model = loadModel(p);
    const QString prompt = p.isSet(QStringLiteral("prompt")) ? p.value(QStringLiteral("prompt")) : QString::fromLatin1(kSamplePrompt);
    const int span = intValue(p, QStringLiteral("induction-span"), 50, 2);
    const TracePtr t = model->trace(prompt);
    std::vector<HeadScores> scores = HeadMetrics::scoreTrace(*t);
    const InductionResult ind = InductionProbe::run(*model, span, 4);
    for (HeadScores &s : scores)
        s.induction = ind.score[size_t(s.layer)][size_t(s.head)];
    if (p.isSet(QStringLiteral("conllu"))) {
        const ConllFile treebank = ConllU::load(p.value(QStringLiteral("conllu")), intValue(p, QStringLiteral("sentences"), 200, 1));
        SyntacticHeads::applyTo(SyntacticHeads::evaluate(*model, treebank.sentences), scores);
    }
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray heads;
        for (const HeadScores &s : scores)
            heads.append(QJsonObject{{QStringLiteral("layer"), s.layer},
                                     {QStringLiteral("head"), s.head},
                                     {QStringLiteral("role"), HeadMetrics::roleId(HeadMetrics::dominantRole(s))},
                                     {QStringLiteral("roles"), QJsonArray::fromStringList(HeadMetrics::roles(s))},
                                     {QStringLiteral("previous_token"), s.previousToken},
                                     {QStringLiteral("current_token"), s.currentToken},
                                     {QStringLiteral("local_window"), s.localWindow},
                                     {QStringLiteral("first_token"), s.firstToken},
                                     {QStringLiteral("duplicate_token"), jsonNumber(s.duplicateToken)},
                                     {QStringLiteral("mean_distance"), s.meanDistance},
                                     {QStringLiteral("entropy"), s.entropy},
                                     {QStringLiteral("normalized_entropy"), s.normalizedEntropy},
                                     {QStringLiteral("stripe"), s.stripe},
                                     {QStringLiteral("semantic"), jsonNumber(s.semantic)},
                                     {QStringLiteral("block_sparse"), jsonNumber(s.blockSparse)},
                                     {QStringLiteral("syntactic"), jsonNumber(s.syntactic)},
                                     {QStringLiteral("syntactic_relation"), s.syntacticRelation},
                                     {QStringLiteral("induction"), jsonNumber(s.induction)}});
        printJson(QJsonObject{{QStringLiteral("model"), model->info().name},
                              {QStringLiteral("prompt_tokens"), t->tokenCount()},
                              {QStringLiteral("induction_span"), ind.spanLength},
                              {QStringLiteral("induction_loss_first_copy"), ind.lossFirstCopy},
                              {QStringLiteral("induction_loss_second_copy"), ind.lossSecondCopy},
                              {QStringLiteral("heads"), heads}});
        return 0;
    }
    out() << "model " << model->info().name << ", prompt of " << t->tokenCount() << " tokens; induction test: " << ind.sequences << " x " << ind.spanLength
          << " random tokens repeated\n";
    out() << QStringLiteral("%1 %2  %3 %4 %5 %6 %7 %8 %9 %10 %11 %12 %13  %14\n")
                 .arg(QStringLiteral("L"), 2)
                 .arg(QStringLiteral("H"), 2)
                 .arg(QStringLiteral("prev"), 5)
                 .arg(QStringLiteral("cur"), 5)
                 .arg(QStringLiteral("local"), 5)
                 .arg(QStringLiteral("first"), 5)
                 .arg(QStringLiteral("dup"), 5)
                 .arg(QStringLiteral("dist"), 5)
                 .arg(QStringLiteral("H/ln"), 5)
                 .arg(QStringLiteral("strip"), 5)
                 .arg(QStringLiteral("induc"), 5)
                 .arg(QStringLiteral("seman"), 5)
                 .arg(QStringLiteral("block"), 5)
                 .arg(QStringLiteral("role"));
    auto f = [](double v) { return std::isnan(v) ? QStringLiteral("  n/a") : QStringLiteral("%1").arg(v, 5, 'f', 2); };
    for (const HeadScores &s : scores)
        out() << QStringLiteral("%1 %2  %3 %4 %5 %6 %7 %8 %9 %10 %11 %12 %13  %14\n")
                     .arg(s.layer, 2)
                     .arg(s.head, 2)
                     .arg(f(s.previousToken), f(s.currentToken), f(s.localWindow), f(s.firstToken), f(s.duplicateToken))
                     .arg(QStringLiteral("%1").arg(s.meanDistance, 5, 'f', 1), f(s.normalizedEntropy), f(s.stripe), f(s.induction), f(s.semantic),
                          f(s.blockSparse), HeadMetrics::roleId(HeadMetrics::dominantRole(s)));
    out() << "in-context loss on the repeated tokens: first copy " << QString::number(ind.lossFirstCopy, 'f', 3) << " nats, second copy "
          << QString::number(ind.lossSecondCopy, 'f', 3) << " nats (drop " << QString::number(ind.lossDrop(), 'f', 3) << ")\n";
    return 0;
}

int cmdLens(QCommandLineParser &p)
{
    const QString prompt = requireValue(p, QStringLiteral("prompt"));
    const int k = intValue(p, QStringLiteral("top-k"), 5, 1);
    const auto model = loadModel(p);
    const TracePtr t = model->trace(prompt);
    const LogitLensResult r = LogitLens::compute(*model, *t, k);
    const Tokenizer &tok = model->tokenizer();
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray layers;
        for (int l = 0; l < r.layers; ++l) {
            QJsonArray positions;
            for (int i = 0; i < r.tokens; ++i) {
                QJsonArray top;
                for (const auto &e : r.top[r.at(l, i)])
                    top.append(QJsonObject{{QStringLiteral("id"), qint64(e.id)},
                                           {QStringLiteral("token"), QString::fromUtf8(tok.tokenBytes(e.id))},
                                           {QStringLiteral("prob"), e.prob}});
                positions.append(QJsonObject{{QStringLiteral("top"), top},
                                             {QStringLiteral("final_rank"), r.finalRank[r.at(l, i)]},
                                             {QStringLiteral("final_prob"), r.finalProb[r.at(l, i)]},
                                             {QStringLiteral("kl"), r.kl[r.at(l, i)]}});
            }
            layers.append(QJsonObject{{QStringLiteral("layer"), t->layers[size_t(l)].layer}, {QStringLiteral("positions"), positions}});
        }
        QJsonArray tokens, finals;
        for (int i = 0; i < r.tokens; ++i) {
            tokens.append(t->tokenStrings.value(i));
            finals.append(QString::fromUtf8(tok.tokenBytes(r.finalToken[size_t(i)])));
        }
        printJson(QJsonObject{{QStringLiteral("tokens"), tokens}, {QStringLiteral("final_prediction"), finals}, {QStringLiteral("layers"), layers}});
        return 0;
    }
    for (int i = 0; i < r.tokens; ++i) {
        out() << "#" << i << " '" << t->tokenStrings.value(i) << "' -> final '" << tok.displayString(r.finalToken[size_t(i)]) << "'\n";
        for (int l = 0; l < r.layers; ++l) {
            const auto &e = r.top[r.at(l, i)].front();
            out() << QStringLiteral("   L%1 top '%2' %3  final token rank %4 p=%5  KL %6\n")
                         .arg(t->layers[size_t(l)].layer, 2)
                         .arg(tok.displayString(e.id))
                         .arg(e.prob, 0, 'f', 3)
                         .arg(r.finalRank[r.at(l, i)])
                         .arg(r.finalProb[r.at(l, i)], 0, 'f', 3)
                         .arg(r.kl[r.at(l, i)], 0, 'f', 3);
        }
    }
    return 0;
}

ResidualAnalysis::Pooling poolingOption(const QCommandLineParser &p)
{
    const QString v = p.value(QStringLiteral("pooling"));
    if (v.isEmpty() || v == QLatin1String("mean"))
        return ResidualAnalysis::Pooling::Mean;
    if (v == QLatin1String("last"))
        return ResidualAnalysis::Pooling::Last;
    if (v == QLatin1String("max"))
        return ResidualAnalysis::Pooling::Max;
    throw Error(QStringLiteral("--pooling must be mean, last or max, not '%1'.").arg(v));
}

int cmdSimilarity(QCommandLineParser &p)
{
    using namespace ResidualAnalysis;
    const QString file = requireValue(p, QStringLiteral("sentences"));
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        throw Error(QStringLiteral("Cannot read %1: %2.").arg(file, f.errorString()));
    QStringList sentences;
    for (const QString &line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n')))
        if (!line.trimmed().isEmpty() && !line.trimmed().startsWith(QLatin1Char('#')))
            sentences << line.trimmed();
    if (sentences.size() < 2)
        throw Error(QStringLiteral("%1 needs at least two sentences (one per line).").arg(file));
    const Pooling pooling = poolingOption(p);
    const Centring centring = p.isSet(QStringLiteral("raw"))           ? Centring::None
                              : p.isSet(QStringLiteral("standardise")) ? Centring::Standardise
                                                                       : Centring::SubtractMean;
    const auto model = loadModel(p);
    const QString word = p.value(QStringLiteral("word"));
    const SimilarityAcrossLayers r = word.isEmpty() ? similarityAcrossLayers(*model, sentences, pooling, centring, builtInBaselineSentences())
                                                    : wordInContext(*model, sentences, word, centring, builtInBaselineSentences());
    QJsonArray layers;
    for (int l = 0; l < r.stages.size(); ++l) {
        QJsonArray rows;
        for (const auto &row : r.similarity[size_t(l)]) {
            QJsonArray jr;
            for (double v : row)
                jr.append(v);
            rows.append(jr);
        }
        layers.append(QJsonObject{
            {QStringLiteral("layer"), r.stages[l]}, {QStringLiteral("similarity"), rows}, {QStringLiteral("cka_with_last"), r.ckaWithLast[size_t(l)]}});
    }
    if (p.isSet(QStringLiteral("json"))) {
        printJson(QJsonObject{{QStringLiteral("sentences"), QJsonArray::fromStringList(sentences)},
                              {QStringLiteral("centring"), centring == Centring::None          ? QStringLiteral("raw")
                                                           : centring == Centring::Standardise ? QStringLiteral("standardise")
                                                                                               : QStringLiteral("mean")},
                              {QStringLiteral("layers"), layers}});
        return 0;
    }
    for (int i = 0; i < sentences.size(); ++i)
        out() << "S" << i << ": " << sentences[i] << "\n";
    out() << "cosine similarity " << (centring == Centring::None ? "(raw)" : "(centred on a baseline set)") << " of each pair, by layer:\n";
    out() << QStringLiteral("%1").arg(QStringLiteral("pair"), 8);
    for (const QString &st : r.stages)
        out() << QStringLiteral("%1").arg(st == QLatin1String("embed") ? QStringLiteral("emb") : QStringLiteral("L") + st, 7);
    out() << "\n";
    for (int i = 0; i < sentences.size(); ++i)
        for (int j = i + 1; j < sentences.size(); ++j) {
            out() << QStringLiteral("%1").arg(QStringLiteral("S%1-S%2").arg(i).arg(j), 8);
            for (const QJsonValue &lv : layers)
                out() << QStringLiteral("%1").arg(lv.toObject().value(QLatin1String("similarity")).toArray().at(i).toArray().at(j).toDouble(), 7, 'f', 3);
            out() << "\n";
        }
    out() << QStringLiteral("%1").arg(QStringLiteral("CKA-last"), 8);
    for (double v : r.ckaWithLast)
        out() << QStringLiteral("%1").arg(v, 7, 'f', 3);
    out() << "\n";
    return 0;
}

int cmdPca(QCommandLineParser &p)
{
    using namespace ResidualAnalysis;
    const QString prompt = requireValue(p, QStringLiteral("prompt"));
    const auto model = loadModel(p);
    TraceOptions opt;
    opt.attention = false;
    const TracePtr t = model->trace(prompt, opt);
    const int T = t->tokenCount();
    if (T < 3)
        throw Error(QStringLiteral("PCA needs a prompt of at least three tokens."));
    QJsonArray layers;
    for (const LayerTrace &l : t->layers) {
        const std::vector<float> X = l.residPost.toFloatVector();
        const Pca pc = pca(X, T, int(l.residPost.dim(1)), 2);
        const std::vector<double> xy = pc.project(X, T);
        QJsonArray pts;
        for (int i = 0; i < T; ++i)
            pts.append(QJsonArray{xy[size_t(i) * 2], xy[size_t(i) * 2 + 1]});
        layers.append(QJsonObject{
            {QStringLiteral("layer"), l.layer}, {QStringLiteral("explained"), QJsonArray{pc.explained[0], pc.explained[1]}}, {QStringLiteral("points"), pts}});
        if (!p.isSet(QStringLiteral("json"))) {
            out() << "layer " << l.layer << ": PC1 " << QString::number(100 * pc.explained[0], 'f', 1) << "%, PC2 "
                  << QString::number(100 * pc.explained[1], 'f', 1) << "%\n";
            for (int i = 0; i < T; ++i)
                out() << QStringLiteral("   %1 %2 %3\n")
                             .arg(t->tokenStrings.value(i), -12)
                             .arg(xy[size_t(i) * 2], 8, 'f', 2)
                             .arg(xy[size_t(i) * 2 + 1], 8, 'f', 2);
        }
    }
    if (p.isSet(QStringLiteral("json")))
        printJson(QJsonObject{{QStringLiteral("tokens"), QJsonArray::fromStringList(t->tokenStrings)}, {QStringLiteral("layers"), layers}});
    return 0;
}

int cmdSyntax(QCommandLineParser &p)
{
    const QString file = requireValue(p, QStringLiteral("conllu"));
    const int n = intValue(p, QStringLiteral("sentences"), 200, 1);
    const ConllFile conll = ConllU::load(file, n);
    QTextStream err(stderr);
    for (const QString &problem : conll.problems)
        err << "warning: " << problem << "\n";
    if (conll.sentences.empty())
        throw Error(QStringLiteral("%1 holds no usable CoNLL-U sentence.").arg(file));
    const auto model = loadModel(p);
    const SyntacticHeadsResult r = SyntacticHeads::evaluate(*model, conll.sentences, 20);
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray rels;
        for (const SyntaxScore &s : r.relations)
            rels.append(QJsonObject{{QStringLiteral("relation"), s.relation},
                                    {QStringLiteral("arcs"), s.arcs},
                                    {QStringLiteral("best_layer"), s.bestLayer},
                                    {QStringLiteral("best_head"), s.bestHead},
                                    {QStringLiteral("accuracy"), s.bestAccuracy},
                                    {QStringLiteral("baseline_accuracy"), s.baselineAccuracy},
                                    {QStringLiteral("baseline_offset"), s.baselineOffset}});
        printJson(QJsonObject{{QStringLiteral("sentences"), r.sentences}, {QStringLiteral("relations"), rels}});
        return 0;
    }
    out() << r.sentences << " sentences; for each relation, the head whose most-attended earlier word is most often the arc's other end\n";
    out() << QStringLiteral("%1 %2 %3 %4 %5\n")
                 .arg(QStringLiteral("relation"), -10)
                 .arg(QStringLiteral("arcs"), 6)
                 .arg(QStringLiteral("best head"), 10)
                 .arg(QStringLiteral("accuracy"), 9)
                 .arg(QStringLiteral("fixed-offset baseline"), 22);
    for (const SyntaxScore &s : r.relations)
        out() << QStringLiteral("%1 %2 %3 %4 %5\n")
                     .arg(s.relation, -10)
                     .arg(s.arcs, 6)
                     .arg(QStringLiteral("L%1H%2").arg(s.bestLayer).arg(s.bestHead), 10)
                     .arg(s.bestAccuracy, 9, 'f', 3)
                     .arg(QStringLiteral("%1 (offset %2)").arg(s.baselineAccuracy, 0, 'f', 3).arg(s.baselineOffset), 22);
    return 0;
}

int cmdProbe(QCommandLineParser &p)
{
    ProbeRunOptions o;
    o.tasks = requireValue(p, QStringLiteral("task")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const QString train = requireValue(p, QStringLiteral("train"));
    const QString dev = requireValue(p, QStringLiteral("dev"));
    const QString test = p.value(QStringLiteral("test"));
    o.maxTrain = intValue(p, QStringLiteral("sentences"), 2000, 0);
    o.maxDev = o.maxEval = o.maxTrain > 0 ? std::max(1, o.maxTrain / 4) : 0;
    if (p.isSet(QStringLiteral("pool")) && !poolingFromName(p.value(QStringLiteral("pool")), &o.features.pooling))
        throw Error(QStringLiteral("--pool must be first, last or mean, not '%1'.").arg(p.value(QStringLiteral("pool"))));
    if (p.isSet(QStringLiteral("site")) && !siteFromName(p.value(QStringLiteral("site")), &o.features.site))
        throw Error(QStringLiteral("--site must be resid, attn or mlp, not '%1'.").arg(p.value(QStringLiteral("site"))));
    const QString classifier = p.value(QStringLiteral("classifier"));
    if (!classifier.isEmpty() && classifier != QLatin1String("logistic") && classifier != QLatin1String("mlp"))
        throw Error(QStringLiteral("--classifier must be logistic or mlp, not '%1'.").arg(classifier));
    o.training.mlp = classifier == QLatin1String("mlp");
    if (p.isSet(QStringLiteral("l2"))) {
        bool ok = false;
        o.training.l2 = p.value(QStringLiteral("l2")).toDouble(&ok);
        if (!ok || o.training.l2 < 0)
            throw Error(QStringLiteral("--l2 must be a number >= 0, not '%1'.").arg(p.value(QStringLiteral("l2"))));
    }
    o.control = !p.isSet(QStringLiteral("no-control"));
    o.features.cacheDir = p.isSet(QStringLiteral("cache")) ? p.value(QStringLiteral("cache")) : QString();
    const auto model = loadModel(p);
    QTextStream err(stderr);
    JobControl control([&err](double f, const QString &what) {
        static int last = -1;
        const int pct = int(f * 100);
        if (pct / 10 != last / 10) {
            err << "  " << pct << "% " << what << "\n";
            err.flush();
            last = pct;
        }
    });
    const ProbeRun r = Probe::run(*model, train, dev, test, o, &control);
    for (const QString &problem : r.problems)
        err << "warning: " << problem << "\n";
    if (p.isSet(QStringLiteral("json"))) {
        printJson(r.toJson());
        return 0;
    }
    out() << "model " << r.modelName << ", " << r.site << " vectors (" << r.pooling << " sub-word), " << r.classifier << " probes; evaluated on " << r.evalPath
          << (r.evalIsDev ? " (the dev file, also used for early stopping)" : "") << "\n"
          << "features " << QString::number(r.featureSeconds, 'f', 1) << " s" << (r.featuresFromCache ? " (cache)" : "") << ", total "
          << QString::number(r.totalSeconds, 'f', 1) << " s; " << r.skippedSentences << " sentences longer than the context skipped\n";
    auto layerLabel = [&r](int point) {
        if (r.site != QLatin1String("resid"))
            return QString::number(point);
        return point == 0 ? QStringLiteral("emb") : QString::number(point - 1);
    };
    for (const ProbeTaskResult &t : r.tasks) {
        out() << "\n"
              << t.task << ": " << t.classes.size() << " classes, " << t.trainItems << " train / " << t.evalItems << " eval items; majority ("
              << t.majorityClass << ") " << QString::number(t.majorityAccuracy, 'f', 3) << "\n"
              << QStringLiteral("%1 %2 %3 %4 %5\n")
                     .arg(QStringLiteral("layer"), 6)
                     .arg(QStringLiteral("accuracy"), 9)
                     .arg(QStringLiteral("macro-F1"), 9)
                     .arg(QStringLiteral("control"), 8)
                     .arg(QStringLiteral("selectivity"), 12);
        for (const ProbeLayerResult &l : t.layers)
            out() << QStringLiteral("%1 %2 %3 %4 %5\n")
                         .arg(layerLabel(l.layer), 6)
                         .arg(l.accuracy, 9, 'f', 3)
                         .arg(l.macroF1, 9, 'f', 3)
                         .arg(l.controlAccuracy < 0 ? QStringLiteral("-") : QString::number(l.controlAccuracy, 'f', 3), 8)
                         .arg(l.controlAccuracy < 0 ? QStringLiteral("-") : QString::number(l.selectivity, 'f', 3), 12);
        out() << "best layer " << layerLabel(t.bestLayer) << "; expected layer " << QString::number(t.expectedLayer, 'f', 2) << " (accuracy-weighted), "
              << QString::number(t.gainLayer, 'f', 2) << " (gain-weighted), on layer points 0.." << r.layerPoints - 1
              << (r.site == QLatin1String("resid") ? " (0 = embeddings)" : "") << "\n";
    }
    return 0;
}

} // namespace

void addAnalysisCommands(CommandTable &table)
{
    const CommandTable commands = {
        {QStringLiteral("heads"),
         {QStringLiteral("Every head's scores (previous-token, induction, sink, ...) and role"),
          [](OptionSink &p) {
              p.addOption(modelOption());
              p.addOption({QStringLiteral("prompt"), QStringLiteral("Natural text to score heads on (default: a built-in sample)"), QStringLiteral("TEXT")});
              p.addOption({QStringLiteral("conllu"), QStringLiteral("CoNLL-U treebank: also the syntactic score (the relation each head tracks best)"),
                           QStringLiteral("FILE")});
              p.addOption({QStringLiteral("sentences"), QStringLiteral("Treebank sentences to read (default 200)"), QStringLiteral("N")});
              p.addOption({QStringLiteral("induction-span"), QStringLiteral("Random tokens per copy in the induction test (default 50)"), QStringLiteral("N")});
              p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
          },
          cmdHeads}},
        {QStringLiteral("lens"),
         {QStringLiteral("Logit lens: each layer's residual stream read through the unembedding"),
          [](OptionSink &p) {
              p.addOption(modelOption());
              p.addOption({QStringLiteral("prompt"), QStringLiteral("Prompt text"), QStringLiteral("TEXT")});
              p.addOption({QStringLiteral("top-k"), QStringLiteral("Tokens per layer and position (default 5)"), QStringLiteral("K")});
              p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
          },
          cmdLens}},
        {QStringLiteral("similarity"),
         {QStringLiteral("Cosine similarity of sentence vectors across layers (centred on a baseline set)"),
          [](OptionSink &p) {
              p.addOption(modelOption());
              p.addOption({QStringLiteral("sentences"), QStringLiteral("A text file, one sentence per line"), QStringLiteral("FILE")});
              p.addOption({QStringLiteral("pooling"), QStringLiteral("mean (default), last or max"), QStringLiteral("P")});
              p.addOption({QStringLiteral("raw"), QStringLiteral("Raw cosine (no centring)")});
              p.addOption(
                  {QStringLiteral("word"), QStringLiteral("Word in context: compare this word's vectors instead of whole sentences"), QStringLiteral("WORD")});
              p.addOption({QStringLiteral("standardise"), QStringLiteral("Standardise each dimension on the baseline instead of only centring")});
              p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
          },
          cmdSimilarity}},
        {QStringLiteral("pca"),
         {QStringLiteral("Token vectors of each layer's residual stream projected on their first two principal components"),
          [](OptionSink &p) {
              p.addOption(modelOption());
              p.addOption({QStringLiteral("prompt"), QStringLiteral("Prompt text"), QStringLiteral("TEXT")});
              p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
          },
          cmdPca}},
        {QStringLiteral("syntax"),
         {QStringLiteral("Syntactic heads: per dependency relation, the head that best finds the arc's other end (CoNLL-U)"),
          [](OptionSink &p) {
              p.addOption(modelOption());
              p.addOption({QStringLiteral("conllu"), QStringLiteral("A CoNLL-U file, e.g. UD English-EWT"), QStringLiteral("FILE")});
              p.addOption({QStringLiteral("sentences"), QStringLiteral("Sentences to use (default 200)"), QStringLiteral("N")});
              p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
          },
          cmdSyntax}},
        {QStringLiteral("probe"),
         {QStringLiteral("Linear probes per layer on CoNLL-U (upos, xpos, deprel, headdist) or labelled sentences"),
          [](OptionSink &p) {
              p.addOption(modelOption());
              p.addOption({QStringLiteral("train"), QStringLiteral("Training data: .conllu, or .csv/.tsv (label, text)"), QStringLiteral("FILE")});
              p.addOption({QStringLiteral("dev"), QStringLiteral("Development data (early stopping)"), QStringLiteral("FILE")});
              p.addOption({QStringLiteral("test"), QStringLiteral("Held-out data to report on (default: dev)"), QStringLiteral("FILE")});
              p.addOption({QStringLiteral("task"), QStringLiteral("Comma-separated: upos, xpos, deprel, headdist, or sentence"), QStringLiteral("LIST")});
              p.addOption(
                  {QStringLiteral("sentences"), QStringLiteral("Training sentences to read (default 2000; dev/test a quarter; 0: all)"), QStringLiteral("N")});
              p.addOption({QStringLiteral("pool"), QStringLiteral("Sub-word pooling: first (default), last, mean"), QStringLiteral("HOW")});
              p.addOption({QStringLiteral("site"), QStringLiteral("What to probe: resid (default), attn, mlp"), QStringLiteral("SITE")});
              p.addOption({QStringLiteral("classifier"), QStringLiteral("logistic (default) or mlp"), QStringLiteral("KIND")});
              p.addOption({QStringLiteral("l2"), QStringLiteral("L2 penalty (default 0.001)"), QStringLiteral("X")});
              p.addOption({QStringLiteral("no-control"), QStringLiteral("Skip the control task")});
              p.addOption({QStringLiteral("cache"), QStringLiteral("Keep extracted features in DIR and reuse them"), QStringLiteral("DIR")});
              p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
          },
          cmdProbe}},
    };
    table.insert(commands.begin(), commands.end());
}

} // namespace strata::cli
