#!/usr/bin/python3
"""Writes tests/reference/demo-model-expected.json: what an independent eager PyTorch GPT-2 (the forward
of make_patching_reference.py) measures on the bundled demo model (resources/demo-model), with the
documented definitions of src/core/analysis/HeadMetrics.h:
- previous-token score of every head on the natural-text prompt of tst_demomodel (token ids as Strata's
  tokenizer gives them; the tokenizer has its own reference tests): mean over queries q >= 1 of A[q][q-1];
- the prompt's mean next-token loss;
- the induction test on 4 fixed sequences of 50 random tokens written twice (drawn here, not by Strata's
  generator): per head the mean over the second copy of A[q][q - n + 1], and the mean next-token loss
  inside each copy.
Regenerate after retraining the demo model:
    /usr/bin/python3 tests/reference/make_demo_model_reference.py
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_patching_reference import gpt2_forward, load_safetensors  # noqa: E402

PROMPT_IDS = [73, 116, 331, 258, 269, 346, 345, 281, 111, 311, 289, 322, 291, 316, 112, 346, 108, 44, 272, 259, 281, 108, 111, 464, 115, 436, 408,
              346, 107, 282, 257, 332, 116, 101, 273, 46, 487, 266, 311, 429, 265, 339, 107, 276, 263, 108, 328, 329, 284, 259, 32, 346, 320, 44, 301,
              361, 334, 289, 498, 345, 261, 331, 265, 97, 287, 282, 325, 354, 340, 258, 458, 116, 359, 412, 333, 269, 362, 337, 44, 301, 111, 374, 308,
              279, 101, 284, 370, 97, 429, 121, 446, 286, 115, 294, 449, 46]


def run(w, cfg, ids):
    cache = {}

    def hook(name, t):
        if name.startswith("attn."):
            cache[name] = t.clone()
        return t

    logits = gpt2_forward(w, cfg, ids, hook)
    return logits, [cache[f"attn.{l}"] for l in range(cfg["n_layer"])]


def losses(logits, ids):
    logp = torch.log_softmax(logits, dim=-1)
    return [-float(logp[p, ids[p + 1]]) for p in range(len(ids) - 1)]


def main():
    torch.set_num_threads(1)
    folder = os.path.join(HERE, "..", "..", "resources", "demo-model")
    w = load_safetensors(os.path.join(folder, "model.safetensors"))
    w = {k[len("transformer."):] if k.startswith("transformer.") else k: v for k, v in w.items()}
    cfg = json.load(open(os.path.join(folder, "config.json")))
    out = {}
    with torch.no_grad():
        logits, attn = run(w, cfg, PROMPT_IDS)
        T = len(PROMPT_IDS)
        out["prompt_ids"] = PROMPT_IDS
        out["previous_token"] = [[float(sum(a[h, q, q - 1] for q in range(1, T)) / (T - 1)) for h in range(a.shape[0])] for a in attn]
        ls = losses(logits, PROMPT_IDS)
        out["prompt_mean_loss"] = sum(ls) / len(ls)

        g = torch.Generator().manual_seed(99)
        n, V = 50, cfg["vocab_size"] - 1  # the last id is <|endoftext|>
        seqs, score, first, second = [], None, 0.0, 0.0
        for _ in range(4):
            span = torch.randint(0, V, (n,), generator=g).tolist()
            ids = span + span
            seqs.append(ids)
            logits, attn = run(w, cfg, ids)
            s = [[float(sum(a[h, n + i, i + 1] for i in range(n)) / n) for h in range(a.shape[0])] for a in attn]
            score = s if score is None else [[x + y for x, y in zip(r1, r2)] for r1, r2 in zip(score, s)]
            ls = losses(logits, ids)
            first += sum(ls[0:n - 1]) / (n - 1) / 4
            second += sum(ls[n:2 * n - 1]) / (n - 1) / 4
        out["induction_sequences"] = seqs
        out["induction_score"] = [[v / 4 for v in row] for row in score]
        out["loss_first_copy"] = first
        out["loss_second_copy"] = second
    path = os.path.join(HERE, "demo-model-expected.json")
    json.dump(out, open(path, "w"), indent=1)
    print("wrote", path, "best previous-token", max(max(r) for r in out["previous_token"]), "best induction", max(max(r) for r in out["induction_score"]),
          "copy losses", first, second)


if __name__ == "__main__":
    main()
