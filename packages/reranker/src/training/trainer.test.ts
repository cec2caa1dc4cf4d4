import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@kard/nn';
import { smallBertConfig } from '../bert/config';
import { BertEncoder } from '../bert/model';
import { ColbertModel } from '../colbert/model';
import { BertTokenizer } from '../tokenizer';
import type { RerankerExample } from './data';
import { RerankerTrainer } from './trainer';

const TOKENIZER = path.join(__dirname, '../../../../models/bert-uncased-tokenizer');
let tokenizer: BertTokenizer;
beforeAll(async () => {
  await initBackend();
  tokenizer = await BertTokenizer.fromPretrained(TOKENIZER);
});

const words = ['apple', 'river', 'castle', 'violin', 'tiger', 'planet', 'copper', 'desert'];
const examples: RerankerExample[] = words.map((w, i) => ({
  question: `tell me about the ${w}`,
  fromRationale: words.map((v, j) => ({ id: `r${i}-${j}`, text: `a passage on the ${v}`, score: v === w ? 8 : j % 3 })),
  fromQuestion: words.map((v, j) => ({ id: `q${i}-${j}`, text: `notes about ${v} things`, score: v === w ? 5 : 0 })),
}));
examples.push({ question: 'nothing', fromRationale: [{ id: 'z', text: 'zero', score: 0 }], fromQuestion: [] });

const makeModel = () =>
  ColbertModel.create(
    BertEncoder.random(smallBertConfig({ hidden_size: 8, intermediate_size: 16, max_position_embeddings: 32 }), {
      seed: 3,
    }),
    {
      compressionDim: 8,
      queryMaxLength: 16,
      passageMaxLength: 16,
    },
    4,
  );
// kl: these tests follow its temperature schedule (the ce default keeps the temperatures fixed)
const opts = { epochs: 2, batchSize: 3, k: 4, lr: 1e-2, progress: false as const, seed: 5, loss: 'kl' as const };
const weights = (m: ColbertModel) => [...m.trainableVariables()].map(([n, v]) => [n, Array.from(v.dataSync())]);

describe('RerankerTrainer', () => {
  it('leaves out questions whose candidates all score zero and runs KARD-shaped steps', async () => {
    const steps: number[] = [];
    const t = new RerankerTrainer(makeModel(), tokenizer, examples, { ...opts, onStep: (s) => steps.push(s.tau) });
    expect(t.skippedUninformative).toBe(1);
    expect(t.totalSteps).toBe(2 * Math.ceil(8 / 3));
    const r = await t.train();
    expect(r.steps).toBe(6);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(steps[0]).toBe(1); // τ starts at 1 and anneals afterwards
    expect(steps[5]).toBeLessThan(1);
  });

  it("trains with the reference's ce loss by default, at fixed temperatures even under 'kard' annealing", async () => {
    const temps: Array<[number, number]> = [];
    const { loss: _kl, ...ce } = opts;
    const t = new RerankerTrainer(makeModel(), tokenizer, examples, {
      ...ce,
      epochs: 1,
      annealing: 'kard',
      onStep: (s) => temps.push([s.tau, s.tauModel]),
    });
    expect(t.options.loss).toBe('ce');
    const r = await t.train();
    expect(temps).toEqual(Array.from({ length: r.steps }, () => [1, 100]));
    expect(r.losses.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
  });

  it('resumes from a checkpoint to exactly the weights of an uninterrupted run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-rr-ckpt-'));
    const straight = makeModel();
    await new RerankerTrainer(straight, tokenizer, examples, opts).train();
    const first = makeModel();
    await new RerankerTrainer(first, tokenizer, examples, { ...opts, checkpointDir: dir, maxSteps: 4 }).train();
    const resumed = makeModel(); // fresh weights: everything must come from the checkpoint
    const r = await new RerankerTrainer(resumed, tokenizer, examples, { ...opts, checkpointDir: dir }).train();
    expect(r.resumedFromStep).toBe(4);
    expect(weights(resumed)).toEqual(weights(straight));
    expect(weights(straight)).not.toEqual(weights(makeModel()));
  });

  it("trains a hybrid model from each candidate's questionScore and refuses candidates without one", async () => {
    const hybridModel = () =>
      ColbertModel.create(
        BertEncoder.random(smallBertConfig({ hidden_size: 8, intermediate_size: 16, max_position_embeddings: 32 }), {
          seed: 3,
        }),
        {
          compressionDim: 8,
          queryMaxLength: 16,
          passageMaxLength: 16,
          hybrid: true,
        },
        4,
      );
    // The question's BM25 agrees with the rationale here, so the BM25 weight must grow.
    const scored = examples.map((ex) => ({
      ...ex,
      fromRationale: ex.fromRationale.map((c) => ({ ...c, questionScore: c.score })),
      fromQuestion: ex.fromQuestion.map((c) => ({ ...c, questionScore: c.score })),
    }));
    const m = hybridModel();
    const before = Array.from(m.mix!.weight.dataSync());
    await new RerankerTrainer(m, tokenizer, scored, { ...opts, epochs: 1, annealing: 'none' }).train();
    expect(m.mix!.weight.dataSync()[1]).toBeGreaterThan(before[1]);
    await expect(new RerankerTrainer(hybridModel(), tokenizer, examples, opts).train()).rejects.toThrow(
      /questionScore/,
    );
  });
});
