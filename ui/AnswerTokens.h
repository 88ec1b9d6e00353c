#pragma once

#include <QString>

namespace strata {

class LoadedModel;

// What a user sees beside an answer field (compare, contributions, patching): the tokens the text
// becomes and the one that is scored (Compare::firstToken, the CLI's rule), with a note when only the
// first of several counts or a lone leading space was skipped. Empty for empty text.
QString answerTokensText(LoadedModel &model, const QString &text);

} // namespace strata
