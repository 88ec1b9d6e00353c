#pragma once

#include <QString>

namespace strata {

struct RandomGpt2Spec
{
    int layers = 12;
    int heads = 12;
    int dModel = 768;
    int positions = 1024;
    int vocab = 50257;
    unsigned seed = 1234;
};

// Writes a GPT-2 folder with random weights (N(0, 0.02) as GPT-2's initialiser, LayerNorm at 1/0)
// and a byte-only tokenizer, for benchmarks that need GPT-2-small's shapes without its weights.
void writeRandomGpt2(const QString &folder, const RandomGpt2Spec &spec);

} // namespace strata
