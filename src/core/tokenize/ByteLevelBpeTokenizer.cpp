#include "ByteLevelBpeTokenizer.h"

#include "tensor/GgufReader.h"

#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <functional>
#include <climits>

namespace strata {

namespace {
std::string key(const QByteArray &b)
{
    return std::string(b.constData(), size_t(b.size()));
}
std::string pairKey(const QByteArray &a, const QByteArray &b)
{
    std::string k = key(a);
    k.push_back('\x01'); // cannot be confused with content: the pair key is only compared whole
    k.append(b.constData(), size_t(b.size()));
    k.append(std::to_string(a.size()));
    return k;
}

QJsonDocument readJson(const QString &path)
{
    QFile f(path);
    if (!f.exists())
        throw Error(QStringLiteral("%1: file not found.").arg(QDir::toNativeSeparators(path)));
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2.").arg(QDir::toNativeSeparators(path), f.errorString()));
    QJsonParseError err;
    QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (err.error != QJsonParseError::NoError)
        throw Error(QStringLiteral("%1: invalid JSON at byte %2 (%3).").arg(QDir::toNativeSeparators(path)).arg(err.offset).arg(err.errorString()));
    return doc;
}
} // namespace

ByteLevelBpeTokenizer::ByteLevelBpeTokenizer() = default;

const QVector<char32_t> &ByteLevelBpeTokenizer::byteToUnicode()
{
    static const QVector<char32_t> table = [] {
        QVector<char32_t> t(256, 0);
        QVector<bool> direct(256, false);
        for (int b = '!'; b <= '~'; ++b)
            direct[b] = true;
        for (int b = 0xA1; b <= 0xAC; ++b)
            direct[b] = true;
        for (int b = 0xAE; b <= 0xFF; ++b)
            direct[b] = true;
        int n = 0;
        for (int b = 0; b < 256; ++b)
            t[b] = direct[b] ? char32_t(b) : char32_t(256 + n++);
        return t;
    }();
    return table;
}

QString ByteLevelBpeTokenizer::bytesToSymbols(const QByteArray &bytes)
{
    const auto &t = byteToUnicode();
    QString s;
    for (char c : bytes) {
        const char32_t u = t[uchar(c)];
        s += QString::fromUcs4(&u, 1);
    }
    return s;
}

QByteArray ByteLevelBpeTokenizer::symbolsToBytes(const QString &symbols, bool *ok)
{
    static const QHash<char32_t, int> reverse = [] {
        QHash<char32_t, int> r;
        const auto &t = byteToUnicode();
        for (int b = 0; b < 256; ++b)
            r.insert(t[b], b);
        return r;
    }();
    QByteArray out;
    if (ok)
        *ok = true;
    for (char32_t u : symbols.toUcs4()) {
        auto it = reverse.constFind(u);
        if (it == reverse.constEnd()) {
            if (ok)
                *ok = false;
            out += QString::fromUcs4(&u, 1).toUtf8(); // e.g. special tokens stored as plain text
        } else {
            out += char(*it);
        }
    }
    return out;
}

const QRegularExpression &ByteLevelBpeTokenizer::gpt2Pattern()
{
    static const QRegularExpression re(QStringLiteral("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"),
                                       QRegularExpression::UseUnicodePropertiesOption);
    return re;
}

void ByteLevelBpeTokenizer::addSpecialToken(const QString &text, int64_t id)
{
    m_special.insert(text, id);
    m_specialIds.insert(id);
    if (text == QLatin1String("<|endoftext|>"))
        m_eos = id;
}

void ByteLevelBpeTokenizer::loadVocabAndMerges(const QString &vocabJson, const QString &mergesTxt)
{
    const QJsonDocument doc = readJson(vocabJson);
    if (!doc.isObject() || doc.object().isEmpty())
        throw Error(QStringLiteral("%1: expected a JSON object mapping tokens to ids.").arg(QDir::toNativeSeparators(vocabJson)));
    const QJsonObject vocab = doc.object();
    int64_t maxId = -1;
    for (auto it = vocab.begin(); it != vocab.end(); ++it)
        maxId = std::max<int64_t>(maxId, it.value().toInteger(-1));
    if (maxId < 0 || maxId > 10'000'000)
        throw Error(QStringLiteral("%1: token ids are missing or absurd.").arg(QDir::toNativeSeparators(vocabJson)));
    m_idToBytes.assign(size_t(maxId + 1), QByteArray());
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        const qint64 id = it.value().toInteger(-1);
        if (id < 0)
            throw Error(QStringLiteral("%1: token '%2' has no integer id.").arg(QDir::toNativeSeparators(vocabJson), it.key()));
        bool plain = true;
        const QByteArray bytes = symbolsToBytes(it.key(), &plain);
        m_idToBytes[size_t(id)] = bytes;
        // GPT-2 marks its control tokens <|...|>; they are never produced by merges.
        if (!plain || (it.key().startsWith(QLatin1String("<|")) && it.key().endsWith(QLatin1String("|>"))))
            addSpecialToken(it.key(), id);
        else
            m_vocab[key(bytes)] = id;
    }

