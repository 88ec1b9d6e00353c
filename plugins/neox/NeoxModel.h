#pragma once

#include "model/ModelFamily.h"

#include <memory>

namespace strata {

// GPT-NeoX as Hugging Face's GPTNeoXForCausalLM computes it (Pythia): LayerNorm, fused QKV laid out
// per head as [q|k|v], rotary (rotate-half) on the first rotary_pct of each head, parallel residual
// x + attn(ln1(x)) + mlp(ln2(x)) when use_parallel_residual, untied embed_out.
class NeoxModel : public LoadedModel
{
public:
    static std::unique_ptr<NeoxModel> load(const ModelSource &source, const JobControl *control);
    ~NeoxModel() override;

    const ModelInfo &info() const override;
    const Tokenizer &tokenizer() const override;
    at::Tensor forwardSites(const at::Tensor &ids, SiteHooks &hooks, const JobControl *control) override;
    at::Tensor unembeddingMatrix() const override;
    HostTensor unembed(const HostTensor &residual) override;

    struct Impl;

private:
    NeoxModel();
    std::unique_ptr<Impl> d;
};

} // namespace strata
