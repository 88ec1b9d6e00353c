#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace strata {

// How the trainer's sequences teach copying. A share of the rows ends in a segment of random tokens
// written over and over (period P drawn per row), so from the second copy on every token can be
// predicted only by looking back one period: the induction task. The period varies from row to row,
// so no fixed attention offset (a position-only head) can do it; a previous-token head feeding an
// induction head can. Tiling (rather than one span written twice) gives most of the row to the
// copying task, which is what gets a 2-layer model off the loss plateau in a few hundred steps
// (docs/DEMO_MODEL.md has the measurements).
struct RepeatSpec
{
    double fraction = 0.5; // share of rows with a repeated segment
    int minPeriod = 4;
    int maxPeriod = 0;   // 0: half the row
    int64_t tokenLo = 0; // random tokens are drawn from [tokenLo, tokenHi]
    int64_t tokenHi = 0;
    double maxPrefixShare = 0.5; // the segment starts after a prefix of up to this share of the row
    double naturalShare = 0;     // with a source: share of segments that are a span of it, not random tokens
};

// One row of `len` ids. `source` (may be empty) gives a natural-text window at a random offset;
// without it the row is random tokens. With probability spec.fraction the rest of the row, after a
// prefix, is a segment tiled with a random period: random tokens, or (spec.naturalShare of the time) a
// span of the source, so that copying is learnt on text too. Returns the segment's start (or -1).
int fillTrainingRow(std::mt19937_64 &rng, const std::vector<int64_t> &source, int64_t *row, int len, const RepeatSpec &spec, bool allowRepeats);

// The fixed probe the trainer and its test score heads on: n random tokens from [lo, hi], then the
// same n again (HeadMetrics::inductionScore with start 0). Seeded, so every evaluation sees the same.
std::vector<int64_t> inductionProbe(uint64_t seed, int n, int64_t lo, int64_t hi);

} // namespace strata
