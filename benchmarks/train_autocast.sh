#!/bin/sh
# bf16 autocast against float32 for strata-cli train, side by side in one run (the machine is shared and
# noisy: compare the ratio, not the absolute times). Same model, data, seed and steps; the order
# alternates (f32, bf16, f32, bf16) so drift in the machine's load falls on both.
#   sh benchmarks/train_autocast.sh [build/bin/strata-cli] [steps]
set -eu
CLI=${1:-build/bin/strata-cli}
STEPS=${2:-300}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
run() { # $1 name, $2 autocast
    "$CLI" train --task induction --vocab 256 --layers 4 --heads 4 --d-model 128 --context 128 --batch 32 \
        --steps "$STEPS" --warmup 30 --lr 1e-3 --max-prefix 0 --eval-every "$STEPS" --threads 2 \
        --autocast "$2" --out "$OUT/$1" 2>/dev/null >/dev/null
    tail -n 1 "$OUT/$1/training-log.csv" | awk -F, -v n="$1" -v s="$STEPS" \
        '{ printf "%-7s %7.1f ms/step  train loss %.3f  val loss %.3f  best induction %.3f  copy-loss drop %.2f\n", n, 1000 * $7 / s, $2, $3, $5, $6 }'
}
run f32-a off
run bf16-a bf16
run f32-b off
run bf16-b bf16
