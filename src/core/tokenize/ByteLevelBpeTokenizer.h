#pragma once

#include "Tokenizer.h"

#include <QHash>
#include <QRegularExpression>

#include <mutex>
#include <string>
#include <unordered_map>

namespace strata {

class GgufReader;

// GPT-2's byte-level BPE: the text is split by GPT-2's pre-tokenizer regex (Unicode letter and
// number classes), each piece's UTF-8 bytes are mapped to printable characters (bytes_to_unicode),
// then merged by rank. Loads vocab.json + merges.txt or a Hugging Face tokenizer.json of type BPE.
class ByteLevelBpeTokenizer : public Tokenizer
{
public:
    ByteLevelBpeTokenizer();

    void loadVocabAndMerges(const QString &vocabJson, const QString &mergesTxt); // throws Error
    void loadTokenizerJson(const QString &path);                                 // throws Error
    // tokenizer.ggml.model "gpt2" of a GGUF (Llama 3, Qwen2): tokens, merges, token types, and the
    // pre-tokenizer named by tokenizer.ggml.pre. Throws Error naming an unknown pre-tokenizer.
    void loadFromGguf(const GgufReader &gguf);
    static QString ggufPrePattern(const QString &pre); // "" = GPT-2's, "?" = unknown
    // For tokenizers the project learns itself (the demo model): byte symbols are implied.
    void setVocabulary(const std::vector<QByteArray> &tokens, const std::vector<std::pair<QByteArray, QByteArray>> &merges);

    std::vector<TokenPiece> encode(const QString &text, bool parseSpecial = false) const override;
    QByteArray tokenBytes(int64_t id) const override;
    int64_t vocabSize() const override { return int64_t(m_idToBytes.size()); }
    int64_t bosId() const override { return m_bos >= 0 ? m_bos : m_eos; }
    bool prependsBos() const override { return m_prependBos; }
    int64_t eosId() const override { return m_eos; }
    bool isSpecial(int64_t id) const override { return m_specialIds.contains(id); }

    // GPT-2's reversible byte <-> printable-character table.
    static const QVector<char32_t> &byteToUnicode();
    static QString bytesToSymbols(const QByteArray &bytes);
    static QByteArray symbolsToBytes(const QString &symbols, bool *ok = nullptr);
    static const QRegularExpression &gpt2Pattern();
    // The pre-tokenizer regex in use: GPT-2's, or the Split pattern of a tokenizer.json (Llama 3, Qwen2).
    const QRegularExpression &pattern() const { return m_customPattern.pattern().isEmpty() ? gpt2Pattern() : m_customPattern; }

    void addSpecialToken(const QString &text, int64_t id);

private:
    void encodeChunk(const QByteArray &chunk, int byteOffset, std::vector<TokenPiece> &out) const;
    std::vector<int64_t> bpe(const QByteArray &word) const;
    void finishLoading(const QString &source);

    std::unordered_map<std::string, int64_t> m_vocab; // token bytes -> id
    std::vector<QByteArray> m_idToBytes;
    std::unordered_map<std::string, int> m_mergeRank; // "left\x01right" (raw bytes) -> rank
    QRegularExpression m_customPattern;
    QHash<QString, int64_t> m_special;
    QSet<int64_t> m_specialIds;
    int64_t m_eos = -1;
    int64_t m_bos = -1;        // GGUF: tokenizer.ggml.bos_token_id (GPT-2: the end-of-text token)
    bool m_prependBos = false; // GGUF: tokenizer.ggml.add_bos_token (Llama 3 sets it)
    mutable std::mutex m_cacheMutex;
    mutable std::unordered_map<std::string, std::vector<int64_t>> m_cache;
};

} // namespace strata
