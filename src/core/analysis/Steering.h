#pragma once

#include "model/Sites.h"

#include <QJsonObject>
#include <QStringList>

#include <vector>

namespace strata {

class JobControl;
class LoadedModel;

// Activation steering (Turner et al. 2023, "activation addition"): a direction in the residual stream
// entering block L, the mean over every token of the positive sentences minus the mean over every token
// of the negative ones (a start token, where the model adds one, left out), added with a strength at
// every position while the model generates.
struct SteeringResult
{
    int layer = 0;
    double strength = 0;
    int positiveTokens = 0, negativeTokens = 0;
    double directionNorm = 0;
    double residualNorm = 0; // mean norm of resid_pre.L over the same tokens, for scale
    QString prompt, plain, steered;
    std::vector<int64_t> plainIds, steeredIds;
    QJsonObject toJson() const;
};

namespace Steering {
// The mean-difference direction [D] at resid_pre.layer. Throws Error when a set is empty.
HostTensor direction(LoadedModel &model, const QStringList &positive, const QStringList &negative, int layer, int *positiveTokens = nullptr,
                     int *negativeTokens = nullptr, double *residualNorm = nullptr);
Intervention intervention(const HostTensor &direction, int layer, double strength);
SteeringResult steer(LoadedModel &model, const QString &prompt, const QStringList &positive, const QStringList &negative, int layer, double strength,
                     int maxNewTokens, const JobControl *control = nullptr);
} // namespace Steering

} // namespace strata
