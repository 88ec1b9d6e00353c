#pragma once

// Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.cpp). Each harness defines
// LLVMFuzzerTestOneInput; built with -DSTRATA_FUZZ=ON it links libFuzzer, otherwise FuzzDriver.cpp
// replays its committed corpus and past crashes as an ordinary test.
//
// A harness must not crash, hang or trip a sanitizer on any input. An Error (Strata's exception for
// bad input) is the expected outcome for most inputs and is swallowed; anything else escapes and
// aborts, so the fuzzer reports it.

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>

namespace strata {
class Error;
}

namespace strata::fuzz {

// An input was refused with a message (the expected outcome); printed when STRATA_FUZZ_VERBOSE is set.
void rejected(const Error &e);

// A QCoreApplication for code that needs one (SQL drivers, plugins); created once.
void ensureApp();

// A folder of this process's own, removed at exit.
QString scratchDir();

// Writes bytes to scratchDir()/name (replacing it) and returns the path.
QString writeFile(const QString &name, const QByteArray &bytes);

// ../shared as the build knows it (tests read reference data there).
QString sharedDir();

// Splits an input at the marker "\n--8<--\n" (how the multi-file harnesses take several files).
QList<QByteArray> splitParts(const QByteArray &data, int maxParts);

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace strata::fuzz
