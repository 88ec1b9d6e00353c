#pragma once

#include "model/Sites.h"

#include <QJsonObject>
#include <QStringList>

#include <cmath>

#include <utility>
#include <vector>

namespace strata {

class JobControl;
class LoadedModel;

// Activation patching (Meng et al. 2022; Heimersheim & Nanda 2024's conventions): run one prompt with
// one cell's activation taken from the other prompt's run, downstream recomputed, and read the logit
// difference LD = logit[last][answer] - logit[last][wrong]. Normalised: 0 = the corrupted run's LD,
// 1 = the clean run's, in both directions.
struct PatchingRequest
{
    enum class SiteKind {
        ResidPre,    // (layer, position): the residual entering block L
        AttnOut,     // (layer, position)
        MlpOut,      // (layer, position)
        Head,        // (layer, head): the head's output before the output projection, every position
        HeadPosition // (head, position) of one layer
    };
    enum class Direction {
        Denoise, // run the corrupted prompt, patch in the clean activations
        Noise    // run the clean prompt, patch in the corrupted activations
    };
    enum class Metric {
        LogitDiff,   // logit[answer] - logit[wrong] at the last position
        Probability, // the answer's probability at the last position
        KL           // KL(clean || patched) of the last position's next-token distribution
    };
    std::vector<int64_t> clean, corrupt; // token ids, the same count
    int64_t answer = -1, wrong = -1;
    SiteKind site = SiteKind::ResidPre;
    Direction direction = Direction::Denoise;
    Metric metric = Metric::LogitDiff;
    int layer = 0;            // HeadPosition only
    bool attribution = false; // also the first-order estimate (one backward pass) of every cell's LD change
};

struct PatchingResult
{
    QString site; // resid_pre, attn_out, mlp_out, head, head_position
    QString direction;
    QString metric; // logit_diff, prob, kl
    int layer = -1; // head_position: the layer
    double cleanLogitDiff = 0, corruptLogitDiff = 0;
    double cleanValue = 0, corruptValue = 0; // the metric on the clean and corrupted runs (KL: 0 and KL(clean || corrupted))
    int rows = 0, cols = 0;                  // layers x positions, layers x heads, or heads x positions
    std::vector<double> raw;                 // the metric of each patched run, row-major
    std::vector<double> values;              // normalised: 0 = corrupted, 1 = clean
    QStringList rowLabels, colLabels;
    // Attribution patching (Nanda 2023; Syed et al. 2023): the LD change estimated to first order from
    // one backward pass, (source - base activation) . dLD/dactivation, normalised like values (LD only).
    std::vector<double> attribution;
    double attributionCorrelation = std::nan(""); // Pearson r with the patched, normalised LD
    double attributionMaxError = std::nan("");    // max |estimate - patched|, normalised units
    double value(int r, int c) const { return values[size_t(r * cols + c)]; }
    QJsonObject toJson() const; // the CLI contract
    static PatchingResult fromJson(const QJsonObject &o);
};

namespace Patching {
// Throws Error for prompts of different token counts or answer tokens outside the vocabulary.
PatchingResult sweep(LoadedModel &model, const PatchingRequest &request, const JobControl *control = nullptr);
QString siteKindName(PatchingRequest::SiteKind kind);
PatchingRequest::SiteKind parseSiteKind(const QString &name); // throws Error
QString metricName(PatchingRequest::Metric metric);
PatchingRequest::Metric parseMetric(const QString &name); // throws Error
double logitDiff(const std::vector<float> &logits, int64_t answer, int64_t wrong);
// The interventions of one cell of a sweep (for re-running it as an ordinary trace).
std::vector<Intervention> cellInterventions(LoadedModel &model, const PatchingRequest &request, int row, int col);
} // namespace Patching

// Head ablation: what the model loses without some heads.
struct AblationResult
{
    QString mode;                           // zero or mean
    std::vector<std::pair<int, int>> heads; // (layer, head)
    QStringList tokens;                     // the prompt's tokens
    std::vector<double> lossBefore;         // per position t: -log p(token t+1), T-1 values
    std::vector<double> lossAfter;
    double meanBefore = 0, meanAfter = 0;
    std::vector<int64_t> predictedBefore, predictedAfter; // argmax at every position
    QJsonObject toJson() const;
};

namespace Ablation {
// The interventions that zero- or mean-ablate heads (each head's z output at every position). Mean:
// the head's mean output over every position of the reference prompts (the prompt itself when none).
std::vector<Intervention> headInterventions(LoadedModel &model, const std::vector<std::pair<int, int>> &heads, bool mean,
                                            const std::vector<std::vector<int64_t>> &reference);
AblationResult ablateHeads(LoadedModel &model, const std::vector<int64_t> &ids, const std::vector<std::pair<int, int>> &heads, bool mean,
                           const std::vector<std::vector<int64_t>> &reference = {}, const JobControl *control = nullptr);
// Per-position next-token loss of logits [T, V] against ids (T-1 values).
std::vector<double> tokenLosses(const std::vector<float> &logits, int64_t vocab, const std::vector<int64_t> &ids);
// "1.3,0.2" -> {(1, 3), (0, 2)}; throws Error naming a bad item.
std::vector<std::pair<int, int>> parseHeads(const QString &text, int layers, int heads);
} // namespace Ablation

} // namespace strata
