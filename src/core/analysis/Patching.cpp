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
HostTensor row(const HostTensor &t, int p)
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
    return QJsonObject{{QStringLiteral("site"), site},
                       {QStringLiteral("direction"), direction},
                       {QStringLiteral("metric"), QStringLiteral("logit_diff")},
                       {QStringLiteral("clean_logit_diff"), cleanLogitDiff},
                       {QStringLiteral("corrupt_logit_diff"), corruptLogitDiff},
                       {QStringLiteral("rows"), rows},
                       {QStringLiteral("cols"), cols},
                       {QStringLiteral("row_labels"), QJsonArray::fromStringList(rowLabels)},
                       {QStringLiteral("col_labels"), QJsonArray::fromStringList(colLabels)},
                       {QStringLiteral("values"), matrix(values, rows, cols)},
                       {QStringLiteral("raw"), matrix(raw, rows, cols)}};
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
    }
    return QString();
}

PatchingRequest::SiteKind Patching::parseSiteKind(const QString &name)
{
    for (auto k : {PatchingRequest::SiteKind::ResidPre, PatchingRequest::SiteKind::AttnOut, PatchingRequest::SiteKind::MlpOut, PatchingRequest::SiteKind::Head})
        if (siteKindName(k) == name)
            return k;
    throw Error(QStringLiteral("--site must be resid_pre, attn_out, mlp_out or head, not '%1'.").arg(name));
}

double Patching::logitDiff(const std::vector<float> &logits, int64_t answer, int64_t wrong)
{
    return double(logits[size_t(answer)]) - double(logits[size_t(wrong)]);
}

PatchingResult Patching::sweep(LoadedModel &model, const PatchingRequest &req, const JobControl *control)
{
    const ModelInfo &info = model.info();
    if (req.clean.size() != req.corrupt.size())
        throw Error(QStringLiteral("The clean prompt has %1 tokens and the corrupted one %2: patching needs prompts of the same token count.")
                        .arg(req.clean.size())
                        .arg(req.corrupt.size()));
    for (int64_t id : {req.answer, req.wrong})
        if (id < 0 || id >= info.vocabSize)
            throw Error(QStringLiteral("The answer token id %1 is outside the vocabulary.").arg(id));
    const bool denoise = req.direction == PatchingRequest::Direction::Denoise;
    const std::vector<int64_t> &base = denoise ? req.corrupt : req.clean;
    const std::vector<int64_t> &source = denoise ? req.clean : req.corrupt;
    const int T = int(base.size()), L = info.nLayers, H = info.nHeads;

    PatchingResult r;
    r.site = siteKindName(req.site);
    r.direction = denoise ? QStringLiteral("denoise") : QStringLiteral("noise");
    r.cleanLogitDiff = logitDiff(model.nextTokenLogits(req.clean), req.answer, req.wrong);
    r.corruptLogitDiff = logitDiff(model.nextTokenLogits(req.corrupt), req.answer, req.wrong);
    const double span = r.cleanLogitDiff - r.corruptLogitDiff;
    if (std::abs(span) < 1e-9)
        throw Error(QStringLiteral("The clean and corrupted prompts give the same logit difference (%1): there is nothing to restore.").arg(r.cleanLogitDiff));

    const bool heads = req.site == PatchingRequest::SiteKind::Head;
    const Site site = heads                                             ? Site::Z
                      : req.site == PatchingRequest::SiteKind::ResidPre ? Site::ResidPre
                      : req.site == PatchingRequest::SiteKind::AttnOut  ? Site::AttnOut
                                                                        : Site::MlpOut;
    std::vector<SiteRef> wanted;
    for (int l = 0; l < L; ++l)
        wanted.push_back({site, l});
    const std::map<SiteRef, HostTensor> from = model.captureSites(source, wanted);

    r.rows = L;
    r.cols = heads ? H : T;
    for (int l = 0; l < L; ++l)
        r.rowLabels << QString::number(l);
    for (int c = 0; c < r.cols; ++c)
        r.colLabels << (heads ? QStringLiteral("H%1").arg(c) : QStringLiteral("%1 %2").arg(c).arg(model.tokenizer().displayString(base[size_t(c)])));
    std::vector<std::vector<Intervention>> variants;
    variants.reserve(size_t(r.rows * r.cols));
    for (int l = 0; l < L; ++l) {
        const HostTensor &act = from.at({site, l});
        for (int c = 0; c < r.cols; ++c) {
            Intervention iv;
            iv.kind = Intervention::Kind::Patch;
            iv.site = {site, l};
            iv.label = denoise ? QStringLiteral("clean run") : QStringLiteral("corrupted run");
            if (heads) {
                iv.heads = {c};
                iv.value = headSlice(act, c);
            } else {
                iv.positions = {c};
                iv.value = row(act, c);
            }
            variants.push_back({iv});
        }
    }
    const HostTensor logits = model.runVariants(base, variants, control);
    const int64_t V = logits.shape()[1];
    const float *p = static_cast<const float *>(logits.data());
    for (size_t n = 0; n < variants.size(); ++n) {
        const double ld = double(p[int64_t(n) * V + req.answer]) - double(p[int64_t(n) * V + req.wrong]);
        r.raw.push_back(ld);
        r.values.push_back((ld - r.corruptLogitDiff) / span);
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
