#!/usr/bin/env python3
"""An independent eager-PyTorch trainer for Strata's induction task (issue: demo model with induction heads).

Trains the same GPT-2 architecture as src/core/train (pre-norm blocks, learned positions initialised with
scaled sinusoids, tied unembedding, GPT-2 init, AdamW 0.9/0.95 with weight decay 0.1 on matrices, warm-up +
cosine schedule, clipping at 1.0) on exactly the batches Strata's trainer drew, read from the file that
`STRATA_TRAIN_DUMP=FILE strata-cli train ...` writes (int64 [batch, context + 1] per step). It prints, every
--eval-every steps, the best induction score (attention from the second copy of n random tokens to the token
after the first occurrence) with its layer and head, and the loss on each copy. If this trainer forms an
induction head on the same data and Strata's does not, the difference is a bug in Strata's.

    STRATA_TRAIN_DUMP=/tmp/batches.bin strata-cli train --task induction --out /tmp/ind --layers 2 \\
        --d-model 64 --context 64 --batch 32 --steps 800 --warmup 1 --lr 1e-3 --max-period 20 --probe-length 16
    python3 tests/reference/train_induction_reference.py /tmp/batches.bin --steps 800 --warmup 1 --lr 1e-3
"""
import argparse, math
import numpy as np
import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument('batches')
ap.add_argument('--layers', type=int, default=2)
ap.add_argument('--heads', type=int, default=4)
ap.add_argument('--d-model', type=int, default=64)
ap.add_argument('--context', type=int, default=64)
ap.add_argument('--batch', type=int, default=32)
ap.add_argument('--vocab', type=int, default=257)
ap.add_argument('--probe-lo', type=int, default=33)
ap.add_argument('--probe-tokens', type=int, default=64)
ap.add_argument('--steps', type=int, default=800)
ap.add_argument('--warmup', type=int, default=1)
ap.add_argument('--lr', type=float, default=1e-3)
ap.add_argument('--probe-length', type=int, default=16)
ap.add_argument('--eval-every', type=int, default=100)
ap.add_argument('--rope', action='store_true', help='rotary positions (no position table), as a Llama-style model')
ap.add_argument('--no-causal-mask', action='store_true', help='drop the causal mask (the check that the task needs it)')
a = ap.parse_args()
torch.manual_seed(0)
torch.set_num_threads(2)
L, H, d, T, V = a.layers, a.heads, a.d_model, a.context, a.vocab
data = torch.from_numpy(np.fromfile(a.batches, dtype=np.int64)).view(-1, a.batch, T + 1)
assert data.shape[0] >= a.steps, f'{data.shape[0]} batches in the file, {a.steps} steps asked'


def param(*shape, std):
    return (torch.randn(*shape) * std).requires_grad_()


wte = param(V, d, std=0.02)
pos = torch.arange(T, dtype=torch.float64).unsqueeze(1)
freq = torch.exp(torch.arange(0, d, 2, dtype=torch.float64) * (-math.log(10000.0) / d))
pe = torch.zeros(T, d, dtype=torch.float64)
pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * freq), torch.cos(pos * freq)
wpe = (pe.float() * 0.02 * math.sqrt(2)).requires_grad_()
rs = 0.02 / math.sqrt(2 * L)
ones = lambda n: torch.ones(n, requires_grad=True)
zeros = lambda n: torch.zeros(n, requires_grad=True)
blocks = [dict(ln1w=ones(d), ln1b=zeros(d), attnW=param(d, 3 * d, std=0.02), attnB=zeros(3 * d), projW=param(d, d, std=rs), projB=zeros(d),
               ln2w=ones(d), ln2b=zeros(d), fcW=param(d, 4 * d, std=0.02), fcB=zeros(4 * d), fcProjW=param(4 * d, d, std=rs), fcProjB=zeros(d))
          for _ in range(L)]
lnfw, lnfb = ones(d), zeros(d)


