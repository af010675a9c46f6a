#!/usr/bin/env bash
# Runs a training sweep: one run per line of a plan file, each on one PyTorch thread, JOBS runs at a time, and
# prints a table of each run's final validation loss (nats per character) in the plan's order.
#
#   tools/sweep.sh PLAN DATA OUT_DIR [JOBS]
#
# A plan line is `NAME  OPTIONS...`: a label, then `charlstm train` options added to `--preset cpu` (blank lines and
# lines starting with # are skipped), e.g.
#   tutorial-s0   --grad-clip 0 --schedule constant --warmup 0 --iterations 1000 --seed 0
# Losses do not depend on how many runs share the machine (a seed fixes every batch and every weight); the
# characters/s column does, so quote speed only from runs made alone.
set -euo pipefail
plan="$1"; data="$2"; out="$3"; jobs="${4:-2}"
here="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$out"
grep -vE '^\s*(#|$)' "$plan" | while read -r name opts; do
  printf '%s\t%s\n' "$name" "$opts"
done > "$out/plan.tsv"

run_one() {
  local name="$1" opts="$2"
  # done already (a rerun of the plan skips it) when its log reports the last iteration of its target
  grep -qE '^iteration ([0-9]+)/\1 ' "$out/$name.log" 2>/dev/null && return 0
  rm -rf "${out:?}/$name"
  # shellcheck disable=SC2086
  "$here/charlstm" train --preset cpu --data "$data" --out "$out/$name" --threads 1 --sample-length 0 \
      --no-progress $opts > "$out/$name.log" 2>&1 || echo "$name failed: see $out/$name.log" >&2
}
export -f run_one; export out data here
tr '\t' '\n' < "$out/plan.tsv" | tr '\n' '\0' | xargs -0 -n 2 -P "$jobs" bash -c 'run_one "$1" "$2"' _

printf '%-22s %9s %9s %10s  %s\n' run iteration val_loss chars/s options
while IFS=$'\t' read -r name opts; do
  last=$(grep '"val_loss"' "$out/$name/metrics.jsonl" 2>/dev/null | tail -1 || true)
  if [ -z "$last" ]; then printf '%-22s %s\n' "$name" "(no result)"; continue; fi
  python3 - "$name" "$opts" "$last" <<'PY'
import json, sys
name, opts, line = sys.argv[1:]
m = json.loads(line)
print(f"{name:<22} {m['iteration']:>9} {m['val_loss']:>9.4f} {m['chars_per_s']:>10.0f}  {opts}")
PY
done < "$out/plan.tsv"
