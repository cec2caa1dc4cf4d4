// Per-draw view of a `train --eval-draws N --json F --with-ranks` result (tools/experiments/reranker): the top-1/3/5
// gain over BM25(question) on each candidate draw alone (draw 1 is KARD's one-draw protocol), then over all draws with
// question-clustered intervals, for the ensemble and each member. Run from the repository root after a build:
//   node tools/sweeps/reranker/draws.mjs runs/ens-a.json
import * as fs from 'node:fs';
import { pairedDifference } from '../../../packages/reranker/dist/index.js';

const file = process.argv[2];
if (!file) throw new Error('usage: node tools/sweeps/reranker/draws.mjs RESULT.json (from train --with-ranks)');
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
if (!r.bm25?.ranks) throw new Error(`${file}: no ranks; write it with --with-ranks`);

const fmt = (d) => `${d.diff >= 0 ? '+' : ''}${d.diff.toFixed(1)} [${d.ci95[0].toFixed(1)}, ${d.ci95[1].toFixed(1)}]`;
// Within a fold the groups are draw-major and each question appears once per draw: its k-th group is draw k.
const clusters = r.bm25.clusters ?? r.bm25.ranks.map((_, i) => i);
const seen = new Map();
const draw = clusters.map((c) => {
  const k = seen.get(c) ?? 0;
  seen.set(c, k + 1);
  return k;
});
const draws = Math.max(...draw) + 1;
const rows = [['ensemble', r], ...(r.members ?? []).map((m) => [`seed ${m.seed}`, m])];
const pick = (xs, d) => xs.filter((_, i) => draw[i] === d);

console.log(`| scorer | draw | BM25 top-1 | reranker top-1 | top-1 gain | top-3 gain | top-5 gain |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const [name, c] of rows) {
  const line = (label, a, b, cl) => {
    const top1 = (ranks) => ((100 * ranks.filter((x) => x === 1).length) / ranks.length).toFixed(1);
    const g = (k) => fmt(pairedDifference(a, b, k, undefined, cl));
    console.log(`| ${name} | ${label} | ${top1(a)} | ${top1(b)} | ${g(1)} | ${g(3)} | ${g(5)} |`);
  };
  for (let d = 0; d < draws; d++) line(String(d + 1), pick(c.bm25.ranks, d), pick(c.reranker.ranks, d));
  if (draws > 1) line('all', c.bm25.ranks, c.reranker.ranks, clusters);
}
