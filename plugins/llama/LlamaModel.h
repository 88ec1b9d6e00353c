#pragma once

#include "model/ModelFamily.h"

#include <QStringList>

#include <memory>

namespace strata {

// Llama-architecture decoder (Llama 1/2/3, TinyLlama, SmolLM, Mistral, Qwen2): RMSNorm, rotary
// position embeddings (adjacent pairs for GGUF "llama", rotate-half for Hugging Face and GGUF
// "qwen2"), grouped-query attention, SwiGLU MLP, optional Q/K/V biases, tied or untied output.
class LlamaModel : public LoadedModel
{
public:
    static std::unique_ptr<LlamaModel> load(const ModelSource &source, const JobControl *control);
    static QStringList supportedGgufArchitectures();
    static QStringList supportedHfModelTypes();
    ~LlamaModel() override;

    const ModelInfo &info() const override;
    const Tokenizer &tokenizer() const override;
    at::Tensor forwardSites(const at::Tensor &ids, SiteHooks &hooks, const JobControl *control) override;
    at::Tensor unembeddingMatrix() const override;
    HostTensor unembed(const HostTensor &residual) override;

    struct Impl;

private:
    LlamaModel();
    std::unique_ptr<Impl> d;
};

} // namespace strata
