// strata-cli compare: two prompts, one prompt on two models, or one model at two compute precisions,
// layer by layer (analysis/Compare, as the Compare panel).
#include "CliSupport.h"

#include "analysis/Compare.h"
#include "analysis/HeadMetrics.h"
#include "model/ComputeRuntime.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace strata::cli {

namespace {

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

} // namespace

void addCompareCommand(CommandTable &table)
{
    const CommandTable commands = {
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
    };
    table.insert(commands.begin(), commands.end());
}

} // namespace strata::cli
