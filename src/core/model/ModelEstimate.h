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
    int64_t weightMemoryBytes = 0; // as float32 in memory (F16/BF16 files are widened)
    int64_t fullTraceBytes(int tokens, int bytesPerValue = 4) const;
};

ModelEstimate estimateModel(const QString &location);

} // namespace strata
