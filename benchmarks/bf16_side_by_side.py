#!/usr/bin/python3
"""Issue 18's speed check in one command: Strata at f32 and bf16 against eager PyTorch at float32
and bfloat16 on the same random GPT-2-small weights, rounds alternating in one run, and the verdict
on the two targets (bf16 forward + full trace >= 3x PyTorch eager float32 with run_with_cache-style
hooks, and faster than PyTorch eager bfloat16).

    /usr/bin/python3 benchmarks/bf16_side_by_side.py --cli build/bin/strata-cli --model /tmp/gpt2small

The model folder is written by `strata-cli bench --save-model DIR` when it does not exist. Needs
Debian's python3-torch for the baseline (`apt-get install python3-torch`). Every cell is the range of
the rounds' best-of-repeats times; a target counts as met at a length only when it holds in every
round (worst Strata round against best PyTorch round). Timing only: nothing here is a test.
"""
import argparse
import json
import os
import subprocess
import sys


def last_json(text):
    """The JSON object that ends a command's output (one line, or pretty-printed from a line '{')."""
    lines = text.strip().splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("{"):
            try:
                return json.loads("\n".join(lines[i:]))
            except json.JSONDecodeError:
                continue
    raise RuntimeError("no JSON at the end of the output:\n" + text[-2000:])


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return p.stdout


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default=os.path.join(here, "..", "build", "bin", "strata-cli"))
    ap.add_argument("--model", default="/tmp/gpt2small", help="random GPT-2-small folder (written if missing)")
    ap.add_argument("--tokens", default="128,512,1024")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--capture", choices=["f16", "f32"], default="f16", help="Strata's trace storage to compare")
    ap.add_argument("--pytorch-dtypes", default="float32,bfloat16",
                    help="baselines to run (PyTorch's bfloat16 is very slow on CPUs without native bf16)")
    ap.add_argument("--json", help="also write every measurement and the verdict to this file")
    a = ap.parse_args()
    lengths = [int(t) for t in a.tokens.split(",") if t]
    dtypes = [d for d in a.pytorch_dtypes.split(",") if d]
    if not os.path.isdir(a.model):
        run([a.cli, "bench", "--save-model", a.model, "--tokens", "32", "--repeats", "1", "--threads", str(a.threads)])
    baseline = os.path.join(here, "pytorch_baseline.py")
    capture = "full " + a.capture
    times = {}  # (who, length) -> [best ms of each round]
    peaks = []
    for r in range(a.rounds):
        bench = last_json(run([a.cli, "bench", "--model", a.model, "--tokens", a.tokens, "--repeats", str(a.repeats),
                               "--threads", str(a.threads), "--compute", "f32,bf16", "--capture", a.capture, "--json"]))
        peaks.append((bench["gemm_peak_gflops"], bench.get("gemm_peak_bf16_gflops")))
        for row in bench["rows"]:
            if row["capture"] == capture:
                times.setdefault(("Strata " + row["compute"], row["tokens"]), []).append(row["ms"])
        for d in dtypes:
            pt = last_json(run(["/usr/bin/python3", baseline, a.model, "--tokens", a.tokens, "--threads", str(a.threads),
                                "--repeats", str(a.repeats), "--dtype", d]))
            for row in pt["rows"]:
                times.setdefault(("PyTorch " + d, row["tokens"]), []).append(row["ms"])
        print(f"round {r + 1} of {a.rounds} done", file=sys.stderr)

    whos = ["Strata f32", "Strata bf16"] + ["PyTorch " + d for d in dtypes]
    print(f"GEMM peaks per round (float32, bf16 as Strata runs it), GFLOP/s: "
          + "; ".join(f"{p:.0f}, {b:.0f}" if b else f"{p:.0f}" for p, b in peaks))
    print(f"{'T':>6} " + " ".join(f"{w:>22}" for w in whos) + "   bf16 vs PyTorch f32 (3x?)   vs PyTorch bf16 (>1x?)")
    verdict = {}
    for T in lengths:
        cells = []
        for w in whos:
            v = times.get((w, T), [])
            cells.append(f"{min(v):,.0f}-{max(v):,.0f} ms" if v else "-")
        line = f"{T:>6} " + " ".join(f"{c:>22}" for c in cells)
        ours = times.get(("Strata bf16", T), [])
        for d, target in (("float32", 3.0), ("bfloat16", 1.0)):
            theirs = times.get(("PyTorch " + d, T), [])
            if not ours or not theirs:
                line += f"   {'-':>24}"
                continue
            lo, hi = min(theirs) / max(ours), max(theirs) / min(ours)
            met = lo >= target if target > 1 else lo > target
            verdict[f"{d}@{T}"] = {"ratio_min": lo, "ratio_max": hi, "target": target, "met_every_round": met}
            line += f"   {lo:.2f}-{hi:.2f}x {'met' if met else 'not met':>8}"
        print(line)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"times_ms": {f"{w}@{T}": v for (w, T), v in times.items()}, "gemm_peaks": peaks, "verdict": verdict}, f, indent=1)


if __name__ == "__main__":
    main()
