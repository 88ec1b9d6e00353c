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


def gpt2_forward(w, cfg, ids, hook):
    """hook(name, tensor) -> tensor: called at resid_pre.L, z.L [T, H, hd], attn_out.L, mlp_out.L."""
    D, H = cfg["n_embd"], cfg["n_head"]
    hd = D // H
    T = len(ids)
    ln = lambda x, p: torch.nn.functional.layer_norm(x, (D,), w[p + ".weight"], w[p + ".bias"], cfg["layer_norm_epsilon"])
    x = w["wte.weight"][torch.tensor(ids)] + w["wpe.weight"][:T]
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


def qwen2_forward(w, cfg, ids, hook):
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


def sweep(forward, layers, heads, clean, corrupt, answer, wrong, site, direction):
    base, source = (corrupt, clean) if direction == "denoise" else (clean, corrupt)
    cache = {}

    def record(name, t):
        cache[name] = t.clone()
        return t

    ld = lambda logits: float(logits[-1, answer] - logits[-1, wrong])
    forward(source, record)
    ld_clean = ld(forward(clean, lambda n, t: t))
    ld_corrupt = ld(forward(corrupt, lambda n, t: t))
    T = len(base)
    name = "z" if site == "head" else site
    cols = heads if site == "head" else T
    raw = []
    for l in range(layers):
        row = []
        for c in range(cols):
            def patch(n, t, l=l, c=c):
                if n != f"{name}.{l}":
                    return t
                t = t.clone()
                if site == "head":
                    t[:, c] = cache[n][:, c]
                else:
                    t[c] = cache[n][c]
                return t
            row.append(ld(forward(base, patch)))
        raw.append(row)
    norm = [[(v - ld_corrupt) / (ld_clean - ld_corrupt) for v in row] for row in raw]
    return {"site": site, "direction": direction, "clean_logit_diff": ld_clean, "corrupt_logit_diff": ld_corrupt,
            "rows": layers, "cols": cols, "values": norm, "raw": raw}


def main():
    torch.set_num_threads(1)
    out = {}
    with torch.no_grad():
        g = os.path.join(SHARED, "fixtures", "gpt2-tiny")
        w = load_safetensors(os.path.join(g, "model.safetensors"))
        w = {k[len("transformer."):] if k.startswith("transformer.") else k: v for k, v in w.items()}
        cfg = json.load(open(os.path.join(g, "config.json")))
        clean = [2215, 5335, 290, 1757, 1816, 284, 262, 3650, 11, 1757, 2921, 257, 4144, 284]
        corrupt = [2215, 5335, 290, 1757, 1816, 284, 262, 3650, 11, 5335, 2921, 257, 4144, 284]
        fwd = lambda ids, hook: gpt2_forward(w, cfg, ids, hook)
        out["gpt2-tiny"] = {"clean": clean, "corrupt": corrupt, "answer": 5335, "wrong": 1757, "sweeps": [
            sweep(fwd, cfg["n_layer"], cfg["n_head"], clean, corrupt, 5335, 1757, s, d)
            for s, d in (("resid_pre", "denoise"), ("attn_out", "denoise"), ("mlp_out", "noise"), ("head", "denoise"))]}

        q = os.path.join(HERE, "..", "data", "qwen2-tiny")
        w2 = load_safetensors(os.path.join(q, "model.safetensors"))
        cfg2 = json.load(open(os.path.join(q, "config.json")))
        clean = [5, 72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33, 5, 72, 101]
        corrupt = [5, 72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33, 5, 88, 101]
        fwd2 = lambda ids, hook: qwen2_forward(w2, cfg2, ids, hook)
        out["qwen2-tiny"] = {"clean": clean, "corrupt": corrupt, "answer": 108, "wrong": 111, "sweeps": [
            sweep(fwd2, cfg2["num_hidden_layers"], cfg2["num_attention_heads"], clean, corrupt, 108, 111, s, d)
            for s, d in (("resid_pre", "denoise"), ("attn_out", "noise"), ("mlp_out", "denoise"), ("head", "denoise"))]}
    path = os.path.join(HERE, "patching-expected.json")
    json.dump(out, open(path, "w"), indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
