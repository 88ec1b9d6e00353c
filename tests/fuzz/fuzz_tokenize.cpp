// Tokenisation of arbitrary bytes with the real vocabularies: GPT-2's byte-level BPE (../shared
// tokenizers) and stories260K's SentencePiece (from its GGUF). Checked on every input: ids inside the
// vocabulary, byte ranges ordered and inside the text, and for byte-level BPE the exact round trip
// decode(encode(text)) == text (it is lossless by construction). First byte: bit 0 = parse special
// tokens; the rest is the text as UTF-8 (invalid sequences become U+FFFD, as when a file is read).

#include "FuzzSupport.h"

#include "tensor/GgufReader.h"
#include "tokenize/ByteLevelBpeTokenizer.h"
#include "tokenize/SentencePieceTokenizer.h"
#include "util/Error.h"

#include <memory>

using namespace strata;

namespace {

std::unique_ptr<ByteLevelBpeTokenizer> g_gpt2;
std::unique_ptr<SentencePieceTokenizer> g_spm;

void checkPieces(const Tokenizer &tok, const std::vector<TokenPiece> &pieces, int textBytes, const char *what)
{
    int lastEnd = 0;
    for (const TokenPiece &p : pieces) {
        if (p.id < 0 || p.id >= tok.vocabSize())
            qFatal("%s: id %lld outside the vocabulary", what, static_cast<long long>(p.id));
        if (p.byteBegin < 0 || p.byteEnd < p.byteBegin || p.byteEnd > textBytes)
            qFatal("%s: byte range [%d, %d) outside a %d-byte text", what, p.byteBegin, p.byteEnd, textBytes);
        if (p.byteEnd > p.byteBegin) {
            if (p.byteBegin < lastEnd)
                qFatal("%s: byte ranges overlap at %d", what, p.byteBegin);
            lastEnd = p.byteEnd;
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    const QString shared = fuzz::sharedDir();
    g_gpt2 = std::make_unique<ByteLevelBpeTokenizer>();
    g_gpt2->loadVocabAndMerges(shared + QStringLiteral("/tokenizers/gpt2/encoder.json"), shared + QStringLiteral("/tokenizers/gpt2/vocab.bpe"));
    GgufReader gguf;
    gguf.open(shared + QStringLiteral("/models/stories260K/stories260K.gguf"));
    g_spm = std::make_unique<SentencePieceTokenizer>();
    g_spm->loadFromGguf(gguf);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    const bool special = data[0] & 1;
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const int textBytes = int(text.toUtf8().size());
    try {
        const std::vector<TokenPiece> gpt2 = g_gpt2->encode(text, special);
        checkPieces(*g_gpt2, gpt2, textBytes, "gpt2");
        std::vector<int64_t> ids;
        for (const TokenPiece &p : gpt2)
            ids.push_back(p.id);
        if (g_gpt2->decode(ids) != text)
            qFatal("gpt2: decode(encode(text)) differs from the text");
        const std::vector<TokenPiece> spm = g_spm->encode(text, special);
        checkPieces(*g_spm, spm, textBytes, "stories260K");
        ids.clear();
        for (const TokenPiece &p : spm)
            ids.push_back(p.id);
        (void)g_spm->decode(ids);
    } catch (const Error &e) {
        fuzz::rejected(e);
    }
    return 0;
}