def rotate(t):
    # Rotary position embedding, rotate-half convention (Hugging Face Llama), base 10000.
    Tq, dh = t.shape[-2], t.shape[-1]
    inv = 1.0 / (10000 ** (torch.arange(0, dh, 2, dtype=torch.float32) / dh))
    ang = torch.arange(Tq, dtype=torch.float32).unsqueeze(1) * inv
    cos, sin = torch.cat([ang.cos(), ang.cos()], -1), torch.cat([ang.sin(), ang.sin()], -1)
    half = torch.cat([-t[..., dh // 2:], t[..., :dh // 2]], -1)
    return t * cos + half * sin


def forward(ids, attn=None):
    B, Tq = ids.shape
    dh = d // H
    x = wte[ids] + (0 if a.rope else wpe[:Tq])
    mask = torch.ones(Tq, Tq, dtype=torch.bool).triu(1)
    for b in blocks:
        h = F.layer_norm(x, (d,), b['ln1w'], b['ln1b'], 1e-5)
        q, k, v = (h @ b['attnW'] + b['attnB']).split(d, 2)
        q, k, v = (t.view(B, Tq, H, dh).transpose(1, 2) for t in (q, k, v))
        if a.rope:
            q, k = rotate(q), rotate(k)
        s = q @ k.transpose(-1, -2) / math.sqrt(dh)
        if not a.no_causal_mask:
            s = s.masked_fill(mask, float('-inf'))
        p = s.softmax(-1)
        if attn is not None:
            attn.append(p.detach())
        x = x + (p @ v).transpose(1, 2).reshape(B, Tq, d) @ b['projW'] + b['projB']
        h2 = F.layer_norm(x, (d,), b['ln2w'], b['ln2b'], 1e-5)
        x = x + F.gelu(h2 @ b['fcW'] + b['fcB'], approximate='tanh') @ b['fcProjW'] + b['fcProjB']
    return F.layer_norm(x, (d,), lnfw, lnfb, 1e-5) @ wte.t()


params = [wte, wpe, lnfw, lnfb] + [t for b in blocks for t in b.values()]
decay = [p for p in params if p.dim() >= 2 and p is not wpe]
no_decay = [p for p in params if not (p.dim() >= 2 and p is not wpe)]
opt = torch.optim.AdamW([dict(params=decay, weight_decay=0.1), dict(params=no_decay, weight_decay=0.0)], lr=a.lr, betas=(0.9, 0.95))


def lr_at(step):
    if step < a.warmup:
        return a.lr * (step + 1) / a.warmup
    progress = min(1.0, (step - a.warmup) / max(1, a.steps - a.warmup))
    return a.lr / 10 + 0.5 * (a.lr - a.lr / 10) * (1 + math.cos(math.pi * progress))


probe_gen = torch.Generator().manual_seed(77)
n = a.probe_length
for step in range(a.steps):
    for g in opt.param_groups:
        g['lr'] = lr_at(step)
    x = data[step]
    loss = F.cross_entropy(forward(x[:, :-1]).reshape(-1, V), x[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    if (step + 1) % a.eval_every == 0 or step + 1 == a.steps:
        with torch.no_grad():
            half = torch.randint(a.probe_lo, a.probe_lo + a.probe_tokens, (16, n), generator=probe_gen)
            seq = torch.cat([half, half], 1)
            attn = []
            lp = forward(seq, attn).log_softmax(-1)
            nll = -lp[:, :-1].gather(2, seq[:, 1:].unsqueeze(-1)).squeeze(-1)
            first, second = nll[:, :n - 1].mean().item(), nll[:, n:].mean().item()
            qs = torch.arange(n, 2 * n)
            scores = torch.stack([p[:, :, qs, qs - n + 1].mean((0, 2)) for p in attn])  # [L, H]
            best = int(scores.argmax())
            print(f'step {step + 1}: loss {loss.item():.3f}, best induction {scores.max().item():.3f} (L{best // H}H{best % H}), '
                  f'loss first copy {first:.2f}, second copy {second:.2f}', flush=True)
