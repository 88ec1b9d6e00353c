#pragma once

#include "model/ModelFamily.h"

#include <memory>

namespace strata {

// GPT-2 (Radford et al. 2019) as Hugging Face's GPT2LMHeadModel computes it: learned positions,
// pre-LayerNorm blocks, Conv1D weights stored (in, out), tanh-approximated GELU, tied or untied
// unembedding. The torch parts live in the .cpp behind a pimpl.
class Gpt2Model : public LoadedModel
{
public:
    static std::unique_ptr<Gpt2Model> load(const ModelSource &source, const JobControl *control);
    ~Gpt2Model() override;

    const ModelInfo &info() const override;
    const Tokenizer &tokenizer() const override;
    at::Tensor forwardSites(const at::Tensor &ids, SiteHooks &hooks, const JobControl *control) override;
    at::Tensor unembeddingMatrix() const override;
    HostTensor unembed(const HostTensor &residual) override;

    struct Impl;

private:
    Gpt2Model();
    std::unique_ptr<Impl> d;
};

} // namespace strata
