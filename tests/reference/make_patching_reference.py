#!/usr/bin/python3
"""Writes tests/reference/patching-expected.json: activation-patching sweeps computed by an independent
eager PyTorch implementation with forward hooks, one hooked forward pass per cell (what a
TransformerLens user runs), for gpt2-tiny (../shared/fixtures) and qwen2-tiny (tests/data).

Conventions (the strata-cli patch contract): LD = logit[last][answer] - logit[last][wrong];
denoising runs the corrupted prompt with one cell taken from the clean run; normalised
(LD - LD_corrupt) / (LD_clean - LD_corrupt). Cells: (layer, position) for resid_pre (entering block
L), attn_out, mlp_out; (layer, head) for head (the head's output before the output projection, at
every position). Run with Debian's python3-torch:
    /usr/bin/python3 tests/reference/make_patching_reference.py
"""
import json
import math
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "shared")


def load_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        dt = {"F32": torch.float32, "F16": torch.float16, "I64": torch.int64}[info["dtype"]]
        t = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=dt).reshape(info["shape"])
        out[name] = t.float() if dt == torch.float16 else t
    return out


def causal_softmax(scores):
    T = scores.shape[-1]
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    return torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def gpt2_forward(w, cfg, ids, hook, leaf=False):
    """hook(name, tensor) -> tensor: called at resid_pre.L, z.L [T, H, hd], attn_out.L, mlp_out.L."""
    D, H = cfg["n_embd"], cfg["n_head"]
    hd = D // H
    T = len(ids)
    ln = lambda x, p: torch.nn.functional.layer_norm(x, (D,), w[p + ".weight"], w[p + ".bias"], cfg["layer_norm_epsilon"])
    x = w["wte.weight"][torch.tensor(ids)] + w["wpe.weight"][:T]
    if leaf:
        x = x.detach().requires_grad_(True)
    for l in range(cfg["n_layer"]):
        p = f"h.{l}."
        x = hook(f"resid_pre.{l}", x)
        qkv = ln(x, p + "ln_1") @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = [t.view(T, H, hd).transpose(0, 1) for t in qkv.split(D, dim=-1)]
        a = hook(f"attn.{l}", causal_softmax(q @ k.transpose(-1, -2) / math.sqrt(hd)))  # [H, T, T]
        z = hook(f"z.{l}", (a @ v).transpose(0, 1))  # [T, H, hd]
        attn_out = hook(f"attn_out.{l}", z.reshape(T, D) @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"])
        x = x + attn_out
        h = ln(x, p + "ln_2") @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]
        m = torch.nn.functional.gelu(h, approximate="tanh")
        mlp_out = hook(f"mlp_out.{l}", m @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"])
        x = x + mlp_out
    f = ln(x, "ln_f")
    return f @ w["wte.weight"].T


def qwen2_forward(w, cfg, ids, hook, leaf=False):
    D, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = D // H
    T = len(ids)

    def rms(x, weight):
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + cfg["rms_norm_eps"]))

    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2).float() / hd))
    freqs = torch.outer(torch.arange(T).float(), inv)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    if leaf:
        x = x.detach().requires_grad_(True)
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        x = hook(f"resid_pre.{l}", x)
        h = rms(x, w[p + "input_layernorm.weight"])
        q = (h @ w[p + "self_attn.q_proj.weight"].T + w[p + "self_attn.q_proj.bias"]).view(T, H, hd).transpose(0, 1)
        k = (h @ w[p + "self_attn.k_proj.weight"].T + w[p + "self_attn.k_proj.bias"]).view(T, KV, hd).transpose(0, 1)
        v = (h @ w[p + "self_attn.v_proj.weight"].T + w[p + "self_attn.v_proj.bias"]).view(T, KV, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k[:, None].expand(KV, H // KV, T, hd).reshape(H, T, hd)
        v = v[:, None].expand(KV, H // KV, T, hd).reshape(H, T, hd)
        a = causal_softmax(q @ k.transpose(-1, -2) / math.sqrt(hd))
        z = hook(f"z.{l}", (a @ v).transpose(0, 1))
        attn_out = hook(f"attn_out.{l}", z.reshape(T, D) @ w[p + "self_attn.o_proj.weight"].T)
        x = x + attn_out
        h2 = rms(x, w[p + "post_attention_layernorm.weight"])
        m = torch.nn.functional.silu(h2 @ w[p + "mlp.gate_proj.weight"].T) * (h2 @ w[p + "mlp.up_proj.weight"].T)
        mlp_out = hook(f"mlp_out.{l}", m @ w[p + "mlp.down_proj.weight"].T)
        x = x + mlp_out
    return rms(x, w["model.norm.weight"]) @ w["lm_head.weight"].T


def metric_fn(metric, answer, wrong, clean_logits):
    logp_clean = torch.log_softmax(clean_logits[-1].double(), -1)
    if metric == "logit_diff":
        return lambda logits: float(logits[-1, answer] - logits[-1, wrong])
    if metric == "prob":
        return lambda logits: float(torch.softmax(logits[-1].double(), -1)[answer])
    return lambda logits: float((logp_clean.exp() * (logp_clean - torch.log_softmax(logits[-1].double(), -1))).sum())


def sweep(forward, layers, heads, clean, corrupt, answer, wrong, site, direction, metric="logit_diff", layer=None, attribution=False):
    base, source = (corrupt, clean) if direction == "denoise" else (clean, corrupt)
    cache = {}

    def record(name, t):
        cache[name] = t.clone()
        return t

    ld = lambda logits: float(logits[-1, answer] - logits[-1, wrong])
    forward(source, record)
    clean_logits = forward(clean, lambda n, t: t)
    corrupt_logits = forward(corrupt, lambda n, t: t)
    m = metric_fn(metric, answer, wrong, clean_logits)
    ld_clean, ld_corrupt = ld(clean_logits), ld(corrupt_logits)
    m_clean, m_corrupt = m(clean_logits), m(corrupt_logits)
    T = len(base)
    name = "z" if site in ("head", "head_position") else site
    if site == "head_position":
        rows, cols, layer_of = heads, T, (lambda r: layer)
    else:
        rows, cols, layer_of = layers, heads if site == "head" else T, (lambda r: r)
    raw, raw_ld = [], []
    for r in range(rows):
        row, row_ld = [], []
        for c in range(cols):
            def patch(n, t, r=r, c=c):
                if n != f"{name}.{layer_of(r)}":
                    return t
                t = t.clone()
                if site == "head":
                    t[:, c] = cache[n][:, c]
                elif site == "head_position":
                    t[c, r] = cache[n][c, r]
                else:
                    t[c] = cache[n][c]
                return t
            logits = forward(base, patch)
            row.append(m(logits))
            row_ld.append(ld(logits))
        raw.append(row)
        raw_ld.append(row_ld)
    norm = [[(v - m_corrupt) / (m_clean - m_corrupt) for v in row] for row in raw]
    out = {"site": site, "direction": direction, "metric": metric, "clean_logit_diff": ld_clean, "corrupt_logit_diff": ld_corrupt,
           "clean_value": m_clean, "corrupt_value": m_corrupt, "rows": rows, "cols": cols, "values": norm, "raw": raw}
    if layer is not None:
        out["layer"] = layer
    if attribution:
        # First-order estimate of each cell's LD change from one backward pass on the patched run's prompt.
        kept = {}

        def keep(n, t):
            if n.startswith(name + "."):
                t.retain_grad()
                kept[n] = t
            return t

        with torch.enable_grad():
            logits = forward(base, keep, leaf=True)
            (logits[-1, answer] - logits[-1, wrong]).backward()
        span = ld_clean - ld_corrupt
        est = []
        for r in range(rows):
            n = f"{name}.{layer_of(r)}"
            diff = (cache[n] - kept[n].detach()) * kept[n].grad
            row = []
            for c in range(cols):
                if site == "head":
                    e = float(diff[:, c].sum())
                elif site == "head_position":
                    e = float(diff[c, r].sum())
                else:
                    e = float(diff[c].sum())
                row.append(e / span if direction == "denoise" else 1.0 + e / span)
            est.append(row)
        out["attribution"] = est
        truth = [[(v - ld_corrupt) / span if direction == "denoise" else 1.0 + (v - ld_clean) / span for v in row] for row in raw_ld]
        out["attribution_truth"] = truth
    return out


def main():
    torch.set_num_threads(1)
    out = {}
    with torch.no_grad():  # the attribution sweeps switch gradients on where they need them
        g = os.path.join(SHARED, "fixtures", "gpt2-tiny")
        w = load_safetensors(os.path.join(g, "model.safetensors"))
        w = {k[len("transformer."):] if k.startswith("transformer.") else k: v for k, v in w.items()}
        cfg = json.load(open(os.path.join(g, "config.json")))
        clean = [2215, 5335, 290, 1757, 1816, 284, 262, 3650, 11, 1757, 2921, 257, 4144, 284]
        corrupt = [2215, 5335, 290, 1757, 1816, 284, 262, 3650, 11, 5335, 2921, 257, 4144, 284]
        fwd = lambda ids, hook, leaf=False: gpt2_forward(w, cfg, ids, hook, leaf)
        L, H = cfg["n_layer"], cfg["n_head"]
        out["gpt2-tiny"] = {"clean": clean, "corrupt": corrupt, "answer": 5335, "wrong": 1757, "sweeps": [
            sweep(fwd, L, H, clean, corrupt, 5335, 1757, s, d) for s, d in (("resid_pre", "denoise"), ("attn_out", "denoise"), ("mlp_out", "noise"),
                                                                           ("head", "denoise"))] + [
            sweep(fwd, L, H, clean, corrupt, 5335, 1757, "head_position", "denoise", layer=1),
            sweep(fwd, L, H, clean, corrupt, 5335, 1757, "resid_pre", "denoise", metric="prob"),
            sweep(fwd, L, H, clean, corrupt, 5335, 1757, "attn_out", "noise", metric="kl"),
            sweep(fwd, L, H, clean, corrupt, 5335, 1757, "resid_pre", "denoise", attribution=True),
            sweep(fwd, L, H, clean, corrupt, 5335, 1757, "head", "noise", attribution=True)]}

        q = os.path.join(HERE, "..", "data", "qwen2-tiny")
        w2 = load_safetensors(os.path.join(q, "model.safetensors"))
        cfg2 = json.load(open(os.path.join(q, "config.json")))
        clean = [5, 72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33, 5, 72, 101]
        corrupt = [5, 72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33, 5, 88, 101]
        fwd2 = lambda ids, hook, leaf=False: qwen2_forward(w2, cfg2, ids, hook, leaf)
        L2, H2 = cfg2["num_hidden_layers"], cfg2["num_attention_heads"]
        out["qwen2-tiny"] = {"clean": clean, "corrupt": corrupt, "answer": 108, "wrong": 111, "sweeps": [
            sweep(fwd2, L2, H2, clean, corrupt, 108, 111, s, d) for s, d in (("resid_pre", "denoise"), ("attn_out", "noise"), ("mlp_out", "denoise"),
                                                                            ("head", "denoise"))] + [
            sweep(fwd2, L2, H2, clean, corrupt, 108, 111, "head_position", "noise", layer=0),
            sweep(fwd2, L2, H2, clean, corrupt, 108, 111, "mlp_out", "denoise", metric="prob"),
            sweep(fwd2, L2, H2, clean, corrupt, 108, 111, "resid_pre", "noise", metric="kl"),
            sweep(fwd2, L2, H2, clean, corrupt, 108, 111, "head", "denoise", attribution=True)]}
    path = os.path.join(HERE, "patching-expected.json")
    json.dump(out, open(path, "w"), indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
