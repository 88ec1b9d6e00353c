#include "ConllU.h"

#include "util/Error.h"

#include <QFile>

namespace strata::ConllU {

namespace {
// Places each word's form in the sentence text (in order) to get byte offsets; false when it cannot.
bool locateWords(ConllSentence &s)
{
    const QByteArray text = s.text.toUtf8();
    int pos = 0;
    for (ConllWord &w : s.words) {
        const QByteArray form = w.form.toUtf8();
        const int at = int(text.indexOf(form, pos));
        if (at < 0)
            return false;
        w.byteBegin = at;
        w.byteEnd = at + int(form.size());
        pos = w.byteEnd;
    }
    return true;
}
} // namespace

ConllFile parse(const QString &contents, const QString &label, int maxSentences)
{
    ConllFile f;
    ConllSentence cur;
    bool bad = false;
    int lineNo = 0;
    auto finish = [&] {
        if (!cur.words.empty() && !bad) {
            if (cur.text.isEmpty()) {
                for (const ConllWord &w : cur.words)
                    cur.text += w.form + (w.spaceAfter ? QStringLiteral(" ") : QString());
                cur.text = cur.text.trimmed();
            }
            for (const ConllWord &w : cur.words)
                if (w.head < 0 || w.head > int(cur.words.size())) {
                    f.problems << QStringLiteral("%1: sentence %2: a HEAD points outside the sentence.").arg(label, cur.id);
                    bad = true;
                    break;
                }
            if (!bad && !locateWords(cur)) {
                f.problems << QStringLiteral("%1: sentence %2: the words do not match its text.").arg(label, cur.id);
                bad = true;
            }
            if (!bad)
                f.sentences.push_back(cur);
        }
        cur = ConllSentence();
        bad = false;
    };
    const QStringList lines = contents.split(QLatin1Char('\n'));
    for (const QString &raw : lines) {
        ++lineNo;
        const QString line = raw.endsWith(QLatin1Char('\r')) ? raw.chopped(1) : raw;
        if (line.trimmed().isEmpty()) {
            finish();
            if (maxSentences > 0 && int(f.sentences.size()) >= maxSentences)
                break;
            continue;
        }
        if (line.startsWith(QLatin1Char('#'))) {
            if (line.startsWith(QLatin1String("# text = ")))
                cur.text = line.mid(9);
            else if (line.startsWith(QLatin1String("# sent_id = ")))
                cur.id = line.mid(12);
            continue;
        }
        const QStringList cols = line.split(QLatin1Char('\t'));
        if (cols.size() != 10) {
            f.problems << QStringLiteral("%1:%2: expected 10 tab-separated fields, found %3.").arg(label).arg(lineNo).arg(cols.size());
            bad = true;
            continue;
        }
        if (cols[0].contains(QLatin1Char('-')) || cols[0].contains(QLatin1Char('.')))
            continue; // multi-word token range or empty node
        bool okId = false, okHead = false;
        const int id = cols[0].toInt(&okId);
        const int head = cols[6].toInt(&okHead);
        if (!okId || id != int(cur.words.size()) + 1) {
            f.problems << QStringLiteral("%1:%2: word id '%3' is not the next number.").arg(label).arg(lineNo).arg(cols[0]);
            bad = true;
            continue;
        }
        if (!okHead) {
            f.problems << QStringLiteral("%1:%2: HEAD '%3' is not a number.").arg(label).arg(lineNo).arg(cols[6]);
            bad = true;
            continue;
        }
        ConllWord w;
        w.form = cols[1];
        w.upos = cols[3];
        w.xpos = cols[4];
        w.head = head;
        w.deprel = cols[7].section(QLatin1Char(':'), 0, 0); // universal relation without subtype
        w.spaceAfter = !cols[9].contains(QLatin1String("SpaceAfter=No"));
        cur.words.push_back(w);
    }
    finish();
    return f;
}

ConllFile load(const QString &path, int maxSentences)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("Cannot read %1: %2.").arg(path, file.errorString()));
    return parse(QString::fromUtf8(file.readAll()), path, maxSentences);
}

} // namespace strata::ConllU
