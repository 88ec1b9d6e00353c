#pragma once

// The hook interface of the forward pass. For plugins and core/model only (torch types): every family's
// forward calls SiteHooks::visit at each named site (Sites.h); capture and interventions are users.
#pragma push_macro("slots")
#undef slots
#include <ATen/core/Tensor.h>
#pragma pop_macro("slots")

#include "Sites.h"

#include <vector>

namespace strata {

class SiteHooks
{
public:
    virtual ~SiteHooks() = default;
    // act has the batch first (see Sites.h); a hook may replace it with a tensor of the same shape,
    // which the forward pass then uses. For Site::Z, outProjection is the output projection as
    // [H * hd, D] (so that per-head outputs can be derived); otherwise it is undefined.
    virtual void visit(Site site, int layer, at::Tensor &act, const at::Tensor &outProjection) = 0;
};

// No hooks at all: the fast path.
class NoHooks final : public SiteHooks
{
public:
    void visit(Site, int, at::Tensor &, const at::Tensor &) override {}
};

// Several users in order (interventions first, then capture: a trace shows what the model computed).
class HookList final : public SiteHooks
{
public:
    explicit HookList(std::vector<SiteHooks *> users) : m_users(std::move(users)) {}
    void visit(Site site, int layer, at::Tensor &act, const at::Tensor &outProjection) override
    {
        for (SiteHooks *u : m_users)
            u->visit(site, layer, act, outProjection);
    }

private:
    std::vector<SiteHooks *> m_users;
};

// Applies interventions: row b of the batch gets variants[b] (a batch of one prompt under several
// interventions). Throws Error when a value does not fit its site or a selection is out of range.
class InterventionHooks final : public SiteHooks
{
public:
    explicit InterventionHooks(const std::vector<const std::vector<Intervention> *> &variants) : m_variants(variants) {}
    void visit(Site site, int layer, at::Tensor &act, const at::Tensor &outProjection) override;

private:
    std::vector<const std::vector<Intervention> *> m_variants;
};

} // namespace strata
