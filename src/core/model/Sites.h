#pragma once

#include "tensor/HostTensor.h"

#include <QJsonObject>
#include <QString>

#include <optional>
#include <vector>

namespace strata {

// The named sites every family's forward pass calls, in order, as TransformerLens's hook points.
// Shapes with the batch first (B rows of T tokens): embed, resid_pre.L, attn_out.L, resid_mid.L,
// mlp_out.L, resid_post.L, final_norm [B, T, D]; attn.L [B, H, T, T] (query, key); z.L [B, T, H, hd]
// (each head's output before the output projection); mlp_post.L [B, T, F] (the MLP's neurons after
// the nonlinearity; for gated MLPs the product that enters the down projection).
enum class Site { Embed, ResidPre, Attn, Z, AttnOut, ResidMid, MlpPost, MlpOut, ResidPost, FinalNorm };

QString siteName(Site site);            // "resid_pre"
QString siteName(Site site, int layer); // "resid_pre.3" ("embed", "final_norm" take no layer)
std::optional<Site> parseSiteKind(const QString &name);
bool siteHasLayer(Site site);
bool siteHasHeads(Site site); // attn, z

struct SiteRef
{
    Site site = Site::ResidPre;
    int layer = -1;
    bool operator==(const SiteRef &o) const { return site == o.site && layer == o.layer; }
    bool operator<(const SiteRef &o) const { return site != o.site ? site < o.site : layer < o.layer; }
};
// "resid_pre.3", "z.0", "embed": throws Error naming the text when it is not a site.
SiteRef parseSite(const QString &text);

// One change to one site of a forward pass. Selections are empty for "all": positions index the
// token (the query for attn), heads the head (attn, z), neurons the last dimension.
struct Intervention
{
    enum class Kind {
        Patch,    // replace with value (an activation of another run, same site)
        Zero,     // set to 0
        Mean,     // replace with value, a mean over a reference set of prompts
        Resample, // replace with value, the activation of another prompt
        Scale,    // multiply by scale
        Add       // add scale * value (steering: value broadcasts, e.g. a [D] direction)
    };
    Kind kind = Kind::Zero;
    SiteRef site;
    std::vector<int> positions;
    std::vector<int> heads;
    std::vector<int> neurons;
    HostTensor value; // one row's activation (no batch dimension) or something that broadcasts to it
    double scale = 1.0;
    QString label; // where value came from ("clean run", "mean of 20 prompts"), for the record

    QString describe() const;   // "patch resid_pre.3 at 4 (clean run)"
    QJsonObject toJson() const; // without value: a run records what was done, not the numbers
    static Intervention fromJson(const QJsonObject &o);
};

QString interventionKindName(Intervention::Kind kind);
std::optional<Intervention::Kind> parseInterventionKind(const QString &name);

} // namespace strata
