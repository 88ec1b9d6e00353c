#include "SentencePieceTokenizer.h"

#include "tensor/GgufReader.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <queue>

namespace strata {

namespace {
const QString kSpace = QStringLiteral("\u2581");
std::string key(const QString &s)
{
    return s.toStdString();
}
std::string pairKey(const QString &a, const QString &b)
{
    return a.toStdString() + '\x01' + b.toStdString();
}

bool parseByteToken(const QString &piece, unsigned char *out)
{
    if (piece.size() != 6 || !piece.startsWith(QLatin1String("<0x")) || !piece.endsWith(QLatin1Char('>')))
        return false;
    bool ok = false;
    const uint v = piece.mid(3, 2).toUInt(&ok, 16);
    if (ok)
        *out = uchar(v);
    return ok;
}
} // namespace

void SentencePieceTokenizer::loadFromGguf(const GgufReader &g)
{
    const QString label = QDir::toNativeSeparators(g.path());
    const QString model = g.metadata(QStringLiteral("tokenizer.ggml.model")).toString();
    if (model != QLatin1String("llama"))
        throw Error(QStringLiteral("%1: tokenizer model '%2' is not SentencePiece ('llama').").arg(label, model));
    m_pieces = g.metadata(QStringLiteral("tokenizer.ggml.tokens")).toStringList();
    if (m_pieces.isEmpty())
        throw Error(QStringLiteral("%1: tokenizer.ggml.tokens is missing or empty.").arg(label));
    const QVariantList scores = g.metadata(QStringLiteral("tokenizer.ggml.scores")).toList();
    const QVariantList types = g.metadata(QStringLiteral("tokenizer.ggml.token_type")).toList();
    if ((!scores.isEmpty() && scores.size() != m_pieces.size()) || (!types.isEmpty() && types.size() != m_pieces.size()))
        throw Error(QStringLiteral("%1: tokenizer scores or token types do not match the %2 tokens.").arg(label).arg(m_pieces.size()));
    m_scores.assign(size_t(m_pieces.size()), 0.f);
    m_types.assign(size_t(m_pieces.size()), 1);
    for (int i = 0; i < scores.size(); ++i)
        m_scores[size_t(i)] = scores[i].toFloat();
    for (int i = 0; i < types.size(); ++i)
        m_types[size_t(i)] = types[i].toInt();
    m_bos = g.optionalInt(QStringLiteral("tokenizer.ggml.bos_token_id"), 1);
    m_eos = g.optionalInt(QStringLiteral("tokenizer.ggml.eos_token_id"), 2);
    m_unk = g.optionalInt(QStringLiteral("tokenizer.ggml.unknown_token_id"), 0);
    m_addBos = g.hasMetadata(QStringLiteral("tokenizer.ggml.add_bos_token")) ? g.metadata(QStringLiteral("tokenizer.ggml.add_bos_token")).toBool() : true;
    m_addSpacePrefix =
        g.hasMetadata(QStringLiteral("tokenizer.ggml.add_space_prefix")) ? g.metadata(QStringLiteral("tokenizer.ggml.add_space_prefix")).toBool() : true;
    m_priority = Priority::Score;
    finish(label);
}

void SentencePieceTokenizer::loadFromTokenizerJson(const QString &path)
{
    const QString label = QDir::toNativeSeparators(path);
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2.").arg(label, f.errorString()));
    QJsonParseError err;
    const QJsonObject root = QJsonDocument::fromJson(f.readAll(), &err).object();
    if (err.error != QJsonParseError::NoError)
        throw Error(QStringLiteral("%1: invalid JSON (%2).").arg(label, err.errorString()));
    const QJsonObject model = root.value(QLatin1String("model")).toObject();
    if (model.value(QLatin1String("type")).toString() != QLatin1String("BPE") || !model.value(QLatin1String("byte_fallback")).toBool())
        throw Error(QStringLiteral("%1: not a SentencePiece-style BPE tokenizer (type BPE with byte_fallback).").arg(label));
    const QJsonObject vocab = model.value(QLatin1String("vocab")).toObject();
    int64_t maxId = -1;
    for (auto it = vocab.begin(); it != vocab.end(); ++it)
        maxId = std::max<int64_t>(maxId, it.value().toInteger(-1));
    if (maxId < 0 || maxId > 10'000'000)
        throw Error(QStringLiteral("%1: the vocabulary is empty or has absurd ids.").arg(label));
    m_pieces = QStringList(maxId + 1);
    m_scores.assign(size_t(maxId + 1), 0.f);
    m_types.assign(size_t(maxId + 1), 1);
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        const int64_t id = it.value().toInteger(-1); // the conversion maxId used (found by fuzzing: toInt() of -5 indexed before the list)
        if (id < 0)
            throw Error(QStringLiteral("%1: piece '%2' has no non-negative integer id.").arg(label, it.key().left(40)));
        m_pieces[qsizetype(id)] = it.key();
    }
    for (const QJsonValue &a : root.value(QLatin1String("added_tokens")).toArray()) {
        const QJsonObject o = a.toObject();
        const int id = o.value(QLatin1String("id")).toInt(-1);
        if (id >= 0 && id < m_pieces.size() && o.value(QLatin1String("special")).toBool())
            m_types[size_t(id)] = 3;
    }
    int rank = 0;
    for (const QJsonValue &m : model.value(QLatin1String("merges")).toArray()) {
        const QJsonArray pair = m.toArray();
        QStringList parts = m.isString()       ? m.toString().split(QLatin1Char(' '))
                            : pair.size() == 2 ? QStringList{pair.at(0).toString(), pair.at(1).toString()}
                                               : QStringList();
        if (parts.size() != 2)
            throw Error(QStringLiteral("%1: merge %2 is not two pieces.").arg(label).arg(rank));
        m_mergeRank.emplace(pairKey(parts[0], parts[1]), rank++);
    }
    // Special-token ids and flags come from the sibling tokenizer_config.json when present.
    auto idOf = [&](const QString &piece) { return int64_t(m_pieces.indexOf(piece)); };
    m_unk = idOf(model.value(QLatin1String("unk_token")).toString(QStringLiteral("<unk>")));
    m_bos = idOf(QStringLiteral("<s>"));
    m_eos = idOf(QStringLiteral("</s>"));
    m_addBos = true;
    m_addSpacePrefix = true;
    QFile cfg(QFileInfo(path).dir().filePath(QStringLiteral("tokenizer_config.json")));
    if (cfg.open(QIODevice::ReadOnly)) {
        const QJsonObject c = QJsonDocument::fromJson(cfg.readAll()).object();
        auto tokenText = [](const QJsonValue &v) { return v.isObject() ? v.toObject().value(QLatin1String("content")).toString() : v.toString(); };
        if (c.contains(QLatin1String("bos_token")))
            m_bos = idOf(tokenText(c.value(QLatin1String("bos_token"))));
        if (c.contains(QLatin1String("eos_token")))
            m_eos = idOf(tokenText(c.value(QLatin1String("eos_token"))));
        m_addBos = c.value(QLatin1String("add_bos_token")).toBool(true);
    }
    m_priority = Priority::MergeRank;
    finish(label);
}

