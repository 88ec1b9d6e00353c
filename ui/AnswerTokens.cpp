#include "AnswerTokens.h"

#include "analysis/Compare.h"
#include "model/ModelFamily.h"
#include "tokenize/Tokenizer.h"

#include <QCoreApplication>
#include <QStringList>

namespace strata {

QString answerTokensText(LoadedModel &model, const QString &text)
{
    if (text.isEmpty())
        return QString();
    const std::vector<TokenPiece> pieces = model.tokenizer().encode(text, false);
    QStringList shown;
    for (const TokenPiece &p : pieces)
        shown << model.tokenizer().displayString(p.id);
    const int64_t first = Compare::firstToken(model, text);
    QString s = QCoreApplication::translate("AnswerTokens", "%1 → scored: %2")
                    .arg(shown.join(QLatin1Char(' ')), first >= 0 ? model.tokenizer().displayString(first) : QStringLiteral("?"));
    if (pieces.size() > 1 && first == pieces.front().id)
        s += QCoreApplication::translate("AnswerTokens", " (%1 tokens; only the first is scored)").arg(pieces.size());
    else if (pieces.size() > 1)
        s += QCoreApplication::translate("AnswerTokens", " (the lone leading space is skipped)");
    return s;
}

} // namespace strata
