#pragma once

#include "ModelInfo.h"
#include "Sites.h"
#include "tensor/HostTensor.h"
#include "tokenize/Tokenizer.h"

#include <QMetaType>
#include <QStringList>

#include <memory>
#include <vector>

namespace strata {

// Which activations a forward pass keeps. Everything is kept by default; limiting layers or
// storing F16 keeps large models within memory.
struct TraceOptions
{
    bool attention = true;
    bool residuals = true;    // resid_pre/mid/post, attn_out, mlp_out
    bool logits = true;       // full [T, V] logits; when false only the last position's are kept
    bool headOutputs = false; // per-head attention outputs [heads, T, D] (for per-head direct effects)
    bool neurons = false;     // the MLP's hidden activations [T, F] (mlp_post; not kept in stored runs)
    DType storage = DType::F32;
    std::vector<int> layers; // empty: all layers

    bool keepsLayer(int layer) const;
};

struct LayerTrace
{
    int layer = 0;
    HostTensor attn;      // [heads, T, T] attention probabilities (query, key)
    HostTensor residPre;  // [T, D] residual stream entering the block
    HostTensor residMid;  // [T, D] after the attention sublayer was added
    HostTensor residPost; // [T, D] leaving the block
    HostTensor attnOut;   // [T, D] what attention wrote into the residual stream
    HostTensor mlpOut;    // [T, D] what the MLP wrote
    HostTensor headOut;   // [heads, T, D] what each head wrote (attn_out = their sum + the output bias); optional
    HostTensor mlpPost;   // [T, F] the MLP's neurons after the nonlinearity; optional (TraceOptions::neurons)
};

// One forward pass of one prompt through one model: everything a panel draws.
struct Trace
{
    ModelInfo model;
    QString prompt;
    std::vector<TokenPiece> tokens;
    QStringList tokenStrings; // display strings, one per token
    HostTensor embed;         // [T, D] token + position embedding (the input of layer 0)
    std::vector<LayerTrace> layers;
    HostTensor finalNorm;               // [T, D]
    HostTensor logits;                  // [T, V], or [1, V] for the last position when logits were not kept
    std::vector<int> kvHeadOfQueryHead; // grouped-query attention: which KV head each query head reads
    TraceOptions options;
    std::vector<Intervention> interventions; // what was changed in this run (empty: an ordinary run)
    double milliseconds = 0;

    int tokenCount() const { return int(tokens.size()); }
    std::vector<int64_t> tokenIds() const;
    const LayerTrace *layer(int l) const;
    int64_t byteSize() const;
};

using TracePtr = std::shared_ptr<const Trace>;

} // namespace strata

Q_DECLARE_METATYPE(strata::TracePtr)
