#include "Patching.h"

#include "jobs/JobControl.h"
#include "model/ModelFamily.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace strata {

namespace {

QJsonArray matrix(const std::vector<double> &v, int rows, int cols)
{
    QJsonArray out;
    for (int r = 0; r < rows; ++r) {
        QJsonArray row;
        for (int c = 0; c < cols; ++c)
            row.append(v[size_t(r * cols + c)]);
        out.append(row);
    }
    return out;
}

QJsonArray doubles(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

// Row p of a [T, ...] activation as its own tensor [...] (what broadcasts over the positions).
HostTensor row0(const HostTensor &t, int p)
{
    return t.slice0(p);
}

// Head h of a z activation [T, H, hd] as [T, 1, hd] (broadcasts over the heads, the mask picks h).
HostTensor headSlice(const HostTensor &z, int h)
{
    const int64_t T = z.shape()[0], H = z.shape()[1], hd = z.shape()[2];
    const std::vector<float> all = z.toFloatVector();
    std::vector<float> part(size_t(T * hd));
    for (int64_t t = 0; t < T; ++t)
        std::copy_n(all.begin() + (t * H + h) * hd, hd, part.begin() + t * hd);
    return HostTensor::fromFloats({T, 1, hd}, part.data());
}

} // namespace

QJsonObject PatchingResult::toJson() const
{
    QJsonObject o{{QStringLiteral("site"), site},
                  {QStringLiteral("direction"), direction},
                  {QStringLiteral("metric"), metric},
                  {QStringLiteral("clean_logit_diff"), cleanLogitDiff},
                  {QStringLiteral("corrupt_logit_diff"), corruptLogitDiff},
                  {QStringLiteral("clean_value"), cleanValue},
                  {QStringLiteral("corrupt_value"), corruptValue},
                  {QStringLiteral("rows"), rows},
                  {QStringLiteral("cols"), cols},
                  {QStringLiteral("row_labels"), QJsonArray::fromStringList(rowLabels)},
                  {QStringLiteral("col_labels"), QJsonArray::fromStringList(colLabels)},
                  {QStringLiteral("values"), matrix(values, rows, cols)},
                  {QStringLiteral("raw"), matrix(raw, rows, cols)}};
    if (layer >= 0)
        o.insert(QStringLiteral("layer"), layer);
    if (!attribution.empty()) {
        o.insert(QStringLiteral("attribution"), matrix(attribution, rows, cols));
        o.insert(QStringLiteral("attribution_correlation"), attributionCorrelation);
        o.insert(QStringLiteral("attribution_max_error"), attributionMaxError);
    }
    return o;
}

PatchingResult PatchingResult::fromJson(const QJsonObject &o)
{
    PatchingResult r;
    r.site = o.value(QStringLiteral("site")).toString();
    r.direction = o.value(QStringLiteral("direction")).toString();
    r.metric = o.value(QStringLiteral("metric")).toString(QStringLiteral("logit_diff"));
    r.layer = o.value(QStringLiteral("layer")).toInt(-1);
    r.cleanLogitDiff = o.value(QStringLiteral("clean_logit_diff")).toDouble();
    r.corruptLogitDiff = o.value(QStringLiteral("corrupt_logit_diff")).toDouble();
    r.cleanValue = o.value(QStringLiteral("clean_value")).toDouble(r.cleanLogitDiff);
    r.corruptValue = o.value(QStringLiteral("corrupt_value")).toDouble(r.corruptLogitDiff);
    r.rows = o.value(QStringLiteral("rows")).toInt();
    r.cols = o.value(QStringLiteral("cols")).toInt();
    for (const QJsonValue &v : o.value(QStringLiteral("row_labels")).toArray())
        r.rowLabels << v.toString();
    for (const QJsonValue &v : o.value(QStringLiteral("col_labels")).toArray())
        r.colLabels << v.toString();
    auto flat = [&](const char *key) {
        std::vector<double> out;
        for (const QJsonValue &row : o.value(QLatin1String(key)).toArray())
            for (const QJsonValue &v : row.toArray())
                out.push_back(v.toDouble(std::nan("")));
        return out;
    };
    r.values = flat("values");
    r.raw = flat("raw");
    r.attribution = flat("attribution");
    r.attributionCorrelation = o.value(QStringLiteral("attribution_correlation")).toDouble(std::nan(""));
    r.attributionMaxError = o.value(QStringLiteral("attribution_max_error")).toDouble(std::nan(""));
    if (r.rows < 0 || r.cols < 0 || r.values.size() != size_t(r.rows) * size_t(r.cols) || r.raw.size() != r.values.size() ||
        (!r.attribution.empty() && r.attribution.size() != r.values.size()))
        throw Error(QStringLiteral("A stored patching result is malformed (its grid does not match its size)."));
    return r;
}

QString Patching::siteKindName(PatchingRequest::SiteKind kind)
{
    switch (kind) {
    case PatchingRequest::SiteKind::ResidPre:
        return QStringLiteral("resid_pre");
    case PatchingRequest::SiteKind::AttnOut:
        return QStringLiteral("attn_out");
    case PatchingRequest::SiteKind::MlpOut:
        return QStringLiteral("mlp_out");
    case PatchingRequest::SiteKind::Head:
        return QStringLiteral("head");
    case PatchingRequest::SiteKind::HeadPosition:
        return QStringLiteral("head_position");
    }
    return QString();
}

PatchingRequest::SiteKind Patching::parseSiteKind(const QString &name)
{
    using K = PatchingRequest::SiteKind;
    for (auto k : {K::ResidPre, K::AttnOut, K::MlpOut, K::Head, K::HeadPosition})
        if (siteKindName(k) == name)
            return k;
    throw Error(QStringLiteral("--site must be resid_pre, attn_out, mlp_out, head or head_position, not '%1'.").arg(name));
}

QString Patching::metricName(PatchingRequest::Metric metric)
{
    switch (metric) {
    case PatchingRequest::Metric::LogitDiff:
        return QStringLiteral("logit_diff");
    case PatchingRequest::Metric::Probability:
        return QStringLiteral("prob");
    case PatchingRequest::Metric::KL:
        return QStringLiteral("kl");
    }
    return QString();
}

PatchingRequest::Metric Patching::parseMetric(const QString &name)
{
    using M = PatchingRequest::Metric;
    for (auto m : {M::LogitDiff, M::Probability, M::KL})
        if (metricName(m) == name)
            return m;
    throw Error(QStringLiteral("--metric must be logit_diff, prob or kl, not '%1'.").arg(name));
}

double Patching::logitDiff(const std::vector<float> &logits, int64_t answer, int64_t wrong)
{
    return double(logits[size_t(answer)]) - double(logits[size_t(wrong)]);
}

namespace {

std::vector<double> logSoftmax(const float *row, int64_t V)
{
    const double m = *std::max_element(row, row + V);
    double z = 0;
    for (int64_t v = 0; v < V; ++v)
        z += std::exp(double(row[v]) - m);
    const double lz = m + std::log(z);
    std::vector<double> out(static_cast<size_t>(V));
    for (int64_t v = 0; v < V; ++v)
        out[size_t(v)] = double(row[v]) - lz;
    return out;
}

double klDivergence(const std::vector<double> &logP, const std::vector<double> &logQ)
{
    double kl = 0;
    for (size_t v = 0; v < logP.size(); ++v)
        kl += std::exp(logP[v]) * (logP[v] - logQ[v]);
    return std::max(0.0, kl);
}

// What one sweep patches: the site, the grid, which run is patched and where its values come from.
struct Plan
{
    Site site = Site::ResidPre;
    bool heads = false, headPositions = false;
    int rows = 0, cols = 0;
    const std::vector<int64_t> *base = nullptr, *source = nullptr;
    std::vector<int> layers; // the site's layers, one per row (head_position: one)
};

Plan makePlan(LoadedModel &model, const PatchingRequest &req)
{
    const ModelInfo &info = model.info();
    if (req.clean.size() != req.corrupt.size())
        throw Error(QStringLiteral("The clean prompt has %1 tokens and the corrupted one %2: patching needs prompts of the same token count.")
                        .arg(req.clean.size())
                        .arg(req.corrupt.size()));
    for (int64_t id : {req.answer, req.wrong})
        if (id < 0 || id >= info.vocabSize)
            throw Error(QStringLiteral("The answer token id %1 is outside the vocabulary.").arg(id));
    using K = PatchingRequest::SiteKind;
    Plan p;
    const bool denoise = req.direction == PatchingRequest::Direction::Denoise;
    p.base = denoise ? &req.corrupt : &req.clean;
    p.source = denoise ? &req.clean : &req.corrupt;
    p.heads = req.site == K::Head;
    p.headPositions = req.site == K::HeadPosition;
    p.site = (p.heads || p.headPositions) ? Site::Z : req.site == K::ResidPre ? Site::ResidPre : req.site == K::AttnOut ? Site::AttnOut : Site::MlpOut;
    const int T = int(req.clean.size());
    if (p.headPositions) {
        if (req.layer < 0 || req.layer >= info.nLayers)
            throw Error(QStringLiteral("--layer %1: this model has layers 0..%2.").arg(req.layer).arg(info.nLayers - 1));
        p.layers = {req.layer};
        p.rows = info.nHeads;
        p.cols = T;
    } else {
        for (int l = 0; l < info.nLayers; ++l)
            p.layers.push_back(l);
        p.rows = info.nLayers;
        p.cols = p.heads ? info.nHeads : T;
    }
    return p;
}

Intervention cell(const Plan &p, const HostTensor &act, int layer, int row, int col, bool denoise)
{
    Intervention iv;
    iv.kind = Intervention::Kind::Patch;
    iv.site = {p.site, layer};
    iv.label = denoise ? QStringLiteral("clean run") : QStringLiteral("corrupted run");
    if (p.heads) {
        iv.heads = {col};
        iv.value = headSlice(act, col);
    } else if (p.headPositions) {
        iv.heads = {row};
        iv.positions = {col};
        iv.value = row0(act, col); // [H, hd] at that position; the masks pick the head
    } else {
        iv.positions = {col};
        iv.value = row0(act, col);
    }
    return iv;
}

int layerOf(const Plan &p, int row)
{
    return p.headPositions ? p.layers.front() : row;
}

double pearson(const std::vector<double> &a, const std::vector<double> &b)
{
    const size_t n = a.size();
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; ++i)
        ma += a[i] / double(n), mb += b[i] / double(n);
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : std::nan("");
}

} // namespace

