#include "RandomGguf.h"

#include "tensor/GgmlQuants.h"
#include "util/Error.h"
#include "util/Half.h"

#include <QDir>
#include <QFile>
#include <QStringList>

#include <cstring>
#include <vector>

namespace strata {

namespace {

struct Rng
{
    uint64_t s;
    uint64_t next()
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
};

class Writer
{
public:
    explicit Writer(QFile &f) : m_f(f) {}
    void raw(const void *p, qint64 n)
    {
        if (m_f.write(static_cast<const char *>(p), n) != n)
            throw Error(QStringLiteral("%1: write failed: %2 (is the disk full?)").arg(QDir::toNativeSeparators(m_f.fileName()), m_f.errorString()));
    }
    void u32(uint32_t v) { raw(&v, 4); }
    void i32(int32_t v) { raw(&v, 4); }
    void u64(uint64_t v) { raw(&v, 8); }
    void f32(float v) { raw(&v, 4); }
    void str(const QString &s)
    {
        const QByteArray b = s.toUtf8();
        u64(uint64_t(b.size()));
        raw(b.constData(), b.size());
    }
    void key(const char *k, uint32_t type)
    {
        str(QString::fromLatin1(k));
        u32(type);
    }
    void pad(int alignment)
    {
        static const char zeros[64] = {};
        const qint64 n = (alignment - m_f.pos() % alignment) % alignment;
        raw(zeros, n);
    }

private:
    QFile &m_f;
};

enum : uint32_t { kU32 = 4, kI32 = 5, kF32 = 6, kString = 8, kArray = 9 };

struct TensorPlan
{
    QString name;
    std::vector<uint64_t> ne; // GGUF order: ne0 = row length
    uint32_t type = 0;
    uint64_t bytes = 0, offset = 0;
};

uint32_t typeByName(const QString &name)
{
    for (uint32_t id : ggmlTypesRead())
        if (ggmlTypeName(id).compare(name, Qt::CaseInsensitive) == 0)
            return id;
    throw Error(QStringLiteral("Unknown tensor type '%1' (use q4_k_m or one of: %2).").arg(name, [] {
        QStringList all;
        for (uint32_t id : ggmlTypesRead())
            all << ggmlTypeName(id).toLower();
        return all.join(QStringLiteral(", "));
    }()));
}

// Byte offsets of the fp16 scale fields in one block, and the value they get (chosen so that a
// typical weight is a few hundredths, as in trained models).
struct ScaleFields
{
    std::vector<int> offsets;
    float value = 0.01f;
};

ScaleFields scaleFields(uint32_t type)
{
    switch (type) {
    case 2:
    case 6:
    case 20:
        return {{0}, 0.005f}; // Q4_0, Q5_0, IQ4_NL
    case 3:
    case 7:
        return {{0, 2}, 0.005f}; // Q4_1, Q5_1
    case 8:
        return {{0}, 0.0003f}; // Q8_0
    case 10:
        return {{80, 82}, 0.0005f}; // Q2_K
    case 11:
        return {{108}, 0.0005f}; // Q3_K
    case 12:
    case 13:
        return {{0, 2}, 0.0001f}; // Q4_K, Q5_K
    case 14:
        return {{208}, 0.0001f}; // Q6_K
    case 16:
    case 17:
    case 22:
    case 18:
    case 21:
        return {{0}, 0.0005f}; // IQ2_*, IQ3_*
    case 19:
        return {{0}, 0.005f}; // IQ1_S
    case 23:
        return {{0}, 0.0002f}; // IQ4_XS
    case 34:
        return {{52}, 0.02f}; // TQ1_0
    case 35:
        return {{64}, 0.02f}; // TQ2_0
    default:
        return {};
    }
}

void fillBlocks(uint32_t type, unsigned char *p, int64_t bytes, Rng &rng)
{
    for (int64_t i = 0; i + 8 <= bytes; i += 8) {
        const uint64_t v = rng.next();
        std::memcpy(p + i, &v, 8);
    }
    for (int64_t i = bytes / 8 * 8; i < bytes; ++i)
        p[i] = uint8_t(rng.next());
    const GgmlTypeTraits *t = ggmlTypeTraits(type);
    if (type == 0 || type == 1 || type == 30) { // dense: small normal-ish values
        const int64_t n = bytes / t->blockBytes;
        for (int64_t i = 0; i < n; ++i) {
            const double u = (double(rng.next() >> 11) / double(uint64_t(1) << 53) - 0.5) * 0.07; // uniform, std 0.02
            if (type == 0) {
                const float f = float(u);
                std::memcpy(p + 4 * i, &f, 4);
            } else {
                const float f = float(u);
                uint32_t bits;
                std::memcpy(&bits, &f, 4);
                const uint16_t h = type == 1 ? floatToHalf(f) : uint16_t(bits >> 16);
                std::memcpy(p + 2 * i, &h, 2);
            }
        }
        return;
    }
    const ScaleFields sf = scaleFields(type);
    const uint16_t d = floatToHalf(sf.value);
    for (int64_t b = 0; b < bytes / t->blockBytes; ++b) {
        unsigned char *blk = p + b * t->blockBytes;
        for (int off : sf.offsets)
            std::memcpy(blk + off, &d, 2);
        if (type == 29) { // IQ1_M: the fp16 scale lives in the top nibbles of the four scale words
            const uint16_t dm = floatToHalf(0.005f);
            for (int k = 0; k < 4; ++k) {
                uint16_t w;
                std::memcpy(&w, blk + 48 + 2 * k, 2);
                w = uint16_t((w & 0x0FFF) | (((dm >> (4 * k)) & 0xF) << 12));
                std::memcpy(blk + 48 + 2 * k, &w, 2);
            }
        } else if (type == 39) { // MXFP4: E8M0 exponent 2^(e-128) ~ 1/128
            blk[0] = 121;
        }
    }
}

} // namespace

RandomGgufSpec randomGgufShape(const QString &name)
{
    RandomGgufSpec s;
    if (name == QLatin1String("8b")) {
        s.layers = 32, s.dModel = 4096, s.heads = 32, s.kvHeads = 8, s.ffn = 14336, s.vocab = 128256, s.context = 8192;
    } else if (name == QLatin1String("1b")) {
        s.layers = 16, s.dModel = 2048, s.heads = 32, s.kvHeads = 8, s.ffn = 8192, s.vocab = 128256, s.context = 8192, s.tied = true;
    } else if (name == QLatin1String("tiny")) {
        // the defaults
    } else {
        const QStringList parts = name.split(QLatin1Char(','));
        bool ok = parts.size() == 6;
        int v[6] = {};
        for (int i = 0; ok && i < 6; ++i) {
            v[i] = parts[i].toInt(&ok);
            ok = ok && v[i] > 0;
        }
        if (!ok || v[1] % v[2] || v[2] % v[3] || v[5] < 300)
            throw Error(
                QStringLiteral("--shape must be 8b, 1b, tiny or L,D,H,KV,F,V (heads dividing D, KV heads dividing heads, V >= 300); got '%1'.").arg(name));
        s.layers = v[0], s.dModel = v[1], s.heads = v[2], s.kvHeads = v[3], s.ffn = v[4], s.vocab = v[5];
    }
    return s;
}

void writeRandomGguf(const QString &path, const RandomGgufSpec &spec, const std::function<void(double)> &progress)
{
    const bool km = spec.mix.compare(QLatin1String("q4_k_m"), Qt::CaseInsensitive) == 0;
    const uint32_t uniform = km ? 12 : typeByName(spec.mix);
    const int L = spec.layers;
    auto moreBits = [&](int l) { return l < L / 8 || l >= 7 * L / 8 || (l - L / 8) % 3 == 2; }; // llama.cpp's use_more_bits
    const uint64_t D = uint64_t(spec.dModel), hd = D / uint64_t(spec.heads), KV = hd * uint64_t(spec.kvHeads), F = uint64_t(spec.ffn), V = uint64_t(spec.vocab);
    std::vector<TensorPlan> plan;
    auto add = [&](const QString &name, std::vector<uint64_t> ne, uint32_t type) {
        const int64_t rowBytes = ggmlRowBytes(type, int64_t(ne[0]));
        if (rowBytes < 0)
            throw Error(QStringLiteral("Tensor '%1': rows of %2 are not a whole number of %3 blocks.").arg(name).arg(ne[0]).arg(ggmlTypeName(type)));
        uint64_t rows = 1;
        for (size_t i = 1; i < ne.size(); ++i)
            rows *= ne[i];
        plan.push_back({name, std::move(ne), type, uint64_t(rowBytes) * rows, 0});
    };
    add(QStringLiteral("token_embd.weight"), {D, V}, uniform);
    for (int l = 0; l < L; ++l) {
        const QString p = QStringLiteral("blk.%1.").arg(l);
        const uint32_t vType = km && moreBits(l) ? 14 : uniform;
        add(p + QStringLiteral("attn_norm.weight"), {D}, 0);
        add(p + QStringLiteral("attn_q.weight"), {D, D}, uniform);
        add(p + QStringLiteral("attn_k.weight"), {D, KV}, uniform);
        add(p + QStringLiteral("attn_v.weight"), {D, KV}, vType);
        add(p + QStringLiteral("attn_output.weight"), {D, D}, uniform);
        add(p + QStringLiteral("ffn_norm.weight"), {D}, 0);
        add(p + QStringLiteral("ffn_gate.weight"), {D, F}, uniform);
        add(p + QStringLiteral("ffn_up.weight"), {D, F}, uniform);
        add(p + QStringLiteral("ffn_down.weight"), {F, D}, vType);
    }
    add(QStringLiteral("output_norm.weight"), {D}, 0);
    if (!spec.tied)
        add(QStringLiteral("output.weight"), {D, V}, km ? 14 : uniform);
    const uint64_t alignment = 32;
    uint64_t offset = 0, total = 0;
    for (TensorPlan &t : plan) {
        t.offset = offset;
        offset += (t.bytes + alignment - 1) / alignment * alignment;
        total += t.bytes;
    }

    QStringList tokens{QStringLiteral("<unk>"), QStringLiteral("<s>"), QStringLiteral("</s>")};
    for (int b = 0; b < 256; ++b)
        tokens << QStringLiteral("<0x%1>").arg(b, 2, 16, QLatin1Char('0')).toUpper().replace(QStringLiteral("<0X"), QStringLiteral("<0x"));
    for (int i = 0; tokens.size() < spec.vocab; ++i) {
        QString w;
        for (int n = i / 2 + 1; n > 0; n = (n - 1) / 26)
            w.prepend(QChar(u'a' + (n - 1) % 26));
        tokens << (i % 2 ? w : QStringLiteral("\u2581") + w);
    }

    const QString part = path + QStringLiteral(".part");
    QFile f(part);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        throw Error(QStringLiteral("%1: cannot write: %2.").arg(QDir::toNativeSeparators(part), f.errorString()));
    Writer w(f);
    w.u32(0x46554747u);
    w.u32(3);
    w.u64(plan.size());
    w.u64(km ? 17 : 16); // general.file_type only for the named mix
    w.key("general.architecture", kString), w.str(QStringLiteral("llama"));
    w.key("general.name", kString), w.str(QStringLiteral("random llama %1 layers d%2 %3").arg(L).arg(D).arg(spec.mix));
    if (km)
        w.key("general.file_type", kU32), w.u32(15); // llama.cpp's MOSTLY_Q4_K_M
    w.key("llama.block_count", kU32), w.u32(uint32_t(L));
    w.key("llama.embedding_length", kU32), w.u32(uint32_t(D));
    w.key("llama.attention.head_count", kU32), w.u32(uint32_t(spec.heads));
    w.key("llama.attention.head_count_kv", kU32), w.u32(uint32_t(spec.kvHeads));
    w.key("llama.feed_forward_length", kU32), w.u32(uint32_t(F));
    w.key("llama.context_length", kU32), w.u32(uint32_t(spec.context));
    w.key("llama.attention.layer_norm_rms_epsilon", kF32), w.f32(1e-5f);
    w.key("llama.rope.freq_base", kF32), w.f32(500000.f);
    w.key("tokenizer.ggml.model", kString), w.str(QStringLiteral("llama"));
    w.key("tokenizer.ggml.tokens", kArray), w.u32(kString), w.u64(uint64_t(tokens.size()));
    for (const QString &t : tokens)
        w.str(t);
    w.key("tokenizer.ggml.scores", kArray), w.u32(kF32), w.u64(uint64_t(tokens.size()));
    for (int i = 0; i < tokens.size(); ++i)
        w.f32(i < 259 ? 0.f : -float(i));
    w.key("tokenizer.ggml.token_type", kArray), w.u32(kI32), w.u64(uint64_t(tokens.size()));
    for (int i = 0; i < tokens.size(); ++i)
        w.i32(i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1);
    w.key("tokenizer.ggml.bos_token_id", kU32), w.u32(1);
    w.key("tokenizer.ggml.eos_token_id", kU32), w.u32(2);
    for (const TensorPlan &t : plan) {
        w.str(t.name);
        w.u32(uint32_t(t.ne.size()));
        for (uint64_t d : t.ne)
            w.u64(d);
        w.u32(t.type);
        w.u64(t.offset);
    }
    w.pad(int(alignment));
    Rng rng{0x9E3779B97F4A7C15ull ^ spec.seed};
    std::vector<unsigned char> buf;
    uint64_t written = 0;
    for (const TensorPlan &t : plan) {
        const GgmlTypeTraits *tr = ggmlTypeTraits(t.type);
        // Chunks of whole blocks of about 8 MiB.
        const uint64_t chunk = std::max<uint64_t>(1, (8u << 20) / uint64_t(tr->blockBytes)) * uint64_t(tr->blockBytes);
        for (uint64_t done = 0; done < t.bytes; done += chunk) {
            const uint64_t n = std::min(chunk, t.bytes - done);
            buf.resize(n);
            fillBlocks(t.type, buf.data(), int64_t(n), rng);
            w.raw(buf.data(), qint64(n));
            written += n;
            if (progress)
                progress(double(written) / double(total));
        }
        w.pad(int(alignment));
    }
    if (!f.flush())
        throw Error(QStringLiteral("%1: write failed: %2 (is the disk full?)").arg(QDir::toNativeSeparators(part), f.errorString()));
    f.close();
    QFile::remove(path);
    if (!QFile::rename(part, path))
        throw Error(QStringLiteral("Cannot rename %1 to %2.").arg(QDir::toNativeSeparators(part), QDir::toNativeSeparators(path)));
}

} // namespace strata
