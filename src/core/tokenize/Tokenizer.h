#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <vector>

namespace strata {

// One token of an encoded prompt: its id and the bytes of the UTF-8 prompt it covers
// ([byteBegin, byteEnd); empty for a token the tokenizer inserted, such as BOS).
struct TokenPiece
{
    int64_t id = 0;
    int byteBegin = 0;
    int byteEnd = 0;
};

class Tokenizer
{
public:
    virtual ~Tokenizer() = default;

    // parseSpecial: when true, special-token strings such as <|endoftext|> in the text become their
    // ids; when false they are ordinary text.
    virtual std::vector<TokenPiece> encode(const QString &text, bool parseSpecial = false) const = 0;
    virtual QByteArray tokenBytes(int64_t id) const = 0;
    virtual int64_t vocabSize() const = 0;
    virtual int64_t bosId() const { return -1; }
    virtual int64_t eosId() const { return -1; }
    // Whether a prompt for this model normally starts with BOS (Llama) or not (GPT-2).
    virtual bool prependsBos() const { return false; }
    virtual bool isSpecial(int64_t id) const
    {
        Q_UNUSED(id);
        return false;
    }

    std::vector<int64_t> encodeIds(const QString &text, bool parseSpecial = false) const;
    virtual QString decode(const std::vector<int64_t> &ids) const;
    // Human-readable token: spaces as "␣", newlines as "↵", tabs as "⇥", bytes that are not whole
    // UTF-8 characters as <0xNN>.
    QString displayString(int64_t id) const;
    static QString displayBytes(const QByteArray &bytes);
};

} // namespace strata
