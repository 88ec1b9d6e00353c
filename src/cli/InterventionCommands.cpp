// strata-cli patch and ablate: causal interventions on the named sites of the forward pass.
#include "CliSupport.h"

#include "analysis/Compare.h"
#include "analysis/Patching.h"
#include "analysis/Steering.h"
#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QElapsedTimer>
#include <QFile>

namespace strata::cli {

namespace {

int64_t answerToken(LoadedModel &model, const QString &option, const QString &text)
{
    const int64_t id = Compare::firstToken(model, text);
    if (id < 0)
        throw Error(QStringLiteral("--%1 '%2' gives no token.").arg(option, text));
    return id;
}

int cmdPatch(QCommandLineParser &p)
{
    const auto model = loadModel(p);
    PatchingRequest req;
    req.clean = model->promptIds(requireValue(p, QStringLiteral("clean")));
    req.corrupt = model->promptIds(requireValue(p, QStringLiteral("corrupt")));
    req.answer = answerToken(*model, QStringLiteral("answer"), requireValue(p, QStringLiteral("answer")));
    req.wrong = answerToken(*model, QStringLiteral("wrong"), requireValue(p, QStringLiteral("wrong")));
    req.site = Patching::parseSiteKind(requireValue(p, QStringLiteral("site")));
    const QString dir = p.isSet(QStringLiteral("direction")) ? p.value(QStringLiteral("direction")) : QStringLiteral("denoise");
    if (dir != QLatin1String("denoise") && dir != QLatin1String("noise"))
        throw Error(QStringLiteral("--direction must be denoise or noise, not '%1'.").arg(dir));
    req.direction = dir == QLatin1String("noise") ? PatchingRequest::Direction::Noise : PatchingRequest::Direction::Denoise;
    if (p.isSet(QStringLiteral("metric")))
        req.metric = Patching::parseMetric(p.value(QStringLiteral("metric")));
    if (req.site == PatchingRequest::SiteKind::HeadPosition)
        req.layer = intValue(p, QStringLiteral("layer"), -1, 0);
    if (req.site == PatchingRequest::SiteKind::HeadPosition && !p.isSet(QStringLiteral("layer")))
        throw Error(QStringLiteral("--site head_position needs --layer L."));
    req.attribution = p.isSet(QStringLiteral("attribution"));
    const PatchingResult r = Patching::sweep(*model, req);
    if (p.isSet(QStringLiteral("json"))) {
        printJson(r.toJson());
        return 0;
    }
    out() << "activation patching, " << r.site << (r.layer >= 0 ? QStringLiteral(" of layer %1").arg(r.layer) : QString()) << ", " << r.direction << ", metric "
          << r.metric << " (0 = corrupted, 1 = clean)\n"
          << "logit difference: clean " << QString::number(r.cleanLogitDiff, 'f', 4) << ", corrupted " << QString::number(r.corruptLogitDiff, 'f', 4) << "\n";
    if (!r.attribution.empty())
        out() << "attribution patching (one backward pass) against patching: r = " << QString::number(r.attributionCorrelation, 'f', 3) << ", max error "
              << QString::number(r.attributionMaxError, 'f', 3) << "\n";
    out() << "\n" << (r.layer >= 0 ? "head" : "layer");
    for (const QString &c : r.colLabels)
        out() << "\t" << c;
    out() << "\n";
    for (int row = 0; row < r.rows; ++row) {
        out() << r.rowLabels[row];
        for (int c = 0; c < r.cols; ++c)
            out() << "\t" << QString::number(r.value(row, c), 'f', 3);
        out() << "\n";
    }
    out().flush();
    return 0;
}

int cmdAblate(QCommandLineParser &p)
{
    const auto model = loadModel(p);
    const std::vector<int64_t> ids = model->promptIds(requireValue(p, QStringLiteral("prompt")));
    const auto heads = Ablation::parseHeads(requireValue(p, QStringLiteral("heads")), model->info().nLayers, model->info().nHeads);
    const QString mode = p.isSet(QStringLiteral("mode")) ? p.value(QStringLiteral("mode")) : QStringLiteral("zero");
    if (mode != QLatin1String("zero") && mode != QLatin1String("mean"))
        throw Error(QStringLiteral("--mode must be zero or mean, not '%1'.").arg(mode));
    std::vector<std::vector<int64_t>> reference;
    if (p.isSet(QStringLiteral("reference"))) {
        QFile f(p.value(QStringLiteral("reference")));
        if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
            throw Error(QStringLiteral("Cannot read %1: %2.").arg(f.fileName(), f.errorString()));
        for (const QString &line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            if (!line.trimmed().isEmpty())
                reference.push_back(model->promptIds(line.trimmed()));
        if (reference.empty())
            throw Error(QStringLiteral("%1 holds no prompts.").arg(f.fileName()));
    }
    const AblationResult r = Ablation::ablateHeads(*model, ids, heads, mode == QLatin1String("mean"), reference);
    if (p.isSet(QStringLiteral("json"))) {
        printJson(r.toJson());
        return 0;
    }
    out() << mode << "-ablation of " << requireValue(p, QStringLiteral("heads")) << ": mean next-token loss " << QString::number(r.meanBefore, 'f', 4) << " -> "
          << QString::number(r.meanAfter, 'f', 4) << " nats\n\nposition\tnext token\tloss before\tloss after\n";
    for (size_t t = 0; t < r.lossBefore.size(); ++t)
        out() << t << "\t" << r.tokens[int(t + 1)] << "\t" << QString::number(r.lossBefore[t], 'f', 4) << "\t" << QString::number(r.lossAfter[t], 'f', 4)
              << "\n";
    out().flush();
    return 0;
}

QStringList readLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        throw Error(QStringLiteral("Cannot read %1: %2.").arg(path, f.errorString()));
    QStringList lines;
    for (const QString &line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n')))
        if (!line.trimmed().isEmpty())
            lines << line.trimmed();
    if (lines.isEmpty())
        throw Error(QStringLiteral("%1 holds no sentences.").arg(path));
    return lines;
}

int cmdSteer(QCommandLineParser &p)
{
    const auto model = loadModel(p);
    const QString prompt = requireValue(p, QStringLiteral("prompt"));
    const QStringList positive = readLines(requireValue(p, QStringLiteral("positive")));
    const QStringList negative = readLines(requireValue(p, QStringLiteral("negative")));
    const int layer = intValue(p, QStringLiteral("layer"), model->info().nLayers / 2, 0);
    bool ok = true;
    const double strength = p.isSet(QStringLiteral("strength")) ? p.value(QStringLiteral("strength")).toDouble(&ok) : 4.0;
    if (!ok)
        throw Error(QStringLiteral("--strength must be a number, not '%1'.").arg(p.value(QStringLiteral("strength"))));
    const int n = intValue(p, QStringLiteral("max-new-tokens"), 20, 1);
    const SteeringResult r = Steering::steer(*model, prompt, positive, negative, layer, strength, n);
    if (p.isSet(QStringLiteral("json"))) {
        printJson(r.toJson());
        return 0;
    }
    out() << "steering at resid_pre." << layer << ", strength " << strength << " (direction norm " << QString::number(r.directionNorm, 'f', 3)
          << ", mean residual norm " << QString::number(r.residualNorm, 'f', 3) << "; " << r.positiveTokens << " positive and " << r.negativeTokens
          << " negative tokens)\n\nwithout: " << prompt << r.plain << "\nwith:    " << prompt << r.steered << "\n";
    out().flush();
    return 0;
}

} // namespace

int benchPatching(LoadedModel &model, const QList<int> &lengths, int repeats)
{
    const ModelInfo &info = model.info();
    out() << "model " << info.name << ": full resid_pre patching sweep (denoising), batched variants against one forward pass per cell\n"
          << QStringLiteral("%1 %2 %3 %4 %5\n")
                 .arg(QStringLiteral("T"), 6)
                 .arg(QStringLiteral("cells"), 7)
                 .arg(QStringLiteral("batched s"), 11)
                 .arg(QStringLiteral("per-cell s"), 11)
                 .arg(QStringLiteral("ratio"), 7);
    out().flush();
    for (int T : lengths) {
        if (T < 2 || T > info.contextLength)
            throw Error(QStringLiteral("--tokens: %1 is outside 2..%2.").arg(T).arg(info.contextLength));
        PatchingRequest req;
        for (int i = 0; i < T; ++i)
            req.clean.push_back((i * 7919 + 11) % std::min<int64_t>(info.vocabSize, 50000));
        req.corrupt = req.clean;
        req.corrupt[size_t(T / 2)] = (req.corrupt[size_t(T / 2)] + 1) % info.vocabSize;
        req.answer = req.clean[1];
        req.wrong = req.clean[2];
        double batched = 1e100, perCell = 1e100;
        for (int r = 0; r < repeats; ++r) {
            QElapsedTimer timer;
            timer.start();
            const PatchingResult res = Patching::sweep(model, req);
            batched = std::min(batched, double(timer.nsecsElapsed()) / 1e9);
            // The same cells, one forward pass each (as a hooked PyTorch loop runs them).
            timer.restart();
            const auto from = model.captureSites(req.clean, [&] {
                std::vector<SiteRef> s;
                for (int l = 0; l < info.nLayers; ++l)
                    s.push_back({Site::ResidPre, l});
                return s;
            }());
            for (int l = 0; l < info.nLayers; ++l)
                for (int c = 0; c < T; ++c) {
                    Intervention iv;
                    iv.kind = Intervention::Kind::Patch;
                    iv.site = {Site::ResidPre, l};
                    iv.positions = {c};
                    iv.value = from.at({Site::ResidPre, l}).slice0(c);
                    model.nextTokenLogits(req.corrupt, {iv});
                }
            perCell = std::min(perCell, double(timer.nsecsElapsed()) / 1e9);
            Q_UNUSED(res);
        }
        out() << QStringLiteral("%1 %2 %3 %4 %5\n")
                     .arg(T, 6)
                     .arg(info.nLayers * T, 7)
                     .arg(batched, 11, 'f', 3)
                     .arg(perCell, 11, 'f', 3)
                     .arg(perCell / batched, 7, 'f', 2);
        out().flush();
    }
    return 0;
}

void addInterventionCommands(CommandTable &table)
{
    table[QStringLiteral("steer")] = {
        QStringLiteral("Steering: add the mean difference of two sentence sets to the residual stream while generating; continuations with and without"),
        [](OptionSink &p) {
            p.addOption(modelOption());
            p.addOption({QStringLiteral("prompt"), QStringLiteral("Prompt text"), QStringLiteral("TEXT")});
            p.addOption({QStringLiteral("positive"), QStringLiteral("Sentences to steer towards (one per line)"), QStringLiteral("FILE")});
            p.addOption({QStringLiteral("negative"), QStringLiteral("Sentences to steer away from (one per line)"), QStringLiteral("FILE")});
            p.addOption({QStringLiteral("layer"), QStringLiteral("Add at resid_pre of this layer (default: the middle)"), QStringLiteral("L")});
            p.addOption({QStringLiteral("strength"), QStringLiteral("Multiple of the direction to add (default 4)"), QStringLiteral("S")});
            p.addOption({QStringLiteral("max-new-tokens"), QStringLiteral("Tokens to generate (default 20)"), QStringLiteral("N")});
            p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
        },
        cmdSteer};
    table[QStringLiteral("patch")] = {
        QStringLiteral("Activation patching: layer x position (or layer x head) maps of the restored logit difference"),
        [](OptionSink &p) {
            p.addOption(modelOption());
            p.addOption({QStringLiteral("clean"), QStringLiteral("The clean prompt"), QStringLiteral("TEXT")});
            p.addOption({QStringLiteral("corrupt"), QStringLiteral("The corrupted prompt (same token count)"), QStringLiteral("TEXT")});
            p.addOption({QStringLiteral("answer"), QStringLiteral("The right answer (its first token), e.g. ' Mary'"), QStringLiteral("A")});
            p.addOption({QStringLiteral("wrong"), QStringLiteral("The wrong answer (its first token), e.g. ' John'"), QStringLiteral("B")});
            p.addOption({QStringLiteral("site"), QStringLiteral("resid_pre, attn_out, mlp_out or head"), QStringLiteral("SITE")});
            p.addOption({QStringLiteral("direction"), QStringLiteral("denoise (clean into corrupted, default) or noise"), QStringLiteral("D")});
            p.addOption({QStringLiteral("metric"), QStringLiteral("logit_diff (default), prob (the answer's probability) or kl (to the clean run)"),
                         QStringLiteral("M")});
            p.addOption({QStringLiteral("layer"), QStringLiteral("The layer of a head_position sweep"), QStringLiteral("L")});
            p.addOption({QStringLiteral("attribution"), QStringLiteral("Also attribution patching (one backward pass) and its agreement")});
            p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
        },
        cmdPatch};
    table[QStringLiteral("ablate")] = {
        QStringLiteral("Zero- or mean-ablate heads: each token's next-token loss before and after"),
        [](OptionSink &p) {
            p.addOption(modelOption());
            p.addOption({QStringLiteral("prompt"), QStringLiteral("Prompt text"), QStringLiteral("TEXT")});
            p.addOption({QStringLiteral("heads"), QStringLiteral("Heads to ablate, LAYER.HEAD[,LAYER.HEAD...]"), QStringLiteral("LIST")});
            p.addOption({QStringLiteral("mode"), QStringLiteral("zero (default) or mean"), QStringLiteral("MODE")});
            p.addOption({QStringLiteral("reference"), QStringLiteral("Mean over these prompts (one per line; default: the prompt)"), QStringLiteral("FILE")});
            p.addOption({QStringLiteral("json"), QStringLiteral("JSON output")});
        },
        cmdAblate};
}

} // namespace strata::cli
