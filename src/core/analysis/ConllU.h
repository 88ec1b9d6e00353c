#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace strata {

// CoNLL-U (Universal Dependencies) sentences. Multi-word token ranges (1-2) and empty nodes (1.1) are
// skipped as UD prescribes for word-level annotation; malformed lines are reported (file:line: why)
// and their sentence dropped, the rest of the file still loads.
struct ConllWord
{
    QString form;
    QString upos, xpos, deprel;
    int head = 0; // 1-based, 0 = root
    bool spaceAfter = true;
    int byteBegin = 0; // in the sentence text
    int byteEnd = 0;
};

struct ConllSentence
{
    QString id;
    QString text; // "# text =" when present, else the forms joined by SpaceAfter
    std::vector<ConllWord> words;
};

struct ConllFile
{
    std::vector<ConllSentence> sentences;
    QStringList problems;
};

namespace ConllU {
ConllFile parse(const QString &contents, const QString &label, int maxSentences = 0);
ConllFile load(const QString &path, int maxSentences = 0); // throws Error when the file cannot be read
} // namespace ConllU

} // namespace strata