    QFile mf(mergesTxt);
    if (!mf.exists())
        throw Error(QStringLiteral("%1: file not found.").arg(QDir::toNativeSeparators(mergesTxt)));
    if (!mf.open(QIODevice::ReadOnly | QIODevice::Text))
        throw Error(QStringLiteral("%1: cannot open: %2.").arg(QDir::toNativeSeparators(mergesTxt), mf.errorString()));
    int rank = 0;
    int lineNo = 0;
    while (!mf.atEnd()) {
        const QString line = QString::fromUtf8(mf.readLine()).trimmed();
        ++lineNo;
        if (line.isEmpty() || (lineNo == 1 && line.startsWith(QLatin1String("#version"))))
            continue;
        const QStringList parts = line.split(QLatin1Char(' '));
        if (parts.size() != 2)
            throw Error(QStringLiteral("%1, line %2: expected two symbols separated by one space.").arg(QDir::toNativeSeparators(mergesTxt)).arg(lineNo));
        m_mergeRank.emplace(pairKey(symbolsToBytes(parts[0]), symbolsToBytes(parts[1])), rank++);
    }
    finishLoading(vocabJson);
}

void ByteLevelBpeTokenizer::loadTokenizerJson(const QString &path)
{
    const QJsonObject root = readJson(path).object();
    const QJsonObject model = root.value(QLatin1String("model")).toObject();
    if (model.value(QLatin1String("type")).toString() != QLatin1String("BPE"))
        throw Error(QStringLiteral("%1: tokenizer model type '%2' is not supported (expected BPE).")
                        .arg(QDir::toNativeSeparators(path), model.value(QLatin1String("type")).toString()));
    const QJsonObject vocab = model.value(QLatin1String("vocab")).toObject();
    if (vocab.isEmpty())
        throw Error(QStringLiteral("%1: the BPE model has no vocabulary.").arg(QDir::toNativeSeparators(path)));
    int64_t maxId = -1;
    for (auto it = vocab.begin(); it != vocab.end(); ++it)
        maxId = std::max<int64_t>(maxId, it.value().toInteger(-1));
    const QJsonArray added = root.value(QLatin1String("added_tokens")).toArray();
    for (const QJsonValue &a : added)
        maxId = std::max<int64_t>(maxId, a.toObject().value(QLatin1String("id")).toInteger(-1));
    if (maxId < 0 || maxId > 10'000'000)
        throw Error(QStringLiteral("%1: token ids are missing or absurd.").arg(QDir::toNativeSeparators(path)));
    m_idToBytes.assign(size_t(maxId + 1), QByteArray());
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        bool plain = true;
        const QByteArray bytes = symbolsToBytes(it.key(), &plain);
        const int64_t id = it.value().toInteger(-1);
        if (id < 0)
            continue;
        m_idToBytes[size_t(id)] = bytes;
        if (plain)
            m_vocab[key(bytes)] = id;
    }
    for (const QJsonValue &a : added) {
        const QJsonObject o = a.toObject();
        const int64_t id = o.value(QLatin1String("id")).toInteger(-1);
        const QString content = o.value(QLatin1String("content")).toString();
        if (id < 0 || content.isEmpty())
            continue;
        m_idToBytes[size_t(id)] = content.toUtf8();
        addSpecialToken(content, id);
    }
    // The pre-tokenizer's Split regex (Llama 3 / Qwen2 split digits in threes, treat newlines apart, ...);
    // GPT-2-style files have a plain ByteLevel pre-tokenizer and keep GPT-2's pattern.
    std::function<QString(const QJsonObject &)> findSplit = [&](const QJsonObject &pre) -> QString {
        if (pre.value(QLatin1String("type")).toString() == QLatin1String("Split"))
            return pre.value(QLatin1String("pattern")).toObject().value(QLatin1String("Regex")).toString();
        for (const QJsonValue &v : pre.value(QLatin1String("pretokenizers")).toArray()) {
            const QString p = findSplit(v.toObject());
            if (!p.isEmpty())
                return p;
        }
        return QString();
    };
    const QString split = findSplit(root.value(QLatin1String("pre_tokenizer")).toObject());
    if (!split.isEmpty()) {
        m_customPattern = QRegularExpression(split, QRegularExpression::UseUnicodePropertiesOption);
        if (!m_customPattern.isValid())
            throw Error(QStringLiteral("%1: the pre-tokenizer pattern is not a valid regular expression (%2).")
                            .arg(QDir::toNativeSeparators(path), m_customPattern.errorString()));
    }
    int rank = 0;
    for (const QJsonValue &m : model.value(QLatin1String("merges")).toArray()) {
        QString left, right;
        if (m.isString()) {
            const QStringList parts = m.toString().split(QLatin1Char(' '));
            if (parts.size() != 2)
                throw Error(QStringLiteral("%1: merge %2 is not two symbols.").arg(QDir::toNativeSeparators(path)).arg(rank));
            left = parts[0];
            right = parts[1];
        } else {
            const QJsonArray pair = m.toArray();
            if (pair.size() != 2)
                throw Error(QStringLiteral("%1: merge %2 is not a pair.").arg(QDir::toNativeSeparators(path)).arg(rank));
            left = pair[0].toString();
            right = pair[1].toString();
        }
        m_mergeRank.emplace(pairKey(symbolsToBytes(left), symbolsToBytes(right)), rank++);
    }
    finishLoading(path);
}

