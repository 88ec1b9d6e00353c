#include "GgmlQuants.h"

#include "util/Half.h"

#include <QHash>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace strata {

namespace {

constexpr int QK = 256;

constexpr GgmlTypeTraits kTraits[] = {
    {0, "F32", 1, 4},       {1, "F16", 1, 2},        {30, "BF16", 1, 2},     {2, "Q4_0", 32, 18},     {3, "Q4_1", 32, 20},
    {6, "Q5_0", 32, 22},    {7, "Q5_1", 32, 24},     {8, "Q8_0", 32, 34},    {10, "Q2_K", QK, 84},    {11, "Q3_K", QK, 110},
    {12, "Q4_K", QK, 144},  {13, "Q5_K", QK, 176},   {14, "Q6_K", QK, 210},  {16, "IQ2_XXS", QK, 66}, {17, "IQ2_XS", QK, 74},
    {22, "IQ2_S", QK, 82},  {18, "IQ3_XXS", QK, 98}, {21, "IQ3_S", QK, 110}, {19, "IQ1_S", QK, 50},   {29, "IQ1_M", QK, 56},
    {20, "IQ4_NL", 32, 18}, {23, "IQ4_XS", QK, 136}, {34, "TQ1_0", QK, 54},  {35, "TQ2_0", QK, 66},   {39, "MXFP4", 32, 17},
};

// Types ggml defines that Strata does not read, named so a message can say what the file has.
QString otherTypeName(uint32_t type)
{
    switch (type) {
    case 9:
        return QStringLiteral("Q8_1");
    case 15:
        return QStringLiteral("Q8_K");
    case 24:
        return QStringLiteral("I8");
    case 25:
        return QStringLiteral("I16");
    case 26:
        return QStringLiteral("I32");
    case 27:
        return QStringLiteral("I64");
    case 28:
        return QStringLiteral("F64");
    default:
        return QStringLiteral("type %1").arg(type);
    }
}

float h(const unsigned char *p)
{
    uint16_t v;
    std::memcpy(&v, p, 2);
    return halfToFloat(v);
}

uint16_t u16(const unsigned char *p)
{
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

uint32_t u32(const unsigned char *p)
{
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

constexpr int8_t kValuesIq4nl[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
constexpr int8_t kValuesMxfp4[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12}; // twice E2M1

// ggml's sign table for IQ2/IQ3: 7 stored bits, the 8th makes the count of minus signs even.
uint8_t ksign(int i)
{
    return uint8_t(i | ((__builtin_popcount(unsigned(i)) & 1) << 7));
}

float sign(uint8_t signs, int j)
{
    return (signs >> j) & 1 ? -1.f : 1.f;
}

// 6-bit scale and min j of the 12 packed bytes of Q4_K/Q5_K.
void scaleMinK4(int j, const unsigned char *q, uint8_t *sc, uint8_t *m)
{
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = uint8_t((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = uint8_t((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

void q4_0(const unsigned char *b, float *y)
{
    const float d = h(b);
    for (int j = 0; j < 16; ++j) {
        y[j] = float((b[2 + j] & 0xF) - 8) * d;
        y[j + 16] = float((b[2 + j] >> 4) - 8) * d;
    }
}

void q4_1(const unsigned char *b, float *y)
{
    const float d = h(b), m = h(b + 2);
    for (int j = 0; j < 16; ++j) {
        y[j] = float(b[4 + j] & 0xF) * d + m;
        y[j + 16] = float(b[4 + j] >> 4) * d + m;
    }
}

void q5_0(const unsigned char *b, float *y)
{
    const float d = h(b);
    const uint32_t qh = u32(b + 2);
    for (int j = 0; j < 16; ++j) {
        const int x0 = ((b[6 + j] & 0xF) | int(((qh >> j) & 1) << 4)) - 16;
        const int x1 = ((b[6 + j] >> 4) | int(((qh >> (j + 16)) & 1) << 4)) - 16;
        y[j] = float(x0) * d;
        y[j + 16] = float(x1) * d;
    }
}

void q5_1(const unsigned char *b, float *y)
{
    const float d = h(b), m = h(b + 2);
    const uint32_t qh = u32(b + 4);
    for (int j = 0; j < 16; ++j) {
        const int x0 = (b[8 + j] & 0xF) | int(((qh >> j) & 1) << 4);
        const int x1 = (b[8 + j] >> 4) | int(((qh >> (j + 16)) & 1) << 4);
        y[j] = float(x0) * d + m;
        y[j + 16] = float(x1) * d + m;
    }
}

void q8_0(const unsigned char *b, float *y)
{
    const float d = h(b);
    for (int j = 0; j < 32; ++j)
        y[j] = float(int8_t(b[2 + j])) * d;
}

void q2_k(const unsigned char *b, float *y)
{
    const unsigned char *scales = b, *q = b + 16;
    const float d = h(b + 80), dmin = h(b + 82);
    int is = 0;
    for (int n = 0; n < QK; n += 128) {
        for (int shift = 0; shift < 8; shift += 2) {
            for (int half = 0; half < 2; ++half) {
                const uint8_t sc = scales[is++];
                const float dl = d * float(sc & 0xF), ml = dmin * float(sc >> 4);
                for (int l = 0; l < 16; ++l)
                    *y++ = dl * float((q[16 * half + l] >> shift) & 3) - ml;
            }
        }
        q += 32;
    }
}

void q3_k(const unsigned char *b, float *y)
{
    const unsigned char *hm = b, *q = b + 32, *s = b + 96;
    const float d = h(b + 108);
    int8_t scales[16];
    for (int k = 0; k < 16; ++k) {
        const int low = k < 8 ? s[k] & 0xF : s[k - 8] >> 4;
        const int high = (s[8 + k % 4] >> (2 * (k / 4))) & 3;
        scales[k] = int8_t((low | high << 4) - 32);
    }
    int is = 0;
    uint8_t m = 1;
    for (int n = 0; n < QK; n += 128) {
        for (int shift = 0; shift < 8; shift += 2) {
            for (int half = 0; half < 2; ++half) {
                const float dl = d * float(scales[is++]);
                for (int l = 0; l < 16; ++l) {
                    const int i = 16 * half + l;
                    *y++ = dl * float(((q[i] >> shift) & 3) - ((hm[i] & m) ? 0 : 4));
                }
            }
            m = uint8_t(m << 1);
        }
        q += 32;
    }
}

void q4_k(const unsigned char *b, float *y)
{
    const float d = h(b), dmin = h(b + 2);
    const unsigned char *scales = b + 4, *q = b + 16;
    for (int j = 0, is = 0; j < QK; j += 64, is += 2, q += 32) {
        uint8_t sc, m;
        scaleMinK4(is, scales, &sc, &m);
        const float d1 = d * float(sc), m1 = dmin * float(m);
        scaleMinK4(is + 1, scales, &sc, &m);
        const float d2 = d * float(sc), m2 = dmin * float(m);
        for (int l = 0; l < 32; ++l)
            *y++ = d1 * float(q[l] & 0xF) - m1;
        for (int l = 0; l < 32; ++l)
            *y++ = d2 * float(q[l] >> 4) - m2;
    }
}

void q5_k(const unsigned char *b, float *y)
{
    const float d = h(b), dmin = h(b + 2);
    const unsigned char *scales = b + 4, *qh = b + 16, *ql = b + 48;
    uint8_t u1 = 1, u2 = 2;
    for (int j = 0, is = 0; j < QK; j += 64, is += 2, ql += 32) {
        uint8_t sc, m;
        scaleMinK4(is, scales, &sc, &m);
        const float d1 = d * float(sc), m1 = dmin * float(m);
        scaleMinK4(is + 1, scales, &sc, &m);
        const float d2 = d * float(sc), m2 = dmin * float(m);
        for (int l = 0; l < 32; ++l)
            *y++ = d1 * float((ql[l] & 0xF) + ((qh[l] & u1) ? 16 : 0)) - m1;
        for (int l = 0; l < 32; ++l)
            *y++ = d2 * float((ql[l] >> 4) + ((qh[l] & u2) ? 16 : 0)) - m2;
        u1 = uint8_t(u1 << 2);
        u2 = uint8_t(u2 << 2);
    }
}

void q6_k(const unsigned char *b, float *y)
{
    const unsigned char *ql = b, *qh = b + 128;
    const int8_t *sc = reinterpret_cast<const int8_t *>(b + 192);
    const float d = h(b + 208);
    for (int n = 0; n < QK; n += 128) {
        for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = d * float(sc[is]) * float(q1);
            y[l + 32] = d * float(sc[is + 2]) * float(q2);
            y[l + 64] = d * float(sc[is + 4]) * float(q3);
            y[l + 96] = d * float(sc[is + 6]) * float(q4);
        }
        y += 128;
        ql += 64;
        qh += 32;
        sc += 8;
    }
}

using ggml_detail::Grid;

const uint8_t *gridOf(Grid g)
{
    int entries = 0, width = 0;
    return ggml_detail::grid(g, &entries, &width);
}

// The grid rows the IQ types write: 8 (IQ2) or 4 + 4 (IQ3) lattice values with a byte of signs,
// or 8 IQ1 values (-1, 0, 1 stored as 0, 1, 2) moved by delta; and IQ2's two 4-bit scales per byte.
void signedGrid8(float *y, float db, const uint8_t *g, uint8_t signs)
{
    for (int j = 0; j < 8; ++j)
        y[j] = db * float(g[j]) * sign(signs, j);
}

void signedGrid4x2(float *y, float db, const uint8_t *g1, const uint8_t *g2, uint8_t signs)
{
    for (int j = 0; j < 4; ++j) {
        y[j] = db * float(g1[j]) * sign(signs, j);
        y[j + 4] = db * float(g2[j]) * sign(signs, j + 4);
    }
}

void iq1Grid8(float *y, float dl, const uint8_t *g, float delta)
{
    for (int j = 0; j < 8; ++j)
        y[j] = dl * (float(int(g[j]) - 1) + delta);
}

void iq2Scales(float d, uint8_t s, float db[2])
{
    db[0] = d * (0.5f + float(s & 0xF)) * 0.25f;
    db[1] = d * (0.5f + float(s >> 4)) * 0.25f;
}

void iq2_xxs(const unsigned char *b, float *y)
{
    static const uint8_t *grid = gridOf(Grid::Iq2xxs);
    const float d = h(b);
    for (int ib = 0; ib < 8; ++ib) {
        const unsigned char *q = b + 2 + 8 * ib;
        const uint32_t aux = u32(q + 4);
        const float db = d * (0.5f + float(aux >> 28)) * 0.25f;
        for (int l = 0; l < 4; ++l) {
            const uint8_t *g = grid + 8 * q[l];
            signedGrid8(y, db, g, ksign(int((aux >> (7 * l)) & 127)));
            y += 8;
        }
    }
}

void iq2_xs(const unsigned char *b, float *y)
{
    static const uint8_t *grid = gridOf(Grid::Iq2xs);
    const float d = h(b);
    const unsigned char *scales = b + 66;
    for (int ib = 0; ib < 8; ++ib) {
        float db[2];
        iq2Scales(d, scales[ib], db);
        for (int l = 0; l < 4; ++l) {
            const uint16_t q = u16(b + 2 + 2 * (4 * ib + l));
            signedGrid8(y, db[l / 2], grid + 8 * (q & 511), ksign(q >> 9));
            y += 8;
        }
    }
}

void iq2_s(const unsigned char *b, float *y)
{
    static const uint8_t *grid = gridOf(Grid::Iq2s);
    const float d = h(b);
    const unsigned char *qs = b + 2, *signs = b + 34, *qh = b + 66, *scales = b + 74;
    for (int ib = 0; ib < 8; ++ib) {
        float db[2];
        iq2Scales(d, scales[ib], db);
        for (int l = 0; l < 4; ++l) {
            signedGrid8(y, db[l / 2], grid + 8 * (qs[l] | ((qh[ib] << (8 - 2 * l)) & 0x300)), signs[l]);
            y += 8;
        }
        qs += 4;
        signs += 4;
    }
}

void iq3_xxs(const unsigned char *b, float *y)
{
    static const uint8_t *grid = gridOf(Grid::Iq3xxs);
    const float d = h(b);
    const unsigned char *qs = b + 2, *ss = b + 66;
    for (int ib = 0; ib < 8; ++ib) {
        const uint32_t aux = u32(ss + 4 * ib);
        const float db = d * (0.5f + float(aux >> 28)) * 0.5f;
        for (int l = 0; l < 4; ++l) {
            signedGrid4x2(y, db, grid + 4 * qs[2 * l], grid + 4 * qs[2 * l + 1], ksign(int((aux >> (7 * l)) & 127)));
            y += 8;
        }
        qs += 8;
    }
}

void iq3_s(const unsigned char *b, float *y)
{
    static const uint8_t *grid = gridOf(Grid::Iq3s);
    const float d = h(b);
    const unsigned char *qs = b + 2, *qh = b + 66, *signs = b + 74, *scales = b + 106;
    for (int ib = 0; ib < 8; ++ib) {
        const int s = ib % 2 ? scales[ib / 2] >> 4 : scales[ib / 2] & 0xF;
        const float db = d * float(1 + 2 * s);
        for (int l = 0; l < 4; ++l) {
            const uint8_t *g1 = grid + 4 * (qs[2 * l] | ((qh[ib] << (8 - 2 * l)) & 256));
            const uint8_t *g2 = grid + 4 * (qs[2 * l + 1] | ((qh[ib] << (7 - 2 * l)) & 256));
            signedGrid4x2(y, db, g1, g2, signs[l]);
            y += 8;
        }
        qs += 8;
        signs += 4;
    }
}

constexpr float kIq1Delta = 0.125f;

void iq1_s(const unsigned char *b, float *y)
{
    static const uint8_t *grid = gridOf(Grid::Iq1s);
    const float d = h(b);
    const unsigned char *qs = b + 2;
    for (int ib = 0; ib < 8; ++ib) {
        const uint16_t qh = u16(b + 34 + 2 * ib);
        const float dl = d * float(2 * ((qh >> 12) & 7) + 1);
        const float delta = (qh & 0x8000) ? -kIq1Delta : kIq1Delta;
        for (int l = 0; l < 4; ++l) {
            iq1Grid8(y, dl, grid + 8 * (qs[l] | (((qh >> (3 * l)) & 7) << 8)), delta);
            y += 8;
        }
        qs += 4;
    }
}

void iq1_m(const unsigned char *b, float *y)
{
    static const uint8_t *grid = gridOf(Grid::Iq1s);
    const unsigned char *qs = b, *qh = b + 32;
    uint16_t sc[4];
    for (int i = 0; i < 4; ++i)
        sc[i] = u16(b + 48 + 2 * i);
    const uint16_t dbits = uint16_t((sc[0] >> 12) | ((sc[1] >> 8) & 0x00F0) | ((sc[2] >> 4) & 0x0F00) | (sc[3] & 0xF000));
    const float d = halfToFloat(dbits);
    for (int ib = 0; ib < 8; ++ib) {
        const float dl1 = d * float(2 * ((sc[ib / 2] >> (6 * (ib % 2) + 0)) & 7) + 1);
        const float dl2 = d * float(2 * ((sc[ib / 2] >> (6 * (ib % 2) + 3)) & 7) + 1);
        const int idx[4] = {qs[0] | ((qh[0] << 8) & 0x700), qs[1] | ((qh[0] << 4) & 0x700), qs[2] | ((qh[1] << 8) & 0x700), qs[3] | ((qh[1] << 4) & 0x700)};
        const float delta[4] = {(qh[0] & 0x08) ? -kIq1Delta : kIq1Delta, (qh[0] & 0x80) ? -kIq1Delta : kIq1Delta, (qh[1] & 0x08) ? -kIq1Delta : kIq1Delta,
                                (qh[1] & 0x80) ? -kIq1Delta : kIq1Delta};
        for (int l = 0; l < 4; ++l) {
            iq1Grid8(y, l < 2 ? dl1 : dl2, grid + 8 * idx[l], delta[l]);
            y += 8;
        }
        qs += 4;
        qh += 2;
    }
}

void iq4_nl(const unsigned char *b, float *y)
{
    const float d = h(b);
    for (int j = 0; j < 16; ++j) {
        y[j] = d * float(kValuesIq4nl[b[2 + j] & 0xF]);
        y[j + 16] = d * float(kValuesIq4nl[b[2 + j] >> 4]);
    }
}

void iq4_xs(const unsigned char *b, float *y)
{
    const float d = h(b);
    const uint16_t scalesH = u16(b + 2);
    const unsigned char *scalesL = b + 4, *qs = b + 8;
    for (int ib = 0; ib < 8; ++ib) {
        const int ls = ((scalesL[ib / 2] >> (4 * (ib % 2))) & 0xF) | (((scalesH >> (2 * ib)) & 3) << 4);
        const float dl = d * float(ls - 32);
        for (int j = 0; j < 16; ++j) {
            y[j] = dl * float(kValuesIq4nl[qs[j] & 0xF]);
            y[j + 16] = dl * float(kValuesIq4nl[qs[j] >> 4]);
        }
        y += 32;
        qs += 16;
    }
}

void tq1_0(const unsigned char *b, float *y)
{
    static constexpr uint8_t pow3[5] = {1, 3, 9, 27, 81};
    const unsigned char *qs = b, *qh = b + 48;
    const float d = h(b + 52);
    auto trit = [](uint8_t q) { return float(((uint16_t(q) * 3) >> 8) - 1); };
    for (int n = 0; n < 5; ++n)
        for (int m = 0; m < 32; ++m)
            *y++ = trit(uint8_t(qs[m] * pow3[n])) * d;
    for (int n = 0; n < 5; ++n)
        for (int m = 0; m < 16; ++m)
            *y++ = trit(uint8_t(qs[32 + m] * pow3[n])) * d;
    for (int n = 0; n < 4; ++n)
        for (int j = 0; j < 4; ++j)
            *y++ = trit(uint8_t(qh[j] * pow3[n])) * d;
}

void tq2_0(const unsigned char *b, float *y)
{
    const float d = h(b + 64);
    for (int j = 0; j < 64; j += 32)
        for (int l = 0; l < 4; ++l)
            for (int m = 0; m < 32; ++m)
                *y++ = float(((b[j + m] >> (2 * l)) & 3) - 1) * d;
}

void mxfp4(const unsigned char *b, float *y)
{
    // E8M0 exponent e -> 2^(e - 128): half the block scale, since the table holds doubled values.
    const uint32_t bits = b[0] < 2 ? uint32_t(0x00200000) << b[0] : uint32_t(b[0] - 1) << 23;
    float d;
    std::memcpy(&d, &bits, 4);
    for (int j = 0; j < 16; ++j) {
        y[j] = float(kValuesMxfp4[b[1 + j] & 0xF]) * d;
        y[j + 16] = float(kValuesMxfp4[b[1 + j] >> 4]) * d;
    }
}

using BlockFn = void (*)(const unsigned char *, float *);

BlockFn blockFunction(uint32_t type)
{
    switch (type) {
    case 2:
        return q4_0;
    case 3:
        return q4_1;
    case 6:
        return q5_0;
    case 7:
        return q5_1;
    case 8:
        return q8_0;
    case 10:
        return q2_k;
    case 11:
        return q3_k;
    case 12:
        return q4_k;
    case 13:
        return q5_k;
    case 14:
        return q6_k;
    case 16:
        return iq2_xxs;
    case 17:
        return iq2_xs;
    case 22:
        return iq2_s;
    case 18:
        return iq3_xxs;
    case 21:
        return iq3_s;
    case 19:
        return iq1_s;
    case 29:
        return iq1_m;
    case 20:
        return iq4_nl;
    case 23:
        return iq4_xs;
    case 34:
        return tq1_0;
    case 35:
        return tq2_0;
    case 39:
        return mxfp4;
    default:
        return nullptr;
    }
}

} // namespace

const GgmlTypeTraits *ggmlTypeTraits(uint32_t type)
{
    for (const GgmlTypeTraits &t : kTraits)
        if (t.id == type)
            return &t;
    return nullptr;
}

QString ggmlTypeName(uint32_t type)
{
    const GgmlTypeTraits *t = ggmlTypeTraits(type);
    return t ? QString::fromLatin1(t->name) : otherTypeName(type);
}

std::vector<uint32_t> ggmlTypesRead()
{
    std::vector<uint32_t> ids;
    for (const GgmlTypeTraits &t : kTraits)
        ids.push_back(t.id);
    return ids;
}

int64_t ggmlRowBytes(uint32_t type, int64_t rowLength)
{
    const GgmlTypeTraits *t = ggmlTypeTraits(type);
    if (!t || rowLength < 0 || rowLength % t->blockElems != 0)
        return -1;
    return rowLength / t->blockElems * t->blockBytes;
}

void ggmlDequantizeRows(uint32_t type, const unsigned char *src, float *dst, int64_t rows, int64_t rowLength)
{
    const int64_t n = rows * rowLength;
    switch (type) {
    case 0:
        std::memcpy(dst, src, size_t(n) * 4);
        return;
    case 1:
        for (int64_t i = 0; i < n; ++i)
            dst[i] = halfToFloat(u16(src + 2 * i));
        return;
    case 30:
        for (int64_t i = 0; i < n; ++i)
            dst[i] = bf16ToFloat(u16(src + 2 * i));
        return;
    default:
        break;
    }
    const GgmlTypeTraits *t = ggmlTypeTraits(type);
    const BlockFn fn = blockFunction(type);
    if (!t || !fn)
        return;
    const int64_t blocks = n / t->blockElems;
    for (int64_t i = 0; i < blocks; ++i)
        fn(src + i * t->blockBytes, dst + i * t->blockElems);
}

namespace {
// Whether any value is NaN or infinite: a comparison the compiler vectorises at O3 (kept out of
// line so that it stays compiled that way).
#if defined(__clang__)
#define STRATA_VECTORISED_O3 __attribute__((noinline))
#else
#define STRATA_VECTORISED_O3 __attribute__((noinline, optimize("O3")))
#endif
STRATA_VECTORISED_O3 bool anyNonFinite(const float *x, int64_t n)
{
    int bad = 0;
    for (int64_t i = 0; i < n; ++i)
        bad |= !(std::fabs(x[i]) <= FLT_MAX);
    return bad != 0;
}
} // namespace

int64_t firstNonFinite(const float *dst, int64_t n)
{
    if (!anyNonFinite(dst, n))
        return -1;
    for (int64_t i = 0; i < n; ++i)
        if (!std::isfinite(dst[i]))
            return i;
    return -1;
}

QString ggmlFileTypeName(int64_t fileType)
{
    // llama.cpp's llama_ftype (general.file_type); gaps are types it removed.
    static const QHash<int, const char *> names = {
        {0, "F32"},     {1, "F16"},     {2, "Q4_0"},     {3, "Q4_1"},    {7, "Q8_0"},    {8, "Q5_0"},       {9, "Q5_1"},   {10, "Q2_K"},    {11, "Q3_K_S"},
        {12, "Q3_K_M"}, {13, "Q3_K_L"}, {14, "Q4_K_S"},  {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"},    {18, "Q6_K"},  {19, "IQ2_XXS"}, {20, "IQ2_XS"},
        {21, "Q2_K_S"}, {22, "IQ3_XS"}, {23, "IQ3_XXS"}, {24, "IQ1_S"},  {25, "IQ4_NL"}, {26, "IQ3_S"},     {27, "IQ3_M"}, {28, "IQ2_S"},   {29, "IQ2_M"},
        {30, "IQ4_XS"}, {31, "IQ1_M"},  {32, "BF16"},    {36, "TQ1_0"},  {37, "TQ2_0"},  {38, "MXFP4_MOE"},
    };
    const char *n = names.value(int(fileType & ~int64_t(1024)), nullptr); // 1024: "guessed" flag
    return n ? QString::fromLatin1(n) : QString();
}

} // namespace strata
