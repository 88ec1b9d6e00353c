#include "Faithfulness.h"

#include "model/ModelFamily.h"
#include "util/Error.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace strata {

namespace {
void requireSame(const HostTensor &a, const HostTensor &b, const char *what)
{
    if (a.shape() != b.shape())
        throw Error(QStringLiteral("Faithfulness: %1 has shape %2 in one run and %3 in the other.")
                        .arg(QLatin1String(what), HostTensor::shapeString(a.shape()), HostTensor::shapeString(b.shape())));
}

void accumulate(const HostTensor &exact, const HostTensor &approx, double *diff2, double *norm2)
{
    const std::vector<float> e = exact.toFloatVector(), a = approx.toFloatVector();
    for (size_t i = 0; i < e.size(); ++i) {
        const double d = double(a[i]) - double(e[i]);
        *diff2 += d * d;
        *norm2 += double(e[i]) * double(e[i]);
    }
}
} // namespace

std::vector<double> Faithfulness::residRelError() const
{
    std::vector<double> r(m_residDiff2.size(), 0.0);
    for (size_t l = 0; l < r.size(); ++l)
        r[l] = std::sqrt(m_residDiff2[l] / std::max(1e-30, m_residNorm2[l]));
    return r;
}

double Faithfulness::maxResidRelError() const
{
    const std::vector<double> r = residRelError();
    return r.empty() ? 0.0 : *std::max_element(r.begin(), r.end());
}

double Faithfulness::logitsRelError() const
{
    return std::sqrt(m_logitDiff2 / std::max(1e-30, m_logitNorm2));
}

Faithfulness Faithfulness::measure(LoadedModel &exact, LoadedModel &approx, const std::vector<int64_t> &ids, size_t window)
{
    Faithfulness fa;
    const size_t step = std::max<size_t>(window, 2);
    for (size_t s = 0; s + 1 < ids.size(); s += step) {
        const std::vector<int64_t> w(ids.begin() + qsizetype(s), ids.begin() + qsizetype(std::min(ids.size(), s + step)));
        fa.add(*exact.run(w, TraceOptions{}, nullptr), *approx.run(w, TraceOptions{}, nullptr));
    }
    return fa;
}

void Faithfulness::add(const Trace &exact, const Trace &approx)
{
    if (exact.layers.size() != approx.layers.size())
        throw Error(QStringLiteral("Faithfulness: the runs have %1 and %2 layers.").arg(exact.layers.size()).arg(approx.layers.size()));
    const size_t L = exact.layers.size();
    m_residDiff2.resize(L, 0.0);
    m_residNorm2.resize(L, 0.0);
    for (size_t l = 0; l < L; ++l) {
        const LayerTrace &e = exact.layers[l], &a = approx.layers[l];
        requireSame(e.attn, a.attn, "attention");
        const std::vector<float> pe = e.attn.toFloatVector(), pa = a.attn.toFloatVector();
        for (size_t i = 0; i < pe.size(); ++i)
            maxAttnDiff = std::max(maxAttnDiff, double(std::fabs(pa[i] - pe[i])));
        requireSame(e.residPost, a.residPost, "resid_post");
        accumulate(e.residPost, a.residPost, &m_residDiff2[l], &m_residNorm2[l]);
    }
    requireSame(exact.logits, approx.logits, "logits");
    accumulate(exact.logits, approx.logits, &m_logitDiff2, &m_logitNorm2);
    const int64_t T = exact.logits.shape()[0], V = exact.logits.shape()[1];
    const std::vector<float> le = exact.logits.toFloatVector(), la = approx.logits.toFloatVector();
    for (int64_t t = 0; t < T; ++t) {
        const auto be = std::max_element(le.begin() + t * V, le.begin() + (t + 1) * V) - (le.begin() + t * V);
        const auto ba = std::max_element(la.begin() + t * V, la.begin() + (t + 1) * V) - (la.begin() + t * V);
        top1Agree += be == ba ? 1 : 0;
        ++positions;
    }
}

QJsonObject Faithfulness::toJson() const
{
    QJsonArray resid;
    for (double r : residRelError())
        resid.append(r);
    return QJsonObject{{QStringLiteral("max_attention_diff"), maxAttnDiff},
                       {QStringLiteral("resid_post_relative_error"), resid},
                       {QStringLiteral("max_resid_relative_error"), maxResidRelError()},
                       {QStringLiteral("logits_relative_error"), logitsRelError()},
                       {QStringLiteral("positions"), qint64(positions)},
                       {QStringLiteral("top1_agreement"), top1Agreement()}};
}

} // namespace strata
