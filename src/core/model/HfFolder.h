#pragma once

#include <QString>

#include <memory>

namespace strata {

class Tokenizer;

// Helpers shared by families that read Hugging Face folders.
namespace HfFolder {
// vocab.json + merges.txt, else tokenizer.json (byte-level BPE). Throws Error when neither is there.
std::unique_ptr<Tokenizer> loadByteLevelTokenizer(const QString &folder);
// The text of LICENSE / LICENSE.txt / LICENSE.md when present (first 64 KiB), else empty.
QString licenseText(const QString &folder);
} // namespace HfFolder

} // namespace strata
