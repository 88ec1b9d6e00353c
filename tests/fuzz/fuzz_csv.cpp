// The CSV/TSV readers on hostile bytes: labelled sentences for the sentence probe (first byte 'T':
// as .tsv, else as .csv) and the trainer's training-log.csv (first byte 'L').

#include "FuzzSupport.h"

#include "analysis/ProbeData.h"
#include "train/Gpt2Trainer.h"
#include "util/Error.h"

using namespace strata;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char mode = char(data[0]);
    const QByteArray rest = fuzz::bytes(data + 1, size - 1);
    try {
        if (mode == 'L') {
            (void)readTrainLogCsv(fuzz::writeFile(QStringLiteral("training-log.csv"), rest));
            return 0;
        }
        const QString path = fuzz::writeFile(mode == 'T' ? QStringLiteral("labels.tsv") : QStringLiteral("labels.csv"), rest);
        const ProbeDataset ds = ProbeData::load(path);
        if (int(ds.sentences.size()) != int(ds.sentenceLabels.size()))
            qFatal("%d sentences but %d labels", int(ds.sentences.size()), int(ds.sentenceLabels.size()));
        for (const QString &label : ds.sentenceLabels)
            if (label.isEmpty())
                qFatal("an empty label was accepted");
    } catch (const Error &e) {
        fuzz::rejected(e);
    }
    return 0;
}
