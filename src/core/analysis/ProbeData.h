#pragma once

#include "ConllU.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace strata {

// What a probe predicts. Word-level tasks read CoNLL-U; the sentence task reads "label<TAB or ,>text" lines.
enum class ProbeTask { Upos, Xpos, Deprel, HeadDistance, Sentence };

struct ProbeDataset
{
    QString path;
    std::vector<ConllSentence> sentences; // for the sentence task: one word-less sentence per line
    QStringList sentenceLabels;           // sentence task only, one per sentence
    QStringList problems;                 // file:line: why, for lines that were skipped
    bool sentenceLevel() const { return !sentenceLabels.isEmpty(); }
};

namespace ProbeData {

QString taskName(ProbeTask t); // "upos", "xpos", "deprel", "headdist", "sentence"
bool taskFromName(const QString &name, ProbeTask *out);
QStringList wordTaskNames();

// One CSV (or TSV) line split into fields: "quoted, fields" with "" escapes.
QStringList splitCsv(const QString &line, QChar sep);

// CoNLL-U (validated by ConllU; bad lines are listed in problems). Throws Error when unreadable or empty.
ProbeDataset loadConllU(const QString &path, int maxSentences = 0);
// CSV or TSV with a label column and a text column ("label,text" header optional; a text with commas
// in a CSV must be quoted). Bad lines are listed in problems. Throws Error when unreadable or empty.
ProbeDataset loadLabelledSentences(const QString &path, int maxSentences = 0);
// By extension: .conllu -> CoNLL-U, else labelled sentences.
ProbeDataset load(const QString &path, int maxSentences = 0);

// The label of word w (0-based) of a sentence for a word-level task. Head distance is the signed
// offset from the word to its head, bucketed: root, <=-4, -3, -2, -1, +1, +2, +3, >=+4.
QString wordLabel(const ConllSentence &s, int w, ProbeTask task);
QString headDistanceBucket(int dependent1Based, int head1Based);

// Hewitt & Liang control task: every word type (lower-cased form) gets one label drawn from the
// given label distribution, by a hash of the type and the seed, so the same type has the same
// label in train, dev and test and in every run.
int controlLabel(const QString &form, const std::vector<double> &distribution, unsigned seed);

// Metrics on gold vs predicted class ids in [0, classes).
double accuracy(const std::vector<int> &gold, const std::vector<int> &pred);
// Mean F1 over the classes that occur in gold or predictions.
double macroF1(const std::vector<int> &gold, const std::vector<int> &pred, int classes);
std::vector<int> confusion(const std::vector<int> &gold, const std::vector<int> &pred, int classes); // [gold][pred]
// Accuracy-weighted mean layer: sum(l * acc_l) / sum(acc_l).
double expectedLayer(const std::vector<double> &accuracyPerLayer);
// Where accuracy is gained: the mean layer weighted by each layer's gain over the one before,
// max(0, acc_l - acc_{l-1}) for l >= 1 (Tenney et al. 2019's "center of gravity" of differential
// scores). Flat curves give an accuracy-weighted mean near the middle whatever the data; this one
// moves to where the information appears. 0 when no layer improves.
double gainWeightedLayer(const std::vector<double> &accuracyPerLayer);

} // namespace ProbeData

} // namespace strata
