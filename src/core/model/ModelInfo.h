#pragma once

#include <QString>
#include <QMetaType>

#include <cstdint>

namespace strata {

// What the model card shows and what a Trace records about the model that produced it.
struct ModelInfo
{
    QString family;                          // plugin family id: "gpt2", "llama", ...
    QString architecture;                    // e.g. GPT2LMHeadModel
    QString name;                            // display name (folder or file name, Hub id)
    QString location;                        // what the user gave: folder, file, Hub id or "demo"
    QString path;                            // resolved folder or file on disk
    QString fingerprint;                     // SHA-256 over the weight files' headers and sampled contents
    QString dtype;                           // storage dtype of the weights
    QString compute = QStringLiteral("f32"); // compute precision of the matrix products: "f32" or "bf16" (ComputeRuntime)
    QString computeNote;                     // a warning about it (bf16 emulated on this CPU), or empty
    QString licenseText;
    int nLayers = 0;
    int nHeads = 0;
    int nKvHeads = 0;
    int dModel = 0;
    int dMlp = 0;
    int headDim = 0;
    int64_t vocabSize = 0;
    int contextLength = 0;
    int slidingWindow = 0; // > 0: a query sees only the last slidingWindow keys (itself included), as Mistral
    int64_t parameterCount = 0;
    int64_t fileBytes = 0;

    // Bytes a full float32 trace of T tokens needs (attention, six residual-sized tensors per
    // layer, embeddings, logits), used to warn before running.
    int64_t traceBytes(int tokens, int bytesPerValue = 4) const;
    // The name a run is shown under: "stories260K", or "r8b · bf16" for a bf16 run, so that a bf16
    // result is never mistaken for an exact one.
    QString runLabel() const { return compute == QLatin1String("bf16") ? name + QStringLiteral(" · bf16") : name; }
};

} // namespace strata

Q_DECLARE_METATYPE(strata::ModelInfo)
