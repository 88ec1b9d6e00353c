#include "LogitLens.h"

#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace strata::LogitLens {

std::vector<double> softmax(const float *logits, int64_t n)
{
    std::vector<double> p(static_cast<size_t>(n));
    const double mx = *std::max_element(logits, logits + n);
    double z = 0;
    for (int64_t i = 0; i < n; ++i)
        z += (p[size_t(i)] = std::exp(double(logits[i]) - mx));
    for (double &v : p)
        v /= z;
    return p;
}

double klDivergence(const std::vector<double> &p, const std::vector<double> &q)
{
    double kl = 0;
    for (size_t i = 0; i < p.size(); ++i)
        if (p[i] > 0)
            kl += p[i] * (std::log(p[i]) - std::log(std::max(q[i], 1e-300)));
    return kl;
}

LogitLensResult compute(LoadedModel &model, const Trace &trace, int topK, const JobControl *control)
{
    const int T = trace.tokenCount();
    if (trace.logits.isEmpty() || trace.logits.dim(0) != T)
        throw Error(QStringLiteral("The logit lens needs the full logits of the run; trace it again with logits kept."));
    LogitLensResult r;
    r.tokens = T;
    r.topK = topK;
    r.layers = int(trace.layers.size());
    const int64_t V = trace.logits.dim(1);
    const std::vector<float> finalLogits = trace.logits.toFloatVector();
    std::vector<std::vector<double>> finalProbs(static_cast<size_t>(T));
    for (int t = 0; t < T; ++t) {
        finalProbs[size_t(t)] = softmax(finalLogits.data() + int64_t(t) * V, V);
        r.finalToken.push_back(int64_t(std::max_element(finalProbs[size_t(t)].begin(), finalProbs[size_t(t)].end()) - finalProbs[size_t(t)].begin()));
    }
    const size_t cells = size_t(r.layers) * size_t(T);
    r.top.resize(cells);
    r.finalRank.resize(cells);
    r.finalProb.resize(cells);
    r.kl.resize(cells);
    std::vector<int64_t> order(static_cast<size_t>(V));
    for (int li = 0; li < r.layers; ++li) {
        if (control) {
            control->throwIfCancelled();
            control->report(double(li) / r.layers, QStringLiteral("Logit lens, layer %1").arg(trace.layers[size_t(li)].layer));
        }
        const HostTensor &resid = trace.layers[size_t(li)].residPost;
        if (resid.isEmpty())
            throw Error(QStringLiteral("The logit lens needs resid_post of layer %1, which this run did not keep.").arg(trace.layers[size_t(li)].layer));
        const std::vector<float> logits = model.unembed(resid).toFloatVector();
        for (int t = 0; t < T; ++t) {
            const std::vector<double> p = softmax(logits.data() + int64_t(t) * V, V);
            std::iota(order.begin(), order.end(), int64_t(0));
            const int k = int(std::min<int64_t>(topK, V));
            std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) { return p[size_t(a)] > p[size_t(b)]; });
            const size_t cell = r.at(li, t);
            for (int j = 0; j < k; ++j)
                r.top[cell].push_back({order[size_t(j)], float(p[size_t(order[size_t(j)])])});
            const int64_t target = r.finalToken[size_t(t)];
            const double pt = p[size_t(target)];
            int rank = 0;
            for (double v : p)
                rank += v > pt ? 1 : 0;
            r.finalRank[cell] = rank;
            r.finalProb[cell] = float(pt);
            r.kl[cell] = float(klDivergence(finalProbs[size_t(t)], p));
        }
    }
    if (control)
        control->report(1.0, QString());
    return r;
}

} // namespace strata::LogitLens
