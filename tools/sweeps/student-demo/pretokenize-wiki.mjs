import * as fs from 'node:fs';
import * as P from '/work/main/packages/student/dist/index.mjs';
const tok = await P.loadTokenizer('/tmp/exp/tok4k');
const rows = fs
  .readFileSync('/work/main/datasets/wikipedia/strategyqa_paragraphs.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const out = rows.map((e) => tok.encode(`${e.title}: ${e.text}`, { maxLength: 200 }).slice(0, -1));
fs.writeFileSync('/work/main/sweep/wiki-4k.json', JSON.stringify(out));
console.log(
  out.length,
  out.reduce((a, b) => a + b.length, 0),
);
