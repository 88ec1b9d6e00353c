#include "util/AtenInclude.h" // first: shields torch from Qt's `slots`

#include "ResidualAnalysis.h"

#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace strata::ResidualAnalysis {

Pca pca(const std::vector<float> &X, int n, int d, int k)
{
    if (n < 2 || d < 1 || size_t(n) * size_t(d) != X.size())
        throw Error(QStringLiteral("PCA needs at least two vectors of the same length."));
    k = std::min({k, d, n});
    at::Tensor x = at::from_blob(const_cast<float *>(X.data()), {n, d}, at::kFloat).to(at::kDouble);
    const at::Tensor mean = x.mean(0);
    const at::Tensor xc = x - mean;
    const at::Tensor cov = at::mm(xc.t(), xc) / double(n - 1);
    const auto [evals, evecs] = at::linalg_eigh(cov); // ascending
    const double total = std::max(evals.clamp_min(0).sum().item<double>(), 1e-300);
    Pca p;
    p.dims = d;
    p.components = k;
    p.mean.assign(mean.data_ptr<double>(), mean.data_ptr<double>() + d);
    for (int c = 0; c < k; ++c) {
        const int64_t col = d - 1 - c;
        at::Tensor v = evecs.select(1, col).contiguous();
        const int64_t argmax = v.abs().argmax().item<int64_t>();
        if (v[argmax].item<double>() < 0)
            v = -v;
        p.basis.insert(p.basis.end(), v.data_ptr<double>(), v.data_ptr<double>() + d);
        p.explained.push_back(std::max(0.0, evals[col].item<double>()) / total);
    }
    return p;
}

std::vector<double> Pca::project(const std::vector<float> &X, int n) const
{
    std::vector<double> out(size_t(n) * size_t(components), 0.0);
    for (int i = 0; i < n; ++i)
        for (int c = 0; c < components; ++c) {
            double s = 0;
            for (int j = 0; j < dims; ++j)
                s += (double(X[size_t(i) * dims + j]) - mean[size_t(j)]) * basis[size_t(c) * dims + j];
            out[size_t(i) * components + c] = s;
        }
    return out;
}

std::vector<float> pool(const HostTensor &resid, Pooling pooling, int skip)
{
    if (resid.rank() != 2)
        throw Error(QStringLiteral("Pooling needs a [tokens, width] residual stream."));
    const int64_t T = resid.dim(0), D = resid.dim(1);
    const int64_t from = std::min<int64_t>(skip, T - 1);
    std::vector<float> out(static_cast<size_t>(D), pooling == Pooling::Max ? -INFINITY : 0.f);
    if (pooling == Pooling::Last) {
        for (int64_t j = 0; j < D; ++j)
            out[size_t(j)] = resid.floatAt((T - 1) * D + j);
        return out;
    }
    for (int64_t t = from; t < T; ++t)
        for (int64_t j = 0; j < D; ++j) {
            const float v = resid.floatAt(t * D + j);
            out[size_t(j)] = pooling == Pooling::Max ? std::max(out[size_t(j)], v) : out[size_t(j)] + v / float(T - from);
        }
    return out;
}

double cosine(const std::vector<float> &a, const std::vector<float> &b)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        ab += double(a[i]) * b[i];
        aa += double(a[i]) * a[i];
        bb += double(b[i]) * b[i];
    }
    return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

Baseline baselineOf(const std::vector<std::vector<float>> &vectors)
{
    Baseline b;
    if (vectors.empty())
        return b;
    const size_t D = vectors.front().size();
    b.mean.assign(D, 0.0);
    b.scale.assign(D, 0.0);
    for (const auto &v : vectors)
        for (size_t j = 0; j < D; ++j)
            b.mean[j] += double(v[j]) / double(vectors.size());
    for (const auto &v : vectors)
        for (size_t j = 0; j < D; ++j)
            b.scale[j] += (v[j] - b.mean[j]) * (v[j] - b.mean[j]) / double(std::max<size_t>(1, vectors.size() - 1));
    for (double &s : b.scale)
        s = std::sqrt(s) + 1e-6;
    return b;
}

std::vector<float> normalise(const std::vector<float> &v, const Baseline &b, Centring c)
{
    if (c == Centring::None || b.mean.size() != v.size())
        return v;
    std::vector<float> out(v.size());
    for (size_t j = 0; j < v.size(); ++j)
        out[j] = float((v[j] - b.mean[j]) / (c == Centring::Standardise ? b.scale[j] : 1.0));
    return out;
}

