#include "ProbeFeatures.h"

#include "SyntacticHeads.h"
#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "util/Error.h"
#include "util/Half.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTemporaryFile>
#include <QtEndian>

#include <cstring>

namespace strata {

namespace {
constexpr char kMagic[4] = {'S', 'P', 'F', 'C'};
constexpr quint32 kVersion = 1;
} // namespace

QString poolingName(WordPooling p)
{
    switch (p) {
    case WordPooling::First:
        return QStringLiteral("first");
    case WordPooling::Last:
        return QStringLiteral("last");
    case WordPooling::Mean:
        return QStringLiteral("mean");
    }
    return {};
}

bool poolingFromName(const QString &name, WordPooling *out)
{
    for (WordPooling p : {WordPooling::First, WordPooling::Last, WordPooling::Mean})
        if (poolingName(p) == name) {
            *out = p;
            return true;
        }
    return false;
}

QString siteName(ProbeSite s)
{
    switch (s) {
    case ProbeSite::Residual:
        return QStringLiteral("resid");
    case ProbeSite::AttnOut:
        return QStringLiteral("attn");
    case ProbeSite::MlpOut:
        return QStringLiteral("mlp");
    }
    return {};
}

bool siteFromName(const QString &name, ProbeSite *out)
{
    for (ProbeSite s : {ProbeSite::Residual, ProbeSite::AttnOut, ProbeSite::MlpOut})
        if (siteName(s) == name) {
            *out = s;
            return true;
        }
    return false;
}

struct FeatureSet::Backing
{
    QFile file;
    uchar *map = nullptr;
    bool remove = false;
    ~Backing()
    {
        if (map)
            file.unmap(map);
        file.close();
        if (remove)
            file.remove();
    }
};

QString FeatureSet::file() const
{
    return m_backing ? m_backing->file.fileName() : QString();
}

std::vector<float> FeatureSet::layer(int l) const
{
    if (l < 0 || l >= m_layers)
        throw Error(QStringLiteral("Internal error: feature layer %1 is outside 0..%2.").arg(l).arg(m_layers - 1));
    const size_t n = m_refs.size(), D = size_t(m_dim), L = size_t(m_layers);
    std::vector<float> out(n * D);
    const auto *h = reinterpret_cast<const uint16_t *>(m_data);
    for (size_t i = 0; i < n; ++i) {
        const uint16_t *src = h + (i * L + size_t(l)) * D;
        float *dst = out.data() + i * D;
        for (size_t d = 0; d < D; ++d)
            dst[d] = halfToFloat(src[d]);
    }
    return out;
}

FeatureSet FeatureSet::open(const QString &path, bool removeWhenDone)
{
    auto backing = std::make_shared<Backing>();
    backing->file.setFileName(path);
    backing->remove = removeWhenDone;
    auto fail = [&](const QString &why) { return Error(QStringLiteral("The feature file %1 cannot be used: %2.").arg(path, why)); };
    if (!backing->file.open(QIODevice::ReadOnly))
        throw fail(backing->file.errorString());
    const qint64 size = backing->file.size();
    backing->map = backing->file.map(0, size);
    // Layout: magic, version, footer offset (8 bytes), float16 data [item][layer][dim], JSON footer.
    if (!backing->map || size < 16 || std::memcmp(backing->map, kMagic, 4) != 0 || qFromLittleEndian<quint32>(backing->map + 4) != kVersion)
        throw fail(QStringLiteral("not a Strata feature file of version %1").arg(kVersion));
    const qint64 footer = qint64(qFromLittleEndian<quint64>(backing->map + 8));
    if (footer < 16 || footer > size)
        throw fail(QStringLiteral("truncated"));
    const QJsonObject h = QJsonDocument::fromJson(QByteArray(reinterpret_cast<const char *>(backing->map) + footer, qsizetype(size - footer))).object();
    FeatureSet fs;
    fs.m_layers = h.value(QStringLiteral("layers")).toInt();
    fs.m_dim = h.value(QStringLiteral("dim")).toInt();
    fs.m_skipped = h.value(QStringLiteral("skipped")).toInt();
    for (const QJsonValue &v : h.value(QStringLiteral("refs")).toArray()) {
        const QJsonArray a = v.toArray();
        fs.m_refs.emplace_back(a.at(0).toInt(), a.at(1).toInt());
    }
    const qint64 dataStart = 16;
    const qint64 need = qint64(fs.m_refs.size()) * fs.m_layers * fs.m_dim * 2;
    if (fs.m_layers <= 0 || fs.m_dim <= 0 || dataStart + need != footer)
        throw fail(QStringLiteral("its size does not match its header (truncated?)"));
    fs.m_data = backing->map + dataStart;
    fs.m_backing = std::move(backing);
    return fs;
}

FeatureSet FeatureSet::extract(LoadedModel &model, const ProbeDataset &data, const FeatureOptions &options, const JobControl *control, double from, double to)
{
    const ModelInfo &info = model.info();
    const bool sentenceLevel = data.sentenceLevel();
    // The cache key: everything the vectors depend on.
    QCryptographicHash key(QCryptographicHash::Sha256);
    key.addData(QStringLiteral("%1|%2|%3|%4|%5|%6")
                    .arg(info.fingerprint, info.path, siteName(options.site), poolingName(options.pooling))
                    .arg(sentenceLevel)
                    .arg(kVersion)
                    .toUtf8());
    for (const ConllSentence &s : data.sentences) {
        key.addData(s.text.toUtf8());
        for (const ConllWord &w : s.words)
            key.addData(QByteArray::number(w.byteBegin) + ',' + QByteArray::number(w.byteEnd) + ';');
        key.addData(QByteArrayView("\n"));
    }
    const QString name = QString::fromLatin1(key.result().toHex().left(32)) + QStringLiteral(".feat");
    QString path;
    bool temporary = options.cacheDir.isEmpty();
    if (!temporary) {
        QDir().mkpath(options.cacheDir);
        path = QDir(options.cacheDir).filePath(name);
        if (QFile::exists(path)) {
            try {
                FeatureSet fs = open(path, false);
                fs.m_fromCache = true;
                if (control)
                    control->report(to, QStringLiteral("Features from the cache"));
                return fs;
            } catch (const Error &) {
                QFile::remove(path); // damaged: extract again
            }
        }
    } else {
        QTemporaryFile t(QDir::temp().filePath(QStringLiteral("strata-features-XXXXXX.feat")));
        t.setAutoRemove(false);
        if (!t.open())
            throw Error(QStringLiteral("Cannot create a temporary feature file in %1: %2.").arg(QDir::tempPath(), t.errorString()));
        path = t.fileName();
    }

    struct RemoveUnlessDone
    {
        QString path;
        bool armed;
        ~RemoveUnlessDone()
        {
            if (armed)
                QFile::remove(path);
        }
    } guard{path, temporary};
    const int layerPoints = options.site == ProbeSite::Residual ? info.nLayers + 1 : info.nLayers;
    int dim = 0;
    std::vector<std::pair<int, int>> refs;
    int skipped = 0;
    // Written as it is extracted (never whole in memory); renamed into place only when complete.
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("Cannot write the feature file %1: %2.").arg(path, out.errorString()));
    auto writeOrFail = [&](const char *p, qint64 n) {
        if (out.write(p, n) != n)
            throw Error(QStringLiteral("Cannot write the feature file %1 (disk full?): %2.").arg(path, out.errorString()));
    };
    {
        QByteArray head(kMagic, 4);
        head.append(8 + 4, '\0');
        qToLittleEndian<quint32>(kVersion, head.data() + 4);
        writeOrFail(head.constData(), head.size());
    }
    qint64 written = 16;
    TraceOptions opt;
    opt.attention = false;
    opt.logits = false;
    std::vector<uint16_t> row;
    for (size_t si = 0; si < data.sentences.size(); ++si) {
        if (control) {
            control->throwIfCancelled();
            if (si % 8 == 0)
                control->report(from + (to - from) * double(si) / double(data.sentences.size()),
                                QStringLiteral("Features: sentence %1/%2").arg(si + 1).arg(data.sentences.size()));
        }
        const ConllSentence &s = data.sentences[si];
        std::shared_ptr<Trace> t;
        try {
            t = model.trace(s.text, opt, nullptr);
        } catch (const Cancelled &) {
            throw;
        } catch (const Error &) {
            ++skipped; // longer than the context, or empty
            continue;
        }
        const int T = t->tokenCount();
        dim = info.dModel;
        std::vector<std::vector<float>> mats;
        if (options.site == ProbeSite::Residual)
            mats.push_back(t->embed.toFloatVector());
        for (const LayerTrace &l : t->layers)
            mats.push_back((options.site == ProbeSite::Residual ? l.residPost : options.site == ProbeSite::AttnOut ? l.attnOut : l.mlpOut).toFloatVector());
        if (int(mats.size()) != layerPoints || mats[0].size() != size_t(T) * size_t(dim))
            throw Error(QStringLiteral("The model's trace does not hold the %1 vectors the probe needs.").arg(siteName(options.site)));
        // Tokens of each item.
        std::vector<std::vector<int>> groups;
        std::vector<int> words;
        if (sentenceLevel) {
            std::vector<int> all;
            for (int i = 0; i < T; ++i)
                if (t->tokens[size_t(i)].byteEnd > t->tokens[size_t(i)].byteBegin)
                    all.push_back(i); // not BOS
            if (all.empty())
                for (int i = 0; i < T; ++i)
                    all.push_back(i);
            groups.push_back(all);
            words.push_back(-1);
        } else {
            const std::vector<int> tokenWord = SyntacticHeads::alignTokensToWords(*t, s);
            std::vector<std::vector<int>> byWord(s.words.size());
            for (int i = 0; i < T; ++i)
                if (tokenWord[size_t(i)] >= 0)
                    byWord[size_t(tokenWord[size_t(i)])].push_back(i);
            for (size_t w = 0; w < byWord.size(); ++w) {
                if (byWord[w].empty())
                    continue; // a word no token covers
                std::vector<int> g = byWord[w];
                if (options.pooling == WordPooling::First)
                    g = {g.front()};
                else if (options.pooling == WordPooling::Last)
                    g = {g.back()};
                groups.push_back(g);
                words.push_back(int(w));
            }
        }
        row.resize(size_t(dim));
        for (size_t g = 0; g < groups.size(); ++g) {
            refs.emplace_back(int(si), words[g]);
            for (const auto &m : mats) {
                for (int d = 0; d < dim; ++d) {
                    double acc = 0;
                    for (int tok : groups[g])
                        acc += m[size_t(tok) * size_t(dim) + size_t(d)];
                    row[size_t(d)] = floatToHalf(float(acc / double(groups[g].size())));
                }
                writeOrFail(reinterpret_cast<const char *>(row.data()), qint64(row.size() * 2));
                written += qint64(row.size() * 2);
            }
        }
    }
    if (refs.empty())
        throw Error(QStringLiteral("No sentence of %1 fits %2's context of %3 tokens.").arg(data.path, info.name).arg(info.contextLength));

    QJsonArray refArray;
    for (const auto &[sIdx, w] : refs)
        refArray.append(QJsonArray{sIdx, w});
    const QByteArray json = QJsonDocument(QJsonObject{{QStringLiteral("layers"), layerPoints},
                                                      {QStringLiteral("dim"), dim},
                                                      {QStringLiteral("skipped"), skipped},
                                                      {QStringLiteral("model"), info.name},
                                                      {QStringLiteral("site"), siteName(options.site)},
                                                      {QStringLiteral("pooling"), poolingName(options.pooling)},
                                                      {QStringLiteral("refs"), refArray}})
                                .toJson(QJsonDocument::Compact);
    writeOrFail(json.constData(), json.size());
    QByteArray offset(8, '\0');
    qToLittleEndian<quint64>(quint64(written), offset.data());
    if (!out.seek(8))
        throw Error(QStringLiteral("Cannot write the feature file %1: %2.").arg(path, out.errorString()));
    writeOrFail(offset.constData(), 8);
    if (!out.commit())
        throw Error(QStringLiteral("Cannot write the feature file %1 (disk full?): %2.").arg(path, out.errorString()));
    if (control)
        control->report(to, QString());
    guard.armed = false;
    return open(path, temporary);
}

} // namespace strata
