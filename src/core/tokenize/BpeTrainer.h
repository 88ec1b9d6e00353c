#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace strata {

class JobControl;

// Learns a byte-level BPE vocabulary (GPT-2 style: the GPT-2 pre-tokenizer splits text into words,
// merges never cross word boundaries, every byte is a token so any text, Chinese included, encodes).
// Pair counts are updated incrementally and the best pair is kept in a lazy max-heap, so learning
// 4k merges over a few MB of text takes seconds. Ties go to the lexicographically smaller pair, so
// the result is deterministic.
class BpeTrainer
{
public:
    void addText(const QString &text); // pre-tokenises and counts words
    int wordTypes() const { return int(m_wordCounts.size()); }

    struct Result
    {
        std::vector<QByteArray> tokens;                        // id -> bytes: 256 bytes, then merges
        std::vector<std::pair<QByteArray, QByteArray>> merges; // in rank order
    };
    // Learns merges until the vocabulary has vocabSize tokens (bytes included).
    Result train(int vocabSize, const JobControl *control = nullptr) const;

    // Writes vocab.json (+ <|endoftext|> as the last id) and merges.txt in GPT-2's symbol alphabet.
    static void save(const Result &r, const QString &folder); // throws Error

private:
    QHash<QByteArray, qint64> m_wordCounts;
};

} // namespace strata