std::vector<std::vector<double>> similarityMatrix(const std::vector<std::vector<float>> &vectors, const Baseline &b, Centring c)
{
    std::vector<std::vector<float>> n;
    for (const auto &v : vectors)
        n.push_back(normalise(v, b, c));
    std::vector<std::vector<double>> m(n.size(), std::vector<double>(n.size(), 1.0));
    for (size_t i = 0; i < n.size(); ++i)
        for (size_t j = i + 1; j < n.size(); ++j)
            m[i][j] = m[j][i] = cosine(n[i], n[j]);
    return m;
}

double linearCka(const std::vector<float> &X, const std::vector<float> &Y, int n, int d1, int d2)
{
    if (size_t(n) * d1 != X.size() || size_t(n) * d2 != Y.size() || n < 2)
        throw Error(QStringLiteral("CKA needs two representations of the same samples."));
    at::Tensor x = at::from_blob(const_cast<float *>(X.data()), {n, d1}, at::kFloat).to(at::kDouble);
    at::Tensor y = at::from_blob(const_cast<float *>(Y.data()), {n, d2}, at::kFloat).to(at::kDouble);
    x = x - x.mean(0);
    y = y - y.mean(0);
    const double cross = at::mm(y.t(), x).pow(2).sum().item<double>();
    const double xx = at::mm(x.t(), x).pow(2).sum().sqrt().item<double>();
    const double yy = at::mm(y.t(), y).pow(2).sum().sqrt().item<double>();
    return xx > 0 && yy > 0 ? cross / (xx * yy) : 0.0;
}

Contributions contributionNorms(const Trace &trace)
{
    Contributions c;
    auto meanNorm = [](const HostTensor &t) {
        if (t.isEmpty())
            return std::nan("");
        const int64_t T = t.dim(0), D = t.dim(1);
        double sum = 0;
        for (int64_t i = 0; i < T; ++i) {
            double s = 0;
            for (int64_t j = 0; j < D; ++j) {
                const double v = t.floatAt(i * D + j);
                s += v * v;
            }
            sum += std::sqrt(s);
        }
        return sum / double(T);
    };
    for (const LayerTrace &l : trace.layers) {
        c.layers.push_back(l.layer);
        c.attnOut.push_back(meanNorm(l.attnOut));
        c.mlpOut.push_back(meanNorm(l.mlpOut));
        c.residPost.push_back(meanNorm(l.residPost));
    }
    return c;
}

DirectEffects directEffects(LoadedModel &model, const Trace &trace, int position, int64_t token)
{
    if (trace.layers.empty() || trace.layers.back().residPost.isEmpty() || trace.embed.isEmpty())
        throw Error(QStringLiteral("Direct effects need the residual stream of every layer."));
    const int T = trace.tokenCount();
    const int64_t V = model.info().vocabSize;
    if (position < 0 || position >= T || token < 0 || token >= V)
        throw Error(QStringLiteral("Position %1 or token %2 is outside this run.").arg(position).arg(token));
    const int64_t D = trace.layers.back().residPost.dim(1);
    auto rowOf = [position](const HostTensor &t) { return t.slice0(position).toFloatVector(); };
    const std::vector<float> r = rowOf(trace.layers.back().residPost);
    // Row 0: r itself; then r - embed, then r - attn_out.l and r - mlp_out.l for every layer.
    std::vector<float> rows(r);
    auto addRemoved = [&](const std::vector<float> &c) {
        for (int64_t d = 0; d < D; ++d)
            rows.push_back(r[size_t(d)] - c[size_t(d)]);
    };
    addRemoved(rowOf(trace.embed));
    for (const LayerTrace &l : trace.layers) {
        addRemoved(rowOf(l.attnOut));
        addRemoved(rowOf(l.mlpOut));
    }
    const bool perHead = std::all_of(trace.layers.begin(), trace.layers.end(), [](const LayerTrace &l) { return !l.headOut.isEmpty(); });
    if (perHead)
        for (const LayerTrace &l : trace.layers)
            for (int64_t h = 0; h < l.headOut.dim(0); ++h) {
                std::vector<float> c(static_cast<size_t>(D));
                for (int64_t d = 0; d < D; ++d)
                    c[size_t(d)] = l.headOut.floatAt((h * l.headOut.dim(1) + position) * D + d);
                addRemoved(c);
            }
    const int64_t n = int64_t(rows.size()) / D;
    const HostTensor logits = model.unembed(HostTensor::fromFloats({n, D}, rows.data()));
    auto logitOf = [&](int64_t row) { return double(logits.floatAt(row * V + token)); };
    DirectEffects e;
    e.position = position;
    e.token = token;
    e.logit = logitOf(0);
    e.embed = e.logit - logitOf(1);
    for (size_t i = 0; i < trace.layers.size(); ++i) {
        e.layers.push_back(trace.layers[i].layer);
        e.attn.push_back(e.logit - logitOf(2 + 2 * int64_t(i)));
        e.mlp.push_back(e.logit - logitOf(3 + 2 * int64_t(i)));
    }
    if (perHead) {
        int64_t row = 2 + 2 * int64_t(trace.layers.size());
        for (const LayerTrace &l : trace.layers) {
            std::vector<double> hs;
            for (int64_t h = 0; h < l.headOut.dim(0); ++h)
                hs.push_back(e.logit - logitOf(row++));
            e.heads.push_back(hs);
        }
    }
    return e;
}

