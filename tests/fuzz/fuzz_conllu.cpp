// The CoNLL-U reader on hostile text, then what the probes and the syntactic-head analysis derive
// from each sentence (word labels for every task, head distances).

#include "FuzzSupport.h"

#include "analysis/ConllU.h"
#include "analysis/ProbeData.h"

using namespace strata;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const ConllFile file = ConllU::parse(text, QStringLiteral("fuzz.conllu"));
    for (const ConllSentence &s : file.sentences) {
        const int words = int(s.words.size());
        const int textBytes = int(s.text.toUtf8().size());
        for (int w = 0; w < words; ++w) {
            const ConllWord &word = s.words[size_t(w)];
            if (word.head < 0 || word.head > words)
                qFatal("word %d of sentence %s has head %d outside 0..%d", w + 1, qPrintable(s.id), word.head, words);
            if (word.byteBegin < 0 || word.byteEnd < word.byteBegin || word.byteEnd > textBytes)
                qFatal("word %d of sentence %s spans [%d, %d) outside a %d-byte text", w + 1, qPrintable(s.id), word.byteBegin, word.byteEnd, textBytes);
            for (ProbeTask task : {ProbeTask::Upos, ProbeTask::Xpos, ProbeTask::Deprel, ProbeTask::HeadDistance})
                (void)ProbeData::wordLabel(s, w, task);
        }
    }
    return 0;
}
