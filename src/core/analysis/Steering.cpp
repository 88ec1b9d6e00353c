#include "Steering.h"

#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QJsonArray>

#include <cmath>

namespace strata {

namespace {

QJsonArray idArray(const std::vector<int64_t> &ids)
{
    QJsonArray a;
    for (int64_t id : ids)
        a.append(qint64(id));
    return a;
}

} // namespace

QJsonObject SteeringResult::toJson() const
{
    return QJsonObject{{QStringLiteral("site"), siteName(Site::ResidPre, layer)},
                       {QStringLiteral("layer"), layer},
                       {QStringLiteral("strength"), strength},
                       {QStringLiteral("positive_tokens"), positiveTokens},
                       {QStringLiteral("negative_tokens"), negativeTokens},
                       {QStringLiteral("direction_norm"), directionNorm},
                       {QStringLiteral("residual_norm"), residualNorm},
                       {QStringLiteral("prompt"), prompt},
                       {QStringLiteral("plain"), plain},
                       {QStringLiteral("steered"), steered},
                       {QStringLiteral("plain_ids"), idArray(plainIds)},
                       {QStringLiteral("steered_ids"), idArray(steeredIds)}};
}

HostTensor Steering::direction(LoadedModel &model, const QStringList &positive, const QStringList &negative, int layer, int *positiveTokens,
                               int *negativeTokens, double *residualNorm)
{
    if (positive.isEmpty() || negative.isEmpty())
        throw Error(QStringLiteral("Steering needs two non-empty sentence sets (positive and negative)."));
    if (layer < 0 || layer >= model.info().nLayers)
        throw Error(QStringLiteral("Layer %1: this model has layers 0..%2.").arg(layer).arg(model.info().nLayers - 1));
    const int D = model.info().dModel;
    const bool bos = model.tokenizer().prependsBos() && model.tokenizer().bosId() >= 0;
    double norms = 0;
    int allTokens = 0;
    auto mean = [&](const QStringList &set, int *count) {
        std::vector<double> sum(size_t(D), 0.0);
        int n = 0;
        for (const QString &text : set) {
            const std::vector<int64_t> ids = model.promptIds(text);
            const std::vector<float> x = model.captureSites(ids, {{Site::ResidPre, layer}}).at({Site::ResidPre, layer}).toFloatVector();
            for (size_t t = bos ? 1 : 0; t < ids.size(); ++t) {
                double nn = 0;
                for (int d = 0; d < D; ++d) {
                    sum[size_t(d)] += x[t * size_t(D) + size_t(d)];
                    nn += double(x[t * size_t(D) + size_t(d)]) * x[t * size_t(D) + size_t(d)];
                }
                norms += std::sqrt(nn);
                ++allTokens;
                ++n;
            }
        }
        if (n == 0)
            throw Error(QStringLiteral("A steering sentence set gives no tokens."));
        for (double &v : sum)
            v /= n;
        if (count)
            *count = n;
        return sum;
    };
    const std::vector<double> a = mean(positive, positiveTokens), b = mean(negative, negativeTokens);
    std::vector<float> dir(static_cast<size_t>(D));
    for (int d = 0; d < D; ++d)
        dir[size_t(d)] = float(a[size_t(d)] - b[size_t(d)]);
    if (residualNorm)
        *residualNorm = norms / std::max(1, allTokens);
    return HostTensor::fromFloats({D}, dir.data());
}

Intervention Steering::intervention(const HostTensor &direction, int layer, double strength)
{
    Intervention iv;
    iv.kind = Intervention::Kind::Add;
    iv.site = {Site::ResidPre, layer};
    iv.value = direction;
    iv.scale = strength;
    iv.label = QStringLiteral("steering: positive - negative mean");
    return iv;
}

SteeringResult Steering::steer(LoadedModel &model, const QString &prompt, const QStringList &positive, const QStringList &negative, int layer, double strength,
                               int maxNewTokens, const JobControl *control)
{
    SteeringResult r;
    r.layer = layer;
    r.strength = strength;
    r.prompt = prompt;
    const HostTensor dir = direction(model, positive, negative, layer, &r.positiveTokens, &r.negativeTokens, &r.residualNorm);
    double nn = 0;
    for (float v : dir.toFloatVector())
        nn += double(v) * v;
    r.directionNorm = std::sqrt(nn);
    const std::vector<int64_t> ids = model.promptIds(prompt);
    r.plainIds = model.generateGreedy(ids, maxNewTokens, control);
    r.steeredIds = model.generateGreedy(ids, maxNewTokens, control, {intervention(dir, layer, strength)});
    // Decoded with the prompt, then the prompt's text removed: a SentencePiece continuation keeps its
    // leading space that way.
    auto continuation = [&](const std::vector<int64_t> &extra) {
        std::vector<int64_t> all = ids;
        all.insert(all.end(), extra.begin(), extra.end());
        const QString before = model.tokenizer().decode(ids), whole = model.tokenizer().decode(all);
        return whole.startsWith(before) ? whole.mid(before.size()) : model.tokenizer().decode(extra);
    };
    r.plain = continuation(r.plainIds);
    r.steered = continuation(r.steeredIds);
    return r;
}

} // namespace strata
