#pragma once

#include <QString>

#include <cstdint>

namespace strata {

// What a model will cost before it is loaded, read from config.json and the weight files' sizes
// only (no weights are read): the model manager shows it so a user knows before clicking Load.
struct ModelEstimate
{
    bool known = false; // false when the location could not be read; error says why
    QString error;
    QString modelType;
    int nLayers = 0, nHeads = 0, dModel = 0, contextLength = 0;
    int64_t vocabSize = 0;
    int64_t weightFileBytes = 0;
    // Memory beyond the mapped weight files: widened F16/BF16 safetensors; for GGUF the dense float32
    // unembedding, vectors and the per-layer buffers (quantised matrices stay in the map).
    int64_t weightMemoryBytes = 0;
    QString weightTypes; // GGUF: "Q4_K_M: Q4_K 81 %, Q6_K 19 %, F32 0.003 %"
    int64_t fullTraceBytes(int tokens, int bytesPerValue = 4) const;
};

ModelEstimate estimateModel(const QString &location);

} // namespace strata
