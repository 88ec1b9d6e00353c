#pragma once

#include <QString>

#include <cstdint>
#include <vector>

namespace strata {

// Every ggml tensor type Strata reads, with its block layout: the one place these are written
// down. A tensor row of n elements (GGUF ne0, the contiguous axis) is n / elems blocks of
// `bytes` bytes each, and rows follow each other with no padding. "h" is an IEEE half (fp16),
// all multi-byte fields are little-endian, QK = 256 for the super-block (K and IQ) types.
//
// | type    | id | elems | bytes | block layout, in order                        | value                                   |
// |---------|----|-------|-------|-----------------------------------------------|-----------------------------------------|
// | F32     |  0 |     1 |     4 | float                                         | x                                       |
// | F16     |  1 |     1 |     2 | h                                             | x                                       |
// | BF16    | 30 |     1 |     2 | upper half of a float                         | x                                       |
// | Q4_0    |  2 |    32 |    18 | h d; u8 qs[16] (elem j: low nibble of qs[j], elem j+16: high) | d * (q - 8)            |
// | Q4_1    |  3 |    32 |    20 | h d, h m; u8 qs[16] (as Q4_0)                 | d * q + m                               |
// | Q5_0    |  6 |    32 |    22 | h d; u32 qh (bit i = 5th bit of elem i); qs[16] as Q4_0 | d * (q - 16)                  |
// | Q5_1    |  7 |    32 |    24 | h d, h m; u32 qh; qs[16]                      | d * q + m                               |
// | Q8_0    |  8 |    32 |    34 | h d; i8 qs[32]                                | d * q                                   |
// | Q2_K    | 10 |   256 |    84 | u8 scales[16] (low nibble scale, high min); u8 qs[64] (2 bits); h d, h dmin | d*sc*q - dmin*m |
// | Q3_K    | 11 |   256 |   110 | u8 hmask[32]; u8 qs[64] (2 low bits); u8 scales[12] (16 x 6 bits); h d | d*(sc-32)*(q - 4*!hbit) |
// | Q4_K    | 12 |   256 |   144 | h d, h dmin; u8 scales[12] (8 x 6-bit scale + 8 x 6-bit min); u8 qs[128] | d*sc*q - dmin*m |
// | Q5_K    | 13 |   256 |   176 | h d, h dmin; u8 scales[12]; u8 qh[32] (5th bits); u8 qs[128] | d*sc*q - dmin*m             |
// | Q6_K    | 14 |   256 |   210 | u8 ql[128] (4 low bits); u8 qh[64] (2 high bits); i8 scales[16]; h d | d*sc*(q - 32)     |
// | IQ2_XXS | 16 |   256 |    66 | h d; u32 q[16]: per 32 elems 4 grid bytes + 4 x 7-bit sign index + 4-bit scale | d*(0.5+s)/4 * grid * sign |
// | IQ2_XS  | 17 |   256 |    74 | h d; u16 qs[32] (9-bit grid index, 7-bit sign index); u8 scales[8] (2 x 4 bits) | d*(0.5+s)/4 * grid * sign |
// | IQ2_S   | 22 |   256 |    82 | h d; u8 qs[32] (grid low bits); u8 signs[32]; u8 qh[8] (2 high grid bits each); u8 scales[8] | d*(0.5+s)/4 * grid * sign |
// | IQ3_XXS | 18 |   256 |    98 | h d; u8 qs[64] (grid of 4 values); u32 scales_signs[8] | d*(0.5+s)/2 * grid * sign      |
// | IQ3_S   | 21 |   256 |   110 | h d; u8 qs[64]; u8 qh[8] (9th grid bit); u8 signs[32]; u8 scales[4] | d*(1+2s) * grid * sign |
// | IQ1_S   | 19 |   256 |    50 | h d; u8 qs[32]; u16 qh[8] (3 grid bits x 4, 3-bit scale, delta sign) | d*(2s+1)*(grid+-1/8) |
// | IQ1_M   | 29 |   256 |    56 | u8 qs[32]; u8 qh[16]; u16 scales[4] (3-bit scales; h d in the four top nibbles) | d*(2s+1)*(grid+-1/8) |
// | IQ4_NL  | 20 |    32 |    18 | h d; u8 qs[16] (as Q4_0)                      | d * kvalues[q]                          |
// | IQ4_XS  | 23 |   256 |   136 | h d; u16 scales_h; u8 scales_l[4]; u8 qs[128] | d*(sc-32) * kvalues[q]                  |
// | TQ1_0   | 34 |   256 |    54 | u8 qs[48] (5 trits per byte); u8 qh[4] (4 trits); h d | d * (t - 1)                     |
// | TQ2_0   | 35 |   256 |    66 | u8 qs[64] (2 bits); h d                       | d * (q - 1)                             |
// | MXFP4   | 39 |    32 |    17 | u8 e (E8M0 exponent); u8 qs[16] (as Q4_0)     | 2^(e-128) * kvalues_fp4[q]              |
//
// Element orders, the K-quants' 6-bit scale packing and the IQ grids follow ggml's reference
// dequantisation (ggml-quants.c); the grids are the lattice tables of ggml-common.h (see
// GgmlGrids.cpp). Dequantisation here is bit-exact with that reference for the scale-only types
// and within one float32 ulp for the d*q - m types (tests/tst_ggufquants).
struct GgmlTypeTraits
{
    uint32_t id = 0;
    const char *name = "";
    int blockElems = 0;
    int blockBytes = 0;
};

// nullptr for a type Strata does not read (I8..F64, Q8_1/Q8_K, the removed Q4_2/Q4_3/Q4_0_4_4...).
const GgmlTypeTraits *ggmlTypeTraits(uint32_t type);
QString ggmlTypeName(uint32_t type);   // "Q4_K", or "type 42" when unknown
std::vector<uint32_t> ggmlTypesRead(); // every id with traits, in table order

// Bytes of one row of `rowLength` elements; -1 if the type is unknown or the row is not a whole
// number of blocks.
int64_t ggmlRowBytes(uint32_t type, int64_t rowLength);

// Dequantises `rows` consecutive rows of `rowLength` elements from `src` into `dst` (float32,
// row-major). The caller has checked the sizes (ggmlRowBytes); the type must have traits.
void ggmlDequantizeRows(uint32_t type, const unsigned char *src, float *dst, int64_t rows, int64_t rowLength);

// Index of the first NaN or infinite value of dst[0..n), or -1 (vectorised bit test).
int64_t firstNonFinite(const float *dst, int64_t n);

// The llama_ftype names of general.file_type ("Q4_K_M", "MOSTLY_Q8_0" -> "Q8_0", ...); empty if unknown.
QString ggmlFileTypeName(int64_t fileType);

namespace ggml_detail {
// The decoded IQ lattices, for the self-check test: `entries` rows of `width` unsigned bytes
// (IQ1_S/IQ1_M's signed -1/0/1 are stored as 0/1/2).
enum class Grid { Iq2xxs, Iq2xs, Iq2s, Iq3xxs, Iq3s, Iq1s };
const uint8_t *grid(Grid g, int *entries, int *width);
// The packed 16-bit code of entry i as the tables list them (ascending in every grid).
uint16_t gridCode(Grid g, int i);
} // namespace ggml_detail

} // namespace strata
