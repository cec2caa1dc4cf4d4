// A T5 built from scratch memorises 32 StrategyQA rationales (FLAN's CoT rationales for questions of
// datasets/strategyqa/train.json): the training loss goes to near zero, and greedy decoding from each question
// reproduces its rationale token for token. Checks forward, loss, backward, AdamW and generation together.
// Reduced to fit in seconds on 2 cores: the 32 shortest rationales of the first 100 questions (~780 target
// tokens), and the vocabulary cut to the ~600 T5 tokens these texts use (ids remapped both ways).
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadStrategyQa, readFlanCotRows } from '@kard/cot-data';
import { AdamW, initBackend } from '@kard/nn';
import { generate, loadTokenizer, padBatch, t5Config, T5ForConditionalGeneration, type LmBatch } from '@kard/student';

const repo = path.join(__dirname, '..', '..', '..');

test('a tiny T5 memorises 32 StrategyQA rationales: loss near zero, greedy decoding gives them back verbatim', async () => {
  const backend = await initBackend();
  const tok = await loadTokenizer(path.join(repo, 'models', 't5-tokenizer'));
  const strategyQa = new Set(loadStrategyQa(path.join(repo, 'datasets', 'strategyqa', 'train.json')).questions.map((q) => q.question));
  const rows = readFlanCotRows(path.join(repo, 'datasets', 'flan-cot', 'strategyqa_train.tsv'))
    .filter((r) => strategyQa.has(r.question) && r.rationale.length > 0).slice(0, 100)
    .map((r) => ({ r, n: tok.encode(r.rationale).length })).sort((a, b) => a.n - b.n).slice(0, 32).map((x) => x.r);
  expect(rows).toHaveLength(32);

  // Compact vocabulary: 0 = pad (also T5's decoder start), 1 = EOS, then every other id the texts use.
  const inputs = rows.map((r) => tok.encode(r.question));
  const targets = rows.map((r) => tok.encode(r.rationale));
  const used = [...new Set([...inputs.flat(), ...targets.flat()])].filter((id) => id > 1).sort((a, b) => a - b);
  const toSmall = new Map([[0, 0], [1, 1], ...used.map((id, i) => [id, i + 2] as [number, number])]);
  const toT5 = [0, 1, ...used];
  const small = (ids: number[]) => ids.map((id) => toSmall.get(id)!);

  const model = new T5ForConditionalGeneration(t5Config({
    vocabSize: toT5.length, dModel: 64, dKv: 16, numHeads: 4, dFf: 128, numLayers: 2, numDecoderLayers: 2, dropoutRate: 0,
  }), 1);
  const enc = padBatch(inputs.map(small), 0, 'right');
  const tgt = padBatch(targets.map(small), -100, 'right');
  const batch: LmBatch = {
    inputIds: tf.tensor2d(enc.ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(enc.mask, undefined, 'int32'),
    labels: tf.tensor2d(tgt.ids, undefined, 'int32'),
  };
  const params = model.namedParameters();
  const vars = [...params.values()];
  const optimizer = new AdamW(params, { lr: 1e-2, weightDecay: 0 });
  const losses: number[] = [];
  const t0 = Date.now();
  for (let step = 0; step < 250 && !(losses.length && losses[losses.length - 1] < 0.01); step++) {
    const { value, grads } = tf.variableGrads(() => model.loss(batch), vars);
    optimizer.applyGradients(new Map([...params].map(([n, v]) => [n, grads[v.name]])));
    losses.push(value.dataSync()[0]);
    tf.dispose([value, ...Object.values(grads)]);
  }
  const last = losses[losses.length - 1];
  console.log(`${backend.name}: ${losses.length} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s, loss ${losses[0].toFixed(2)} -> ${last.toFixed(4)} ` +
    `(${targets.flat().length} target tokens, vocabulary ${toT5.length})`);
  expect(targets.every((t) => t.length >= 12)).toBe(true); // sentences, not one-word answers
  expect(losses[0]).toBeGreaterThan(Math.log(toT5.length) - 1); // started from chance
  expect(last).toBeLessThan(0.01); // about 120 steps

  const out = generate(model, inputs.map(small), { maxNewTokens: Math.max(...targets.map((t) => t.length)) + 2 });
  const decoded = out.map((r) => tok.decode(r[0].tokens.map((id) => toT5[id])));
  expect(out.map((r) => r[0].tokens.map((id) => toT5[id]))).toEqual(targets);
  expect(decoded).toEqual(targets.map((t) => tok.decode(t)));
  optimizer.dispose();
  model.dispose();
  tf.dispose([batch.inputIds, batch.attentionMask, batch.labels]);
});
