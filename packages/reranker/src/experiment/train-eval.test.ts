import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadStrategyQa, quotedClaim } from './train-eval';

const DATASETS = path.join(__dirname, '..', '..', '..', '..', 'datasets');

test('quotedClaim: the claim of a CREAK question, other questions unchanged', () => {
  expect(quotedClaim('Is the following a factual statement? "Larry King served tea during his show." Options:')).toBe('Larry King served tea during his show.');
  expect(quotedClaim('Claim: "Japan Airlines only flies in North America." Is the claim above correct?')).toBe('Japan Airlines only flies in North America.');
  expect(quotedClaim('Are more people today related to Genghis Khan than Julius Caesar?')).toBe('Are more people today related to Genghis Khan than Julius Caesar?');
  expect(quotedClaim('Was the word "ok" coined in Boston?')).toBe('Was the word "ok" coined in Boston?'); // too short to be a claim
});

test('extraTrain: other datasets join training only; the StrategyQA split is unchanged', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'extra-train-'));
  try {
    const creak = path.join(dir, 'creak_train.tsv');
    const lines = fs.readFileSync(path.join(DATASETS, 'flan-cot', 'creak_train.tsv'), 'utf8').split('\n').filter(Boolean).slice(0, 12);
    fs.writeFileSync(creak, `${lines.join('\n')}\n`);
    const plain = await loadStrategyQa({ datasetsDir: DATASETS, limit: 40, evalFraction: 0.25 });
    const more = await loadStrategyQa({ datasetsDir: DATASETS, limit: 40, evalFraction: 0.25, extraTrain: [creak] });
    expect(more.train.map((e) => e.question)).toEqual(plain.train.map((e) => e.question));
    expect(more.heldOut.map((e) => e.question)).toEqual(plain.heldOut.map((e) => e.question));
    expect(plain.extraTrain).toEqual([]);
    expect(more.extraTrain.length).toBeGreaterThan(0);
    // the claim is the query: no boilerplate, and its BM25 search space was built for it
    for (const e of more.extraTrain) {
      expect(e.question).not.toMatch(/Options|factual|claim above/);
      expect([...e.fromQuestion, ...e.fromRationale].every((c) => typeof c.questionScore === 'number')).toBe(true);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
