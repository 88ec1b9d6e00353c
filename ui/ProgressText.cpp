#include "ProgressText.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace strata {

QString localizedProgress(const QString &what)
{
    struct Pattern
    {
        const char *regex;
        const char *text; // translated through the "strata::Progress" context
    };
    static const Pattern patterns[] = {
        {"^Layer (\\d+)$", QT_TRANSLATE_NOOP("strata::Progress", "Layer %1")},
        {"^Sentence (\\d+)/(\\d+)$", QT_TRANSLATE_NOOP("strata::Progress", "Sentence %1/%2")},
        {"^Sentence (\\d+)$", QT_TRANSLATE_NOOP("strata::Progress", "Sentence %1")},
        {"^Logit lens, layer (\\d+)$", QT_TRANSLATE_NOOP("strata::Progress", "Logit lens, layer %1")},
        {"^Induction test (\\d+)/(\\d+)$", QT_TRANSLATE_NOOP("strata::Progress", "Induction test %1/%2")},
        {"^Variants (\\d+)-(\\d+) of (\\d+)$", QT_TRANSLATE_NOOP("strata::Progress", "Variants %1-%2 of %3")},
        {"^Probing (.+), layer (\\d+)/(\\d+)$", QT_TRANSLATE_NOOP("strata::Progress", "Probing %1, layer %2/%3")},
        {"^Reading tokenizer$", QT_TRANSLATE_NOOP("strata::Progress", "Reading tokenizer")},
        {"^Mapping weights$", QT_TRANSLATE_NOOP("strata::Progress", "Mapping weights")},
        {"^Features from the cache$", QT_TRANSLATE_NOOP("strata::Progress", "Features from the cache")},
        {"^BPE merges$", QT_TRANSLATE_NOOP("strata::Progress", "BPE merges")},
        {"^Report: tracing the prompt$", QT_TRANSLATE_NOOP("strata::Progress", "Report: tracing the prompt")},
        {"^Report: induction test$", QT_TRANSLATE_NOOP("strata::Progress", "Report: induction test")},
        {"^Report: probes$", QT_TRANSLATE_NOOP("strata::Progress", "Report: probes")},
        {"^Report: syntactic heads$", QT_TRANSLATE_NOOP("strata::Progress", "Report: syntactic heads")},
        {"^Report: logit lens$", QT_TRANSLATE_NOOP("strata::Progress", "Report: logit lens")},
        {"^Report: paraphrase similarity$", QT_TRANSLATE_NOOP("strata::Progress", "Report: paraphrase similarity")},
    };
    for (const Pattern &p : patterns) {
        const QRegularExpression re(QString::fromLatin1(p.regex));
        const QRegularExpressionMatch m = re.match(what);
        if (!m.hasMatch())
            continue;
        QString out = QCoreApplication::translate("strata::Progress", p.text);
        for (int i = 1; i <= m.lastCapturedIndex(); ++i)
            out = out.arg(m.captured(i));
        return out;
    }
    return what;
}

} // namespace strata
