// Guards that moving the reranker's BERT onto @kard/nn's Module and its trainers onto nn's one training loop changed
// no number: the hashes below were computed with the pre-refactor implementation (commit 89d685b: a flat Map of
// variables in bert/model.ts, and each trainer with its own loop). Random initialisation draws seeded tf.random*
// calls, which run in JS and so hash alike on every backend; trained weights depend on the backend's kernels, so
// they are recorded per backend.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { smallBertConfig } from '../bert/config';
import { KARD_LORA, LoraAdapters } from '../bert/lora';
import { BertEncoder } from '../bert/model';
import { ColbertModel } from '../colbert/model';
import { BertTokenizer } from '../tokenizer';
import type { RerankerExample } from './data';
import { pretrainInverseCloze } from './inverse-cloze';
import { RerankerTrainer } from './trainer';

const TOKENIZER = path.join(__dirname, '../../../../models/bert-uncased-tokenizer');
let tokenizer: BertTokenizer;
beforeAll(async () => {
  await initBackend();
  tokenizer = await BertTokenizer.fromPretrained(TOKENIZER);
});

/** sha256 over name, shape and float32 bytes of every tensor, in name order. */
function hashTensors(tensors: Iterable<[string, tf.Tensor]>): string {
  const h = createHash('sha256');
  for (const [name, t] of [...tensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    h.update(`${name}[${t.shape}]`);
    const v = t.dataSync() as Float32Array;
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}
/** Pre-refactor hashes of trained weights and losses, by backend; other backends have no reference. */
const TRAINED: Record<string, Record<'klFull' | 'klLora' | 'ict', [string, string]>> = {
  'native-cpu': {
    klFull: ['dd3fc7760601bbc1', '9baca962382f0176'],
    klLora: ['58546ac7c5f999e0', '84c01ca3bfb2d251'],
    ict: ['a36ab6f6734bc515', 'd44df1a7d54ca531'],
  },
  cpu: {
    klFull: ['a5254648bb01d96d', '6af596d539e63e6b'],
    klLora: ['1dd5f0f77c3d634a', 'a031ae3fa88af971'],
    ict: ['b1f8ae577e2aef8c', '291e7096007b39fe'],
  },
};
const reference = (key: 'klFull' | 'klLora' | 'ict') => TRAINED[tf.getBackend()]?.[key];
const hashNumbers = (xs: number[]) => createHash('sha256').update(Float64Array.from(xs)).digest('hex').slice(0, 16);

const config = smallBertConfig({
  vocab_size: 200,
  hidden_size: 8,
  num_hidden_layers: 2,
  intermediate_size: 16,
  max_position_embeddings: 24,
});
const words = ['apple', 'river', 'castle', 'violin', 'tiger', 'planet', 'copper'];
const examples: RerankerExample[] = words.map((w, i) => ({
  question: `tell me about the ${w}`,
  fromRationale: words.map((v, j) => ({ id: `r${i}-${j}`, text: `a passage on the ${v}`, score: v === w ? 8 : j % 3 })),
  fromQuestion: words.map((v, j) => ({ id: `q${i}-${j}`, text: `notes about ${v} things`, score: v === w ? 5 : 0 })),
}));
const opts = {
  epochs: 2,
  batchSize: 3,
  k: 4,
  lr: 1e-2,
  progress: false as const,
  seed: 5,
  maxGradNorm: 1,
  loss: 'kl' as const,
};
const fullModel = () =>
  ColbertModel.create(
    BertEncoder.random({ ...config, vocab_size: 30522 }, { seed: 3, positionScale: 0.1 }),
    { compressionDim: 8, queryMaxLength: 16, passageMaxLength: 16 },
    4,
  );
const loraModel = () => {
  const enc = BertEncoder.random({ ...config, vocab_size: 30522 }, { seed: 3, trainable: false });
  enc.lora = LoraAdapters.create({ ...KARD_LORA, r: 2 }, config.num_hidden_layers, config.hidden_size, 7);
  for (const b of enc.lora.b.values()) b.assign(tf.randomNormal(b.shape, 0, 0.1, 'float32', 11));
  return ColbertModel.create(enc, { compressionDim: 8, queryMaxLength: 16, passageMaxLength: 16, hybrid: true }, 4);
};
const hybrid = examples.map((ex) => ({
  ...ex,
  fromRationale: ex.fromRationale.map((c, j) => ({ ...c, questionScore: j })),
  fromQuestion: ex.fromQuestion.map((c) => ({ ...c, questionScore: c.score })),
}));

describe('bit-identical to the pre-refactor implementation (commit 89d685b)', () => {
  it('random initialisation of BERT and LoRA', () => {
    const enc = BertEncoder.random(config, { seed: 3, positionScale: 0.1 });
    expect(hashTensors(Object.entries(enc.namedTensors()))).toBe('579cba111ac8149a');
    const lora = LoraAdapters.create(KARD_LORA, 2, 8, 9);
    expect(hashTensors(Object.entries(lora.namedTensors()))).toBe('e7af741a334b3ca2');
  });

  it('KL training, from scratch and LoRA + hybrid head', async () => {
    const full = fullModel();
    const r1 = await new RerankerTrainer(full, tokenizer, examples, opts).train();
    const want = reference('klFull');
    if (want) expect([hashTensors(full.trainableVariables()), hashNumbers(r1.losses)]).toEqual(want);
    const lora = loraModel();
    const r2 = await new RerankerTrainer(lora, tokenizer, hybrid, { ...opts, epochs: 1 }).train();
    const wantLora = reference('klLora');
    if (wantLora) expect([hashTensors(lora.trainableVariables()), hashNumbers(r2.losses)]).toEqual(wantLora);
  });

  it('inverse-cloze pre-training, with a checkpoint written and resumed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-ict-ref-'));
    const texts = words.flatMap((w, i) =>
      [0, 1].map((v) =>
        Array.from({ length: 14 }, (_, j) => words[(i + j * (v + 1)) % words.length] + (j % 2 ? ' ' + w : '')).join(
          ' ',
        ),
      ),
    );
    const ict = {
      steps: 4,
      batchSize: 4,
      lr: 1e-2,
      minSpan: 3,
      maxSpan: 5,
      minPassageTokens: 8,
      seed: 2,
      progress: false as const,
      checkpointDir: dir,
    };
    await pretrainInverseCloze(fullModel(), tokenizer, texts, { ...ict, maxSteps: 2 });
    const m = fullModel();
    const r = await pretrainInverseCloze(m, tokenizer, texts, ict);
    expect(r.resumedFromStep).toBe(2);
    const want = reference('ict');
    if (want) expect([hashTensors(m.trainableVariables()), hashNumbers(r.losses)]).toEqual(want);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
