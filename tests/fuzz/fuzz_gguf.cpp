// GgufReader on hostile bytes: header, every metadata type, tensor infos, and the dequantisation of
// every tensor the reader accepts (every quantized type of GgmlQuants.h), then both GGUF tokenizer
// loaders (SentencePiece and byte-level BPE) on whatever vocabulary the file carries.

#include "FuzzSupport.h"

#include "tensor/GgmlQuants.h"
#include "tensor/GgufReader.h"
#include "tokenize/ByteLevelBpeTokenizer.h"
#include "tokenize/SentencePieceTokenizer.h"
#include "util/Error.h"

#include <cmath>

using namespace strata;

namespace {

constexpr int64_t kMaxElements = int64_t(1) << 22;

void tryTokenizers(const GgufReader &gguf)
{
    const QString sample = QStringLiteral("Once upon a time, 123 \u4e2d\u6587 <s>\n");
    try {
        SentencePieceTokenizer spm;
        spm.loadFromGguf(gguf);
        for (const TokenPiece &p : spm.encode(sample, true))
            if (p.id < 0 || p.id >= spm.vocabSize())
                qFatal("SentencePiece id %lld outside the vocabulary", static_cast<long long>(p.id));
        (void)spm.decode(spm.encodeIds(sample));
    } catch (const Error &e) {
        fuzz::rejected(e);
    }
    try {
        ByteLevelBpeTokenizer bpe;
        bpe.loadFromGguf(gguf);
        for (const TokenPiece &p : bpe.encode(sample, true))
            if (p.id < 0 || p.id >= bpe.vocabSize())
                qFatal("byte-level BPE id %lld outside the vocabulary", static_cast<long long>(p.id));
        (void)bpe.decode(bpe.encodeIds(sample));
    } catch (const Error &e) {
        fuzz::rejected(e);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try {
        GgufReader gguf;
        gguf.open(fuzz::writeFile(QStringLiteral("input.gguf"), fuzz::bytes(data, size)));
        for (const QString &key : gguf.metadataKeys())
            (void)gguf.metadata(key).toString();
        (void)gguf.typeMixSummary();
        for (const QString &name : gguf.tensorNames()) {
            const GgufTensorInfo &info = gguf.info(name);
            const int64_t n = HostTensor::numelOf(info.shape);
            if (n > kMaxElements)
                continue;
            try {
                const HostTensor t = gguf.tensorF32(name);
                if (t.numel() != n)
                    qFatal("tensor %s: %lld elements, header says %lld", qPrintable(name), static_cast<long long>(t.numel()), static_cast<long long>(n));
            } catch (const Error &e) {
                fuzz::rejected(e);
            }
        }
        tryTokenizers(gguf);
    } catch (const Error &e) {
        fuzz::rejected(e);
    }
    return 0;
}
