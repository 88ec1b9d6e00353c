// The tokenizer file loaders on hostile bytes. First byte: 'V' vocab.json + merges.txt (separated by
// "\n--8<--\n"), 'J' a byte-level BPE tokenizer.json, 'S' a SentencePiece-style tokenizer.json
// (BPE with byte fallback). A loaded tokenizer encodes and decodes a sample; every id must lie in
// its vocabulary. (SentencePiece from GGUF is fuzzed by fuzz_gguf.)

#include "FuzzSupport.h"

#include "tokenize/ByteLevelBpeTokenizer.h"
#include "tokenize/SentencePieceTokenizer.h"
#include "util/Error.h"

using namespace strata;

namespace {

void exercise(const Tokenizer &tok)
{
    const QString sample = QStringLiteral("Hello world, it's 2026! \u4e2d\u6587 <|endoftext|>\n\t  x");
    for (bool special : {false, true}) {
        const std::vector<TokenPiece> pieces = tok.encode(sample, special);
        for (const TokenPiece &p : pieces) {
            if (p.id < 0 || p.id >= tok.vocabSize())
                qFatal("token id %lld outside a vocabulary of %lld", static_cast<long long>(p.id), static_cast<long long>(tok.vocabSize()));
            (void)tok.displayString(p.id);
        }
        std::vector<int64_t> ids;
        for (const TokenPiece &p : pieces)
            ids.push_back(p.id);
        (void)tok.decode(ids);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char mode = char(data[0]);
    const QByteArray rest = fuzz::bytes(data + 1, size - 1);
    try {
        if (mode == 'V') {
            const QList<QByteArray> parts = fuzz::splitParts(rest, 2);
            ByteLevelBpeTokenizer tok;
            tok.loadVocabAndMerges(fuzz::writeFile(QStringLiteral("vocab.json"), parts.value(0)),
                                   fuzz::writeFile(QStringLiteral("merges.txt"), parts.value(1)));
            exercise(tok);
        } else if (mode == 'J') {
            ByteLevelBpeTokenizer tok;
            tok.loadTokenizerJson(fuzz::writeFile(QStringLiteral("tokenizer.json"), rest));
            exercise(tok);
        } else if (mode == 'S') {
            SentencePieceTokenizer tok;
            tok.loadFromTokenizerJson(fuzz::writeFile(QStringLiteral("tokenizer.json"), rest));
            exercise(tok);
        }
    } catch (const Error &e) {
        fuzz::rejected(e);
    }
    return 0;
}
