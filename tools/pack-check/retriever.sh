#!/usr/bin/env bash
# Checks that @kard/retriever works installed from `npm pack` outside the monorepo: packs it with
# @kard/knowledge-base, installs both tarballs into a fresh project (dependencies from the npm cache when
# possible), then runs a CJS require, an ESM import, the bin, and `tsc --noEmit` on CJS and ESM TypeScript.
# faiss-node and @huggingface/transformers are optional peers and are not installed: BM25 must not need them.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
npx nx run-many -t build -p @kard/knowledge-base @kard/retriever >/dev/null
npm pack -w @kard/knowledge-base -w @kard/retriever --pack-destination "$work" --loglevel=error >/dev/null

cd "$work"
cat > package.json <<'JSON'
{ "name": "kard-pack-check", "version": "1.0.0", "private": true }
JSON
npm install --prefer-offline --no-audit --no-fund --ignore-scripts --loglevel=error \
  ./kard-knowledge-base-*.tgz ./kard-retriever-*.tgz "@types/node@^20" >/dev/null
test ! -e node_modules/faiss-node && test ! -e node_modules/@huggingface/transformers

printf '%s\n' '{"id": "a", "title": "Apple", "text": "apples grow on trees"}' \
  '{"id": "b", "title": "Banana", "text": "bananas are berries"}' > corpus.jsonl

cat > check.cjs <<'JS'
const { Bm25Index } = require('@kard/retriever');
const { readPassages } = require('@kard/knowledge-base');
Bm25Index.build(readPassages('corpus.jsonl')).then((index) => {
  const hits = index.search('apple tree', 5);
  if (hits.length !== 1 || hits[0].id !== 'a') throw new Error(`cjs: unexpected ${JSON.stringify(hits)}`);
  console.log('cjs ok', hits[0].id, hits[0].score.toFixed(6));
});
JS
cat > check.mjs <<'JS'
import { Bm25Index } from '@kard/retriever';
import { readPassages } from '@kard/knowledge-base';
const index = await Bm25Index.build(readPassages('corpus.jsonl'));
await index.save('idx');
const hits = Bm25Index.load('idx').search('berry', 5);
if (hits.length !== 1 || hits[0].id !== 'b') throw new Error(`esm: unexpected ${JSON.stringify(hits)}`);
console.log('esm ok', hits[0].id, hits[0].score.toFixed(6));
JS
node check.cjs
node check.mjs
npx --no-install kard-retriever --help | head -1

# Types: the same use from a CommonJS .ts and an ES module .mts, resolved the way Node resolves them.
cat > check.ts <<'TS'
import { Bm25Index, type Hit } from '@kard/retriever';
import { readPassages, type Passage } from '@kard/knowledge-base';
export async function top(query: string): Promise<Hit[]> {
  const index: Bm25Index = await Bm25Index.build(readPassages('corpus.jsonl'), { k1: 0.9, b: 0.4 });
  const passage: Passage = { id: 'x', text: 'y' };
  return index.search(query + passage.text, 3);
}
TS
sed 's/^export async function top/export async function topEsm/' check.ts > check-esm.mts
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "nodenext", "moduleResolution": "nodenext", "target": "es2022", "strict": true,
  "noEmit": true, "skipLibCheck": false, "types": ["node"] }, "files": ["check.ts", "check-esm.mts"] }
JSON
"$root/node_modules/.bin/tsc" -p tsconfig.json
echo "tsc ok"
echo "pack-check: @kard/retriever OK"
