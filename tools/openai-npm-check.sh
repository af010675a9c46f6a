#!/usr/bin/env bash
# The official `openai` npm client (4.x and 7.x) against a running `charlstm serve`: chat completions (plain,
# streaming, logprobs), completions, models.retrieve and models.list. Needs Node.js and the npm registry.
# Usage: tools/openai-npm-check.sh [BASE_URL] [API_KEY]     (default http://127.0.0.1:8080, no key)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="${1:-http://127.0.0.1:8080}"
key="${2:-none}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund openai@7.55.0 openai4@npm:openai@4.104.0 >/dev/null
cp "$here/openai-npm-check.mjs" .
status=0
node openai-npm-check.mjs "$base" "$key" openai4 || status=1
node openai-npm-check.mjs "$base" "$key" openai || status=1
exit $status