QString ByteLevelBpeTokenizer::ggufPrePattern(const QString &pre)
{
    // llama.cpp's names for the pre-tokenizers (tokenizer.ggml.pre), as their tokenizer.json Split
    // regexes are written; GPT-2's own pattern for "gpt-2"/"default".
    if (pre == QLatin1String("llama-bpe") || pre == QLatin1String("llama3") || pre == QLatin1String("smollm"))
        return QStringLiteral(
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    if (pre == QLatin1String("qwen2"))
        return QStringLiteral(
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    if (pre.isEmpty() || pre == QLatin1String("default") || pre == QLatin1String("gpt-2") || pre == QLatin1String("gpt2"))
        return QString();
    return QStringLiteral("?"); // unknown
}

void ByteLevelBpeTokenizer::loadFromGguf(const GgufReader &g)
{
    const QString label = QDir::toNativeSeparators(g.path());
    const QStringList tokens = g.metadata(QStringLiteral("tokenizer.ggml.tokens")).toStringList();
    const QStringList merges = g.metadata(QStringLiteral("tokenizer.ggml.merges")).toStringList();
    if (tokens.isEmpty())
        throw Error(QStringLiteral("%1: tokenizer.ggml.tokens is missing or empty.").arg(label));
    const QVariantList types = g.metadata(QStringLiteral("tokenizer.ggml.token_type")).toList();
    if (!types.isEmpty() && types.size() != tokens.size())
        throw Error(QStringLiteral("%1: %2 token types for %3 tokens.").arg(label).arg(types.size()).arg(tokens.size()));
    const QString pre = g.metadata(QStringLiteral("tokenizer.ggml.pre")).toString();
    const QString pattern = ggufPrePattern(pre);
    if (pattern == QLatin1String("?"))
        throw Error(
            QStringLiteral("%1: the pre-tokenizer '%2' (tokenizer.ggml.pre) is not one Strata knows (it knows llama-bpe, qwen2, gpt-2).").arg(label, pre));
    m_customPattern = QRegularExpression(pattern, QRegularExpression::UseUnicodePropertiesOption);
    m_idToBytes.assign(size_t(tokens.size()), QByteArray());
    m_vocab.clear();
    m_mergeRank.clear();
    for (int i = 0; i < tokens.size(); ++i) {
        const int type = types.isEmpty() ? 1 : types[i].toInt();
        if (type == 3 || type == 4) { // control and user-defined tokens are literal text, matched whole
            m_idToBytes[size_t(i)] = tokens[i].toUtf8();
            addSpecialToken(tokens[i], i);
            continue;
        }
        bool plain = true;
        const QByteArray bytes = symbolsToBytes(tokens[i], &plain);
        m_idToBytes[size_t(i)] = bytes;
        if (plain)
            m_vocab[key(bytes)] = i;
    }
    int rank = 0;
    for (const QString &m : merges) {
        const qsizetype space = m.indexOf(QLatin1Char(' '), 1);
        if (space < 0)
            throw Error(QStringLiteral("%1: merge %2 ('%3') is not two symbols.").arg(label).arg(rank).arg(m));
        m_mergeRank.emplace(pairKey(symbolsToBytes(m.left(space)), symbolsToBytes(m.mid(space + 1))), rank++);
    }
    const int64_t eos = g.optionalInt(QStringLiteral("tokenizer.ggml.eos_token_id"), -1);
    if (eos >= 0 && eos < tokens.size())
        m_eos = eos;
    const int64_t bos = g.optionalInt(QStringLiteral("tokenizer.ggml.bos_token_id"), -1);
    if (bos >= 0 && bos < tokens.size())
        m_bos = bos;
    m_prependBos = m_bos >= 0 && g.metadata(QStringLiteral("tokenizer.ggml.add_bos_token")).toBool();
    finishLoading(g.path());
}

void ByteLevelBpeTokenizer::setVocabulary(const std::vector<QByteArray> &tokens, const std::vector<std::pair<QByteArray, QByteArray>> &merges)
{
    m_idToBytes = tokens;
    m_vocab.clear();
    m_mergeRank.clear();
    for (size_t i = 0; i < tokens.size(); ++i)
        m_vocab[key(tokens[i])] = int64_t(i);
    int rank = 0;
    for (const auto &m : merges)
        m_mergeRank.emplace(pairKey(m.first, m.second), rank++);
    finishLoading(QStringLiteral("(learned vocabulary)"));
}

void ByteLevelBpeTokenizer::finishLoading(const QString &source)
{
    for (int b = 0; b < 256; ++b) {
        if (m_vocab.find(std::string(1, char(b))) == m_vocab.end())
            throw Error(QStringLiteral("%1: the vocabulary lacks the single byte 0x%2, so it is not a byte-level BPE vocabulary.")
                            .arg(QDir::toNativeSeparators(source))
                            .arg(b, 2, 16, QLatin1Char('0')));
    }
    std::lock_guard<std::mutex> lock(m_cacheMutex);
    m_cache.clear();
}

QByteArray ByteLevelBpeTokenizer::tokenBytes(int64_t id) const
{
    if (id < 0 || id >= int64_t(m_idToBytes.size()))
        return QByteArray();
    return m_idToBytes[size_t(id)];
}

std::vector<int64_t> ByteLevelBpeTokenizer::bpe(const QByteArray &word) const
{
    std::vector<QByteArray> parts;
    parts.reserve(size_t(word.size()));
    for (char c : word)
        parts.emplace_back(1, c);
    while (parts.size() > 1) {
        int best = INT_MAX;
        size_t at = 0;
        for (size_t i = 0; i + 1 < parts.size(); ++i) {
            auto it = m_mergeRank.find(pairKey(parts[i], parts[i + 1]));
            if (it != m_mergeRank.end() && it->second < best) {
                best = it->second;
                at = i;
            }
        }
        if (best == INT_MAX)
            break;
        const QByteArray left = parts[at], right = parts[at + 1];
        std::vector<QByteArray> merged;
        merged.reserve(parts.size());
        for (size_t i = 0; i < parts.size(); ++i) {
            if (i + 1 < parts.size() && parts[i] == left && parts[i + 1] == right) {
                merged.push_back(left + right);
                ++i;
            } else {
                merged.push_back(parts[i]);
            }
        }
        parts.swap(merged);
    }
    std::vector<int64_t> ids;
    for (const QByteArray &p : parts) {
        auto it = m_vocab.find(key(p));
        if (it != m_vocab.end()) {
            ids.push_back(it->second);
        } else { // a merge product missing from the vocabulary: fall back to its bytes
            for (char c : p)
                ids.push_back(m_vocab.at(std::string(1, c)));
        }
    }
    return ids;
}

void ByteLevelBpeTokenizer::encodeChunk(const QByteArray &chunkUtf8, int byteOffset, std::vector<TokenPiece> &out) const
{
    const QString chunk = QString::fromUtf8(chunkUtf8);
    // UTF-16 index -> UTF-8 byte offset within the chunk.
    std::vector<int> byteAt(size_t(chunk.size()) + 1, 0);
    int b = 0;
    for (qsizetype i = 0; i < chunk.size(); ++i) {
        byteAt[size_t(i)] = b;
        const char16_t c = chunk.at(i).unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < chunk.size() && chunk.at(i + 1).isLowSurrogate()) {
            byteAt[size_t(i) + 1] = b;
            b += 4;
            ++i;
        } else {
            b += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
    }
    byteAt[size_t(chunk.size())] = b;

    auto it = pattern().globalMatch(chunk);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        const int s = byteAt[size_t(m.capturedStart())];
        const int e = byteAt[size_t(m.capturedEnd())];
        const QByteArray piece = chunkUtf8.mid(s, e - s);
        std::vector<int64_t> ids;
        {
            std::lock_guard<std::mutex> lock(m_cacheMutex);
            auto c = m_cache.find(key(piece));
            if (c != m_cache.end())
                ids = c->second;
        }
        if (ids.empty()) {
            ids = bpe(piece);
            std::lock_guard<std::mutex> lock(m_cacheMutex);
            if (m_cache.size() > 200000)
                m_cache.clear();
            m_cache.emplace(key(piece), ids);
        }
        int pos = byteOffset + s;
        for (int64_t id : ids) {
            const int len = int(m_idToBytes[size_t(id)].size());
            out.push_back({id, pos, pos + len});
            pos += len;
        }
    }
}

std::vector<TokenPiece> ByteLevelBpeTokenizer::encode(const QString &text, bool parseSpecial) const
{
    const QByteArray utf8 = text.toUtf8();
    std::vector<TokenPiece> out;
    if (!parseSpecial || m_special.isEmpty()) {
        encodeChunk(utf8, 0, out);
        return out;
    }
    int pos = 0;
    while (pos <= utf8.size()) {
        int bestAt = -1;
        QByteArray bestTok;
        int64_t bestId = -1;
        for (auto it = m_special.constBegin(); it != m_special.constEnd(); ++it) {
            const QByteArray tok = it.key().toUtf8();
            const int at = int(utf8.indexOf(tok, pos));
            if (at >= 0 && (bestAt < 0 || at < bestAt || (at == bestAt && tok.size() > bestTok.size()))) {
                bestAt = at;
                bestTok = tok;
                bestId = it.value();
            }
        }
        const int end = bestAt < 0 ? int(utf8.size()) : bestAt;
        if (end > pos)
            encodeChunk(utf8.mid(pos, end - pos), pos, out);
        if (bestAt < 0)
            break;
        out.push_back({bestId, bestAt, bestAt + int(bestTok.size())});
        pos = bestAt + int(bestTok.size());
    }
    return out;
}

} // namespace strata
