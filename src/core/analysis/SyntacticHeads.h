#pragma once

#include "HeadMetrics.h"

#include "ConllU.h"

#include <QHash>
#include <QString>

#include <memory>
#include <vector>

namespace strata {

class JobControl;
class LoadedModel;
struct Trace;

// Which heads track syntax (after Clark et al. 2019, "What does BERT look at?"), adapted to causal
// attention: for every dependency arc, the later of its two words is the query; the head "gets the
// arc right" when the word it attends to most (over earlier words) is the arc's other end. Word-level
// attention: sum over the key word's sub-word tokens, mean over the query word's tokens. Baseline: the
// best fixed offset (the other end is always k words back, k = 1..5) for that relation.
struct SyntaxScore
{
    QString relation;
    int arcs = 0; // arcs scored (both ends inside the run)
    int bestLayer = -1;
    int bestHead = -1;
    double bestAccuracy = 0;
    double baselineAccuracy = 0;
    int baselineOffset = 0;
};

struct SyntacticHeadsResult
{
    int sentences = 0;
    std::vector<SyntaxScore> relations;           // sorted by number of arcs
    QHash<QString, std::vector<double>> accuracy; // relation -> [layer * heads + head]
    int layers = 0, heads = 0;
};

namespace SyntacticHeads {
// Word index of each token (-1 for tokens that cover no word, such as BOS), from byte offsets.
std::vector<int> alignTokensToWords(const Trace &trace, const ConllSentence &sentence);
// Word-level attention [words, words] of one head (row: query word) from token attention [T, T].
std::vector<double> wordAttention(const std::vector<float> &attn, int T, const std::vector<int> &tokenWord, int words);
SyntacticHeadsResult evaluate(LoadedModel &model, const std::vector<ConllSentence> &sentences, int minArcs = 20, const JobControl *control = nullptr);
// The same on traces already made (traces[i] of sentences[i], attention kept): the pure part.
SyntacticHeadsResult evaluateTraces(const std::vector<std::shared_ptr<const Trace>> &traces, const std::vector<ConllSentence> &sentences, int layers, int heads,
                                    int minArcs = 20);
// Fills HeadScores::syntactic / syntacticRelation of every head the result covers: its largest
// margin accuracy - baseline accuracy over the relations measured, and that relation.
void applyTo(const SyntacticHeadsResult &result, std::vector<HeadScores> &scores);
} // namespace SyntacticHeads

} // namespace strata
