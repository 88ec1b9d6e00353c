#pragma once

#include "ModelInfo.h"
#include "ModelSource.h"
#include "Trace.h"

#include <QtPlugin>

#include <map>
#include <memory>
#include <vector>

namespace at {
class Tensor;
}

namespace strata {

class JobControl;
class SiteHooks;
class Tokenizer;

// A model loaded into memory by a family plugin. Not thread-safe: one thread at a time (the
// job runner's worker) runs it.
class LoadedModel
{
public:
    virtual ~LoadedModel() = default;
    virtual const ModelInfo &info() const = 0;
    virtual const Tokenizer &tokenizer() const = 0;

    // The family's one forward pass: B rows of T token ids ([B, T], int64), calling hooks at every named
    // site (Sites.h, SiteHooks.h); returns the final norm's output [B, T, D] (float32). Throws Error
    // (bad input) or Cancelled. torch types: callers are core/model and the plugins. The caller sets the
    // grad mode: inference mode for plain runs, autograd for attribution patching.
    virtual at::Tensor forwardSites(const at::Tensor &ids, SiteHooks &hooks, const JobControl *control) = 0;
    // The unembedding [V, D] the logits are computed with (final-norm output times its transpose).
    virtual at::Tensor unembeddingMatrix() const = 0;
    // The model's final norm and unembedding applied to residual-stream vectors [T, D] -> logits [T, V]
    // (float32). The logit lens reads intermediate layers through this.
    virtual HostTensor unembed(const HostTensor &residual) = 0;

    // The unembedding the trace's logits are computed with: unembeddingMatrix() itself, or for a bf16
    // model (info().compute) a bfloat16 copy made on first use. Analyses read the float32 one.
    at::Tensor logitsMatrix() const;

    // Everything below is built on forwardSites, once for every family (Interventions.cpp).
    // Runs the prompt's tokens and fills a Trace, with interventions applied (the trace records them);
    // throws Error (bad input) or Cancelled.
    std::shared_ptr<Trace> run(const std::vector<int64_t> &ids, const TraceOptions &options, const JobControl *control,
                               const std::vector<Intervention> &interventions = {});
    // Logits of the next token after ids (no capture); the fast path for generation.
    std::vector<float> nextTokenLogits(const std::vector<int64_t> &ids, const std::vector<Intervention> &interventions = {});
    // Runs ids once per variant (a list of interventions each), many variants per matrix product, in
    // batches of at most maxBatch rows (0: chosen to keep activations within about 512 MB). Returns the
    // last position's logits [variants, V] (float32).
    HostTensor runVariants(const std::vector<int64_t> &ids, const std::vector<std::vector<Intervention>> &variants, const JobControl *control = nullptr,
                           int maxBatch = 0);
    // Attribution patching's raw material: one forward and one backward pass of the last position's
    // LD = logit[answer] - logit[wrong]; the activations at the sites and LD's gradient there (batch
    // dimension dropped, float32).
    struct SiteGradients
    {
        std::map<SiteRef, HostTensor> activation, gradient;
        double logitDiff = 0;
    };
    SiteGradients siteGradients(const std::vector<int64_t> &ids, const std::vector<SiteRef> &sites, int64_t answer, int64_t wrong);
    // The activations at the given sites of one plain run (batch dimension dropped), float32.
    std::map<SiteRef, HostTensor> captureSites(const std::vector<int64_t> &ids, const std::vector<SiteRef> &sites,
                                               const std::vector<Intervention> &interventions = {});

    // Tokenises the prompt the way this model expects (BOS first where the family wants it),
    // checks the context length, runs, and fills token strings.
    std::shared_ptr<Trace> trace(const QString &prompt, const TraceOptions &options = {}, const JobControl *control = nullptr,
                                 const std::vector<Intervention> &interventions = {});
    std::vector<TokenPiece> tokenizePrompt(const QString &prompt) const;
    // The ids of tokenizePrompt, with the context length checked (throws Error).
    std::vector<int64_t> promptIds(const QString &prompt) const;
    // Greedy continuation: the ids of up to maxNewTokens new tokens (stops early at EOS), with
    // interventions (steering) applied at every step.
    std::vector<int64_t> generateGreedy(std::vector<int64_t> ids, int maxNewTokens, const JobControl *control = nullptr,
                                        const std::vector<Intervention> &interventions = {});
    void checkLength(size_t tokens) const;

private:
    mutable std::shared_ptr<at::Tensor> m_logitsBf16; // bf16 models only
};

// The interface a model-family plugin implements. Version the IID when the interface changes;
// the host refuses plugins built against another version.
class ModelFamily
{
public:
    virtual ~ModelFamily() = default;
    virtual QString familyId() const = 0;
    // 0: cannot load this source; higher: more confident (the host picks the highest).
    virtual int recognise(const ModelSource &source) const = 0;
    virtual std::unique_ptr<LoadedModel> load(const ModelSource &source, const JobControl *control) = 0;
};

constexpr int kModelFamilyApiVersion = 2;

} // namespace strata

#define StrataModelFamily_iid "org.strata.ModelFamily/3"
Q_DECLARE_INTERFACE(strata::ModelFamily, StrataModelFamily_iid)
