#include "CliCommands.h"
#include "CliSupport.h"

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
#include <csignal>
#include <cstdio>
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
        addAnalysisCommands(t);
        addCompareCommand(t);
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
