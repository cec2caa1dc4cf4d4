import * as fs from 'node:fs';
import * as P from '/work/main/packages/student/dist/index.mjs';
const read = (f) =>
  fs
    .readFileSync(f, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
for (const [name, dir] of [
  ['4k', '/tmp/exp/tok4k'],
  ['8k', '/tmp/exp/tok8k'],
  ['32k', '/work/main/models/t5-tokenizer'],
]) {
  const tok = await P.loadTokenizer(dir);
  const out = { vocab: tok.vocabSize };
  for (const mode of ['rd', 'kard']) {
    out[mode] = {};
    for (const [k, f] of [
      ['train', 'train'],
      ['val', 'validation'],
    ])
      out[mode][k] = read(`/work/main/runs/demo/data/${mode}/${f}.jsonl`).map((e) => ({
        i: tok.encode(e.input, { maxLength: 256 }),
        t: tok.encode(e.target, { maxLength: 64 }),
        a: e.answer,
      }));
  }
  fs.writeFileSync(`/work/main/sweep/data-${name}.json`, JSON.stringify(out));
  fs.mkdirSync(`/work/main/sweep/tok-${name}`, { recursive: true });
  fs.copyFileSync(`${dir}/tokenizer.json`, `/work/main/sweep/tok-${name}/tokenizer.json`);
  console.log(name, out.vocab);
}
