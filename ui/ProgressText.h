#pragma once

#include <QString>

namespace strata {

// Core reports its progress in English ("Layer 4", "Sentence 3/40", ...): core has no translations.
// The status bar shows them through this, which recognises each message core writes and returns
// it in the UI language; anything else is shown as it came.
QString localizedProgress(const QString &what);

} // namespace strata
