#pragma once

#include "ModelInfo.h"
#include "ModelSource.h"
#include "Trace.h"

#include <QtPlugin>

#include <memory>
#include <vector>

namespace strata {

class JobControl;
class Tokenizer;

// A model loaded into memory by a family plugin. Not thread-safe: one thread at a time (the
// job runner's worker) runs it.
class LoadedModel
{
public:
    virtual ~LoadedModel() = default;
    virtual const ModelInfo &info() const = 0;
    virtual const Tokenizer &tokenizer() const = 0;

    // Runs the prompt's tokens and fills a Trace; throws Error (bad input) or Cancelled.
    virtual std::shared_ptr<Trace> run(const std::vector<int64_t> &ids, const TraceOptions &options, const JobControl *control) = 0;
    // Logits of the next token after ids (no capture); the fast path for generation.
    virtual std::vector<float> nextTokenLogits(const std::vector<int64_t> &ids) = 0;
    // The model's final norm and unembedding applied to residual-stream vectors [T, D] -> logits [T, V]
    // (float32). The logit lens reads intermediate layers through this.
    virtual HostTensor unembed(const HostTensor &residual) = 0;

    // Tokenises the prompt the way this model expects (BOS first where the family wants it),
    // checks the context length, runs, and fills token strings.
    std::shared_ptr<Trace> trace(const QString &prompt, const TraceOptions &options = {}, const JobControl *control = nullptr);
    std::vector<TokenPiece> tokenizePrompt(const QString &prompt) const;
    // Greedy continuation: the ids of up to maxNewTokens new tokens (stops early at EOS).
    std::vector<int64_t> generateGreedy(std::vector<int64_t> ids, int maxNewTokens, const JobControl *control = nullptr);
    void checkLength(size_t tokens) const;
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

constexpr int kModelFamilyApiVersion = 1;

} // namespace strata

#define StrataModelFamily_iid "org.strata.ModelFamily/1"
Q_DECLARE_INTERFACE(strata::ModelFamily, StrataModelFamily_iid)