std::vector<Intervention> Patching::cellInterventions(LoadedModel &model, const PatchingRequest &req, int row, int col)
{
    const Plan p = makePlan(model, req);
    if (row < 0 || row >= p.rows || col < 0 || col >= p.cols)
        throw Error(QStringLiteral("Cell (%1, %2) is outside the %3 x %4 sweep.").arg(row).arg(col).arg(p.rows).arg(p.cols));
    const int layer = layerOf(p, row);
    const auto from = model.captureSites(*p.source, {{p.site, layer}});
    return {cell(p, from.at({p.site, layer}), layer, row, col, req.direction == PatchingRequest::Direction::Denoise)};
}

PatchingResult Patching::sweep(LoadedModel &model, const PatchingRequest &req, const JobControl *control)
{
    const Plan p = makePlan(model, req);
    const bool denoise = req.direction == PatchingRequest::Direction::Denoise;
    const std::vector<int64_t> &base = *p.base;
    PatchingResult r;
    r.site = siteKindName(req.site);
    r.direction = denoise ? QStringLiteral("denoise") : QStringLiteral("noise");
    r.metric = metricName(req.metric);
    r.layer = p.headPositions ? p.layers.front() : -1;
    const std::vector<float> cleanLogits = model.nextTokenLogits(req.clean), corruptLogits = model.nextTokenLogits(req.corrupt);
    const int64_t V = int64_t(cleanLogits.size());
    r.cleanLogitDiff = logitDiff(cleanLogits, req.answer, req.wrong);
    r.corruptLogitDiff = logitDiff(corruptLogits, req.answer, req.wrong);
    const std::vector<double> logClean = logSoftmax(cleanLogits.data(), V);
    auto metric = [&](const float *row) {
        switch (req.metric) {
        case PatchingRequest::Metric::LogitDiff:
            return double(row[req.answer]) - double(row[req.wrong]);
        case PatchingRequest::Metric::Probability:
            return std::exp(logSoftmax(row, V)[size_t(req.answer)]);
        case PatchingRequest::Metric::KL:
            return klDivergence(logClean, logSoftmax(row, V));
        }
        return 0.0;
    };
    r.cleanValue = metric(cleanLogits.data());
    r.corruptValue = metric(corruptLogits.data());
    const double span = r.cleanValue - r.corruptValue;
    if (std::abs(span) < 1e-12)
        throw Error(QStringLiteral("The clean and corrupted prompts give the same %1 (%2): there is nothing to restore.").arg(r.metric).arg(r.cleanValue));

    std::vector<SiteRef> wanted;
    for (int l : p.layers)
        wanted.push_back({p.site, l});
    const std::map<SiteRef, HostTensor> from = model.captureSites(*p.source, wanted);

    r.rows = p.rows;
    r.cols = p.cols;
    for (int row = 0; row < p.rows; ++row)
        r.rowLabels << (p.headPositions ? QStringLiteral("H%1").arg(row) : QString::number(row));
    for (int c = 0; c < r.cols; ++c)
        r.colLabels << (p.heads ? QStringLiteral("H%1").arg(c) : QStringLiteral("%1 %2").arg(c).arg(model.tokenizer().displayString(base[size_t(c)])));
    std::vector<std::vector<Intervention>> variants;
    variants.reserve(size_t(r.rows * r.cols));
    for (int row = 0; row < p.rows; ++row) {
        const int layer = layerOf(p, row);
        for (int c = 0; c < r.cols; ++c)
            variants.push_back({cell(p, from.at({p.site, layer}), layer, row, c, denoise)});
    }
    const HostTensor logits = model.runVariants(base, variants, control);
    const float *lp = static_cast<const float *>(logits.data());
    for (size_t n = 0; n < variants.size(); ++n) {
        const double m = metric(lp + int64_t(n) * V);
        r.raw.push_back(m);
        r.values.push_back((m - r.corruptValue) / span);
    }

    if (req.attribution) {
        // One backward pass of LD on the patched run's own prompt: estimate = (source - base) . grad,
        // normalised by the LD span (the estimate is of the logit difference whatever the metric).
        const LoadedModel::SiteGradients g = model.siteGradients(base, wanted, req.answer, req.wrong);
        const double ldSpan = r.cleanLogitDiff - r.corruptLogitDiff;
        std::vector<double> patchedLd;
        for (size_t n = 0; n < variants.size(); ++n)
            patchedLd.push_back(double(lp[int64_t(n) * V + req.answer]) - double(lp[int64_t(n) * V + req.wrong]) -
                                (denoise ? r.corruptLogitDiff : r.cleanLogitDiff));
        double worst = 0;
        for (int row = 0; row < p.rows; ++row) {
            const int layer = layerOf(p, row);
            const std::vector<float> src = from.at({p.site, layer}).toFloatVector();
            const std::vector<float> act = g.activation.at({p.site, layer}).toFloatVector();
            const std::vector<float> grad = g.gradient.at({p.site, layer}).toFloatVector();
            const std::vector<int64_t> &shape = from.at({p.site, layer}).shape(); // [T, D] or [T, H, hd]
            const int64_t T = shape[0], inner = int64_t(src.size()) / T;
            const int64_t hd = p.site == Site::Z ? shape[2] : inner, H = p.site == Site::Z ? shape[1] : 1;
            for (int c = 0; c < r.cols; ++c) {
                double est = 0;
                for (int64_t t = 0; t < T; ++t) {
                    const bool posOk = p.heads || t == c;
                    if (!posOk)
                        continue;
                    for (int64_t h = 0; h < H; ++h) {
                        if ((p.heads && h != c) || (p.headPositions && h != row))
                            continue;
                        for (int64_t i = 0; i < hd; ++i) {
                            const size_t k = size_t(t * inner + h * hd + i);
                            est += (double(src[k]) - double(act[k])) * double(grad[k]);
                        }
                    }
                }
                const double normalised = denoise ? est / ldSpan : 1.0 + est / ldSpan;
                r.attribution.push_back(normalised);
                const double truth = denoise ? patchedLd[size_t(row * r.cols + c)] / ldSpan : 1.0 + patchedLd[size_t(row * r.cols + c)] / ldSpan;
                worst = std::max(worst, std::abs(normalised - truth));
            }
        }
        std::vector<double> truthAll;
        for (double d : patchedLd)
            truthAll.push_back(denoise ? d / ldSpan : 1.0 + d / ldSpan);
        r.attributionCorrelation = pearson(r.attribution, truthAll);
        r.attributionMaxError = worst;
    }
    return r;
}

