// Exports the reranker experiment's exact data for the PyTorch sweep (sweep.py): every StrategyQA question's KARD
// search spaces (passage indices, BM25 for the rationale and for the question), the 5-fold cross-validation's eval
// groups as `crossValidate` draws them (kardEvalGroups over each fold, seed 42), gold evidence paragraph ids, and all
// 17,645 passages tokenized by our BertTokenizer. Run from the repository root after a build (`npx nx run-many -t
// build` and `npx tsup --config tools/experiments/reranker/tsup.config.ts`):
//   node tools/sweeps/reranker/export.mjs sweep/reranker-data.json
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexedText } from '../../../packages/knowledge-base/dist/index.js';
import { BertTokenizer, kardEvalGroups } from '../../../packages/reranker/dist/index.js';
import { loadStrategyQa } from '../../experiments/reranker/dist/index.js';

const out = process.argv[2] ?? 'sweep/reranker-data.json';
const FOLDS = 5;
const data = await loadStrategyQa({ datasetsDir: 'datasets', evalFraction: 0 });
const examples = data.train;
const tok = await BertTokenizer.fromPretrained(
  process.env.KARD_BERT_TOKENIZER ?? '../shared/models/bert-uncased-tokenizer',
);
const ids = [...data.passages.keys()];
const index = new Map(ids.map((id, i) => [id, i]));
const passages = ids.map((id) => tok.encode(indexedText(data.passages.get(id)), 96));
const cand = (c) => [index.get(c.id), c.score, c.questionScore];
const questions = examples.map((ex) => ({
  q: tok.encode(ex.question, 32),
  r: ex.fromRationale.map(cand),
  qs: ex.fromQuestion.map(cand),
}));
const sqa = JSON.parse(fs.readFileSync('datasets/strategyqa/train.json', 'utf8'));
const byQuestion = new Map(sqa.map((r) => [r.question, r]));
const gold = examples.map((ex) => {
  const r = byQuestion.get(ex.question);
  const evid = new Set();
  const walk = (x) =>
    Array.isArray(x) ? x.forEach(walk) : typeof x === 'string' ? evid.add(x.replace(/ /g, '_')) : undefined;
  if (r) walk(r.evidence);
  return [...evid].map((e) => index.get(e)).filter((i) => i !== undefined);
});
const folds = [];
for (let f = 0; f < FOLDS; f++) {
  const [lo, hi] = [Math.floor((f * examples.length) / FOLDS), Math.floor(((f + 1) * examples.length) / FOLDS)];
  const held = examples.slice(lo, hi);
  const { groups } = kardEvalGroups(held, { k: 8, seed: 42 });
  const qIndex = new Map(held.map((ex, i) => [ex.question, lo + i]));
  folds.push({
    lo,
    hi,
    groups: groups.map((g) => ({
      qi: qIndex.get(g.question),
      c: g.candidates.map((c) => index.get(c.id)),
      s: g.candidates.map((c) => c.score),
      qs: g.candidates.map((c) => c.questionScore),
    })),
  });
}
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify({
    vocabSize: tok.vocabSize,
    clsId: tok.clsId,
    sepId: tok.sepId,
    padId: tok.padId,
    passages,
    questions,
    gold,
    folds,
  }),
);
console.log(
  `${out}: ${passages.length} passages, ${questions.length} questions, ` +
    `${folds.map((f) => f.groups.length).join('/')} eval groups, gold for ${gold.filter((g) => g.length).length}`,
);
