#!/usr/bin/env bash
# The server under load beside the in-process engine (issue [6 of 7]), interleaved so that a noisy machine moves
# both sides alike. Each of ROUNDS rounds runs:
#   1. `charlstm bench`: threads generating at once in-process with continuous batching (the ceiling);
#   2. for each --flush-us value, `charlstm serve` on a free port, then `charlstm loadtest` from a separate process:
#      CLIENTS streaming clients, CHARS characters each (a warm-up round each first), then SIGTERM to the server.
#      With APIS, each server is loaded once per API: completions, and chat (the prompt as one user message).
# It prints every round and the median ratio server / in-process. Run it alone on the machine.
# Usage: tools/serve-load.sh [CLIENTS (1,64)] [CHARS (500)] [FLUSH_US list (10000,0)] [ROUNDS (3)]
#                            [APIS (completions,chat)]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-1,64}
chars=${2:-500}
flushes=${3:-10000,0}
rounds=${4:-3}
apis=${5:-completions,chat}
out=$(mktemp -d)
port=18181

for round in $(seq 1 "$rounds"); do
  ./charlstm bench --json --batch 1 --chars 2000 --concurrent "$clients" --concurrent-chars "$chars" \
      > "$out/bench-$round.json"
  for flush in ${flushes//,/ }; do
    ./charlstm serve --port $port --max-rows 64 --max-queue 64 --flush-us "$flush" > "$out/serve.log" 2>&1 &
    server=$!
    trap 'kill -TERM $server 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do
      curl -sf "http://127.0.0.1:$port/health" > /dev/null && break
      sleep 0.2
    done
    for api in ${apis//,/ }; do
      ./charlstm loadtest --url "http://127.0.0.1:$port" --clients "$clients" --chars "$chars" --api "$api" --json \
          > "$out/load-$round-$flush-$api.json"
    done
    kill -TERM $server
    wait $server || true
    trap - EXIT
  done
done

python3 - "$out" "$flushes" "$rounds" "$apis" <<'PY'
import json, statistics, sys
out, flushes, rounds, apis = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), sys.argv[4].split(",")
print(f"machine: {json.load(open(f'{out}/bench-1.json'))['machine']}")
print("| round | api | clients | --flush-us | server chars/s | in-process chars/s | server / in-process | first char p50 / p99 (ms) | gap p50 / p99 (µs) | failed | truncated |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
ratios = {}
for r in range(1, rounds + 1):
    bench = json.load(open(f"{out}/bench-{r}.json"))
    for flush in flushes:
      for api in apis:
        for x in json.load(open(f"{out}/load-{r}-{flush}-{api}.json")):
            c = x["clients"]
            ref = bench["concurrent"][str(c)]["on"]["chars_per_s"]
            ratios.setdefault((api, c, flush), []).append(x["chars_per_s"] / ref)
            print(f"| {r} | {api} | {c} | {flush} | {x['chars_per_s']:.0f} | {ref:.0f} | {x['chars_per_s'] / ref:.2f} | "
                  f"{x['first_p50_ms']:.1f} / {x['first_p99_ms']:.1f} | {x['gap_p50_us']:.0f} / {x['gap_p99_us']:.0f} | "
                  f"{x['failed']} | {x['truncated']} |")
print()
for (api, c, flush), v in sorted(ratios.items()):
    print(f"{api}, clients {c}, --flush-us {flush}: median server / in-process {statistics.median(v):.2f} (rounds: "
          + ", ".join(f"{x:.2f}" for x in v) + ")")
PY
