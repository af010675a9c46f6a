#!/usr/bin/env bash
# The server under load, beside the in-process engine, in one run (issue [6 of 7]):
#   1. `charlstm bench`: threads generating at once in-process with continuous batching (the ceiling);
#   2. `charlstm serve` on a free port, then `charlstm loadtest` from a separate process: 1 and 64 streaming
#      clients, 500 characters each (a warm-up round each first);
#   3. SIGTERM to the server, and a table with the ratio server / in-process.
# Run it alone on the machine.
# Usage: tools/serve-load.sh [CLIENTS (default 1,64)] [CHARS (default 500)] [FLUSH_US list (default 0): one server each]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-1,64}
chars=${2:-500}
flushes=${3:-0}
out=$(mktemp -d)
port=18181

./charlstm bench --json --batch 1 --chars 2000 --concurrent "$clients" --concurrent-chars "$chars" > "$out/bench.json"

for flush in ${flushes//,/ }; do
  ./charlstm serve --port $port --max-rows 64 --max-queue 64 --flush-us "$flush" > "$out/serve.log" 2>&1 &
  server=$!
  trap 'kill -TERM $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/health" > /dev/null && break
    sleep 0.2
  done
  ./charlstm loadtest --url "http://127.0.0.1:$port" --clients "$clients" --chars "$chars" --json > "$out/load-$flush.json"
  kill -TERM $server
  wait $server || true
  trap - EXIT
done

python3 - "$out" "$flushes" <<'PY'
import json, sys
out, flushes = sys.argv[1], sys.argv[2].split(",")
bench = json.load(open(f"{out}/bench.json"))
print(f"machine: {bench['machine']}")
print("| clients | --flush-us | server chars/s | in-process chars/s | server / in-process | first char p50 / p99 (ms) | gap p50 / p99 (µs) | failed | truncated |")
print("|---|---|---|---|---|---|---|---|---|")
for flush in flushes:
    for r in json.load(open(f"{out}/load-{flush}.json")):
        c = r["clients"]
        ref = bench["concurrent"][str(c)]["on"]["chars_per_s"]
        print(f"| {c} | {flush} | {r['chars_per_s']:.0f} | {ref:.0f} | {r['chars_per_s'] / ref:.2f} | "
              f"{r['first_p50_ms']:.1f} / {r['first_p99_ms']:.1f} | {r['gap_p50_us']:.0f} / {r['gap_p99_us']:.0f} | "
              f"{r['failed']} | {r['truncated']} |")
PY
