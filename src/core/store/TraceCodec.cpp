#include "TraceCodec.h"

#include "util/Error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <future>
#include <vector>

namespace strata {

namespace {

constexpr char kMagic[4] = {'S', 'T', 'R', 'T'};
// Version 2 adds a CRC-32 of the header (after the size word) and of every tensor's payload, checked
// on every decode; version 1 blobs (no checksums) are still read.
constexpr quint32 kVersion = 2;

quint32 crc(const char *data, qint64 size)
{
    uLong c = crc32(0L, Z_NULL, 0);
    while (size > 0) {
        const uInt n = uInt(std::min<qint64>(size, 1 << 30));
        c = crc32(c, reinterpret_cast<const Bytef *>(data), n);
        data += n;
        size -= n;
    }
    return quint32(c);
}
constexpr int kCompressionLevel = 1; // the fastest zlib level: attention's zeros still vanish

QJsonObject modelToJson(const ModelInfo &m)
{
    return QJsonObject{{QStringLiteral("family"), m.family},
                       {QStringLiteral("architecture"), m.architecture},
                       {QStringLiteral("name"), m.name},
                       {QStringLiteral("location"), m.location},
                       {QStringLiteral("path"), m.path},
                       {QStringLiteral("fingerprint"), m.fingerprint},
                       {QStringLiteral("dtype"), m.dtype},
                       {QStringLiteral("compute"), m.compute},
                       {QStringLiteral("nLayers"), m.nLayers},
                       {QStringLiteral("nHeads"), m.nHeads},
                       {QStringLiteral("nKvHeads"), m.nKvHeads},
                       {QStringLiteral("dModel"), m.dModel},
                       {QStringLiteral("dMlp"), m.dMlp},
                       {QStringLiteral("headDim"), m.headDim},
                       {QStringLiteral("vocabSize"), double(m.vocabSize)},
                       {QStringLiteral("contextLength"), m.contextLength},
                       {QStringLiteral("parameterCount"), double(m.parameterCount)},
                       {QStringLiteral("fileBytes"), double(m.fileBytes)}};
}

ModelInfo modelFromJson(const QJsonObject &o)
{
    ModelInfo m;
    m.family = o.value(QStringLiteral("family")).toString();
    m.architecture = o.value(QStringLiteral("architecture")).toString();
    m.name = o.value(QStringLiteral("name")).toString();
    m.location = o.value(QStringLiteral("location")).toString();
    m.path = o.value(QStringLiteral("path")).toString();
    m.fingerprint = o.value(QStringLiteral("fingerprint")).toString();
    m.dtype = o.value(QStringLiteral("dtype")).toString();
    m.compute = o.value(QStringLiteral("compute")).toString(QStringLiteral("f32")); // runs stored before bf16 existed were f32
    m.nLayers = o.value(QStringLiteral("nLayers")).toInt();
    m.nHeads = o.value(QStringLiteral("nHeads")).toInt();
    m.nKvHeads = o.value(QStringLiteral("nKvHeads")).toInt();
    m.dModel = o.value(QStringLiteral("dModel")).toInt();
    m.dMlp = o.value(QStringLiteral("dMlp")).toInt();
    m.headDim = o.value(QStringLiteral("headDim")).toInt();
    m.vocabSize = int64_t(o.value(QStringLiteral("vocabSize")).toDouble());
    m.contextLength = o.value(QStringLiteral("contextLength")).toInt();
    m.parameterCount = int64_t(o.value(QStringLiteral("parameterCount")).toDouble());
    m.fileBytes = int64_t(o.value(QStringLiteral("fileBytes")).toDouble());
    return m;
}

// Byte planes: all first bytes, then all second bytes. The high bytes of float16 values (sign,
// exponent) repeat a lot; interleaved with the noisy low bytes zlib would not see it.
QByteArray toPlanes(const unsigned char *p, size_t n, int width)
{
    QByteArray out(qsizetype(n), Qt::Uninitialized);
    const size_t count = n / size_t(width);
    for (int b = 0; b < width; ++b) {
        char *dst = out.data() + size_t(b) * count;
        for (size_t i = 0; i < count; ++i)
            dst[i] = char(p[i * size_t(width) + size_t(b)]);
    }
    return out;
}

void fromPlanes(const char *planes, unsigned char *out, size_t n, int width)
{
    const size_t count = n / size_t(width);
    for (int b = 0; b < width; ++b) {
        const char *src = planes + size_t(b) * count;
        for (size_t i = 0; i < count; ++i)
            out[i * size_t(width) + size_t(b)] = static_cast<unsigned char>(src[i]);
    }
}

struct Entry
{
    QString name;
    HostTensor tensor; // as stored (F16 for activations)
    QByteArray payload;
    bool compressed = false;
};

void prepare(Entry &e)
{
    const auto *bytes = static_cast<const unsigned char *>(e.tensor.data());
    const size_t n = e.tensor.byteSize();
    const int width = dtypeSize(e.tensor.dtype());
    // Judge on a sample first: residual vectors and logits are float16 noise to zlib, and trying
    // them whole costs most of the encoding time for nothing.
    const size_t sample = std::min(n, size_t(1) << 18) / size_t(width) * size_t(width);
    if (sample < n && double(qCompress(toPlanes(bytes, sample, width), kCompressionLevel).size()) >= 0.8 * double(sample)) {
        e.payload = QByteArray(reinterpret_cast<const char *>(bytes), qsizetype(n));
        return;
    }
    const QByteArray packed = qCompress(toPlanes(bytes, n, width), kCompressionLevel);
    if (n > 0 && double(packed.size()) < 0.8 * double(n)) {
        e.payload = packed;
        e.compressed = true;
    } else {
        e.payload = QByteArray(reinterpret_cast<const char *>(bytes), qsizetype(n));
    }
}

} // namespace

QByteArray TraceCodec::encode(const Trace &trace)
{
    std::vector<Entry> entries;
    auto add = [&](const QString &name, const HostTensor &t) {
        if (t.isEmpty())
            return;
        Entry e;
        e.name = name;
        e.tensor = isFloatingDType(t.dtype()) && t.dtype() != DType::F16 ? t.converted(DType::F16) : t;
        entries.push_back(std::move(e));
    };
    add(QStringLiteral("embed"), trace.embed);
    add(QStringLiteral("finalNorm"), trace.finalNorm);
    add(QStringLiteral("logits"), trace.logits);
    for (const LayerTrace &l : trace.layers) {
        const QString p = QStringLiteral("layer%1.").arg(l.layer);
        add(p + QStringLiteral("attn"), l.attn);
        add(p + QStringLiteral("residPre"), l.residPre);
        add(p + QStringLiteral("residMid"), l.residMid);
        add(p + QStringLiteral("residPost"), l.residPost);
        add(p + QStringLiteral("attnOut"), l.attnOut);
        add(p + QStringLiteral("mlpOut"), l.mlpOut);
        add(p + QStringLiteral("headOut"), l.headOut);
    }
    // Two halves in parallel: compression dominates the cost.
    auto half = [&entries](size_t from, size_t step) {
        for (size_t i = from; i < entries.size(); i += step)
            prepare(entries[i]);
    };
    auto other = std::async(std::launch::async, half, size_t(1), size_t(2));
    half(0, 2);
    other.get();

    QJsonArray tokens, tensors, layers, kv;
    for (const TokenPiece &t : trace.tokens)
        tokens.append(QJsonArray{double(t.id), t.byteBegin, t.byteEnd});
    for (const LayerTrace &l : trace.layers)
        layers.append(l.layer);
    for (int k : trace.kvHeadOfQueryHead)
        kv.append(k);
    qint64 offset = 0;
    for (const Entry &e : entries) {
        QJsonArray shape;
        for (int64_t d : e.tensor.shape())
            shape.append(double(d));
        tensors.append(QJsonObject{{QStringLiteral("name"), e.name},
                                   {QStringLiteral("dtype"), dtypeName(e.tensor.dtype())},
                                   {QStringLiteral("shape"), shape},
                                   {QStringLiteral("zlib"), e.compressed},
                                   {QStringLiteral("offset"), double(offset)},
                                   {QStringLiteral("size"), double(e.payload.size())},
                                   {QStringLiteral("crc32"), double(crc(e.payload.constData(), e.payload.size()))}});
        offset += e.payload.size();
    }
    QJsonArray optLayers, interventions;
    for (int l : trace.options.layers)
        optLayers.append(l);
    for (const Intervention &iv : trace.interventions)
        interventions.append(iv.toJson());
    const QJsonObject header{{QStringLiteral("model"), modelToJson(trace.model)},
                             {QStringLiteral("prompt"), trace.prompt},
                             {QStringLiteral("tokens"), tokens},
                             {QStringLiteral("tokenStrings"), QJsonArray::fromStringList(trace.tokenStrings)},
                             {QStringLiteral("layers"), layers},
                             {QStringLiteral("kvHeadOfQueryHead"), kv},
                             {QStringLiteral("milliseconds"), trace.milliseconds},
                             {QStringLiteral("options"), QJsonObject{{QStringLiteral("attention"), trace.options.attention},
                                                                     {QStringLiteral("residuals"), trace.options.residuals},
                                                                     {QStringLiteral("logits"), trace.options.logits},
                                                                     {QStringLiteral("headOutputs"), trace.options.headOutputs},
                                                                     {QStringLiteral("layers"), optLayers}}},
                             {QStringLiteral("interventions"), interventions},
                             {QStringLiteral("tensors"), tensors}};
    const QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);

