#pragma once

// The trainer's model: GPT-2 in plain libtorch autograd. Internal to src/core/train (includes torch).

#include "util/TorchInclude.h"

#include <QString>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace strata::train {

// Parameters in Hugging Face GPT-2 layout (Conv1D weights (in, out)), so export is a copy.
struct Block
{
    torch::Tensor ln1w, ln1b, attnW, attnB, projW, projB, ln2w, ln2b, fcW, fcB, fcProjW, fcProjB;
};

struct Model
{
    int layers, heads, d, ctx, vocab;
    torch::Tensor wte, wpe, lnfW, lnfB;
    std::vector<Block> blocks;

    std::vector<torch::Tensor> parameters() const
    {
        std::vector<torch::Tensor> p{wte, wpe, lnfW, lnfB};
        for (const Block &b : blocks)
            p.insert(p.end(), {b.ln1w, b.ln1b, b.attnW, b.attnB, b.projW, b.projB, b.ln2w, b.ln2b, b.fcW, b.fcB, b.fcProjW, b.fcProjB});
        return p;
    }
    std::vector<std::pair<QString, torch::Tensor>> named() const
    {
        std::vector<std::pair<QString, torch::Tensor>> n{{QStringLiteral("wte.weight"), wte}, {QStringLiteral("wpe.weight"), wpe}};
        for (int l = 0; l < layers; ++l) {
            const Block &b = blocks[size_t(l)];
            const QString p = QStringLiteral("h.%1.").arg(l);
            n.insert(n.end(), {{p + QStringLiteral("ln_1.weight"), b.ln1w},
                               {p + QStringLiteral("ln_1.bias"), b.ln1b},
                               {p + QStringLiteral("attn.c_attn.weight"), b.attnW},
                               {p + QStringLiteral("attn.c_attn.bias"), b.attnB},
                               {p + QStringLiteral("attn.c_proj.weight"), b.projW},
                               {p + QStringLiteral("attn.c_proj.bias"), b.projB},
                               {p + QStringLiteral("ln_2.weight"), b.ln2w},
                               {p + QStringLiteral("ln_2.bias"), b.ln2b},
                               {p + QStringLiteral("mlp.c_fc.weight"), b.fcW},
                               {p + QStringLiteral("mlp.c_fc.bias"), b.fcB},
                               {p + QStringLiteral("mlp.c_proj.weight"), b.fcProjW},
                               {p + QStringLiteral("mlp.c_proj.bias"), b.fcProjB}});
        }
        n.insert(n.end(), {{QStringLiteral("ln_f.weight"), lnfW}, {QStringLiteral("ln_f.bias"), lnfB}});
        return n;
    }

    void init(uint64_t seed, bool sinusoidal)
    {
        torch::manual_seed(seed);
        auto normal = [](std::vector<int64_t> shape, double std) { return (torch::randn(shape) * std).requires_grad_(); };
        auto ones = [](int64_t n) { return torch::ones({n}).requires_grad_(); };
        auto zeros = [](int64_t n) { return torch::zeros({n}).requires_grad_(); };
        wte = normal({vocab, d}, 0.02);
        wpe = normal({ctx, d}, 0.01);
        if (sinusoidal) {
            // Still a learned table (GPT-2's architecture), but starting from sinusoids makes "the token
            // at p-1" linearly readable from the start, so previous-token heads (and with them induction
            // heads) form far sooner. Scaled to the token embeddings' norm so neither drowns the other.
            torch::NoGradGuard ng;
            const torch::Tensor pos = torch::arange(ctx, torch::kDouble).unsqueeze(1);
            const torch::Tensor freq = torch::exp(torch::arange(0, d, 2, torch::kDouble) * (-std::log(10000.0) / d));
            torch::Tensor pe = torch::zeros({ctx, d}, torch::kDouble);
            pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)}, torch::sin(pos * freq));
            pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)}, torch::cos(pos * freq));
            wpe.copy_(pe.to(torch::kFloat) * (0.02 * std::sqrt(2.0)));
        }
        const double residStd = 0.02 / std::sqrt(2.0 * layers); // GPT-2's scaled init of residual projections
        blocks.clear();
        for (int l = 0; l < layers; ++l)
            blocks.push_back({ones(d), zeros(d), normal({d, 3 * d}, 0.02), zeros(3 * d), normal({d, d}, residStd), zeros(d), ones(d), zeros(d),
                              normal({d, 4 * d}, 0.02), zeros(4 * d), normal({4 * d, d}, residStd), zeros(d)});
        lnfW = ones(d);
        lnfB = zeros(d);
    }

    // ids [B, T] -> logits [B, T, V]; attention probabilities of every layer when attn != nullptr.
    torch::Tensor forward(const torch::Tensor &ids, std::vector<torch::Tensor> *attn = nullptr) const
    {
        const int64_t B = ids.size(0), T = ids.size(1), dh = d / heads;
        torch::Tensor x = wte.index_select(0, ids.reshape({-1})).view({B, T, d}) + wpe.narrow(0, 0, T);
        const torch::Tensor mask = torch::ones({T, T}, torch::kBool).triu(1);
        for (const Block &b : blocks) {
            const torch::Tensor h = torch::layer_norm(x, {d}, b.ln1w, b.ln1b, 1e-5);
            const torch::Tensor qkv = torch::matmul(h, b.attnW) + b.attnB;
            auto parts = qkv.split(d, 2);
            auto heads_ = [&](const torch::Tensor &t) { return t.view({B, T, heads, dh}).transpose(1, 2); };
            const torch::Tensor q = heads_(parts[0]), k = heads_(parts[1]), v = heads_(parts[2]);
            torch::Tensor s = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(double(dh));
            s = s.masked_fill(mask, -std::numeric_limits<float>::infinity());
            const torch::Tensor a = torch::softmax(s, -1);
            if (attn)
                attn->push_back(a.detach());
            const torch::Tensor z = torch::matmul(a, v).transpose(1, 2).reshape({B, T, d});
            x = x + torch::matmul(z, b.projW) + b.projB;
            const torch::Tensor h2 = torch::layer_norm(x, {d}, b.ln2w, b.ln2b, 1e-5);
            x = x + torch::matmul(torch::gelu(torch::matmul(h2, b.fcW) + b.fcB, "tanh"), b.fcProjW) + b.fcProjB;
        }
        return torch::matmul(torch::layer_norm(x, {d}, lnfW, lnfB, 1e-5), wte.t());
    }
};

} // namespace strata::train
