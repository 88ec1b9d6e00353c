#!/usr/bin/python3
"""Writes tests/data/{neox-tiny,qwen2-tiny,mistral-tiny}: small random models in Hugging Face layout and the
activations an independent eager PyTorch implementation computes for them.

The forward passes below follow Hugging Face's modelling code (GPTNeoXForCausalLM, Qwen2ForCausalLM,
MistralForCausalLM with its sliding-window mask)
line by line, written separately from Strata's C++. Run with Debian's python3-torch:
    /usr/bin/python3 tests/reference/make_reference_models.py [neox-tiny qwen2-tiny mistral-tiny]
CI does not need torch for Python: the generated files are committed.
"""
import json
import math
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
IDS = [5, 72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33, 5, 72, 101, 299, 0, 17]


def save_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        dt = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        b = t.numpy().tobytes()
        header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def byte_tokenizer(folder):
    # GPT-2's bytes_to_unicode, 256 single-byte tokens, no merges.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    vocab = {chr(c): b for b, c in zip(bs, cs)}
    json.dump(vocab, open(os.path.join(folder, "vocab.json"), "w"), ensure_ascii=False)
    open(os.path.join(folder, "merges.txt"), "w").write("#version: 0.2\n")


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rope_cos_sin(T, dim, base):
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
    t = torch.arange(T).float()
    freqs = torch.outer(t, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def causal_softmax(scores):
    T = scores.shape[-1]
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    return torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1)


def neox():
    g = torch.Generator().manual_seed(7)
    cfg = dict(architectures=["GPTNeoXForCausalLM"], model_type="gpt_neox", vocab_size=300, hidden_size=32,
               num_hidden_layers=2, num_attention_heads=4, intermediate_size=128, max_position_embeddings=64,
               rotary_pct=0.5, rotary_emb_base=10000, layer_norm_eps=1e-5, use_parallel_residual=True,
               hidden_act="gelu", tie_word_embeddings=False)
    D, H, F, V, L = 32, 4, 128, 300, 2
    hd = D // H
    r = lambda *s: torch.randn(*s, generator=g) * 0.3
    w = {"gpt_neox.embed_in.weight": r(V, D)}
    for l in range(L):
        p = f"gpt_neox.layers.{l}."
        w[p + "input_layernorm.weight"] = 1 + r(D) * 0.3
        w[p + "input_layernorm.bias"] = r(D) * 0.3
        w[p + "post_attention_layernorm.weight"] = 1 + r(D) * 0.3
        w[p + "post_attention_layernorm.bias"] = r(D) * 0.3
        w[p + "attention.query_key_value.weight"] = r(3 * D, D)
        w[p + "attention.query_key_value.bias"] = r(3 * D)
        w[p + "attention.dense.weight"] = r(D, D)
        w[p + "attention.dense.bias"] = r(D)
        w[p + "mlp.dense_h_to_4h.weight"] = r(F, D)
        w[p + "mlp.dense_h_to_4h.bias"] = r(F)
        w[p + "mlp.dense_4h_to_h.weight"] = r(D, F)
        w[p + "mlp.dense_4h_to_h.bias"] = r(D)
    w["gpt_neox.final_layer_norm.weight"] = 1 + r(D) * 0.3
    w["gpt_neox.final_layer_norm.bias"] = r(D) * 0.3
    w["embed_out.weight"] = r(V, D)

    ids = torch.tensor(IDS)
    T = len(IDS)
    exp = {"input_ids": ids}
    x = w["gpt_neox.embed_in.weight"][ids]
    rot = int(hd * cfg["rotary_pct"])
    cos, sin = rope_cos_sin(T, rot, cfg["rotary_emb_base"])
    ln = torch.nn.functional.layer_norm
    for l in range(L):
        p = f"gpt_neox.layers.{l}."
        h = ln(x, (D,), w[p + "input_layernorm.weight"], w[p + "input_layernorm.bias"], cfg["layer_norm_eps"])
        qkv = (h @ w[p + "attention.query_key_value.weight"].T + w[p + "attention.query_key_value.bias"]).view(T, H, 3 * hd)
        q, k, v = qkv[..., :hd].permute(1, 0, 2), qkv[..., hd:2 * hd].permute(1, 0, 2), qkv[..., 2 * hd:].permute(1, 0, 2)
        q_rot, q_pass = q[..., :rot], q[..., rot:]
        k_rot, k_pass = k[..., :rot], k[..., rot:]
        q = torch.cat((q_rot * cos + rotate_half(q_rot) * sin, q_pass), dim=-1)
        k = torch.cat((k_rot * cos + rotate_half(k_rot) * sin, k_pass), dim=-1)
        a = causal_softmax(q @ k.transpose(-1, -2) / math.sqrt(hd))
        z = (a @ v).permute(1, 0, 2).reshape(T, D)
        attn_out = z @ w[p + "attention.dense.weight"].T + w[p + "attention.dense.bias"]
        h2 = ln(x, (D,), w[p + "post_attention_layernorm.weight"], w[p + "post_attention_layernorm.bias"], cfg["layer_norm_eps"])
        m = torch.nn.functional.gelu(h2 @ w[p + "mlp.dense_h_to_4h.weight"].T + w[p + "mlp.dense_h_to_4h.bias"])
        mlp_out = m @ w[p + "mlp.dense_4h_to_h.weight"].T + w[p + "mlp.dense_4h_to_h.bias"]
        x = x + attn_out + mlp_out
        exp[f"attn.{l}"] = a
        exp[f"resid_post.{l}"] = x
    f = ln(x, (D,), w["gpt_neox.final_layer_norm.weight"], w["gpt_neox.final_layer_norm.bias"], cfg["layer_norm_eps"])
    exp["logits"] = f @ w["embed_out.weight"].T
    return cfg, w, exp


