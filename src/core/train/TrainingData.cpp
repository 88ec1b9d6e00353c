#include "TrainingData.h"

#include <algorithm>

namespace strata {

int fillTrainingRow(std::mt19937_64 &rng, const std::vector<int64_t> &source, int64_t *row, int len, const RepeatSpec &spec, bool allowRepeats)
{
    std::uniform_int_distribution<int64_t> randomTok(spec.tokenLo, spec.tokenHi);
    if (source.size() > size_t(len)) {
        const size_t start = std::uniform_int_distribution<size_t>(0, source.size() - size_t(len) - 1)(rng);
        std::copy(source.begin() + long(start), source.begin() + long(start) + len, row);
    } else {
        for (int t = 0; t < len; ++t)
            row[t] = randomTok(rng);
    }
    if (!allowRepeats || std::uniform_real_distribution<double>(0, 1)(rng) >= spec.fraction)
        return -1;
    const int maxPeriod = std::max(spec.minPeriod, spec.maxPeriod > 0 ? std::min(spec.maxPeriod, len / 2) : len / 2);
    const int period = std::uniform_int_distribution<int>(spec.minPeriod, maxPeriod)(rng);
    // At least two copies after the prefix.
    const int maxPrefix = std::max(0, std::min(int(len * spec.maxPrefixShare), len - 2 * period));
    const int from = std::uniform_int_distribution<int>(0, maxPrefix)(rng);
    const bool natural = source.size() > size_t(period) && std::uniform_real_distribution<double>(0, 1)(rng) < spec.naturalShare;
    if (natural) {
        const size_t at = std::uniform_int_distribution<size_t>(0, source.size() - size_t(period) - 1)(rng);
        std::copy(source.begin() + long(at), source.begin() + long(at) + period, row + from);
    } else {
        for (int i = 0; i < period; ++i)
            row[from + i] = randomTok(rng);
    }
    for (int t = from + period; t < len; ++t)
        row[t] = row[t - period];
    return from;
}

std::vector<int64_t> inductionProbe(uint64_t seed, int n, int64_t lo, int64_t hi)
{
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> randomTok(lo, hi);
    std::vector<int64_t> ids(size_t(2 * n));
    for (int i = 0; i < n; ++i)
        ids[size_t(i)] = ids[size_t(n + i)] = randomTok(rng);
    return ids;
}

} // namespace strata
