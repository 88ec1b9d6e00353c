#include "Trace.h"

#include <algorithm>

namespace strata {

int64_t ModelInfo::traceBytes(int tokens, int bytesPerValue) const
{
    const int64_t t = tokens;
    const int64_t perLayer = int64_t(nHeads) * t * t + 6 * t * dModel;
    return (int64_t(nLayers) * perLayer + 2 * t * dModel + t * vocabSize) * bytesPerValue;
}

bool TraceOptions::keepsLayer(int layer) const
{
    return layers.empty() || std::find(layers.begin(), layers.end(), layer) != layers.end();
}

std::vector<int64_t> Trace::tokenIds() const
{
    std::vector<int64_t> ids;
    ids.reserve(tokens.size());
    for (const auto &t : tokens)
        ids.push_back(t.id);
    return ids;
}

const LayerTrace *Trace::layer(int l) const
{
    for (const auto &lt : layers)
        if (lt.layer == l)
            return &lt;
    return nullptr;
}

int64_t Trace::byteSize() const
{
    int64_t n = int64_t(embed.byteSize() + finalNorm.byteSize() + logits.byteSize());
    for (const auto &l : layers)
        n += int64_t(l.attn.byteSize() + l.residPre.byteSize() + l.residMid.byteSize() + l.residPost.byteSize() + l.attnOut.byteSize() + l.mlpOut.byteSize() +
                     l.headOut.byteSize());
    return n;
}

} // namespace strata
