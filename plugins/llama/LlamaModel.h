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
    std::shared_ptr<Trace> run(const std::vector<int64_t> &ids, const TraceOptions &options, const JobControl *control) override;
    std::vector<float> nextTokenLogits(const std::vector<int64_t> &ids) override;
    HostTensor unembed(const HostTensor &residual) override;

    struct Impl;

private:
    LlamaModel();
    std::unique_ptr<Impl> d;
};

} // namespace strata