QStringList builtInBaselineSentences()
{
    // Varied topics, lengths and two languages, written for Strata.
    return {
        QStringLiteral("The train to the coast leaves every morning at seven."),
        QStringLiteral("She planted tomatoes and beans in the small garden behind the house."),
        QStringLiteral("Interest rates rose again last quarter, and the bank raised its fees."),
        QStringLiteral("A cold wind blew across the frozen lake all night."),
        QStringLiteral("He could not find his keys, so he waited for his sister to come home."),
        QStringLiteral("The committee will meet on Thursday to discuss the new budget."),
        QStringLiteral("Birds build their nests high in the trees to keep their eggs safe."),
        QStringLiteral("Please close the window before you leave the room."),
        QStringLiteral("The old castle on the hill was built more than six hundred years ago."),
        QStringLiteral("Mathematics teaches us to reason carefully about numbers and shapes."),
        QStringLiteral("After the concert, the children sang all the way home."),
        QStringLiteral("The doctor asked him to rest for a week and drink plenty of water."),
        QStringLiteral("今天天气很好，我们去公园散步吧。"),
        QStringLiteral("这本书讲述了一个小村庄的故事。"),
        QStringLiteral("他每天早上七点坐地铁去上班。"),
        QStringLiteral("请把窗户关上，外面风很大。"),
    };
}

QList<ExampleSet> builtInExampleSets()
{
    return {
        {QStringLiteral("Paraphrases and unrelated sentences"),
         {QStringLiteral("The cat sat on the mat."), QStringLiteral("A cat was sitting on the rug."), QStringLiteral("The stock market fell sharply today."),
          QStringLiteral("Shares dropped steeply on the exchange this afternoon.")}},
        {QStringLiteral("Word in context: bank"),
         {QStringLiteral("We had a picnic on the bank of the river."), QStringLiteral("The river bank was covered in wild flowers."),
          QStringLiteral("She went to the bank to open a savings account."), QStringLiteral("The bank lent him money to buy a house.")}},
        {QStringLiteral("同义句与无关句（中文）"),
         {QStringLiteral("猫坐在垫子上。"), QStringLiteral("一只猫正坐在地毯上。"), QStringLiteral("今天股市大幅下跌。"),
          QStringLiteral("今天下午股价急剧下滑。")}},
        {QStringLiteral("Same words, different meaning"),
         {QStringLiteral("The dog bit the man."), QStringLiteral("The man bit the dog."), QStringLiteral("A dog attacked a man."),
          QStringLiteral("A man attacked a dog.")}},
    };
}

SimilarityAcrossLayers similarityAcrossLayers(LoadedModel &model, const QStringList &sentences, Pooling pooling, Centring centring, const QStringList &baseline,
                                              const JobControl *control)
{
    if (sentences.size() < 2)
        throw Error(QStringLiteral("Give at least two sentences to compare."));
    const int skip = model.tokenizer().prependsBos() ? 1 : 0;
    std::vector<std::vector<std::vector<float>>> vecs; // [stage][sentence], user sentences first, then the baseline
    const QStringList all = sentences + baseline;
    for (int i = 0; i < all.size(); ++i) {
        if (control) {
            control->throwIfCancelled();
            control->report(double(i) / all.size(), QStringLiteral("Sentence %1/%2").arg(i + 1).arg(all.size()));
        }
        TraceOptions opt;
        opt.attention = false;
        opt.logits = false;
        const TracePtr t = model.trace(all[i], opt, nullptr);
        vecs.resize(t->layers.size() + 1);
        vecs[0].push_back(pool(t->embed, pooling, skip));
        for (size_t l = 0; l < t->layers.size(); ++l)
            vecs[l + 1].push_back(pool(t->layers[l].residPost, pooling, skip));
    }
    SimilarityAcrossLayers r;
    r.sentences = sentences;
    const int n = int(all.size());
    const int D = int(vecs[0][0].size());
    std::vector<float> last;
    for (const auto &v : vecs.back())
        last.insert(last.end(), v.begin(), v.end());
    for (size_t s = 0; s < vecs.size(); ++s) {
        r.stages << (s == 0 ? QStringLiteral("embed") : QString::number(s - 1));
        const Baseline b = baselineOf(vecs[s]);
        r.similarity.push_back(similarityMatrix(std::vector<std::vector<float>>(vecs[s].begin(), vecs[s].begin() + sentences.size()), b, centring));
        std::vector<float> X;
        for (const auto &v : vecs[s])
            X.insert(X.end(), v.begin(), v.end());
        r.ckaWithLast.push_back(n >= 2 ? linearCka(X, last, n, D, D) : std::nan(""));
    }
    if (control)
        control->report(1.0, QString());
    return r;
}

