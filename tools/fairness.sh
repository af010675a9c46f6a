#!/usr/bin/env bash
# Fairness between requests, measured from outside (issue [2 of 6]): a 20-character request sent 0.5 s after a
# non-streamed request of 64 prompts x 10,000 characters (the server's defaults: 64 rows, 16 per request), and after
# a client that gave up on 2 x 100,000 characters (--max-rows 2), for each server build given, in interleaved rounds.
# Usage: tools/fairness.sh [ROUNDS (3)] [OTHER_CHECKOUT ...]   (other checkouts' ./charlstm serve, e.g. an old build)
# Run it alone on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
builds=("$PWD" "$@")
port=18282
serve() { # checkout, then serve options
  local dir=$1
  shift
  "$dir/charlstm" serve --port $port --max-tokens 200000 "$@" > /tmp/fairness-serve.log 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/health" > /dev/null && return
    sleep 0.2
  done
  echo "server did not start" >&2
  exit 1
}
stop() {
  kill -TERM $server
  wait $server || true
}
for round in $(seq 1 "$rounds"); do
  for dir in "${builds[@]}"; do
    variants=("")
    [ "$dir" = "$PWD" ] && variants=("" "--max-rows-per-request 64")
    for v in "${variants[@]}"; do
      serve "$dir" $v
      ./charlstm loadtest --url "http://127.0.0.1:$port" --small-beside-big 64x10000 >/dev/null # warm-up
      echo "round $round, $dir ${v:-(defaults)}: 64x10000: $(./charlstm loadtest --url "http://127.0.0.1:$port" \
          --small-beside-big 64x10000)"
      stop
      serve "$dir" --max-rows 2 $( [ -n "$v" ] && echo "--max-rows-per-request 2")
      echo "round $round, $dir ${v:-(defaults)} --max-rows 2: 2x100000 abandoned: $(./charlstm loadtest \
          --url "http://127.0.0.1:$port" --small-beside-big 2x100000 --abandon)"
      stop
    done
  done
done
