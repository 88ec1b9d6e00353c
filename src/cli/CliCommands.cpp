#include "CliCommands.h"
#include "CliSupport.h"

#include "analysis/Compare.h"
#include "analysis/HeadMetrics.h"
#include "analysis/InductionProbe.h"
#include "analysis/LogitLens.h"
#include "analysis/ResidualAnalysis.h"
#include "analysis/Probe.h"
#include "analysis/SyntacticHeads.h"
#include "hub/HubDownloader.h"
#include "jobs/JobControl.h"
#include "model/GgufToHf.h"
#include "model/ComputeRuntime.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "tensor/SafetensorsReader.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <functional>
#include <map>

namespace strata::cli {

namespace {

QJsonObject modelCard(const ModelInfo &i)
{
    return QJsonObject{{QStringLiteral("family"), i.family},
                       {QStringLiteral("architecture"), i.architecture},
                       {QStringLiteral("name"), i.name},
                       {QStringLiteral("path"), i.path},
                       {QStringLiteral("layers"), i.nLayers},
                       {QStringLiteral("heads"), i.nHeads},
                       {QStringLiteral("kv_heads"), i.nKvHeads},
                       {QStringLiteral("d_model"), i.dModel},
                       {QStringLiteral("d_mlp"), i.dMlp},
                       {QStringLiteral("vocab_size"), qint64(i.vocabSize)},
                       {QStringLiteral("context_length"), i.contextLength},
                       {QStringLiteral("sliding_window"), i.slidingWindow},
                       {QStringLiteral("parameters"), qint64(i.parameterCount)},
                       {QStringLiteral("dtype"), i.dtype},
                       {QStringLiteral("compute"), i.compute},
                       {QStringLiteral("file_bytes"), qint64(i.fileBytes)},
                       {QStringLiteral("fingerprint"), i.fingerprint}};
}

int cmdVersion(QCommandLineParser &)
{
    ComputeRuntime::configureThreads();
    out() << "strata-cli " << QCoreApplication::applicationVersion() << "\n"
          << "Qt " << qVersion() << "\n"
          << "libtorch " << ComputeRuntime::torchVersion() << "\n"
          << "BLAS " << ComputeRuntime::blasDescription() << "\n"
          << "threads " << ComputeRuntime::threadCount() << "\n"
          << "compute " << ComputeRuntime::computeRequest() << " requested; bf16 "
          << (ComputeRuntime::nativeBf16().isEmpty() ? QStringLiteral("emulated (no AMX-BF16 or AVX512-BF16: auto stays f32)")
                                                     : QStringLiteral("native (%1, oneDNN); auto uses it from %2 parameters")
                                                           .arg(ComputeRuntime::nativeBf16())
                                                           .arg(ComputeRuntime::kAutoBf16Parameters))
          << "\n";
    return 0;
}

int cmdPlugins(QCommandLineParser &p)
{
    QJsonArray arr;
    for (const PluginRecord &r : PluginHost::instance().records())
        arr.append(QJsonObject{{QStringLiteral("file"), r.file},
                               {QStringLiteral("family"), r.family},
                               {QStringLiteral("version"), r.version},
                               {QStringLiteral("formats"), QJsonArray::fromStringList(r.formats)},
                               {QStringLiteral("state"), PluginRecord::stateName(r.state)},
                               {QStringLiteral("message"), r.message}});
    if (p.isSet(QStringLiteral("json"))) {
        printJson(arr);
    } else {
        for (const PluginRecord &r : PluginHost::instance().records())
            out() << PluginRecord::stateName(r.state) << "\t" << (r.family.isEmpty() ? QStringLiteral("?") : r.family) << "\t" << r.file
                  << (r.message.isEmpty() ? QString() : QStringLiteral("\t") + r.message) << "\n";
        if (PluginHost::instance().records().isEmpty())
            out() << "no plugins found in " << PluginHost::defaultSearchPaths().join(QStringLiteral(", ")) << "\n";
    }
    return 0;
}

int cmdInfo(QCommandLineParser &p)
{
    const auto model = loadModel(p);
    const QJsonObject card = modelCard(model->info());
    if (p.isSet(QStringLiteral("json"))) {
        printJson(card);
    } else {
        for (auto it = card.begin(); it != card.end(); ++it)
            out() << it.key() << ": " << it.value().toVariant().toString() << "\n";
    }
    return 0;
}

int cmdTokenize(QCommandLineParser &p)
{
    const QString text = requireValue(p, QStringLiteral("text"));
    const auto model = loadModel(p);
    const Tokenizer &tok = model->tokenizer();
    QJsonArray ids, tokens, offsets;
    // What the model receives: with BOS first for families that prepend it (Llama), as trace does.
    std::vector<TokenPiece> pieces = tok.encode(text, p.isSet(QStringLiteral("special")));
    if (tok.prependsBos() && tok.bosId() >= 0)
        pieces.insert(pieces.begin(), TokenPiece{tok.bosId(), 0, 0});
    for (const TokenPiece &t : pieces) {
        ids.append(qint64(t.id));
        tokens.append(QString::fromUtf8(tok.tokenBytes(t.id)));
        offsets.append(QJsonArray{t.byteBegin, t.byteEnd});
    }
    out() << QString::fromUtf8(
                 QJsonDocument(QJsonObject{{QStringLiteral("ids"), ids}, {QStringLiteral("tokens"), tokens}, {QStringLiteral("offsets"), offsets}})
                     .toJson(QJsonDocument::Compact))
          << "\n";
    return 0;
}

int cmdTrace(QCommandLineParser &p)
{
    const QString prompt = requireValue(p, QStringLiteral("prompt"));
    const QString outPath = requireValue(p, QStringLiteral("out"));
    if (QFileInfo(outPath).isDir())
        throw Error(QStringLiteral("--out %1 is a folder; give a file name ending in .safetensors.").arg(outPath));
    const auto model = loadModel(p);
    TraceOptions opt;
    const TracePtr t = model->trace(prompt, opt);
    std::vector<NamedTensor> tensors;
    tensors.push_back({QStringLiteral("input_ids"), HostTensor::fromInt64(t->tokenIds())});
    tensors.push_back({QStringLiteral("embed"), t->embed});
    for (const LayerTrace &l : t->layers) {
        const QString n = QString::number(l.layer);
        tensors.push_back({QStringLiteral("attn.") + n, l.attn});
        tensors.push_back({QStringLiteral("resid_pre.") + n, l.residPre});
        tensors.push_back({QStringLiteral("resid_mid.") + n, l.residMid});
        tensors.push_back({QStringLiteral("resid_post.") + n, l.residPost});
        tensors.push_back({QStringLiteral("attn_out.") + n, l.attnOut});
        tensors.push_back({QStringLiteral("mlp_out.") + n, l.mlpOut});
    }
    tensors.push_back({QStringLiteral("final_norm"), t->finalNorm});
    tensors.push_back({QStringLiteral("logits"), t->logits});
    const QHash<QString, QString> meta{{QStringLiteral("model"), t->model.name},
                                       {QStringLiteral("family"), t->model.family},
                                       {QStringLiteral("fingerprint"), t->model.fingerprint},
                                       {QStringLiteral("compute"), t->model.compute},
                                       {QStringLiteral("prompt"), prompt}};
    writeSafetensors(outPath, tensors, meta);
    QTextStream err(stderr);
    err << "wrote " << outPath << " (" << t->tokenCount() << " tokens, " << t->layers.size() << " layers, " << QString::number(t->milliseconds, 'f', 1)
        << " ms)\n";
    return 0;
}

int cmdGenerate(QCommandLineParser &p)
{
    const QString prompt = p.isSet(QStringLiteral("prompt")) ? p.value(QStringLiteral("prompt")) : QString();
    const int n = intValue(p, QStringLiteral("max-new-tokens"), 20, 0);
    const auto model = loadModel(p);
    std::vector<int64_t> ids;
    for (const TokenPiece &t : model->tokenizePrompt(prompt))
        ids.push_back(t.id);
    model->checkLength(ids.size());
    const std::vector<int64_t> added = model->generateGreedy(ids, n);
    // Decode the whole sequence and cut the prompt's text off, so that tokenizers that join
    // pieces with context (SentencePiece's leading space) print exactly the continuation.
    const QString full = model->tokenizer().decode(ids);
    std::vector<int64_t> all = ids;
    all.insert(all.end(), added.begin(), added.end());
    const QString whole = model->tokenizer().decode(all);
    out() << (whole.startsWith(full) ? whole.mid(full.size()) : model->tokenizer().decode(added)) << "\n";
    return 0;
}

int cmdDownload(QCommandLineParser &p)
{
    const QStringList pos = p.positionalArguments();
    if (pos.size() < 2)
        throw Error(QStringLiteral("usage: strata-cli download ORG/NAME [--revision REV] [--endpoint URL] [--cache DIR] [--file F ...]"));
    HubDownloadRequest req;
    req.repoId = pos.at(1);
    if (p.isSet(QStringLiteral("revision")))
        req.revision = p.value(QStringLiteral("revision"));
    req.endpoint = p.value(QStringLiteral("endpoint"));
    req.cacheDir = p.value(QStringLiteral("cache"));
    req.files = p.values(QStringLiteral("file"));
    QTextStream err(stderr);
    int lastPct = -1;
    JobControl control([&](double f, const QString &what) {
        const int pct = int(f * 100);
        if (pct != lastPct) {
            lastPct = pct;
            err << "\r" << pct << "% " << what << "        ";
            err.flush();
        }
    });
    const QString snapshot = HubDownloader::download(req, &control);
    err << "\n";
    out() << snapshot << "\n";
    return 0;
}

int cmdConvert(QCommandLineParser &p)
{
    const QString in = requireValue(p, QStringLiteral("model"));
    const QString outDir = requireValue(p, QStringLiteral("out"));
    convertGgufToHf(in, outDir);
    out() << outDir << "\n";
    return 0;
}

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

// The token an answer string stands for: its first token when it splits into several.
int64_t answerToken(LoadedModel &m, const QString &text)
{
    const int64_t id = Compare::firstToken(m, text);
    if (id < 0)
        throw Error(QStringLiteral("The answer '%1' has no tokens.").arg(text));
    return id;
}

int cmdCompare(QCommandLineParser &p)
{
    const QString promptA = requireValue(p, QStringLiteral("prompt"));
    const QString promptB = requireValue(p, QStringLiteral("prompt-b"));
    const auto modelA = loadModel(p);
    std::unique_ptr<LoadedModel> ownB;
    LoadedModel *modelB = modelA.get();
    if (p.isSet(QStringLiteral("model-b")) || p.isSet(QStringLiteral("compute-b"))) {
        // --compute-b alone: the same model at another precision (how much do heads and lens move in bf16?)
        const QString locB = p.isSet(QStringLiteral("model-b")) ? p.value(QStringLiteral("model-b")) : modelA->info().location;
        ownB = PluginHost::instance().load(locB, nullptr, p.value(QStringLiteral("compute-b")));
        modelB = ownB.get();
    }
    const bool oneModel = modelB == modelA.get() || modelB->info().fingerprint == modelA->info().fingerprint;
    const TracePtr a = modelA->trace(promptA, TraceOptions{});
    const TracePtr b = modelB->trace(promptB, TraceOptions{});
    const TokenAlignment al = Compare::align(*a, *b, oneModel);
    const LayerSimilarity sim = Compare::layerSimilarity(*a, *b, al);
    const QString metric = p.isSet(QStringLiteral("metric")) ? p.value(QStringLiteral("metric")) : QStringLiteral("previous");
    std::vector<HeadDifference> heads;
    if (oneModel)
        heads = Compare::headDifferences(*a, *b, metric);
    // Answer tokens: given, or the two runs' own final predictions.
    auto top = [](const Trace &t, int rank) { return Compare::predictedToken(t, -1, rank); };
    int64_t ansA = p.isSet(QStringLiteral("answer")) ? answerToken(*modelA, p.value(QStringLiteral("answer"))) : top(*a, 0);
    int64_t ansB = p.isSet(QStringLiteral("answer-b")) ? answerToken(*modelA, p.value(QStringLiteral("answer-b"))) : top(*b, 0);
    if (!p.isSet(QStringLiteral("answer-b")) && ansB == ansA)
        ansB = top(*a, 1);
    QJsonObject logitDiff;
    if (oneModel) {
        const auto da = Compare::logitDifference(*modelA, *a, ansA, ansB), db = Compare::logitDifference(*modelA, *b, ansA, ansB);
        logitDiff = QJsonObject{{QStringLiteral("answer_a"), modelA->tokenizer().displayString(ansA)},
                                {QStringLiteral("answer_b"), modelA->tokenizer().displayString(ansB)},
                                {QStringLiteral("run_a"), QJsonArray::fromVariantList(QVariantList(da.begin(), da.end()))},
                                {QStringLiteral("run_b"), QJsonArray::fromVariantList(QVariantList(db.begin(), db.end()))}};
    }
    auto jsonNumbers = [](const std::vector<double> &v) {
        QJsonArray arr;
        for (double x : v)
            arr.append(std::isnan(x) ? QJsonValue() : QJsonValue(x));
        return arr;
    };
    const QJsonObject precision = Compare::precisionDifference(*a, *b); // the same prompt at f32 and bf16
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray headArray;
        for (size_t i = 0; i < heads.size() && i < 20; ++i)
            headArray.append(QJsonObject{{QStringLiteral("layer"), heads[i].layer},
                                         {QStringLiteral("head"), heads[i].head},
                                         {QStringLiteral("a"), heads[i].a},
                                         {QStringLiteral("b"), heads[i].b}});
        QJsonObject o{{QStringLiteral("model_a"), modelA->info().name},
                      {QStringLiteral("model_b"), modelB->info().name},
                      {QStringLiteral("compute_a"), modelA->info().compute},
                      {QStringLiteral("compute_b"), modelB->info().compute},
                      {QStringLiteral("one_model"), oneModel},
                      {QStringLiteral("alignment"), Compare::toJson(al, *a, *b)},
                      {QStringLiteral("depth"), jsonNumbers(sim.depthA)},
                      {QStringLiteral("position_cosine"), jsonNumbers(sim.positionMean)},
                      {QStringLiteral("sentence_cosine"), jsonNumbers(sim.sentence)},
                      {QStringLiteral("cka"), jsonNumbers(sim.cka)},
                      {QStringLiteral("head_metric"), metric},
                      {QStringLiteral("head_differences"), headArray},
                      {QStringLiteral("logit_difference"), logitDiff}};
        if (!precision.isEmpty())
            o.insert(QStringLiteral("precision"), precision);
        printJson(o);
        return 0;
    }
    out() << "A: " << modelA->info().runLabel() << ", " << a->tokenCount() << " tokens\nB: " << modelB->info().runLabel() << ", " << b->tokenCount()
          << " tokens\n"
          << "alignment: " << al.describe() << "\n";
    if (!precision.isEmpty())
        out() << QStringLiteral("only the compute precision differs (%1 against f32): max |attention diff| %2, next-token top-1 agreement %3 % of %4 "
                                "positions, resid_post relative error up to %5, logits %6\n")
                     .arg(precision.value(QStringLiteral("approx_compute")).toString())
                     .arg(precision.value(QStringLiteral("max_attention_diff")).toDouble(), 0, 'g', 3)
                     .arg(100 * precision.value(QStringLiteral("top1_agreement")).toDouble(), 0, 'f', 1)
                     .arg(precision.value(QStringLiteral("positions")).toInteger())
                     .arg(precision.value(QStringLiteral("max_resid_relative_error")).toDouble(), 0, 'g', 3)
                     .arg(precision.value(QStringLiteral("logits_relative_error")).toDouble(), 0, 'g', 3);
    for (const LoadedModel *m : {modelA.get(), modelB})
        if (!m->info().computeNote.isEmpty())
            out() << m->info().computeNote << "\n";
    for (size_t i = 0; i < al.pairs.size(); ++i)
        if (!al.sameToken[i])
            out() << "  #" << al.pairs[i].first << " '" << a->tokenStrings.value(al.pairs[i].first) << "' -> '" << b->tokenStrings.value(al.pairs[i].second)
                  << "'\n";
    if (!oneModel)
        out() << "two models: layers are matched by relative depth; only CKA over aligned tokens compares their vectors\n";
    out() << QStringLiteral("\n%1 %2 %3 %4 %5\n")
                 .arg(QStringLiteral("layer"), 6)
                 .arg(QStringLiteral("B layer"), 8)
                 .arg(QStringLiteral("pos cos"), 8)
                 .arg(QStringLiteral("sent cos"), 9)
                 .arg(QStringLiteral("CKA"), 7);
    auto num = [](double x, int w, int prec) {
        return std::isnan(x) ? QStringLiteral("-").rightJustified(w) : QString::number(x, 'f', prec).rightJustified(w);
    };
    for (size_t l = 0; l < sim.depthA.size(); ++l)
        out() << QStringLiteral("%1 %2 %3 %4 %5\n")
                     .arg(l == 0 ? QStringLiteral("emb") : QString::number(l - 1), 6)
                     .arg(sim.layerB[l] == 0 ? QStringLiteral("emb") : QString::number(sim.layerB[l] - 1), 8)
                     .arg(num(sim.positionMean[l], 8, 3))
                     .arg(num(sim.sentence[l], 9, 3))
                     .arg(num(sim.cka[l], 7, 3));
    if (oneModel) {
        out() << "\nheads that differ most in '" << metric << "' (A, B):\n";
        for (size_t i = 0; i < heads.size() && i < 8; ++i)
            out() << QStringLiteral("  L%1H%2  %3  %4  (%5)\n")
                         .arg(heads[i].layer)
                         .arg(heads[i].head)
                         .arg(heads[i].a, 0, 'f', 3)
                         .arg(heads[i].b, 0, 'f', 3)
                         .arg(heads[i].delta(), 0, 'f', 3);
        out() << "\nlogit('" << logitDiff.value(QStringLiteral("answer_a")).toString() << "') - logit('"
              << logitDiff.value(QStringLiteral("answer_b")).toString() << "') at the last position, after each block (A, B):\n";
        const QJsonArray ra = logitDiff.value(QStringLiteral("run_a")).toArray(), rb = logitDiff.value(QStringLiteral("run_b")).toArray();
        for (int l = 0; l < ra.size(); ++l)
            out() << QStringLiteral("  %1  %2  %3\n").arg(l, 3).arg(ra[l].toDouble(), 8, 'f', 3).arg(rb[l].toDouble(), 8, 'f', 3);
    } else {
        const QList<HeadRole> roles = HeadMetrics::allRoles();
        for (const auto &[name, t] : {std::make_pair(QStringLiteral("A"), a), std::make_pair(QStringLiteral("B"), b)}) {
            out() << "\nrole mix of " << name << " by relative depth:\n";
            const auto mix = Compare::roleMix(*t);
            for (size_t l = 0; l < mix.size(); ++l) {
                out() << "  " << QString::number(double(l + 1) / mix.size(), 'f', 2) << ":";
                for (int r = 0; r < roles.size(); ++r)
                    if (mix[l][size_t(r)] > 0)
                        out() << " " << HeadMetrics::roleId(roles[r]) << " " << QString::number(mix[l][size_t(r)], 'f', 2);
                out() << "\n";
            }
        }
    }
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

int cmdDemo(QCommandLineParser &p)
{
    QString loc = p.value(QStringLiteral("model"));
    if (loc.isEmpty()) {
        loc = QStringLiteral("demo");
        try {
            resolveModelLocation(loc);
        } catch (const Error &e) {
            const QString fallback = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../../shared/fixtures/gpt2-tiny"));
            if (!QFileInfo(fallback).isDir())
                throw;
            out() << "(" << e.message() << " Using the random GPT-2 test fixture instead.)\n";
            loc = fallback;
        }
    }
    ComputeRuntime::configureThreads();
    const auto model = PluginHost::instance().load(loc);
    const QString prompt =
        p.isSet(QStringLiteral("prompt")) ? p.value(QStringLiteral("prompt")) : QStringLiteral("When Mary and John went to the store, John gave a drink to");
    const TracePtr t = model->trace(prompt);
    const ModelInfo &i = t->model;
    out() << "Strata CLI demo (no display found, so the GUI was not started)\n"
          << "model: " << i.name << " (" << i.family << ", " << i.nLayers << " layers x " << i.nHeads << " heads, d=" << i.dModel << ")\n"
          << "prompt: " << prompt << "\n"
          << "tokens (" << t->tokenCount() << "): " << t->tokenStrings.join(QStringLiteral(" | ")) << "\n"
          << "traced in " << QString::number(t->milliseconds, 'f', 1) << " ms\n";
    // Where does each layer's strongest head look from the last token?
    const int T = t->tokenCount();
    for (const LayerTrace &l : t->layers) {
        int bestH = 0, bestK = 0;
        float bestW = -1;
        for (int h = 0; h < l.attn.dim(0); ++h)
            for (int k = 0; k < T; ++k) {
                const float w = l.attn.floatAt((int64_t(h) * T + (T - 1)) * T + k);
                if (w > bestW) {
                    bestW = w;
                    bestH = h;
                    bestK = k;
                }
            }
        out() << "layer " << l.layer << ": head " << bestH << " attends from the last token to '" << t->tokenStrings.value(bestK) << "' with weight "
              << QString::number(bestW, 'f', 3) << "\n";
    }
    const int64_t V = t->logits.dim(1);
    std::vector<std::pair<float, int64_t>> top;
    for (int64_t v = 0; v < V; ++v)
        top.push_back({t->logits.floatAt(int64_t(T - 1) * V + v), v});
    std::partial_sort(top.begin(), top.begin() + 5, top.end(), std::greater<>());
    out() << "top next tokens:";
    for (int k = 0; k < 5; ++k)
        out() << " '" << model->tokenizer().displayString(top[size_t(k)].second) << "'";
    out() << "\n";
    return 0;
}

const std::map<QString, Command> &commands()
{
    static const CommandTable table = [] {
        CommandTable t = {
            {QStringLiteral("version"), {QStringLiteral("Versions of Strata, Qt, libtorch, the BLAS in use and the thread count"), {}, cmdVersion}},
            {QStringLiteral("plugins"),
             {QStringLiteral("List model-family plugins and their state"),
              [](OptionSink &p) {
                  p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
              },
              cmdPlugins}},
            {QStringLiteral("info"),
             {QStringLiteral("Show a model's card"),
              [](OptionSink &p) {
                  p.addOption(modelOption());
                  p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
              },
              cmdInfo}},
            {QStringLiteral("tokenize"),
             {QStringLiteral("Print {\"ids\", \"tokens\", \"offsets\"} for a text"),
              [](OptionSink &p) {
                  p.addOption(modelOption());
                  p.addOption({QStringLiteral("text"), QStringLiteral("Text to tokenize"), QStringLiteral("TEXT")});
                  p.addOption({QStringLiteral("special"), QStringLiteral("Parse special tokens such as <|endoftext|>")});
              },
              cmdTokenize}},
            {QStringLiteral("trace"),
             {QStringLiteral("Run a prompt and write every activation to a .safetensors file"),
              [](OptionSink &p) {
                  p.addOption(modelOption());
                  p.addOption({QStringLiteral("prompt"), QStringLiteral("Prompt text"), QStringLiteral("TEXT")});
                  p.addOption({QStringLiteral("out"), QStringLiteral("Output .safetensors file"), QStringLiteral("FILE")});
              },
              cmdTrace}},
            {QStringLiteral("generate"),
             {QStringLiteral("Greedy continuation of a prompt (prints only the continuation)"),
              [](OptionSink &p) {
                  p.addOption(modelOption());
                  p.addOption({QStringLiteral("prompt"), QStringLiteral("Prompt text"), QStringLiteral("TEXT")});
                  p.addOption({QStringLiteral("max-new-tokens"), QStringLiteral("Tokens to add (default 20)"), QStringLiteral("N")});
              },
              cmdGenerate}},
            {QStringLiteral("download"),
             {QStringLiteral("Download ORG/NAME from the Hub into the local Hugging Face cache"),
              [](OptionSink &p) {
                  p.addOption({QStringLiteral("revision"), QStringLiteral("Branch, tag or commit (default main)"), QStringLiteral("REV")});
                  p.addOption({QStringLiteral("endpoint"), QStringLiteral("Hub URL (default $HF_ENDPOINT or https://huggingface.co)"), QStringLiteral("URL")});
                  p.addOption({QStringLiteral("cache"), QStringLiteral("Cache folder (default: the Hugging Face hub cache)"), QStringLiteral("DIR")});
                  p.addOption({QStringLiteral("file"), QStringLiteral("A file to fetch (repeatable; default: ask the Hub)"), QStringLiteral("F")});
              },
              cmdDownload}},
            {QStringLiteral("heads"),
             {QStringLiteral("Every head's scores (previous-token, induction, sink, ...) and role"),
              [](OptionSink &p) {
                  p.addOption(modelOption());
                  p.addOption(
                      {QStringLiteral("prompt"), QStringLiteral("Natural text to score heads on (default: a built-in sample)"), QStringLiteral("TEXT")});
                  p.addOption({QStringLiteral("conllu"), QStringLiteral("CoNLL-U treebank: also the syntactic score (the relation each head tracks best)"),
                               QStringLiteral("FILE")});
                  p.addOption({QStringLiteral("sentences"), QStringLiteral("Treebank sentences to read (default 200)"), QStringLiteral("N")});
                  p.addOption(
                      {QStringLiteral("induction-span"), QStringLiteral("Random tokens per copy in the induction test (default 50)"), QStringLiteral("N")});
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
                  p.addOption({QStringLiteral("word"), QStringLiteral("Word in context: compare this word's vectors instead of whole sentences"),
                               QStringLiteral("WORD")});
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
            {QStringLiteral("compare"),
             {QStringLiteral("Compare two prompts (or one prompt on two models) layer by layer"),
              [](OptionSink &p) {
                  p.addOption(modelOption());
                  p.addOption({QStringLiteral("prompt"), QStringLiteral("Prompt A (e.g. the clean prompt)"), QStringLiteral("TEXT")});
                  p.addOption({QStringLiteral("prompt-b"), QStringLiteral("Prompt B (e.g. the corrupted prompt)"), QStringLiteral("TEXT")});
                  p.addOption({QStringLiteral("model-b"), QStringLiteral("Run B on this model instead"), QStringLiteral("LOC")});
                  p.addOption(
                      {QStringLiteral("compute-b"), QStringLiteral("Run B at this compute precision (f32, bf16; alone: model A again)"), QStringLiteral("P")});
                  p.addOption({QStringLiteral("answer"), QStringLiteral("First answer token for the logit difference (e.g. ' Mary')"), QStringLiteral("TEXT")});
                  p.addOption({QStringLiteral("answer-b"), QStringLiteral("Second answer token (e.g. ' John')"), QStringLiteral("TEXT")});
                  p.addOption({QStringLiteral("metric"),
                               QStringLiteral("Head score to compare (previous, current, local, sink, duplicate, distance, entropy, stripe)"),
                               QStringLiteral("NAME")});
                  p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
              },
              cmdCompare}},
            {QStringLiteral("probe"),
             {QStringLiteral("Linear probes per layer on CoNLL-U (upos, xpos, deprel, headdist) or labelled sentences"),
              [](OptionSink &p) {
                  p.addOption(modelOption());
                  p.addOption({QStringLiteral("train"), QStringLiteral("Training data: .conllu, or .csv/.tsv (label, text)"), QStringLiteral("FILE")});
                  p.addOption({QStringLiteral("dev"), QStringLiteral("Development data (early stopping)"), QStringLiteral("FILE")});
                  p.addOption({QStringLiteral("test"), QStringLiteral("Held-out data to report on (default: dev)"), QStringLiteral("FILE")});
                  p.addOption({QStringLiteral("task"), QStringLiteral("Comma-separated: upos, xpos, deprel, headdist, or sentence"), QStringLiteral("LIST")});
                  p.addOption({QStringLiteral("sentences"), QStringLiteral("Training sentences to read (default 2000; dev/test a quarter; 0: all)"),
                               QStringLiteral("N")});
                  p.addOption({QStringLiteral("pool"), QStringLiteral("Sub-word pooling: first (default), last, mean"), QStringLiteral("HOW")});
                  p.addOption({QStringLiteral("site"), QStringLiteral("What to probe: resid (default), attn, mlp"), QStringLiteral("SITE")});
                  p.addOption({QStringLiteral("classifier"), QStringLiteral("logistic (default) or mlp"), QStringLiteral("KIND")});
                  p.addOption({QStringLiteral("l2"), QStringLiteral("L2 penalty (default 0.001)"), QStringLiteral("X")});
                  p.addOption({QStringLiteral("no-control"), QStringLiteral("Skip the control task")});
                  p.addOption({QStringLiteral("cache"), QStringLiteral("Keep extracted features in DIR and reuse them"), QStringLiteral("DIR")});
                  p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
              },
              cmdProbe}},
            {QStringLiteral("convert"),
             {QStringLiteral("Convert a Llama-architecture GGUF file into a Hugging Face folder"),
              [](OptionSink &p) {
                  p.addOption({QStringLiteral("model"), QStringLiteral("The .gguf file"), QStringLiteral("FILE")});
                  p.addOption({QStringLiteral("out"), QStringLiteral("Output folder"), QStringLiteral("DIR")});
              },
              cmdConvert}},
            {QStringLiteral("demo"),
             {QStringLiteral("A short tour of a model on one prompt (used when there is no display)"),
              [](OptionSink &p) {
                  p.addOption(modelOption());
                  p.addOption({QStringLiteral("prompt"), QStringLiteral("Prompt text"), QStringLiteral("TEXT")});
              },
              cmdDemo}},
        };
        addInterventionCommands(t);
        addTrainCommand(t);
        addGgufCommands(t);
        addComputeCommands(t);
        addReportCommand(t);
        addBatchCommands(t);
        addBenchCommand(t);
        return t;
    }();
    return table;
}

void printUsage()
{
    out() << "usage: strata-cli COMMAND [options]   (strata-cli COMMAND --help for its options)\n\ncommands:\n";
    int width = 0;
    for (const auto &entry : commands())
        width = std::max(width, int(entry.first.size()));
    for (const auto &[name, cmd] : commands())
        out() << "  " << name.leftJustified(width + 2) << cmd.summary << "\n";
    out().flush();
}

} // namespace

int run(const QStringList &arguments)
{
    QTextStream err(stderr);
    const QString cmdName = arguments.value(1);
    if (cmdName.isEmpty() || cmdName == QLatin1String("--help") || cmdName == QLatin1String("-h") || cmdName == QLatin1String("help")) {
        printUsage();
        return cmdName.isEmpty() ? 2 : 0;
    }
    if (cmdName == QLatin1String("--man")) {
        out() << manPage(commands());
        out().flush();
        return 0;
    }
    if (cmdName == QLatin1String("__complete"))
        return complete(commands(), arguments);
    const QString name = cmdName == QLatin1String("--version") ? QStringLiteral("version") : cmdName;
    const auto it = commands().find(name);
    if (it == commands().end()) {
        err << "strata-cli: error: unknown command '" << cmdName << "' (try strata-cli --help).\n";
        return 2;
    }
    QCommandLineParser parser;
    parser.setApplicationDescription(it->second.summary);
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("command"), name);
    bool hasCompute = false;
    if (it->second.options) {
        OptionSink sink;
        it->second.options(sink);
        parser.addOptions(sink.options);
        for (const QCommandLineOption &o : sink.options)
            hasCompute = hasCompute || o.names().contains(QStringLiteral("compute"));
    }
    if (!hasCompute) // every command: the precision of the models it loads
        parser.addOption(
            {QStringLiteral("compute"), QStringLiteral("Compute precision of the models loaded: auto (default), f32 or bf16"), QStringLiteral("P")});
    QStringList args = arguments;
    args[1] = name;
    if (!parser.parse(args)) {
        err << "strata-cli: error: " << parser.errorText() << "\n";
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return 0;
    }
    try {
        if (!hasCompute && parser.isSet(QStringLiteral("compute")))
            ComputeRuntime::setComputeRequest(parser.value(QStringLiteral("compute")));
        return it->second.run(parser);
    } catch (const Error &e) {
        err << "strata-cli: error: " << e.message() << "\n";
    } catch (const std::exception &e) {
        err << "strata-cli: error: " << QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0) << "\n";
    }
    return 1;
}

} // namespace strata::cli
