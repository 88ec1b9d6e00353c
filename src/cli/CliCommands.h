#pragma once

#include <QStringList>

namespace strata::cli {

// Runs one strata-cli command line; returns the process exit code. Every failure prints exactly one
// line "strata-cli: error: ..." on stderr and returns non-zero; no partial output file is left.
int run(const QStringList &arguments);

} // namespace strata::cli