def qwen2():
    g = torch.Generator().manual_seed(11)
    D, H, KV, F, V, L = 32, 4, 2, 96, 300, 2
    hd = D // H
    cfg = dict(architectures=["Qwen2ForCausalLM"], model_type="qwen2", vocab_size=V, hidden_size=D, num_hidden_layers=L,
               num_attention_heads=H, num_key_value_heads=KV, intermediate_size=F, max_position_embeddings=64,
               rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=False, hidden_act="silu")
    r = lambda *s: torch.randn(*s, generator=g) * 0.3
    w = {"model.embed_tokens.weight": r(V, D)}
    for l in range(L):
        p = f"model.layers.{l}."
        w[p + "input_layernorm.weight"] = 1 + r(D) * 0.3
        w[p + "self_attn.q_proj.weight"] = r(H * hd, D)
        w[p + "self_attn.q_proj.bias"] = r(H * hd)
        w[p + "self_attn.k_proj.weight"] = r(KV * hd, D)
        w[p + "self_attn.k_proj.bias"] = r(KV * hd)
        w[p + "self_attn.v_proj.weight"] = r(KV * hd, D)
        w[p + "self_attn.v_proj.bias"] = r(KV * hd)
        w[p + "self_attn.o_proj.weight"] = r(D, H * hd)
        w[p + "post_attention_layernorm.weight"] = 1 + r(D) * 0.3
        w[p + "mlp.gate_proj.weight"] = r(F, D)
        w[p + "mlp.up_proj.weight"] = r(F, D)
        w[p + "mlp.down_proj.weight"] = r(D, F)
    w["model.norm.weight"] = 1 + r(D) * 0.3
    w["lm_head.weight"] = r(V, D)

    def rms(x, weight):
        var = x.pow(2).mean(-1, keepdim=True)
        return weight * (x * torch.rsqrt(var + cfg["rms_norm_eps"]))

    ids = torch.tensor(IDS)
    T = len(IDS)
    exp = {"input_ids": ids}
    x = w["model.embed_tokens.weight"][ids]
    cos, sin = rope_cos_sin(T, hd, cfg["rope_theta"])
    for l in range(L):
        p = f"model.layers.{l}."
        h = rms(x, w[p + "input_layernorm.weight"])
        q = (h @ w[p + "self_attn.q_proj.weight"].T + w[p + "self_attn.q_proj.bias"]).view(T, H, hd).transpose(0, 1)
        k = (h @ w[p + "self_attn.k_proj.weight"].T + w[p + "self_attn.k_proj.bias"]).view(T, KV, hd).transpose(0, 1)
        v = (h @ w[p + "self_attn.v_proj.weight"].T + w[p + "self_attn.v_proj.bias"]).view(T, KV, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k[:, None].expand(KV, H // KV, T, hd).reshape(H, T, hd)  # repeat_kv
        v = v[:, None].expand(KV, H // KV, T, hd).reshape(H, T, hd)
        a = causal_softmax(q @ k.transpose(-1, -2) / math.sqrt(hd))
        z = (a @ v).transpose(0, 1).reshape(T, D)
        x = x + z @ w[p + "self_attn.o_proj.weight"].T
        h2 = rms(x, w[p + "post_attention_layernorm.weight"])
        m = torch.nn.functional.silu(h2 @ w[p + "mlp.gate_proj.weight"].T) * (h2 @ w[p + "mlp.up_proj.weight"].T)
        x = x + m @ w[p + "mlp.down_proj.weight"].T
        exp[f"attn.{l}"] = a
        exp[f"resid_post.{l}"] = x
    exp["logits"] = rms(x, w["model.norm.weight"]) @ w["lm_head.weight"].T
    return cfg, w, exp


def mistral():
    """Mistral: Llama blocks with grouped-query attention (4 query heads on 1 KV head here) and a
    sliding window of 6 keys (HF masks key k for query q when q - k >= sliding_window), shorter than
    the 19-token input so that the window matters."""
    g = torch.Generator().manual_seed(13)
    D, H, KV, F, V, L, W = 32, 4, 1, 64, 300, 2, 6
    hd = D // H
    cfg = dict(architectures=["MistralForCausalLM"], model_type="mistral", vocab_size=V, hidden_size=D, num_hidden_layers=L,
               num_attention_heads=H, num_key_value_heads=KV, intermediate_size=F, max_position_embeddings=64,
               rms_norm_eps=1e-5, rope_theta=10000.0, sliding_window=W, tie_word_embeddings=False, hidden_act="silu")
    r = lambda *s: torch.randn(*s, generator=g) * 0.3
    w = {"model.embed_tokens.weight": r(V, D)}
    for l in range(L):
        p = f"model.layers.{l}."
        w[p + "input_layernorm.weight"] = 1 + r(D) * 0.3
        w[p + "self_attn.q_proj.weight"] = r(H * hd, D)
        w[p + "self_attn.k_proj.weight"] = r(KV * hd, D)
        w[p + "self_attn.v_proj.weight"] = r(KV * hd, D)
        w[p + "self_attn.o_proj.weight"] = r(D, H * hd)
        w[p + "post_attention_layernorm.weight"] = 1 + r(D) * 0.3
        w[p + "mlp.gate_proj.weight"] = r(F, D)
        w[p + "mlp.up_proj.weight"] = r(F, D)
        w[p + "mlp.down_proj.weight"] = r(D, F)
    w["model.norm.weight"] = 1 + r(D) * 0.3
    w["lm_head.weight"] = r(V, D)

    def rms(x, weight):
        var = x.pow(2).mean(-1, keepdim=True)
        return weight * (x * torch.rsqrt(var + cfg["rms_norm_eps"]))

    ids = torch.tensor(IDS)
    T = len(IDS)
    exp = {"input_ids": ids}
    x = w["model.embed_tokens.weight"][ids]
    cos, sin = rope_cos_sin(T, hd, cfg["rope_theta"])
    q_pos = torch.arange(T)[:, None]
    k_pos = torch.arange(T)[None, :]
    masked = (k_pos > q_pos) | (q_pos - k_pos >= W)
    for l in range(L):
        p = f"model.layers.{l}."
        h = rms(x, w[p + "input_layernorm.weight"])
        q = (h @ w[p + "self_attn.q_proj.weight"].T).view(T, H, hd).transpose(0, 1)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).view(T, KV, hd).transpose(0, 1)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).view(T, KV, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k[:, None].expand(KV, H // KV, T, hd).reshape(H, T, hd)
        v = v[:, None].expand(KV, H // KV, T, hd).reshape(H, T, hd)
        a = torch.softmax((q @ k.transpose(-1, -2) / math.sqrt(hd)).masked_fill(masked, float("-inf")), dim=-1)
        z = (a @ v).transpose(0, 1).reshape(T, D)
        x = x + z @ w[p + "self_attn.o_proj.weight"].T
        h2 = rms(x, w[p + "post_attention_layernorm.weight"])
        m = torch.nn.functional.silu(h2 @ w[p + "mlp.gate_proj.weight"].T) * (h2 @ w[p + "mlp.up_proj.weight"].T)
        x = x + m @ w[p + "mlp.down_proj.weight"].T
        exp[f"attn.{l}"] = a
        exp[f"resid_post.{l}"] = x
    exp["logits"] = rms(x, w["model.norm.weight"]) @ w["lm_head.weight"].T
    return cfg, w, exp


def main():
    torch.set_num_threads(1)
    import sys
    wanted = sys.argv[1:] or ["neox-tiny", "qwen2-tiny", "mistral-tiny"]
    for name, make in (("neox-tiny", neox), ("qwen2-tiny", qwen2), ("mistral-tiny", mistral)):
        if name not in wanted:
            continue
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        with torch.no_grad():
            cfg, w, exp = make()
        json.dump(cfg, open(os.path.join(folder, "config.json"), "w"), indent=1)
        save_safetensors(os.path.join(folder, "model.safetensors"), w)
        save_safetensors(os.path.join(folder, "expected.safetensors"), exp)
        byte_tokenizer(folder)
        print("wrote", folder)


if __name__ == "__main__":
    main()
