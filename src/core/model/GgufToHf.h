#pragma once

#include <QString>

namespace strata {

// Converts a Llama-architecture GGUF (any tensor type GgmlQuants reads, SentencePiece tokenizer) into a
// Hugging Face Llama folder: config.json, model.safetensors (float32, Q and K rows permuted from
// adjacent-pair to rotate-half rotary order, as Hugging Face's conversion does), tokenizer.json
// (BPE with byte fallback; merges derived from the scores) and tokenizer_config.json.
// Writes into a temporary folder first and moves files into place only when all succeeded.
void convertGgufToHf(const QString &ggufPath, const QString &outFolder); // throws Error

} // namespace strata
