import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@kard/nn';
import { RerankerEnsemble, compareWithBm25, loadRerankerFolder } from '@kard/reranker';
import { loadStrategyQa, quotedClaim } from './strategyqa';
import { crossValidate, trainEval } from './train-eval';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
const DATASETS = path.join(ROOT, 'datasets');

test('quotedClaim: the claim of a CREAK question, other questions unchanged', () => {
  expect(quotedClaim('Is the following a factual statement? "Larry King served tea during his show." Options:')).toBe(
    'Larry King served tea during his show.',
  );
  expect(quotedClaim('Claim: "Japan Airlines only flies in North America." Is the claim above correct?')).toBe(
    'Japan Airlines only flies in North America.',
  );
  expect(quotedClaim('Are more people today related to Genghis Khan than Julius Caesar?')).toBe(
    'Are more people today related to Genghis Khan than Julius Caesar?',
  );
  // too short to be a claim
  expect(quotedClaim('Was the word "ok" coined in Boston?')).toBe('Was the word "ok" coined in Boston?');
});

test('extraTrain: other datasets join training only; the StrategyQA split is unchanged', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'extra-train-'));
  try {
    const creak = path.join(dir, 'creak_train.tsv');
    const lines = fs
      .readFileSync(path.join(DATASETS, 'flan-cot', 'creak_train.tsv'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, 12);
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

describe('crossValidate with an ensemble of seeds', () => {
  const TOKENIZER = path.join(ROOT, 'models', 'bert-uncased-tokenizer');
  const opts = (checkpointDir: string) => ({
    datasetsDir: DATASETS,
    tokenizerDir: TOKENIZER,
    encoder: 'scratch' as const,
    limit: 24,
    folds: 2,
    seeds: [3, 4],
    scratchConfig: { hidden_size: 16, intermediate_size: 32 },
    compressionDim: 8,
    queryMaxLength: 16,
    passageMaxLength: 24,
    hybrid: true,
    training: {
      epochs: 1,
      batchSize: 4,
      maxSteps: 2,
      lr: 1e-3,
      annealing: 'none' as const,
      checkpointDir,
      progress: false as const,
    },
  });

  it(
    'reports the ensemble and each member over every question, checkpoints each fold and seed apart, and resumes to ' +
      'the same result',
    async () => {
      await initBackend();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-cv-ens-'));
      try {
        const r = await crossValidate(opts(dir));
        expect(r.members?.map((m) => m.seed)).toEqual([3, 4]);
        expect(r.bm25.n + r.bm25.skipped).toBe(24);
        for (const m of r.members!) {
          expect(m.bm25.ranks).toEqual(r.bm25.ranks); // same groups for every scorer
          expect(m.reranker.n).toBe(r.reranker.n);
        }
        // two members that differ (else the ensemble test below proves nothing)
        expect(r.members![0].reranker.ranks).not.toEqual(r.members![1].reranker.ranks);
        expect(r.steps).toBe(2 * 2 * 2); // folds × seeds × maxSteps
        for (const f of [1, 2])
          for (const s of [3, 4])
            expect(fs.existsSync(path.join(dir, `fold-${f}`, `seed-${s}`, 'trainer_state.json'))).toBe(true);
        // every checkpoint is at its last step: a rerun resumes each and trains nothing more, with the same results
        const again = await crossValidate(opts(dir));
        expect(again.reranker.ranks).toEqual(r.reranker.ranks);
        expect(again.members![1].reranker.ranks).toEqual(r.members![1].reranker.ranks);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it(
    'saves an ensemble as member folders and ensemble.json, ' + 'which loads back as the ensemble that was evaluated',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-ens-out-'));
      try {
        const { folds: _f, ...o } = opts('');
        const r = await trainEval({
          ...o,
          evalFraction: 0.5,
          training: { ...o.training, checkpointDir: undefined },
          outDir: dir,
        });
        const loaded = await loadRerankerFolder(dir);
        expect(loaded).toBeInstanceOf(RerankerEnsemble);
        expect((loaded as RerankerEnsemble).members).toHaveLength(2);
        const data = await loadStrategyQa({ datasetsDir: DATASETS, limit: 24, evalFraction: 0.5 });
        const again = await compareWithBm25(data.heldOut, loaded as RerankerEnsemble, 3);
        expect(again.reranker.ranks).toEqual(r.reranker.ranks);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
