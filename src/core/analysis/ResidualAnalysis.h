#pragma once

#include "model/Trace.h"

#include <QStringList>

#include <vector>

namespace strata {

class JobControl;
class LoadedModel;

// Pure functions over residual-stream vectors (row-major float matrices), used by the PCA,
// similarity and contributions panels and their CLI commands.
namespace ResidualAnalysis {

struct Pca
{
    int dims = 0;
    int components = 0;
    std::vector<double> mean;      // [dims]
    std::vector<double> basis;     // [components, dims], unit rows, by decreasing variance
    std::vector<double> explained; // [components] fraction of total variance
    // Coordinates of rows of X [n, dims] in this basis: [n, components].
    std::vector<double> project(const std::vector<float> &X, int n) const;
};
// Principal components of X [n, d] (rows are samples), from the covariance's eigenvectors. Signs are
// fixed so that each component's largest-magnitude coordinate is positive (stable across runs).
Pca pca(const std::vector<float> &X, int n, int d, int k);

enum class Pooling { Mean, Last, Max };
// One vector per sentence from its residual stream [T, D]; skip drops leading tokens (e.g. BOS).
std::vector<float> pool(const HostTensor &resid, Pooling pooling, int skip = 0);

double cosine(const std::vector<float> &a, const std::vector<float> &b);

// How sentence vectors are compared. Raw cosine of GPT-style sentence vectors sits near 1 for any pair
// (they share a large common direction), so the default removes the baseline mean first.
enum class Centring { None, SubtractMean, Standardise };
struct Baseline
{
    std::vector<double> mean;  // [D]
    std::vector<double> scale; // [D] standard deviation (Standardise)
};
Baseline baselineOf(const std::vector<std::vector<float>> &vectors);
std::vector<float> normalise(const std::vector<float> &v, const Baseline &b, Centring c);
// Cosine similarity of every pair after centring: [n, n].
std::vector<std::vector<double>> similarityMatrix(const std::vector<std::vector<float>> &vectors, const Baseline &b, Centring c);

// Linear CKA (Kornblith et al. 2019) between representations X [n, d1] and Y [n, d2] of the same n
// samples: ||Yc^T Xc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F) with column-centred Xc, Yc. 1 for identical
// inputs; invariant to orthogonal transforms and isotropic scaling.
double linearCka(const std::vector<float> &X, const std::vector<float> &Y, int n, int d1, int d2);

// Mean over tokens of the L2 norm of what attention and the MLP write, and of the residual stream, per layer.
struct Contributions
{
    std::vector<int> layers;
    std::vector<double> attnOut, mlpOut, residPost;
};
Contributions contributionNorms(const Trace &trace);

// Direct effect of each layer's attention and MLP output on one output token's logit at one position:
// logit_t(r) - logit_t(r - c), where r is the final residual stream and c what that sublayer wrote
// there, read through the model's own final norm and unembedding (the norm is recomputed for r - c,
// not frozen, so the numbers are exact removals of the direct path, not a linearisation). The
// embeddings' effect is the same with c = the embedding vector. Per-head effects are computed when the
// trace kept per-head outputs (TraceOptions::headOutputs).
struct DirectEffects
{
    int position = 0;
    int64_t token = 0;
    double logit = 0; // the model's own logit of the token there
    double embed = 0;
    std::vector<int> layers;
    std::vector<double> attn, mlp;
    std::vector<std::vector<double>> heads; // [layer][head], empty without per-head outputs
};
DirectEffects directEffects(LoadedModel &model, const Trace &trace, int position, int64_t token);

// Sentences written for the project (English and Chinese) that serve as the default centring baseline.
QStringList builtInBaselineSentences();

// Example groups shipped with Strata: {title, sentences}.
struct ExampleSet
{
    QString title;
    QStringList sentences;
};
QList<ExampleSet> builtInExampleSets();

// Sentence similarity at every stage (embeddings, then after each layer): each sentence is run
// through the model, pooled, centred on the baseline set plus the sentences themselves, compared by
// cosine; plus linear CKA between each stage and the last over all those sentence vectors.
struct SimilarityAcrossLayers
{
    QStringList sentences;
    QStringList stages;                                       // "embed", "0", "1", ...
    std::vector<std::vector<std::vector<double>>> similarity; // [stage][i][j]
    std::vector<double> ckaWithLast;                          // [stage]
};
SimilarityAcrossLayers similarityAcrossLayers(LoadedModel &model, const QStringList &sentences, Pooling pooling, Centring centring, const QStringList &baseline,
                                              const JobControl *control = nullptr);

// "Word in context": the same word in different sentences (bank by a river, a bank that lends money).
// Each sentence's vector is the mean of the residual vectors of the tokens covering the word's first
// whole-word occurrence (case-insensitive); centring uses all token vectors of the baseline sentences.
// Throws Error naming the sentence when the word does not occur in it.
SimilarityAcrossLayers wordInContext(LoadedModel &model, const QStringList &sentences, const QString &word, Centring centring, const QStringList &baseline,
                                     const JobControl *control = nullptr);

} // namespace ResidualAnalysis
} // namespace strata
