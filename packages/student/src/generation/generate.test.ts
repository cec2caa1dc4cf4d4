import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { createModel, type StudentModel } from '../pretrained';
import { batchOf, tinyGpt2Config, tinyT5Config } from '../testing';
import { generate } from './generate';

beforeAll(() => initBackend());

const t5Inputs = [
  [5, 6, 7, 8, 1],
  [9, 10, 1],
];

describe('generate', () => {
  const models: Array<[string, StudentModel]> = [
    ['T5 v1.0', createModel(tinyT5Config('v1.0', { initializerFactor: 4 }), 1)],
    ['T5 v1.1', createModel(tinyT5Config('v1.1', { initializerFactor: 4 }), 2)],
    ['GPT-2', createModel(tinyGpt2Config({ initializerRange: 0.5 }), 3)],
  ];

  test.each(models)('%s: cached and uncached decoding give the same tokens (greedy, beam, sampling)', (_, m) => {
    for (const opts of [
      {},
      { numBeams: 3, numReturnSequences: 2 },
      { doSample: true, seed: 4, numReturnSequences: 2 },
    ]) {
      const a = generate(m, t5Inputs, { maxNewTokens: 8, ...opts, useCache: true });
      const b = generate(m, t5Inputs, { maxNewTokens: 8, ...opts, useCache: false });
      expect(a.map((r) => r.map((s) => s.tokens))).toEqual(b.map((r) => r.map((s) => s.tokens)));
    }
  });

  test.each(models)('%s: beam search with numBeams=1 equals greedy; batching equals one at a time', (_, m) => {
    const greedy = generate(m, t5Inputs, { maxNewTokens: 8 });
    const beam1 = generate(m, t5Inputs, { maxNewTokens: 8, numBeams: 1 });
    expect(beam1.map((r) => r[0].tokens)).toEqual(greedy.map((r) => r[0].tokens));
    const single = t5Inputs.map((x) => generate(m, [x], { maxNewTokens: 8, numBeams: 2 })[0][0].tokens);
    expect(generate(m, t5Inputs, { maxNewTokens: 8, numBeams: 2 }).map((r) => r[0].tokens)).toEqual(single);
  });

  test('greedy tokens are the argmax of the teacher-forced logits (independent forward path)', () => {
    const m = models[0][1];
    const [out] = generate(m, [t5Inputs[0]], { maxNewTokens: 6 });
    const logits = tf.tidy(
      () => m.forward(batchOf([t5Inputs[0]], [t5Inputs[0].map(() => 1)], [out[0].tokens])).arraySync() as number[][][],
    );
    const argmax = logits[0].map((row) => row.indexOf(Math.max(...row)));
    expect(argmax).toEqual(out[0].tokens);
  });

  test('sampling is reproducible by seed; topK=1 and a tiny topP reduce to greedy', () => {
    const m = createModel(tinyT5Config('v1.1', { initializerFactor: 0.5 }), 2);
    const s1 = generate(m, t5Inputs, { doSample: true, seed: 7, maxNewTokens: 8 });
    expect(generate(m, t5Inputs, { doSample: true, seed: 7, maxNewTokens: 8 })).toEqual(s1);
    const others = [8, 9, 10].map((seed) =>
      generate(m, t5Inputs, { doSample: true, seed, maxNewTokens: 8 }).map((r) => r[0].tokens),
    );
    expect(others.some((o) => JSON.stringify(o) !== JSON.stringify(s1.map((r) => r[0].tokens)))).toBe(true);
    const greedy = generate(m, t5Inputs, { maxNewTokens: 8 }).map((r) => r[0].tokens);
    expect(
      generate(m, t5Inputs, { doSample: true, topK: 1, seed: 1, maxNewTokens: 8 }).map((r) => r[0].tokens),
    ).toEqual(greedy);
    expect(
      generate(m, t5Inputs, { doSample: true, topK: 0, topP: 1e-6, seed: 1, maxNewTokens: 8 }).map((r) => r[0].tokens),
    ).toEqual(greedy);
  });

  test('temperature sampling follows the softmax distribution (chi-square-ish check on the first token)', () => {
    const m = createModel(tinyT5Config('v1.0', { vocabSize: 5, initializerFactor: 2 }), 9);
    const probs = tf.tidy(() => {
      const logits = m.forward(batchOf([[2, 3, 1]], [[1, 1, 1]], [[0]])).dataSync();
      return Array.from(tf.softmax(tf.div(tf.tensor1d(Array.from(logits)), 2)).dataSync());
    });
    const counts = new Array(5).fill(0);
    const n = 2000;
    const res = generate(m, [[2, 3, 1]], {
      doSample: true,
      temperature: 2,
      topK: 0,
      seed: 3,
      maxNewTokens: 1,
      numReturnSequences: n,
    });
    for (const s of res[0]) counts[s.tokens[0]]++;
    counts.forEach((c, i) => expect(Math.abs(c / n - probs[i])).toBeLessThan(0.035));
  });

  test('beam search finds the brute-force best sequence when beams cover every prefix', () => {
    const m = createModel(tinyT5Config('v1.0', { vocabSize: 4, initializerFactor: 3 }), 5);
    const input = [2, 3, 2, 1];
    const L = 3;
    // all sequences over {0, 2, 3} of length <= L, each either followed by EOS (1) or cut at length L
    const seqs: number[][] = [];
    const grow = (prefix: number[]) => {
      seqs.push([...prefix, 1]);
      if (prefix.length === L) {
        seqs.push(prefix);
        return;
      }
      for (const t of [0, 2, 3]) grow([...prefix, t]);
    };
    grow([]);
    const logprob = (seq: number[]) =>
      tf.tidy(() => -tf.sum(m.tokenLosses(batchOf([input], [input.map(() => 1)], [seq]))).dataSync()[0]);
    const scored = seqs.filter((s) => s.length <= L).map((s) => ({ s, lp: logprob(s) }));
    for (const [lengthPenalty, earlyStopping] of [
      [0, false],
      [1, 'never'],
      [2, 'never'],
    ] as const) {
      const best = scored.reduce((a, b) =>
        b.lp / b.s.length ** lengthPenalty > a.lp / a.s.length ** lengthPenalty ? b : a,
      );
      const [[got]] = generate(m, [input], { numBeams: 40, maxNewTokens: L, lengthPenalty, earlyStopping });
      expect(got.tokens).toEqual(best.s);
      expect(got.score).toBeCloseTo(best.lp / best.s.length ** lengthPenalty, 4);
    }
  });
});
