#!/usr/bin/python3
"""Eager PyTorch GPT-2 baseline for `strata-cli bench`, on the same weights.

Captures activations the way TransformerLens' `run_with_cache` does: a hook after every named
point (attention pattern, resid_pre/mid/post, attn_out, mlp_out) stores a detached copy. Uses
Debian's python3-torch (run with /usr/bin/python3) and the same thread count as Strata.

    strata-cli bench --save-model /tmp/gpt2-random        # writes the model it measures
    /usr/bin/python3 benchmarks/pytorch_baseline.py /tmp/gpt2-random --threads 2
"""
import argparse
import json
import math
import os
import resource
import struct
import time

import torch


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32"
        b, e = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32).reshape(info["shape"])
    return out


class Gpt2:
    def __init__(self, folder, dtype=torch.float32):
        cfg = json.load(open(os.path.join(folder, "config.json")))
        self.L, self.H, self.D = cfg["n_layer"], cfg["n_head"], cfg["n_embd"]
        self.eps = cfg.get("layer_norm_epsilon", 1e-5)
        # --dtype bfloat16: the whole model in bfloat16, as model.to(torch.bfloat16) would make it.
        self.w = {k: v.to(dtype) for k, v in load_safetensors(os.path.join(folder, "model.safetensors")).items()}

    def run_with_cache(self, ids):
        w, H, D = self.w, self.H, self.D
        T = ids.shape[0]
        cache = {}

        def hook(name, x):
            cache[name] = x.detach().clone()
            return x

        x = hook("embed", w["wte.weight"][ids] + w["wpe.weight"][:T])
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        for l in range(self.L):
            p = f"h.{l}."
            x = hook(f"resid_pre.{l}", x)
            h = torch.nn.functional.layer_norm(x, (D,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], self.eps)
            qkv = torch.addmm(w[p + "attn.c_attn.bias"], h, w[p + "attn.c_attn.weight"])
            q, k, v = (t.view(T, H, D // H).transpose(0, 1) for t in qkv.split(D, 1))
            s = (q @ k.transpose(1, 2)) / math.sqrt(D // H)
            s = s.masked_fill(mask, float("-inf"))
            a = hook(f"attn.{l}", torch.softmax(s, -1))
            z = (a @ v).transpose(0, 1).reshape(T, D)
            ao = hook(f"attn_out.{l}", torch.addmm(w[p + "attn.c_proj.bias"], z, w[p + "attn.c_proj.weight"]))
            x = hook(f"resid_mid.{l}", x + ao)
            h2 = torch.nn.functional.layer_norm(x, (D,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], self.eps)
            m = torch.nn.functional.gelu(torch.addmm(w[p + "mlp.c_fc.bias"], h2, w[p + "mlp.c_fc.weight"]), approximate="tanh")
            mo = hook(f"mlp_out.{l}", torch.addmm(w[p + "mlp.c_proj.bias"], m, w[p + "mlp.c_proj.weight"]))
            x = hook(f"resid_post.{l}", x + mo)
        f = hook("final_norm", torch.nn.functional.layer_norm(x, (D,), w["ln_f.weight"], w["ln_f.bias"], self.eps))
        logits = f @ w["wte.weight"].t()
        return logits, cache


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tokens", default="32,128,512,1024")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = Gpt2(args.folder, getattr(torch, args.dtype))
    rows = []
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, {args.dtype}, eager GPT-2 with run_with_cache-style hooks")
    with torch.inference_mode():
        for T in [int(t) for t in args.tokens.split(",")]:
            ids = torch.tensor([(i * 7919) % 50000 for i in range(T)])
            best = float("inf")
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                logits, cache = model.run_with_cache(ids)
                best = min(best, time.perf_counter() - t0)
                del logits, cache
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            rows.append({"tokens": T, "ms": best * 1e3, "peak_rss_bytes_so_far": rss})
            print(f"{T:6d} {best * 1e3:10.1f} ms   peak RSS so far {rss / 2**20:8.1f} MB")
    print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main()
