#include "Tokenizer.h"

namespace strata {

std::vector<int64_t> Tokenizer::encodeIds(const QString &text, bool parseSpecial) const
{
    std::vector<int64_t> ids;
    for (const TokenPiece &p : encode(text, parseSpecial))
        ids.push_back(p.id);
    return ids;
}

QString Tokenizer::decode(const std::vector<int64_t> &ids) const
{
    QByteArray bytes;
    for (int64_t id : ids)
        bytes += tokenBytes(id);
    return QString::fromUtf8(bytes);
}

namespace {
// Length of the valid UTF-8 sequence starting at bytes[i], or 0 when it is not one.
int utf8SequenceLength(const QByteArray &b, int i)
{
    const unsigned char c = uchar(b[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > b.size())
        return 0;
    for (int k = 1; k < len; ++k)
        if ((uchar(b[i + k]) & 0xC0) != 0x80)
            return 0;
    return len;
}
} // namespace

QString Tokenizer::displayBytes(const QByteArray &bytes)
{
    QString out;
    int i = 0;
    while (i < bytes.size()) {
        const int len = utf8SequenceLength(bytes, i);
        if (len == 0) {
            out += QStringLiteral("<0x%1>").arg(uchar(bytes[i]), 2, 16, QLatin1Char('0')).toUpper().replace(QLatin1String("0X"), QLatin1String("0x"));
            ++i;
            continue;
        }
        const QString ch = QString::fromUtf8(bytes.constData() + i, len);
        if (ch == QLatin1String(" "))
            out += QChar(0x2423);
        else if (ch == QLatin1String("\n"))
            out += QChar(0x21B5);
        else if (ch == QLatin1String("\t"))
            out += QChar(0x21E5);
        else if (ch == QLatin1String("\r"))
            out += QStringLiteral("\\r");
        else
            out += ch;
        i += len;
    }
    return out;
}

QString Tokenizer::displayString(int64_t id) const
{
    return displayBytes(tokenBytes(id));
}

} // namespace strata