QJsonObject AblationResult::toJson() const
{
    QJsonArray hs;
    for (auto [l, h] : heads)
        hs.append(QStringLiteral("%1.%2").arg(l).arg(h));
    QJsonArray before, after;
    for (int64_t v : predictedBefore)
        before.append(qint64(v));
    for (int64_t v : predictedAfter)
        after.append(qint64(v));
    return QJsonObject{{QStringLiteral("mode"), mode},
                       {QStringLiteral("heads"), hs},
                       {QStringLiteral("tokens"), QJsonArray::fromStringList(tokens)},
                       {QStringLiteral("loss_before"), doubles(lossBefore)},
                       {QStringLiteral("loss_after"), doubles(lossAfter)},
                       {QStringLiteral("mean_loss_before"), meanBefore},
                       {QStringLiteral("mean_loss_after"), meanAfter},
                       {QStringLiteral("predicted_before"), before},
                       {QStringLiteral("predicted_after"), after}};
}

std::vector<double> Ablation::tokenLosses(const std::vector<float> &logits, int64_t V, const std::vector<int64_t> &ids)
{
    std::vector<double> out;
    for (size_t t = 0; t + 1 < ids.size(); ++t) {
        const float *row = logits.data() + int64_t(t) * V;
        const double m = *std::max_element(row, row + V);
        double sum = 0;
        for (int64_t v = 0; v < V; ++v)
            sum += std::exp(double(row[v]) - m);
        out.push_back(m + std::log(sum) - double(row[ids[t + 1]]));
    }
    return out;
}

