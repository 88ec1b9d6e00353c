#pragma once

#include "HeadMetrics.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace strata {

class JobControl;
class LoadedModel;

// "How this model abstracts": the usual five-part answer to "why do deeper blocks hold more
// abstract features?", each part measured on the user's model, plus the catalogue of head roles.
// Every number comes from the same core functions the individual CLI commands call (heads, lens,
// similarity, probe), and each part's reading is written from those numbers: where a claim does
// not hold for this model the reading says so.

struct ReportSeries
{
    QString name;
    std::vector<double> values; // one per category; NaN = not measured
};

struct ReportFigure
{
    enum class Kind { Lines, StackedBars, Heatmap };
    Kind kind = Kind::Lines;
    QString title, xLabel, yLabel;
    QStringList categories; // x axis (Lines, StackedBars); key tokens (Heatmap)
    std::vector<ReportSeries> series;
    // Heatmap: rows (query tokens) x categories (key tokens), row-major.
    QStringList rowLabels;
    std::vector<double> cells;
};

struct ReportSection
{
    enum class Verdict { Holds, DoesNotHold, NotMeasured };
    QString id;      // "context", "hierarchy", "conveyor", "lens", "compression", "roles", "heads"
    QString title;   // translated
    QString claim;   // what the usual story says, translated
    QString reading; // what was measured, in sentences written from the numbers
    Verdict verdict = Verdict::NotMeasured;
    std::vector<ReportFigure> figures;
    QJsonObject numbers; // every number the reading uses, by name
};

struct LayerReport
{
    QString modelName, modelLabel, fingerprint; // modelLabel: ModelInfo::runLabel (names bf16 runs)
    int layers = 0, heads = 0;
    QString prompt;
    int promptTokens = 0;
    QDateTime created;
    double seconds = 0;
    std::vector<ReportSection> sections;

    const ReportSection *section(const QString &id) const;
    QJsonObject toJson() const;
    static LayerReport fromJson(const QJsonObject &o);
};

struct ReportOptions
{
    QString prompt;               // empty: LayerReports::defaultPrompt()
    QString conllTrain, conllDev; // CoNLL-U for the probes; no train file: that part is not measured
    int probeSentences = 400;     // read from the train file (a quarter as many from dev)
    int inductionSpan = 50;       // random tokens repeated twice for the induction scores (4 sequences, as strata-cli heads)
    int heatmapTokens = 32;       // tokens shown in each head's heatmap
};

namespace LayerReports {

// A multi-paragraph English text with a repeated passage: long enough for distances, several
// sentences and paragraphs for block-sparse heads, a repeat for induction and duplicate heads.
QString defaultPrompt();
// Paraphrase pairs with different words (English and Chinese): sentence 2i and 2i+1 mean the same.
QStringList paraphrasePairs(const QString &language); // "en" or "zh"
// Mean similarity of the paraphrase pairs minus the mean over pairs from different pairs.
double paraphraseGap(const std::vector<std::vector<double>> &similarity);
// Spearman rank correlation of values with their index (depth); NaN for fewer than 3 values.
double depthCorrelation(const std::vector<double> &values);

LayerReport build(LoadedModel &model, const ReportOptions &options, const JobControl *control = nullptr);

QString verdictName(ReportSection::Verdict v); // translated: "holds", "does not hold", "not measured"

} // namespace LayerReports

} // namespace strata
