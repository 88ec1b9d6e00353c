#include "Sites.h"

#include "util/Error.h"

#include <QJsonArray>
#include <QStringList>

namespace strata {

namespace {
const char *const kSiteNames[] = {"embed", "resid_pre", "attn", "z", "attn_out", "resid_mid", "mlp_post", "mlp_out", "resid_post", "final_norm"};
const char *const kKindNames[] = {"patch", "zero", "mean", "resample", "scale", "add"};

QJsonArray toArray(const std::vector<int> &v)
{
    QJsonArray a;
    for (int x : v)
        a.append(x);
    return a;
}

std::vector<int> fromArray(const QJsonValue &v)
{
    std::vector<int> out;
    for (const QJsonValue &x : v.toArray())
        out.push_back(x.toInt());
    return out;
}

QString listText(const std::vector<int> &v)
{
    QStringList parts;
    for (int x : v)
        parts << QString::number(x);
    return parts.join(QLatin1Char(','));
}
} // namespace

QString siteName(Site site)
{
    return QString::fromLatin1(kSiteNames[int(site)]);
}

QString siteName(Site site, int layer)
{
    return siteHasLayer(site) ? siteName(site) + QLatin1Char('.') + QString::number(layer) : siteName(site);
}

bool siteHasLayer(Site site)
{
    return site != Site::Embed && site != Site::FinalNorm;
}

bool siteHasHeads(Site site)
{
    return site == Site::Attn || site == Site::Z;
}

std::optional<Site> parseSiteKind(const QString &name)
{
    for (int i = 0; i < int(std::size(kSiteNames)); ++i)
        if (name == QLatin1String(kSiteNames[i]))
            return Site(i);
    return std::nullopt;
}

SiteRef parseSite(const QString &text)
{
    const int dot = int(text.lastIndexOf(QLatin1Char('.')));
    const std::optional<Site> kind = parseSiteKind(dot < 0 ? text : text.left(dot));
    bool ok = dot < 0;
    const int layer = dot < 0 ? -1 : text.mid(dot + 1).toInt(&ok);
    if (!kind || !ok || siteHasLayer(*kind) != (dot >= 0) || (dot >= 0 && layer < 0))
        throw Error(QStringLiteral("'%1' is not a site (embed, final_norm, or resid_pre|attn|z|attn_out|resid_mid|mlp_post|mlp_out|resid_post followed by "
                                   ".LAYER).")
                        .arg(text));
    return {*kind, layer};
}

QString interventionKindName(Intervention::Kind kind)
{
    return QString::fromLatin1(kKindNames[int(kind)]);
}

std::optional<Intervention::Kind> parseInterventionKind(const QString &name)
{
    for (int i = 0; i < int(std::size(kKindNames)); ++i)
        if (name == QLatin1String(kKindNames[i]))
            return Intervention::Kind(i);
    return std::nullopt;
}

QString Intervention::describe() const
{
    QString s = interventionKindName(kind) + QLatin1Char(' ') + siteName(site.site, site.layer);
    if (!heads.empty())
        s += QStringLiteral(" head ") + listText(heads);
    if (!neurons.empty())
        s += QStringLiteral(" neuron ") + listText(neurons);
    if (!positions.empty())
        s += QStringLiteral(" at ") + listText(positions);
    if (kind == Kind::Scale || kind == Kind::Add)
        s += QStringLiteral(" x%1").arg(scale);
    if (!label.isEmpty())
        s += QStringLiteral(" (") + label + QLatin1Char(')');
    return s;
}

QJsonObject Intervention::toJson() const
{
    return QJsonObject{{QStringLiteral("kind"), interventionKindName(kind)},
                       {QStringLiteral("site"), siteName(site.site, site.layer)},
                       {QStringLiteral("positions"), toArray(positions)},
                       {QStringLiteral("heads"), toArray(heads)},
                       {QStringLiteral("neurons"), toArray(neurons)},
                       {QStringLiteral("scale"), scale},
                       {QStringLiteral("label"), label}};
}

Intervention Intervention::fromJson(const QJsonObject &o)
{
    Intervention i;
    i.kind = parseInterventionKind(o.value(QStringLiteral("kind")).toString()).value_or(Kind::Zero);
    i.site = parseSite(o.value(QStringLiteral("site")).toString());
    i.positions = fromArray(o.value(QStringLiteral("positions")));
    i.heads = fromArray(o.value(QStringLiteral("heads")));
    i.neurons = fromArray(o.value(QStringLiteral("neurons")));
    i.scale = o.value(QStringLiteral("scale")).toDouble(1.0);
    i.label = o.value(QStringLiteral("label")).toString();
    return i;
}

} // namespace strata
