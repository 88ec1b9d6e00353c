#!/usr/bin/python3
"""What a TransformerLens user runs for activation patching on CPU: one hooked eager forward pass
per cell. Times the full resid_pre layer x position sweep (denoising) on a GPT-2 folder, for
comparison with `strata-cli patch` on the same weights and prompts (docs/PERFORMANCE.md).

    strata-cli bench --save-model /tmp/gpt2-random --tokens 16
    /usr/bin/python3 benchmarks/patching_baseline.py /tmp/gpt2-random --threads 2
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference"))
from make_patching_reference import gpt2_forward, load_safetensors, sweep  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--clean", default="abcdefghijklmnop")
    ap.add_argument("--corrupt", default="abcdefghXjklmnop")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    w = load_safetensors(os.path.join(args.folder, "model.safetensors"))
    w = {k[len("transformer."):] if k.startswith("transformer.") else k: v for k, v in w.items()}
    if "lm_head.weight" in w and "wte.weight" not in w:
        w["wte.weight"] = w["lm_head.weight"]
    cfg = json.load(open(os.path.join(args.folder, "config.json")))
    vocab = json.load(open(os.path.join(args.folder, "vocab.json"), encoding="utf-8"))
    # The byte-level tokenizer of the random model: one token per character here.
    table = {}
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(range(ord("\xae"), ord("\xff") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    for b, c in zip(bs, cs):
        table[b] = vocab[chr(c)]
    enc = lambda s: [table[b] for b in s.encode()]
    clean, corrupt = enc(args.clean), enc(args.corrupt)
    answer, wrong = enc(" ")[0], enc("b")[0]
    fwd = lambda ids, hook, leaf=False: gpt2_forward(w, cfg, ids, hook, leaf)
    with torch.inference_mode():
        fwd(clean, lambda n, t: t)  # warm-up
        t0 = time.perf_counter()
        r = sweep(fwd, cfg["n_layer"], cfg["n_head"], clean, corrupt, answer, wrong, "resid_pre", "denoise")
        dt = time.perf_counter() - t0
    print(json.dumps({"tokens": len(clean), "cells": r["rows"] * r["cols"], "seconds": dt, "clean_logit_diff": r["clean_logit_diff"],
                      "corrupt_logit_diff": r["corrupt_logit_diff"], "raw00": r["raw"][0][0], "raw_last": r["raw"][-1][-1]}))


if __name__ == "__main__":
    main()
