#include "ModelFamily.h"

#include "jobs/JobControl.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QElapsedTimer>

#include <algorithm>

namespace strata {

std::vector<TokenPiece> LoadedModel::tokenizePrompt(const QString &prompt) const
{
    const Tokenizer &tok = tokenizer();
    std::vector<TokenPiece> pieces;
    if (tok.prependsBos() && tok.bosId() >= 0)
        pieces.push_back({tok.bosId(), 0, 0});
    for (const TokenPiece &p : tok.encode(prompt, false))
        pieces.push_back(p);
    return pieces;
}

std::vector<int64_t> LoadedModel::promptIds(const QString &prompt) const
{
    std::vector<int64_t> ids;
    for (const TokenPiece &p : tokenizePrompt(prompt))
        ids.push_back(p.id);
    checkLength(ids.size());
    return ids;
}

void LoadedModel::checkLength(size_t tokens) const
{
    const int ctx = info().contextLength;
    if (tokens == 0)
        throw Error(QStringLiteral("The prompt is empty: there is nothing to run (this model adds no start token)."));
    if (ctx > 0 && tokens > size_t(ctx))
        throw Error(QStringLiteral("The prompt has %1 tokens but %2 takes at most %3 (its context length).").arg(tokens).arg(info().name).arg(ctx));
}

std::shared_ptr<Trace> LoadedModel::trace(const QString &prompt, const TraceOptions &options, const JobControl *control,
                                          const std::vector<Intervention> &interventions)
{
    const std::vector<TokenPiece> pieces = tokenizePrompt(prompt);
    checkLength(pieces.size());
    std::vector<int64_t> ids;
    for (const auto &p : pieces)
        ids.push_back(p.id);
    QElapsedTimer timer;
    timer.start();
    std::shared_ptr<Trace> t = run(ids, options, control, interventions);
    t->milliseconds = double(timer.nsecsElapsed()) / 1e6;
    t->prompt = prompt;
    t->tokens = pieces;
    t->tokenStrings.clear();
    for (const auto &p : pieces)
        t->tokenStrings << tokenizer().displayString(p.id);
    t->model = info();
    t->options = options;
    return t;
}

std::vector<int64_t> LoadedModel::generateGreedy(std::vector<int64_t> ids, int maxNewTokens, const JobControl *control,
                                                 const std::vector<Intervention> &interventions)
{
    std::vector<int64_t> out;
    const int ctx = info().contextLength;
    for (int i = 0; i < maxNewTokens; ++i) {
        if (control)
            control->throwIfCancelled();
        if (ctx > 0 && int(ids.size()) >= ctx)
            break;
        checkLength(ids.size());
        const std::vector<float> logits = nextTokenLogits(ids, interventions);
        const int64_t next = int64_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
        if (next == tokenizer().eosId())
            break;
        ids.push_back(next);
        out.push_back(next);
        if (control)
            control->report(double(i + 1) / maxNewTokens, QString());
    }
    return out;
}

} // namespace strata
