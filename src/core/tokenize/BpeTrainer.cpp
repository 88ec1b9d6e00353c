#include "BpeTrainer.h"

#include "ByteLevelBpeTokenizer.h"
#include "jobs/JobControl.h"
#include "util/Error.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace strata {

void BpeTrainer::addText(const QString &text)
{
    auto it = ByteLevelBpeTokenizer::gpt2Pattern().globalMatch(text);
    while (it.hasNext())
        ++m_wordCounts[it.next().captured().toUtf8()];
}

namespace {
using Pair = uint64_t;
Pair makePair(int a, int b)
{
    return (uint64_t(uint32_t(a)) << 32) | uint32_t(b);
}
int first(Pair p)
{
    return int(p >> 32);
}
int second(Pair p)
{
    return int(p & 0xffffffffu);
}
} // namespace

BpeTrainer::Result BpeTrainer::train(int vocabSize, const JobControl *control) const
{
    Result r;
    for (int b = 0; b < 256; ++b)
        r.tokens.emplace_back(1, char(b));
    // Words as symbol sequences, in a fixed order (sorted) for determinism.
    QList<QByteArray> keys = m_wordCounts.keys();
    std::sort(keys.begin(), keys.end());
    std::vector<std::vector<int>> words;
    std::vector<int64_t> counts;
    for (const QByteArray &k : keys) {
        std::vector<int> w;
        for (char c : k)
            w.push_back(uchar(c));
        words.push_back(std::move(w));
        counts.push_back(m_wordCounts.value(k));
    }
    std::unordered_map<Pair, int64_t> pairCount;
    std::unordered_map<Pair, std::unordered_set<int>> where;
    for (size_t i = 0; i < words.size(); ++i)
        for (size_t j = 0; j + 1 < words[i].size(); ++j) {
            const Pair p = makePair(words[i][j], words[i][j + 1]);
            pairCount[p] += counts[i];
            where[p].insert(int(i));
        }
    // Max-heap on (count, then smaller pair first); stale entries are skipped when popped.
    auto worse = [](const std::pair<int64_t, Pair> &a, const std::pair<int64_t, Pair> &b) {
        return a.first != b.first ? a.first < b.first : a.second > b.second;
    };
    std::priority_queue<std::pair<int64_t, Pair>, std::vector<std::pair<int64_t, Pair>>, decltype(worse)> heap(worse);
    for (const auto &[p, c] : pairCount)
        heap.push({c, p});
    const int target = vocabSize;
    while (int(r.tokens.size()) < target && !heap.empty()) {
        const auto [c, p] = heap.top();
        heap.pop();
        auto pc = pairCount.find(p);
        if (pc == pairCount.end() || pc->second != c || c <= 0)
            continue; // stale
        if (c < 2)
            break; // merging singletons learns nothing
        const int a = first(p), b = second(p);
        const int id = int(r.tokens.size());
        r.tokens.push_back(r.tokens[size_t(a)] + r.tokens[size_t(b)]);
        r.merges.emplace_back(r.tokens[size_t(a)], r.tokens[size_t(b)]);
        std::unordered_map<Pair, int64_t> delta;
        const std::unordered_set<int> affected = std::move(where[p]);
        where.erase(p);
        for (int wi : affected) {
            std::vector<int> &w = words[size_t(wi)];
            const int64_t n = counts[size_t(wi)];
            std::vector<int> out;
            out.reserve(w.size());
            for (size_t j = 0; j < w.size(); ++j) {
                if (j + 1 < w.size() && w[j] == a && w[j + 1] == b) {
                    if (!out.empty()) {
                        delta[makePair(out.back(), a)] -= n;
                        delta[makePair(out.back(), id)] += n;
                    }
                    if (j + 2 < w.size()) {
                        delta[makePair(b, w[j + 2])] -= n;
                        delta[makePair(id, w[j + 2])] += n;
                    }
                    out.push_back(id);
                    ++j;
                } else {
                    out.push_back(w[j]);
                }
            }
            w.swap(out);
            for (size_t j = 0; j + 1 < w.size(); ++j) {
                const Pair q = makePair(w[j], w[j + 1]);
                if (first(q) == id || second(q) == id)
                    where[q].insert(wi);
            }
        }
        pairCount.erase(p);
        for (const auto &[q, d] : delta) {
            if (d == 0)
                continue;
            int64_t &v = pairCount[q];
            v += d;
            if (v > 0)
                heap.push({v, q});
        }
        if (control && (id % 64 == 0)) {
            control->throwIfCancelled();
            control->report(double(id - 256) / double(target - 256), QStringLiteral("BPE merges"));
        }
    }
    return r;
}

void BpeTrainer::save(const Result &r, const QString &folder)
{
    const QDir dir(folder);
    QJsonObject vocab;
    for (size_t i = 0; i < r.tokens.size(); ++i)
        vocab.insert(ByteLevelBpeTokenizer::bytesToSymbols(r.tokens[i]), qint64(i));
    vocab.insert(QStringLiteral("<|endoftext|>"), qint64(r.tokens.size()));
    QByteArray merges = "#version: 0.2\n";
    for (const auto &m : r.merges)
        merges += ByteLevelBpeTokenizer::bytesToSymbols(m.first).toUtf8() + ' ' + ByteLevelBpeTokenizer::bytesToSymbols(m.second).toUtf8() + '\n';
    for (const auto &[name, bytes] :
         {std::pair{QStringLiteral("vocab.json"), QJsonDocument(vocab).toJson(QJsonDocument::Compact)}, std::pair{QStringLiteral("merges.txt"), merges}}) {
        QSaveFile f(dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
            throw Error(QStringLiteral("Cannot write %1: %2.").arg(dir.filePath(name), f.errorString()));
    }
}

} // namespace strata
