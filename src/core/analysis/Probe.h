#pragma once

#include "ProbeData.h"
#include "ProbeFeatures.h"

#include <QJsonObject>
#include <QStringList>

#include <vector>

namespace strata {

class JobControl;
class LoadedModel;

struct ProbeTrainOptions
{
    double l2 = 1e-3; // objective: mean cross-entropy + l2/2 * |W|^2 (biases not penalised)
    bool mlp = false; // one hidden ReLU layer instead of a linear map
    int hidden = 128;
    int maxSteps = 60; // L-BFGS steps (20 iterations each) or, for the MLP, Adam epochs / 10
    int maxEpochs = 0; // MLP only: > 0 sets the number of Adam epochs exactly (else maxSteps * 10)
    int patience = 4;  // steps without a better dev accuracy before stopping
    bool standardize = true;
    // float32 is enough for accuracies and twice as fast; float64 reaches the optimum to ~1e-8 where
    // float32 stops ~1e-5 short (the objective is flat there), which tests of the optimum need.
    bool float64 = false;
    unsigned seed = 1;
};

// A trained classifier on host memory: z-scored inputs, then W, b (and the hidden layer for the MLP).
struct ProbeClassifier
{
    int dim = 0, classes = 0, hidden = 0;
    bool mlp = false;
    bool float64 = false;
    std::vector<float> mean, scale;  // x' = (x - mean) * scale
    std::vector<float> w1, b1;       // MLP hidden layer [dim, hidden], [hidden]
    std::vector<float> weight, bias; // [in, classes], [classes]
    int steps = 0;
    double trainLoss = 0;    // the objective at the kept weights
    double gradientNorm = 0; // |grad| of the objective there (linear probes; ~0 at the optimum)

    std::vector<int> predict(const std::vector<float> &x, int n) const;
};

namespace Probe {
// Multinomial logistic regression (L-BFGS, strong Wolfe line search) or a one-hidden-layer MLP (Adam).
// With dev data: the weights with the best dev accuracy are kept and training stops after `patience`
// steps without improvement. Without: trained to convergence.
ProbeClassifier train(const std::vector<float> &x, int n, int dim, const std::vector<int> &y, int classes, const std::vector<float> *devX,
                      const std::vector<int> *devY, const ProbeTrainOptions &options, const JobControl *control = nullptr);
} // namespace Probe

struct ProbeLayerResult
{
    int layer = 0; // layer point (residual stream: 0 = embeddings)
    double accuracy = 0, macroF1 = 0, controlAccuracy = -1, selectivity = 0;
    std::vector<int> confusion; // [gold][pred] over classes, on the evaluation data
};

struct ProbeTaskResult
{
    QString task;
    QStringList classes;
    QString majorityClass;
    double majorityAccuracy = 0;
    std::vector<ProbeLayerResult> layers;
    int bestLayer = 0;
    double expectedLayer = 0; // accuracy-weighted mean layer point
    double gainLayer = 0;     // gain-weighted mean layer point (ProbeData::gainWeightedLayer)
    int trainItems = 0, devItems = 0, evalItems = 0, unseenEvalLabels = 0;
    double seconds = 0;
};

struct ProbeRunOptions
{
    QStringList tasks{QStringLiteral("upos"), QStringLiteral("deprel")};
    FeatureOptions features;
    ProbeTrainOptions training;
    bool control = true;
    unsigned controlSeed = 7;
    int maxTrain = 2000, maxDev = 500, maxEval = 500; // sentences read from each file (0: all)
};

// One probing experiment: features of train/dev/eval sentences, then per task and layer point a
// probe (and its control task), evaluated on the test file (or on dev when no test file is given).
struct ProbeRun
{
    QString modelName, fingerprint, site, pooling, classifier;
    QString trainPath, devPath, evalPath;
    bool evalIsDev = false;
    int layerPoints = 0;
    int skippedSentences = 0;
    bool featuresFromCache = false;
    double featureSeconds = 0, totalSeconds = 0;
    QStringList problems;
    std::vector<ProbeTaskResult> tasks;

    QJsonObject toJson() const;
    static ProbeRun fromJson(const QJsonObject &o);
};

namespace Probe {
ProbeRun run(LoadedModel &model, const QString &trainPath, const QString &devPath, const QString &testPath, const ProbeRunOptions &options,
             const JobControl *control = nullptr);
} // namespace Probe

} // namespace strata
