#include "SyntacticHeads.h"

#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "util/Error.h"

#include <algorithm>

namespace strata::SyntacticHeads {

std::vector<int> alignTokensToWords(const Trace &trace, const ConllSentence &s)
{
    std::vector<int> out;
    for (const TokenPiece &p : trace.tokens) {
        int word = -1;
        for (size_t w = 0; w < s.words.size(); ++w)
            if (p.byteEnd > s.words[w].byteBegin && p.byteBegin < s.words[w].byteEnd) { // overlaps the word
                word = int(w);
                break;
            }
        out.push_back(word);
    }
    return out;
}

std::vector<double> wordAttention(const std::vector<float> &A, int T, const std::vector<int> &tokenWord, int words)
{
    std::vector<double> W(size_t(words) * words, 0.0);
    std::vector<int> tokensOf(size_t(words), 0);
    for (int t = 0; t < T; ++t)
        if (tokenWord[size_t(t)] >= 0)
            ++tokensOf[size_t(tokenWord[size_t(t)])];
    for (int q = 0; q < T; ++q) {
        const int wq = tokenWord[size_t(q)];
        if (wq < 0)
            continue;
        for (int k = 0; k <= q; ++k) {
            const int wk = tokenWord[size_t(k)];
            if (wk >= 0)
                W[size_t(wq) * words + wk] += double(A[size_t(q) * T + k]) / tokensOf[size_t(wq)];
        }
    }
    return W;
}

SyntacticHeadsResult evaluate(LoadedModel &model, const std::vector<ConllSentence> &sentences, int minArcs, const JobControl *control)
{
    std::vector<TracePtr> traces;
    std::vector<ConllSentence> kept;
    for (size_t si = 0; si < sentences.size(); ++si) {
        if (control) {
            control->throwIfCancelled();
            control->report(double(si) / sentences.size(), QStringLiteral("Sentence %1/%2").arg(si + 1).arg(sentences.size()));
        }
        TraceOptions opt;
        opt.residuals = false;
        opt.logits = false;
        try {
            traces.push_back(model.trace(sentences[si].text, opt, nullptr));
            kept.push_back(sentences[si]);
        } catch (const Error &) {
            continue; // e.g. longer than the context: skipped, not fatal
        }
    }
    SyntacticHeadsResult r = evaluateTraces(traces, kept, model.info().nLayers, model.info().nHeads, minArcs);
    if (control)
        control->report(1.0, QString());
    return r;
}

SyntacticHeadsResult evaluateTraces(const std::vector<TracePtr> &traces, const std::vector<ConllSentence> &sentences, int layers, int heads, int minArcs)
{
    SyntacticHeadsResult r;
    r.layers = layers;
    r.heads = heads;
    const int H = r.layers * r.heads;
    QHash<QString, std::vector<int>> correct;    // relation -> per head
    QHash<QString, std::vector<int>> offsetHits; // relation -> hits for offsets 1..5
    QHash<QString, int> arcs;
    for (size_t si = 0; si < sentences.size() && si < traces.size(); ++si) {
        const ConllSentence &s = sentences[si];
        const TracePtr &t = traces[si];
        ++r.sentences;
        const int T = t->tokenCount();
        const int nw = int(s.words.size());
        const std::vector<int> tokenWord = alignTokensToWords(*t, s);
        std::vector<std::vector<double>> W; // per head
        for (const LayerTrace &l : t->layers)
            for (int h = 0; h < r.heads; ++h)
                W.push_back(wordAttention(l.attn.slice0(h).toFloatVector(), T, tokenWord, nw));
        std::vector<bool> present(size_t(nw), false);
        for (int w : tokenWord)
            if (w >= 0)
                present[size_t(w)] = true;
        for (int d = 0; d < nw; ++d) {
            const int h1 = s.words[size_t(d)].head - 1;
            if (h1 < 0 || !present[size_t(d)] || !present[size_t(h1)])
                continue;
            const QString rel = s.words[size_t(d)].deprel;
            const int later = std::max(d, h1), earlier = std::min(d, h1);
            if (later == earlier)
                continue;
            auto &c = correct[rel];
            c.resize(size_t(H), 0);
            auto &off = offsetHits[rel];
            off.resize(5, 0);
            ++arcs[rel];
            for (int k = 1; k <= 5; ++k)
                off[size_t(k - 1)] += later - earlier == k;
            for (int hd = 0; hd < H && size_t(hd) < W.size(); ++hd) {
                const double *row = W[size_t(hd)].data() + size_t(later) * nw;
                int best = -1;
                double bestW = -1;
                for (int j = 0; j < later; ++j) // earlier words only (causal); the word itself excluded
                    if (present[size_t(j)] && row[j] > bestW) {
                        bestW = row[j];
                        best = j;
                    }
                c[size_t(hd)] += best == earlier;
            }
        }
    }
    for (auto it = arcs.begin(); it != arcs.end(); ++it) {
        if (it.value() < minArcs)
            continue;
        SyntaxScore sc;
        sc.relation = it.key();
        sc.arcs = it.value();
        std::vector<double> acc(static_cast<size_t>(H));
        for (int hd = 0; hd < H; ++hd) {
            acc[size_t(hd)] = double(correct[it.key()][size_t(hd)]) / it.value();
            if (acc[size_t(hd)] > sc.bestAccuracy) {
                sc.bestAccuracy = acc[size_t(hd)];
                sc.bestLayer = hd / r.heads;
                sc.bestHead = hd % r.heads;
            }
        }
        const auto &off = offsetHits[it.key()];
        for (int k = 1; k <= 5; ++k)
            if (double(off[size_t(k - 1)]) / it.value() > sc.baselineAccuracy) {
                sc.baselineAccuracy = double(off[size_t(k - 1)]) / it.value();
                sc.baselineOffset = k;
            }
        r.accuracy.insert(it.key(), acc);
        r.relations.push_back(sc);
    }
    std::sort(r.relations.begin(), r.relations.end(), [](const SyntaxScore &a, const SyntaxScore &b) { return a.arcs > b.arcs; });
    return r;
}

void applyTo(const SyntacticHeadsResult &result, std::vector<HeadScores> &scores)
{
    for (HeadScores &h : scores) {
        const int index = h.layer * result.heads + h.head;
        if (h.layer >= result.layers || h.head >= result.heads)
            continue;
        for (const SyntaxScore &rel : result.relations) {
            const auto acc = result.accuracy.constFind(rel.relation);
            if (acc == result.accuracy.constEnd() || size_t(index) >= acc->size())
                continue;
            const double margin = (*acc)[size_t(index)] - rel.baselineAccuracy;
            if (std::isnan(h.syntactic) || margin > h.syntactic) {
                h.syntactic = margin;
                h.syntacticRelation = rel.relation;
            }
        }
    }
}

} // namespace strata::SyntacticHeads