    QByteArray blob;
    blob.reserve(qsizetype(16 + json.size() + offset));
    blob.append(kMagic, 4);
    QByteArray word(4, '\0');
    qToLittleEndian<quint32>(kVersion, word.data());
    blob.append(word);
    qToLittleEndian<quint32>(quint32(json.size()), word.data());
    blob.append(word);
    qToLittleEndian<quint32>(crc(json.constData(), json.size()), word.data());
    blob.append(word);
    blob.append(json);
    for (const Entry &e : entries)
        blob.append(e.payload);
    return blob;
}

TracePtr TraceCodec::decode(const QByteArray &blob)
{
    auto fail = [](const QString &why) { return Error(QStringLiteral("The stored trace cannot be read: %1.").arg(why)); };
    if (blob.size() < 12 || std::memcmp(blob.constData(), kMagic, 4) != 0)
        throw fail(QStringLiteral("it does not start with a Strata trace header"));
    const quint32 version = qFromLittleEndian<quint32>(blob.constData() + 4);
    if (version != 1 && version != kVersion)
        throw fail(QStringLiteral("format version %1 is not known to this Strata (it reads versions 1 and %2)").arg(version).arg(kVersion));
    const bool checked = version >= 2;
    const qint64 headerStart = checked ? 16 : 12;
    if (blob.size() < headerStart)
        throw fail(QStringLiteral("the header is truncated"));
    const quint32 jsonSize = qFromLittleEndian<quint32>(blob.constData() + 8);
    if (qint64(jsonSize) > blob.size() - headerStart)
        throw fail(QStringLiteral("the header is truncated"));
    if (checked && qFromLittleEndian<quint32>(blob.constData() + 12) != crc(blob.constData() + headerStart, qint64(jsonSize)))
        throw fail(QStringLiteral("its header is damaged (checksum mismatch)"));
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(blob.mid(qsizetype(headerStart), qsizetype(jsonSize)), &perr);
    if (!doc.isObject())
        throw fail(QStringLiteral("the header is not JSON (%1)").arg(perr.errorString()));
    const QJsonObject h = doc.object();
    const qint64 payloadStart = headerStart + qint64(jsonSize);

    auto t = std::make_shared<Trace>();
    t->model = modelFromJson(h.value(QStringLiteral("model")).toObject());
    t->prompt = h.value(QStringLiteral("prompt")).toString();
    for (const QJsonValue &v : h.value(QStringLiteral("tokens")).toArray()) {
        const QJsonArray a = v.toArray();
        if (a.size() != 3)
            throw fail(QStringLiteral("a token entry is malformed"));
        t->tokens.push_back(TokenPiece{int64_t(a[0].toDouble()), a[1].toInt(), a[2].toInt()});
    }
    for (const QJsonValue &v : h.value(QStringLiteral("tokenStrings")).toArray())
        t->tokenStrings << v.toString();
    for (const QJsonValue &v : h.value(QStringLiteral("layers")).toArray()) {
        LayerTrace l;
        l.layer = v.toInt();
        t->layers.push_back(std::move(l));
    }
    for (const QJsonValue &v : h.value(QStringLiteral("kvHeadOfQueryHead")).toArray())
        t->kvHeadOfQueryHead.push_back(v.toInt());
    t->milliseconds = h.value(QStringLiteral("milliseconds")).toDouble();
    const QJsonObject o = h.value(QStringLiteral("options")).toObject();
    t->options.attention = o.value(QStringLiteral("attention")).toBool(true);
    t->options.residuals = o.value(QStringLiteral("residuals")).toBool(true);
    t->options.logits = o.value(QStringLiteral("logits")).toBool(true);
    t->options.headOutputs = o.value(QStringLiteral("headOutputs")).toBool(false);
    t->options.storage = DType::F16;
    for (const QJsonValue &v : o.value(QStringLiteral("layers")).toArray())
        t->options.layers.push_back(v.toInt());
    for (const QJsonValue &v : h.value(QStringLiteral("interventions")).toArray()) {
        try {
            t->interventions.push_back(Intervention::fromJson(v.toObject()));
        } catch (const Error &) {
            throw fail(QStringLiteral("an intervention entry is malformed"));
        }
    }
    if (int(t->tokenStrings.size()) != t->tokenCount())
        throw fail(QStringLiteral("%1 tokens but %2 token strings").arg(t->tokenCount()).arg(t->tokenStrings.size()));

    struct Pending
    {
        HostTensor *target;
        const char *src;
        qint64 size;
        bool zlib;
        bool hasCrc;
        quint32 crc;
        QString name;
    };
    std::vector<Pending> work;
    for (const QJsonValue &v : h.value(QStringLiteral("tensors")).toArray()) {
        const QJsonObject e = v.toObject();
        const QString name = e.value(QStringLiteral("name")).toString();
        DType dtype;
        if (!dtypeFromName(e.value(QStringLiteral("dtype")).toString(), &dtype))
            throw fail(QStringLiteral("tensor %1 has an unknown dtype").arg(name));
        std::vector<int64_t> shape;
        for (const QJsonValue &d : e.value(QStringLiteral("shape")).toArray()) {
            const double x = d.toDouble(-1);
            if (x < 0 || x > 1e12)
                throw fail(QStringLiteral("tensor %1 has an invalid shape").arg(name));
            shape.push_back(int64_t(x));
        }
        const qint64 off = qint64(e.value(QStringLiteral("offset")).toDouble(-1));
        const qint64 size = qint64(e.value(QStringLiteral("size")).toDouble(-1));
        if (off < 0 || size < 0 || payloadStart + off + size > blob.size())
            throw fail(QStringLiteral("tensor %1 lies outside the blob (truncated?)").arg(name));
        HostTensor *target = nullptr;
        if (name == QLatin1String("embed"))
            target = &t->embed;
        else if (name == QLatin1String("finalNorm"))
            target = &t->finalNorm;
        else if (name == QLatin1String("logits"))
            target = &t->logits;
        else if (name.startsWith(QLatin1String("layer"))) {
            const int dot = name.indexOf(QLatin1Char('.'));
            const int layer = name.mid(5, dot - 5).toInt();
            const QString part = name.mid(dot + 1);
            for (LayerTrace &l : t->layers) {
                if (l.layer != layer)
                    continue;
                if (part == QLatin1String("attn"))
                    target = &l.attn;
                else if (part == QLatin1String("residPre"))
                    target = &l.residPre;
                else if (part == QLatin1String("residMid"))
                    target = &l.residMid;
                else if (part == QLatin1String("residPost"))
                    target = &l.residPost;
                else if (part == QLatin1String("attnOut"))
                    target = &l.attnOut;
                else if (part == QLatin1String("mlpOut"))
                    target = &l.mlpOut;
                else if (part == QLatin1String("headOut"))
                    target = &l.headOut;
            }
        }
        if (!target)
            throw fail(QStringLiteral("tensor %1 is not part of a trace").arg(name));
        *target = HostTensor(dtype, shape);
        const bool zlib = e.value(QStringLiteral("zlib")).toBool();
        if (!zlib && qint64(target->byteSize()) != size)
            throw fail(QStringLiteral("tensor %1 holds %2 bytes, its shape needs %3").arg(name).arg(size).arg(target->byteSize()));
        const QJsonValue c = e.value(QStringLiteral("crc32"));
        if (checked && !c.isDouble())
            throw fail(QStringLiteral("tensor %1 has no checksum").arg(name));
        work.push_back(Pending{target, blob.constData() + payloadStart + off, size, zlib, checked, quint32(c.toDouble()), name});
    }
    std::vector<QString> damaged(work.size());
    auto unpack = [&](size_t i) {
        const Pending &p = work[i];
        if (p.hasCrc && crc(p.src, p.size) != p.crc) {
            damaged[i] = p.name;
            return false;
        }
        if (!p.zlib) {
            std::memcpy(p.target->data(), p.src, size_t(p.size));
            return true;
        }
        const QByteArray planes = qUncompress(reinterpret_cast<const uchar *>(p.src), qsizetype(p.size));
        if (size_t(planes.size()) != p.target->byteSize())
            return false;
        fromPlanes(planes.constData(), static_cast<unsigned char *>(p.target->data()), p.target->byteSize(), dtypeSize(p.target->dtype()));
        return true;
    };
    auto half = [&](size_t from) {
        bool ok = true;
        for (size_t i = from; i < work.size(); i += 2)
            ok = unpack(i) && ok;
        return ok;
    };
    auto other = std::async(std::launch::async, half, size_t(1));
    const bool ok0 = half(0);
    if (!other.get() || !ok0) {
        QStringList names;
        for (const QString &n : damaged)
            if (!n.isEmpty())
                names << n;
        throw fail(names.isEmpty() ? QStringLiteral("a compressed tensor is corrupt")
                                   : QStringLiteral("tensor %1 is damaged (checksum mismatch)").arg(names.join(QStringLiteral(", "))));
    }
    return t;
}

} // namespace strata
