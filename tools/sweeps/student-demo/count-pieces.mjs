import * as fs from 'node:fs';
import { loadTokenizer } from '/work/main/packages/student/dist/index.mjs';
const tok = await loadTokenizer('/work/main/models/t5-tokenizer');
const read = (f) =>
  fs
    .readFileSync(f, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const sets = { target: new Map(), rdInput: new Map(), kardInput: new Map() };
const add = (m, ids) => {
  for (const i of ids) m.set(i, (m.get(i) ?? 0) + 1);
};
for (const f of ['train', 'validation']) {
  for (const e of read(`runs/demo/data/kard/${f}.jsonl`)) {
    add(sets.target, tok.encode(e.target));
    add(sets.kardInput, tok.encode(e.input));
  }
  for (const e of read(`runs/demo/data/rd/${f}.jsonl`)) add(sets.rdInput, tok.encode(e.input));
}
const corpus = new Map();
// corpus skipped
for (const [k, m] of Object.entries({ ...sets, corpus })) {
  const tot = [...m.values()].reduce((a, b) => a + b, 0);
  console.log(k, 'distinct', m.size, 'tokens', tot);
}
const union = new Set([...sets.target.keys(), ...sets.rdInput.keys()]);
console.log('target+question', union.size);
const u2 = new Set([...union, ...sets.kardInput.keys()]);
console.log('+kard inputs', u2.size);
const u3 = new Set([...u2, ...corpus.keys()]);
console.log('+corpus', u3.size);
const all = new Map();
for (const m of [sets.target, sets.rdInput, sets.kardInput]) for (const [k, v] of m) all.set(k, (all.get(k) ?? 0) + v);
fs.writeFileSync(
  '/tmp/exp/counts.json',
  JSON.stringify({ target: Object.fromEntries(sets.target), all: Object.fromEntries(all) }),
);
