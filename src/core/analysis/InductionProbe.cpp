#include "InductionProbe.h"

#include "HeadMetrics.h"
#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <cmath>
#include <random>

namespace strata::InductionProbe {

std::vector<int64_t> sequence(const LoadedModel &model, int n, uint32_t seed, int *start)
{
    const Tokenizer &tok = model.tokenizer();
    const int64_t V = std::min<int64_t>(model.info().vocabSize, tok.vocabSize());
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int64_t> pick(0, V - 1);
    std::vector<int64_t> ids;
    if (tok.prependsBos() && tok.bosId() >= 0)
        ids.push_back(tok.bosId());
    *start = int(ids.size());
    std::vector<int64_t> span;
    while (int(span.size()) < n) {
        const int64_t id = pick(rng);
        if (tok.isSpecial(id) || id == tok.eosId() || id == tok.bosId())
            continue;
        span.push_back(id);
    }
    ids.insert(ids.end(), span.begin(), span.end());
    ids.insert(ids.end(), span.begin(), span.end());
    return ids;
}

InductionResult run(LoadedModel &model, int n, int sequences, uint32_t seed, const JobControl *control)
{
    const ModelInfo &info = model.info();
    if (info.contextLength > 0)
        n = std::min(n, (info.contextLength - 1) / 2);
    if (n < 2)
        throw Error(QStringLiteral("The model's context is too short for an induction test."));
    InductionResult r;
    r.sequences = sequences;
    r.spanLength = n;
    r.score.assign(size_t(info.nLayers), std::vector<double>(size_t(info.nHeads), 0.0));
    double loss1 = 0, loss2 = 0;
    for (int s = 0; s < sequences; ++s) {
        if (control) {
            control->throwIfCancelled();
            control->report(double(s) / sequences, QStringLiteral("Induction test %1/%2").arg(s + 1).arg(sequences));
        }
        int start = 0;
        const std::vector<int64_t> ids = sequence(model, n, seed + uint32_t(s), &start);
        TraceOptions opt;
        opt.residuals = false;
        const std::shared_ptr<Trace> t = model.run(ids, opt, control);
        const int T = int(ids.size());
        for (const LayerTrace &l : t->layers)
            for (int h = 0; h < l.attn.dim(0); ++h)
                r.score[size_t(l.layer)][size_t(h)] += HeadMetrics::inductionScore(l.attn.slice0(h).toFloatVector(), T, start, n) / sequences;
        // Next-token loss at each position p predicting ids[p+1].
        const int64_t V = t->logits.dim(1);
        auto lossAt = [&](int p) {
            double mx = -1e300;
            for (int64_t v = 0; v < V; ++v)
                mx = std::max(mx, double(t->logits.floatAt(int64_t(p) * V + v)));
            double z = 0;
            for (int64_t v = 0; v < V; ++v)
                z += std::exp(double(t->logits.floatAt(int64_t(p) * V + v)) - mx);
            return -(double(t->logits.floatAt(int64_t(p) * V + ids[size_t(p) + 1])) - mx - std::log(z));
        };
        double a = 0, b = 0;
        for (int i = 0; i < n - 1; ++i) {
            a += lossAt(start + i);     // predicting the first copy's next token: pure guesswork
            b += lossAt(start + n + i); // predicting the second copy's next token: copyable
        }
        loss1 += a / (n - 1) / sequences;
        loss2 += b / (n - 1) / sequences;
    }
    r.lossFirstCopy = loss1;
    r.lossSecondCopy = loss2;
    if (control)
        control->report(1.0, QString());
    return r;
}

} // namespace strata::InductionProbe