namespace {
std::shared_ptr<Trace> residualTrace(LoadedModel &model, const QString &text)
{
    TraceOptions opt;
    opt.attention = false;
    opt.logits = false;
    return model.trace(text, opt, nullptr);
}

const HostTensor &stageOf(const Trace &t, size_t s)
{
    return s == 0 ? t.embed : t.layers[s - 1].residPost;
}

std::vector<float> meanOfRows(const HostTensor &m, const std::vector<int> &rows)
{
    const int64_t D = m.dim(1);
    std::vector<float> v(static_cast<size_t>(D), 0.f);
    for (int r : rows)
        for (int64_t j = 0; j < D; ++j)
            v[size_t(j)] += m.floatAt(int64_t(r) * D + j) / float(rows.size());
    return v;
}
} // namespace

SimilarityAcrossLayers wordInContext(LoadedModel &model, const QStringList &sentences, const QString &word, Centring centring, const QStringList &baseline,
                                     const JobControl *control)
{
    if (sentences.size() < 2)
        throw Error(QStringLiteral("Give at least two sentences to compare."));
    if (word.trimmed().isEmpty())
        throw Error(QStringLiteral("Name the word to follow through the sentences."));
    const QRegularExpression re(QStringLiteral("\\b%1\\b").arg(QRegularExpression::escape(word.trimmed())),
                                QRegularExpression::CaseInsensitiveOption | QRegularExpression::UseUnicodePropertiesOption);
    const int skip = model.tokenizer().prependsBos() ? 1 : 0;
    std::vector<std::vector<std::vector<float>>> vecs; // [stage][sentence]
    for (int i = 0; i < sentences.size(); ++i) {
        if (control) {
            control->throwIfCancelled();
            control->report(double(i) / (sentences.size() + baseline.size()), QStringLiteral("Sentence %1").arg(i + 1));
        }
        const QRegularExpressionMatch m = re.match(sentences[i]);
        if (!m.hasMatch())
            throw Error(QStringLiteral("'%1' does not occur in sentence %2 (\"%3\").").arg(word, QString::number(i)).arg(sentences[i]));
        const int b0 = int(sentences[i].left(m.capturedStart()).toUtf8().size());
        const int b1 = b0 + int(m.captured().toUtf8().size());
        const auto t = residualTrace(model, sentences[i]);
        std::vector<int> rows;
        for (int k = 0; k < t->tokenCount(); ++k) {
            const TokenPiece &p = t->tokens[size_t(k)];
            if (p.byteEnd > b0 && p.byteBegin < b1)
                rows.push_back(k);
        }
        vecs.resize(t->layers.size() + 1);
        for (size_t st = 0; st < vecs.size(); ++st)
            vecs[st].push_back(meanOfRows(stageOf(*t, st), rows));
    }
    // Centring baseline: every token vector of the baseline sentences, per stage.
    std::vector<std::vector<std::vector<float>>> base(vecs.size());
    for (const QString &b : baseline) {
        if (control)
            control->throwIfCancelled();
        const auto t = residualTrace(model, b);
        for (size_t st = 0; st < base.size() && st <= t->layers.size(); ++st)
            for (int k = skip; k < t->tokenCount(); ++k)
                base[st].push_back(stageOf(*t, st).slice0(k).toFloatVector());
    }
    SimilarityAcrossLayers r;
    r.sentences = sentences;
    const int n = int(sentences.size()), D = int(vecs[0][0].size());
    std::vector<float> last;
    for (const auto &v : vecs.back())
        last.insert(last.end(), v.begin(), v.end());
    for (size_t st = 0; st < vecs.size(); ++st) {
        r.stages << (st == 0 ? QStringLiteral("embed") : QString::number(st - 1));
        r.similarity.push_back(similarityMatrix(vecs[st], baselineOf(base[st].empty() ? vecs[st] : base[st]), centring));
        std::vector<float> X;
        for (const auto &v : vecs[st])
            X.insert(X.end(), v.begin(), v.end());
        r.ckaWithLast.push_back(linearCka(X, last, n, D, D));
    }
    if (control)
        control->report(1.0, QString());
    return r;
}

} // namespace strata::ResidualAnalysis
