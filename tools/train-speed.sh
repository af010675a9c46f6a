#!/usr/bin/env bash
# Training characters/s, charlstm beside the tutorial's PyTorch loop (../shared/reference/seed_reference.py), at one
# thread each and at two, in alternating rounds (ref, ours, ours, ref, ...) so that drift on a shared machine hits
# both alike. Same model and batch: E128 H256 L2, batch 32 x 128, the tutorial's recipe. Run it alone.
#
#   eval "$(../shared/reference/setup-reference.sh)"
#   tools/train-speed.sh DATA [ROUNDS]
#
# The reference runs --seconds 40 (its own timer: training steps only); charlstm runs 120 iterations at one thread
# and 160 at two (its chars/s excludes evaluations too). Prints one line per run, then the medians and ratios.
set -euo pipefail
data="$1"; rounds="${2:-2}"
here="$(cd "$(dirname "$0")/.." && pwd)"
: "${REFPY:?run eval \"\$(../shared/reference/setup-reference.sh)\" first}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
ref() {  # threads
  "$REFPY" "$here/../shared/reference/seed_reference.py" train --data "$data" --threads "$1" --hidden 256 --layers 2 \
      --batch 32 --seq 128 --seconds 40 --seed 0 2>/dev/null | tail -1 \
    | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["train_chars_per_s"]))'
}
ours() {  # threads iterations
  rm -rf "$tmp/run"
  "$here/charlstm" train --preset cpu --data "$data" --out "$tmp/run" --threads "$1" --iterations "$2" \
      --eval-interval "$2" --grad-clip 0 --schedule constant --warmup 0 --lr 0.003 --dropout 0 --sample-length 0 \
      --no-progress >/dev/null 2>&1
  tail -1 "$tmp/run/metrics.jsonl" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["chars_per_s"]))'
}
: > "$tmp/results"
for r in $(seq "$rounds"); do
  for t in 1 2; do
    iters=$((t == 1 ? 120 : 160))
    if [ $((r % 2)) = 1 ]; then a=$(ref $t); b=$(ours $t $iters); else b=$(ours $t $iters); a=$(ref $t); fi
    echo "round $r, $t thread(s): reference $a chars/s, charlstm $b chars/s" | tee -a "$tmp/results"
  done
done
python3 - "$tmp/results" <<'PY'
import re, statistics, sys
rows = [re.findall(r'\d+', l) for l in open(sys.argv[1])]
by = {}
for _, t, a, b in rows:
    by.setdefault(t, ([], []))
    by[t][0].append(int(a)); by[t][1].append(int(b))
ref_best = max(statistics.median(v[0]) for v in by.values())
for t, (a, b) in sorted(by.items()):
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{t} thread(s): reference median {ma:.0f}, charlstm median {mb:.0f}: {mb / ma:.2f}x;"
          f" against the reference's best setting ({ref_best:.0f}): {mb / ref_best:.2f}x")
PY
