#include "BatchAggregate.h"

#include "batch/BatchRun.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace strata::Batch {

namespace {

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue();
}

void flatten(const QJsonValue &v, std::vector<double> &out, std::vector<int> &shape, int depth)
{
    if (!v.isArray()) {
        out.push_back(v.isDouble() ? v.toDouble() : std::nan(""));
        return;
    }
    const QJsonArray a = v.toArray();
    if (int(shape.size()) <= depth)
        shape.push_back(int(a.size()));
    for (const QJsonValue &e : a)
        flatten(e, out, shape, depth + 1);
}

} // namespace

double tQuantile975(int df)
{
    static const double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                                   2.120,  2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (df < 1)
        return std::nan("");
    if (df <= 30)
        return table[df - 1];
    // Cornish-Fisher expansion around the normal quantile (error < 0.001 from df = 30 on).
    const double z = 1.959964, d = double(df);
    return z + (z * z * z + z) / (4 * d) + (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * d * d);
}

MeanInterval meanInterval(const std::vector<double> &values)
{
    MeanInterval r;
    double sum = 0;
    for (double v : values)
        if (std::isfinite(v)) {
            sum += v;
            ++r.n;
        }
    if (r.n == 0) {
        r.mean = r.low = r.high = std::nan("");
        return r;
    }
    r.mean = sum / r.n;
    if (r.n == 1) {
        r.low = r.high = r.mean;
        return r;
    }
    double ss = 0;
    for (double v : values)
        if (std::isfinite(v))
            ss += (v - r.mean) * (v - r.mean);
    const double half = tQuantile975(r.n - 1) * std::sqrt(ss / (r.n - 1) / r.n);
    r.low = r.mean - half;
    r.high = r.mean + half;
    return r;
}

QJsonObject meanArrays(const QList<QJsonValue> &arrays)
{
    std::vector<std::vector<double>> flat;
    std::vector<int> shape;
    for (const QJsonValue &a : arrays) {
        std::vector<double> f;
        std::vector<int> s;
        flatten(a, f, s, 0);
        if (flat.empty())
            shape = s;
        else if (f.size() != flat.front().size())
            continue; // another shape (cannot happen for one model): left out rather than misaligned
        flat.push_back(std::move(f));
    }
    QJsonArray mean, low, high, n, shapeJson;
    for (int s : shape)
        shapeJson.append(s);
    const size_t cells = flat.empty() ? 0 : flat.front().size();
    std::vector<double> column(flat.size());
    for (size_t c = 0; c < cells; ++c) {
        for (size_t i = 0; i < flat.size(); ++i)
            column[i] = flat[i][c];
        const MeanInterval m = meanInterval(column);
        mean.append(number(m.mean));
        low.append(number(m.low));
        high.append(number(m.high));
        n.append(m.n);
    }
    return {{QStringLiteral("shape"), shapeJson},
            {QStringLiteral("mean"), mean},
            {QStringLiteral("low"), low},
            {QStringLiteral("high"), high},
            {QStringLiteral("n"), n}};
}

QJsonObject aggregate(QList<QJsonObject> items)
{
    std::sort(items.begin(), items.end(),
              [](const QJsonObject &a, const QJsonObject &b) { return a.value(QStringLiteral("item")).toInt() < b.value(QStringLiteral("item")).toInt(); });
    QJsonObject out;
    int skipped = 0;
    double tokens = 0;
    int measured = 0;
    QList<QJsonValue> heads, top1, kl, similarity, patching;
    QJsonObject probe;
    int rows = 0, cols = 0;
    for (const QJsonObject &it : items) {
        if (it.contains(QStringLiteral("skipped"))) {
            ++skipped;
            continue;
        }
        if (it.contains(QStringLiteral("probe"))) {
            probe = it.value(QStringLiteral("probe")).toObject();
            continue;
        }
        ++measured;
        tokens += it.value(QStringLiteral("tokens")).toDouble();
        if (it.contains(QStringLiteral("heads")))
            heads.append(it.value(QStringLiteral("heads")).toObject().value(QStringLiteral("values")));
        if (it.contains(QStringLiteral("lens"))) {
            top1.append(it.value(QStringLiteral("lens")).toObject().value(QStringLiteral("top1")));
            kl.append(it.value(QStringLiteral("lens")).toObject().value(QStringLiteral("kl")));
        }
        if (it.contains(QStringLiteral("similarity")))
            similarity.append(it.value(QStringLiteral("similarity")));
        if (it.contains(QStringLiteral("patching"))) {
            const QJsonObject p = it.value(QStringLiteral("patching")).toObject();
            patching.append(p.value(QStringLiteral("values")));
            rows = p.value(QStringLiteral("rows")).toInt();
            cols = p.value(QStringLiteral("cols")).toInt();
        }
    }
    out.insert(QStringLiteral("items"), int(items.size()));
    out.insert(QStringLiteral("measured"), measured);
    out.insert(QStringLiteral("skipped"), skipped);
    out.insert(QStringLiteral("tokens_mean"), number(measured ? tokens / measured : std::nan("")));
    if (!heads.isEmpty()) {
        QJsonObject h = meanArrays(heads);
        h.insert(QStringLiteral("scores"), QJsonArray::fromStringList(batchHeadScoreNames()));
        out.insert(QStringLiteral("heads"), h);
    }
    if (!top1.isEmpty())
        out.insert(QStringLiteral("lens"), QJsonObject{{QStringLiteral("top1"), meanArrays(top1)}, {QStringLiteral("kl"), meanArrays(kl)}});
    if (!similarity.isEmpty())
        out.insert(QStringLiteral("similarity"), meanArrays(similarity));
    if (!patching.isEmpty()) {
        QJsonObject p = meanArrays(patching);
        p.insert(QStringLiteral("rows"), rows);
        p.insert(QStringLiteral("cols"), cols);
        out.insert(QStringLiteral("patching"), p);
    }
    if (!probe.isEmpty())
        out.insert(QStringLiteral("probe"), probe);
    return out;
}

} // namespace strata::Batch
