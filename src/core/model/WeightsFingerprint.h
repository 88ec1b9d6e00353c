#pragma once

#include <QString>
#include <QStringList>

namespace strata {

// A short, stable identity for a model's weights: SHA-256 over each file's size, first and last
// MiB and 14 evenly spaced 64 KiB samples. Cheap on multi-GB files (reads < 3 MiB each) yet changes
// when any header or a sampled region changes. Hex, first 16 characters.
QString weightsFingerprint(const QStringList &files);

} // namespace strata
