#pragma once

#include <QJsonObject>
#include <QList>

#include <vector>

namespace strata {

// A mean over items with its 95 % confidence interval (Student's t on the sample standard deviation;
// n = 1 gives an interval of the mean itself; NaN items are left out; n = 0 gives NaN).
struct MeanInterval
{
    double mean = 0, low = 0, high = 0;
    int n = 0;
};

namespace Batch {
MeanInterval meanInterval(const std::vector<double> &values);
double tQuantile975(int degreesOfFreedom); // the two-sided 95 % critical value of Student's t

// Element-wise over nested JSON arrays of numbers of one shape (null = not measured):
// {"shape": [...], "mean": [flat], "low": [flat], "high": [flat], "n": [flat]}.
QJsonObject meanArrays(const QList<QJsonValue> &arrays);

// The dataset-level figures of one model's item results (batch-item data, any order; they are
// taken in item order so that every sharding gives the same sums):
// {"items", "skipped", "tokens_mean", "heads": {"scores", meanArrays of [layer][head][score]},
//  "lens": {"top1": meanArrays, "kl": meanArrays}, "similarity": meanArrays, "patching": meanArrays
//  with "rows"/"cols", "probe": the probe run}. Only the analyses present in the items appear.
QJsonObject aggregate(QList<QJsonObject> items);
} // namespace Batch

} // namespace strata
