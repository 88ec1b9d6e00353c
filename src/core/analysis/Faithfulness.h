#pragma once

#include "model/Trace.h"

#include <QJsonObject>

#include <vector>

namespace strata {

class LoadedModel;

// How far an approximate run (bf16 compute) is from the exact one (f32) on the same tokens:
// accumulated over any number of trace pairs (windows of a long text).
struct Faithfulness
{
    double maxAttnDiff = 0;               // max |p_approx - p_exact| over every layer, head, query, key
    int64_t positions = 0, top1Agree = 0; // next-token argmax agreement
    double top1Agreement() const { return positions ? double(top1Agree) / double(positions) : 0.0; }
    // Per layer: ||r_approx - r_exact|| / ||r_exact|| of resid_post over all positions added so far.
    std::vector<double> residRelError() const;
    double maxResidRelError() const;
    double logitsRelError() const; // the same for the logits

    // Adds one pair (same tokens; traces with attention, residuals and full logits). Throws Error on
    // a mismatch of shapes.
    void add(const Trace &exact, const Trace &approx);
    // Runs ids through both models in windows of `window` tokens and adds every pair.
    static Faithfulness measure(LoadedModel &exact, LoadedModel &approx, const std::vector<int64_t> &ids, size_t window);
    QJsonObject toJson() const;

private:
    std::vector<double> m_residDiff2, m_residNorm2;
    double m_logitDiff2 = 0, m_logitNorm2 = 0;
};

} // namespace strata
