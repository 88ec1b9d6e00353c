#pragma once

#include <QString>

#include <functional>

namespace strata {

// The shape and tensor-type mix of a random-weight Llama GGUF, for benchmarks of model sizes that
// cannot be downloaded here (a Llama-3-8B shape, a 1B shape) and for tests.
struct RandomGgufSpec
{
    int layers = 2;
    int dModel = 256;
    int heads = 4;
    int kvHeads = 2;
    int ffn = 768;
    int vocab = 512;
    int context = 2048;
    bool tied = false; // no output.weight: the embedding is the unembedding
    // "q4_k_m" (llama.cpp's mix: Q4_K matrices, Q6_K output and the attn_v/ffn_down of a third of
    // the layers), or one type for every matrix ("q8_0", "q6_k", "iq4_xs", "f16", ...).
    QString mix = QStringLiteral("q4_k_m");
    unsigned seed = 1;
};

// "8b" (Llama-3-8B: 32 layers, d 4096, 32/8 heads, FFN 14336, vocabulary 128256), "1b" (Llama-3.2-1B:
// 16 layers, d 2048, 32/8 heads, FFN 8192, tied), "tiny", or "L,D,H,KV,F,V". Throws Error.
RandomGgufSpec randomGgufShape(const QString &name);

// Writes the file (through a .part file renamed at the end). Blocks are random bytes with every
// fp16 scale set to a small finite value, so each type's whole bit range is exercised and the
// forward pass stays finite. A SentencePiece vocabulary (byte pieces + synthetic words) is
// included. `progress` gets the fraction written. Throws Error (unknown type, full disk).
void writeRandomGguf(const QString &path, const RandomGgufSpec &spec, const std::function<void(double)> &progress = {});

} // namespace strata