std::vector<std::pair<int, int>> Ablation::parseHeads(const QString &text, int layers, int heads)
{
    std::vector<std::pair<int, int>> out;
    for (const QString &item : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QStringList parts = item.trimmed().split(QLatin1Char('.'));
        bool okL = false, okH = false;
        const int l = parts.value(0).toInt(&okL), h = parts.value(1).toInt(&okH);
        if (parts.size() != 2 || !okL || !okH || l < 0 || l >= layers || h < 0 || h >= heads)
            throw Error(
                QStringLiteral("'%1' is not a head LAYER.HEAD of this model (layers 0..%2, heads 0..%3).").arg(item.trimmed()).arg(layers - 1).arg(heads - 1));
        out.emplace_back(l, h);
    }
    if (out.empty())
        throw Error(QStringLiteral("no heads given (LAYER.HEAD[,LAYER.HEAD...])."));
    return out;
}

std::vector<Intervention> Ablation::headInterventions(LoadedModel &model, const std::vector<std::pair<int, int>> &heads, bool mean,
                                                      const std::vector<std::vector<int64_t>> &reference)
{
    std::vector<SiteRef> sites;
    for (auto [l, h] : heads)
        if (std::find(sites.begin(), sites.end(), SiteRef{Site::Z, l}) == sites.end())
            sites.push_back({Site::Z, l});
    // Mean output of each head over every reference position: [hd] per (layer, head).
    std::map<std::pair<int, int>, std::vector<double>> sums;
    int64_t count = 0;
    if (mean) {
        for (const auto &ids : reference) {
            const std::map<SiteRef, HostTensor> got = model.captureSites(ids, sites);
            for (auto [l, h] : heads) {
                const HostTensor &z = got.at({Site::Z, l});
                const int64_t T = z.shape()[0], H = z.shape()[1], hd = z.shape()[2];
                const std::vector<float> v = z.toFloatVector();
                std::vector<double> &s = sums[{l, h}];
                s.resize(size_t(hd), 0.0);
                for (int64_t t = 0; t < T; ++t)
                    for (int64_t i = 0; i < hd; ++i)
                        s[size_t(i)] += v[size_t((t * H + h) * hd + i)];
            }
            count += int64_t(ids.size());
        }
    }
    std::vector<Intervention> out;
    for (auto [l, h] : heads) {
        Intervention iv;
        iv.site = {Site::Z, l};
        iv.heads = {h};
        if (mean) {
            iv.kind = Intervention::Kind::Mean;
            std::vector<float> m;
            for (double x : sums[{l, h}])
                m.push_back(float(x / double(std::max<int64_t>(1, count))));
            iv.value = HostTensor::fromFloats({int64_t(m.size())}, m.data());
            iv.label = QStringLiteral("mean over %1 positions").arg(count);
        } else {
            iv.kind = Intervention::Kind::Zero;
        }
        out.push_back(iv);
    }
    return out;
}