void SentencePieceTokenizer::finish(const QString &source)
{
    m_index.clear();
    std::fill(std::begin(m_byteIds), std::end(m_byteIds), int64_t(-1));
    for (int i = 0; i < m_pieces.size(); ++i) {
        unsigned char b;
        if (parseByteToken(m_pieces[i], &b)) {
            m_byteIds[b] = i;
            m_types[size_t(i)] = 6;
            continue;
        }
        if (m_types[size_t(i)] == 1 || m_types[size_t(i)] == 4)
            m_index.emplace(key(m_pieces[i]), i);
    }
    for (int b = 0; b < 256; ++b)
        if (m_byteIds[b] < 0)
            throw Error(QStringLiteral("%1: the vocabulary has no byte-fallback token <0x%2>.").arg(source).arg(b, 2, 16, QLatin1Char('0')).toUpper());
}

bool SentencePieceTokenizer::isSpecial(int64_t id) const
{
    const int t = tokenType(id);
    return t == 2 || t == 3;
}

std::vector<TokenPiece> SentencePieceTokenizer::encode(const QString &text, bool) const
{
    // Normalised characters with the UTF-8 byte range each covers in the original text.
    struct Sym
    {
        QString text;
        int begin;
        int end;
        int prev;
        int next;
        bool alive;
    };
    std::vector<Sym> syms;
    if (m_addSpacePrefix && !text.isEmpty())
        syms.push_back({kSpace, 0, 0, -1, -1, true});
    int byte = 0;
    for (qsizetype i = 0; i < text.size();) {
        const int len = (text.at(i).isHighSurrogate() && i + 1 < text.size()) ? 2 : 1;
        const QString ch = text.mid(i, len);
        const int nbytes = int(ch.toUtf8().size());
        syms.push_back({ch == QLatin1String(" ") ? kSpace : ch, byte, byte + nbytes, -1, -1, true});
        byte += nbytes;
        i += len;
    }
    for (size_t i = 0; i < syms.size(); ++i) {
        syms[i].prev = int(i) - 1;
        syms[i].next = i + 1 < syms.size() ? int(i) + 1 : -1;
    }
    struct Bigram
    {
        double priority;
        int left;
        int right;
        int size;
    };
    auto cmp = [](const Bigram &a, const Bigram &b) { return a.priority != b.priority ? a.priority < b.priority : a.left > b.left; };
    std::priority_queue<Bigram, std::vector<Bigram>, decltype(cmp)> queue(cmp);
    auto tryAdd = [&](int l, int r) {
        if (l < 0 || r < 0)
            return;
        const QString merged = syms[size_t(l)].text + syms[size_t(r)].text;
        if (m_priority == Priority::Score) {
            auto it = m_index.find(key(merged));
            if (it != m_index.end())
                queue.push({double(m_scores[size_t(it->second)]), l, r, int(merged.size())});
        } else {
            auto it = m_mergeRank.find(pairKey(syms[size_t(l)].text, syms[size_t(r)].text));
            if (it != m_mergeRank.end())
                queue.push({-double(it->second), l, r, int(merged.size())});
        }
    };
    for (size_t i = 1; i < syms.size(); ++i)
        tryAdd(int(i) - 1, int(i));
    while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        Sym &L = syms[size_t(b.left)];
        Sym &R = syms[size_t(b.right)];
        if (!L.alive || !R.alive || L.next != b.right || int(L.text.size() + R.text.size()) != b.size)
            continue; // stale: one side was merged since
        L.text += R.text;
        L.end = R.end;
        R.alive = false;
        L.next = R.next;
        if (R.next >= 0)
            syms[size_t(R.next)].prev = b.left;
        tryAdd(L.prev, b.left);
        tryAdd(b.left, L.next);
    }
    std::vector<TokenPiece> out;
    for (int i = syms.empty() ? -1 : 0; i >= 0; i = syms[size_t(i)].next) {
        const Sym &s = syms[size_t(i)];
        auto it = m_index.find(key(s.text));
        if (it != m_index.end()) {
            out.push_back({it->second, s.begin, s.end});
            continue;
        }
        // Byte fallback: one token per UTF-8 byte of the character.
        const QByteArray bytes = (s.text == kSpace ? QStringLiteral(" ") : s.text).toUtf8();
        int pos = s.begin;
        for (char c : bytes) {
            const int e = s.end > s.begin ? std::min(pos + 1, s.end) : pos;
            out.push_back({m_byteIds[uchar(c)], pos, e});
            pos = e;
        }
    }
    return out;
}

