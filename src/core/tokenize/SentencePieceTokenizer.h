#pragma once

#include "Tokenizer.h"

#include <QHash>
#include <QStringList>

#include <string>
#include <unordered_map>
#include <vector>

namespace strata {

class GgufReader;

// SentencePiece-style BPE as Llama/TinyLlama use it: spaces become "▁", a dummy "▁" is put in front,
// text is split into characters and adjacent pieces are merged by priority; characters missing from
// the vocabulary fall back to byte tokens <0xNN>. Priority is the merged piece's score (GGUF
// tokenizer.ggml.scores, as llama.cpp does) or the merge's rank (Hugging Face tokenizer.json).
class SentencePieceTokenizer : public Tokenizer
{
public:
    enum class Priority { Score, MergeRank };

    void loadFromGguf(const GgufReader &gguf);       // throws Error
    void loadFromTokenizerJson(const QString &path); // BPE with byte_fallback (Llama 2 style)

    std::vector<TokenPiece> encode(const QString &text, bool parseSpecial = false) const override;
    QByteArray tokenBytes(int64_t id) const override;
    QString decode(const std::vector<int64_t> &ids) const override;
    int64_t vocabSize() const override { return int64_t(m_pieces.size()); }
    int64_t bosId() const override { return m_bos; }
    int64_t eosId() const override { return m_eos; }
    bool prependsBos() const override { return m_addBos; }
    bool isSpecial(int64_t id) const override;

    const QStringList &pieces() const { return m_pieces; }
    const std::vector<float> &scores() const { return m_scores; }
    bool addsSpacePrefix() const { return m_addSpacePrefix; }
    // Merges in priority order, derived from the vocabulary and scores the way Hugging Face's
    // SentencePiece converter does (every split of a piece into two vocabulary pieces, ordered by the
    // merged piece's score). Used to write tokenizer.json when converting GGUF to HF layout.
    std::vector<std::pair<QString, QString>> derivedMerges() const;
    int64_t byteTokenId(unsigned char b) const { return m_byteIds[b]; }
    int tokenType(int64_t id) const { return id >= 0 && size_t(id) < m_types.size() ? m_types[size_t(id)] : 1; }

private:
    void finish(const QString &source);
    QStringList m_pieces;
    std::vector<float> m_scores;
    std::vector<int> m_types; // 1 normal, 2 unknown, 3 control, 4 user-defined, 6 byte
    std::unordered_map<std::string, int64_t> m_index;
    std::unordered_map<std::string, int> m_mergeRank;
    Priority m_priority = Priority::Score;
    int64_t m_byteIds[256];
    int64_t m_bos = -1, m_eos = -1, m_unk = -1;
    bool m_addBos = true;
    bool m_addSpacePrefix = true;
};

} // namespace strata