AblationResult Ablation::ablateHeads(LoadedModel &model, const std::vector<int64_t> &ids, const std::vector<std::pair<int, int>> &heads, bool mean,
                                     const std::vector<std::vector<int64_t>> &reference, const JobControl *control)
{
    if (ids.size() < 2)
        throw Error(QStringLiteral("The prompt needs at least two tokens to have a next-token loss."));
    AblationResult r;
    r.mode = mean ? QStringLiteral("mean") : QStringLiteral("zero");
    r.heads = heads;
    for (int64_t id : ids)
        r.tokens << model.tokenizer().displayString(id);
    const std::vector<Intervention> ivs = headInterventions(model, heads, mean, reference.empty() ? std::vector<std::vector<int64_t>>{ids} : reference);
    TraceOptions opt;
    opt.attention = false;
    opt.residuals = false;
    for (int pass = 0; pass < 2; ++pass) {
        if (control)
            control->throwIfCancelled();
        const TracePtr t = model.run(ids, opt, nullptr, pass == 0 ? std::vector<Intervention>{} : ivs);
        const std::vector<float> logits = t->logits.toFloatVector();
        const int64_t cols = t->logits.shape()[1];
        (pass == 0 ? r.lossBefore : r.lossAfter) = tokenLosses(logits, cols, ids);
        std::vector<int64_t> &pred = pass == 0 ? r.predictedBefore : r.predictedAfter;
        for (size_t p = 0; p < ids.size(); ++p)
            pred.push_back(
                int64_t(std::max_element(logits.begin() + int64_t(p) * cols, logits.begin() + int64_t(p + 1) * cols) - (logits.begin() + int64_t(p) * cols)));
    }
    auto meanOf = [](const std::vector<double> &v) {
        double s = 0;
        for (double x : v)
            s += x;
        return v.empty() ? 0.0 : s / double(v.size());
    };
    r.meanBefore = meanOf(r.lossBefore);
    r.meanAfter = meanOf(r.lossAfter);
    return r;
}

} // namespace strata
