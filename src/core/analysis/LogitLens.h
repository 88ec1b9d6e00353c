#pragma once

#include <QString>

#include <cstdint>
#include <vector>

namespace strata {

class JobControl;
class LoadedModel;
struct Trace;

// The logit lens (nostalgebraist 2020): read each layer's residual stream through the model's final
// norm and unembedding, as if the network stopped there. Per layer L and position t:
//   top-k tokens of softmax(unembed(final_norm(resid_post.L[t]))),
//   the rank and probability there of the token the full model finally predicts at t,
//   KL(final || layer L) in nats.
struct LogitLensResult
{
    struct Entry
    {
        int64_t id;
        float prob;
    };
    int layers = 0;
    int tokens = 0;
    int topK = 0;
    std::vector<int64_t> finalToken;     // [t] argmax of the model's own logits
    std::vector<std::vector<Entry>> top; // [L * tokens + t] -> topK entries
    std::vector<int> finalRank;          // [L * tokens + t], 0 = top
    std::vector<float> finalProb;        // [L * tokens + t]
    std::vector<float> kl;               // [L * tokens + t]

    size_t at(int layer, int t) const { return size_t(layer) * size_t(tokens) + size_t(t); }
};

namespace LogitLens {
// Needs resid_post of every layer and the full logits in the trace. Throws Error / Cancelled.
LogitLensResult compute(LoadedModel &model, const Trace &trace, int topK = 5, const JobControl *control = nullptr);
// Probabilities from logits (numerically stable); exposed for tests.
std::vector<double> softmax(const float *logits, int64_t n);
double klDivergence(const std::vector<double> &p, const std::vector<double> &q); // sum p ln(p/q)
} // namespace LogitLens

} // namespace strata
