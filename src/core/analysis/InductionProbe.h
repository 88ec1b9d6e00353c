#pragma once

#include <QString>

#include <cstdint>
#include <vector>

namespace strata {

class JobControl;
class LoadedModel;

// The standard induction test: a sequence of n random tokens repeated twice (after BOS where the
// model uses one). An induction head attends from each token of the second copy to the token that
// followed its earlier occurrence; a model with induction heads predicts the second copy far better
// than the first (the in-context loss drop).
struct InductionResult
{
    int sequences = 0;
    int spanLength = 0;
    std::vector<std::vector<double>> score; // [layer][head], mean over sequences
    double lossFirstCopy = 0;               // mean next-token loss (nats) inside the first copy
    double lossSecondCopy = 0;              // ... inside the second copy
    double lossDrop() const { return lossFirstCopy - lossSecondCopy; }
};

namespace InductionProbe {
// Random tokens are drawn uniformly (fixed seed) from non-special ids. Throws Error / Cancelled.
InductionResult run(LoadedModel &model, int spanLength = 50, int sequences = 4, uint32_t seed = 1234, const JobControl *control = nullptr);
// The token sequence used for one repetition (exposed for tests and the CLI).
std::vector<int64_t> sequence(const LoadedModel &model, int spanLength, uint32_t seed, int *start);
} // namespace InductionProbe

} // namespace strata
