#include "HfFolder.h"

#include "tokenize/ByteLevelBpeTokenizer.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace strata::HfFolder {

std::unique_ptr<Tokenizer> loadByteLevelTokenizer(const QString &folder)
{
    const QDir dir(folder);
    auto tok = std::make_unique<ByteLevelBpeTokenizer>();
    const QString vocab = dir.filePath(QStringLiteral("vocab.json"));
    const QString merges = dir.filePath(QStringLiteral("merges.txt"));
    const QString tj = dir.filePath(QStringLiteral("tokenizer.json"));
    if (QFileInfo(vocab).isFile() && QFileInfo(merges).isFile())
        tok->loadVocabAndMerges(vocab, merges);
    else if (QFileInfo(tj).isFile())
        tok->loadTokenizerJson(tj);
    else
        throw Error(QStringLiteral("%1 has no tokenizer: expected vocab.json + merges.txt or tokenizer.json.").arg(QDir::toNativeSeparators(folder)));
    return tok;
}

QString licenseText(const QString &folder)
{
    const QDir dir(folder);
    for (const QString &name : dir.entryList({QStringLiteral("LICENSE*"), QStringLiteral("LICENCE*"), QStringLiteral("license*")}, QDir::Files, QDir::Name)) {
        QFile f(dir.filePath(name));
        if (f.open(QIODevice::ReadOnly))
            return QString::fromUtf8(f.read(64 * 1024));
    }
    return QString();
}

} // namespace strata::HfFolder
