#pragma once

#include "ProbeData.h"

#include <QString>

#include <memory>
#include <utility>
#include <vector>

class QFile;

namespace strata {

class JobControl;
class LoadedModel;

enum class WordPooling { First, Last, Mean };       // which sub-word tokens stand for a word
enum class ProbeSite { Residual, AttnOut, MlpOut }; // what is read at each layer

QString poolingName(WordPooling p);
bool poolingFromName(const QString &name, WordPooling *out);
QString siteName(ProbeSite s);
bool siteFromName(const QString &name, ProbeSite *out);

struct FeatureOptions
{
    ProbeSite site = ProbeSite::Residual;
    WordPooling pooling = WordPooling::First;
    QString cacheDir; // empty: a temporary file, removed with the FeatureSet
};

// The vectors of every item (a word, or a whole sentence for sentence-level data) at every layer
// point, in a float16 file on disk ([item][layer][dim]) that is memory-mapped and read one layer at a
// time, so that large models' features need not fit in memory. Layer points: for the residual stream
// 0 is the embeddings and l + 1 the stream after block l; for attention/MLP outputs, l is block l.
class FeatureSet
{
public:
    int layers() const { return m_layers; }
    int dim() const { return m_dim; }
    int items() const { return int(m_refs.size()); }
    // (sentence index, word index); word -1 for a sentence-level item
    const std::vector<std::pair<int, int>> &refs() const { return m_refs; }
    int skippedSentences() const { return m_skipped; }
    bool fromCache() const { return m_fromCache; }
    QString file() const;
    std::vector<float> layer(int l) const; // [items, dim]

    // Opens a feature file written by extract(); throws Error when it is not one.
    static FeatureSet open(const QString &file, bool removeWhenDone);
    // Runs the model over every sentence (skipping those longer than its context) and pools the
    // chosen site per word. Reuses the cache file when the same model, site, pooling and data were
    // extracted before. Progress goes to control between progressFrom and progressTo.
    static FeatureSet extract(LoadedModel &model, const ProbeDataset &data, const FeatureOptions &options, const JobControl *control = nullptr,
                              double progressFrom = 0, double progressTo = 1);

private:
    struct Backing;
    std::shared_ptr<Backing> m_backing;
    const unsigned char *m_data = nullptr;
    int m_layers = 0, m_dim = 0, m_skipped = 0;
    bool m_fromCache = false;
    std::vector<std::pair<int, int>> m_refs;
};

} // namespace strata