QByteArray SentencePieceTokenizer::tokenBytes(int64_t id) const
{
    if (id < 0 || id >= m_pieces.size())
        return QByteArray();
    if (m_types[size_t(id)] == 6) {
        unsigned char b = 0;
        parseByteToken(m_pieces[int(id)], &b);
        return QByteArray(1, char(b));
    }
    return QString(m_pieces[int(id)]).replace(kSpace, QStringLiteral(" ")).toUtf8();
}

QString SentencePieceTokenizer::decode(const std::vector<int64_t> &ids) const
{
    QByteArray bytes;
    bool first = true;
    for (int64_t id : ids) {
        if (isSpecial(id))
            continue; // <s>, </s>, <unk> are not text
        QByteArray b = tokenBytes(id);
        if (first && m_addSpacePrefix && b.startsWith(' '))
            b.remove(0, 1); // the dummy prefix the encoder added
        first = false;
        bytes += b;
    }
    return QString::fromUtf8(bytes);
}

std::vector<std::pair<QString, QString>> SentencePieceTokenizer::derivedMerges() const
{
    struct M
    {
        float score;
        int64_t id;
        QString a, b;
    };
    std::vector<M> all;
    for (int id = 0; id < m_pieces.size(); ++id) {
        if (m_types[size_t(id)] != 1)
            continue;
        const QString &p = m_pieces[id];
        for (qsizetype cut = 1; cut < p.size(); ++cut) {
            if (p.at(cut).isLowSurrogate())
                continue;
            const QString a = p.left(cut), b = p.mid(cut);
            if (m_index.count(key(a)) && m_index.count(key(b)))
                all.push_back({m_scores[size_t(id)], id, a, b});
        }
    }
    std::stable_sort(all.begin(), all.end(), [](const M &x, const M &y) { return x.score != y.score ? x.score > y.score : x.id < y.id; });
    std::vector<std::pair<QString, QString>> out;
    out.reserve(all.size());
    for (const M &m : all)
        out.emplace_back(m.a, m.b);
    return out;
}

} // namespace strata
