import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { Rng } from '@kard/core';
import { createModel } from '../pretrained';
import { batchOf, tinyGpt2Config, tinyT5Config } from '../testing';
import { generate } from './generate';
import { bannedNgramTokens } from './ngram';

beforeAll(() => initBackend());

/** Brute force: t is banned iff the last n-gram of history + [t] also starts at an earlier position. */
function repeats(seq: number[], n: number): boolean {
  const last = seq.slice(-n).join(',');
  for (let i = 0; i + n < seq.length; i++) if (seq.slice(i, i + n).join(',') === last) return true;
  return false;
}
function hasRepeatedNgram(seq: number[], n: number): boolean {
  const seen = new Set<string>();
  for (let i = 0; i + n <= seq.length; i++) {
    const g = seq.slice(i, i + n).join(',');
    if (seen.has(g)) return true;
    seen.add(g);
  }
  return false;
}

test('bannedNgramTokens equals the brute-force definition on random histories', () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 300; trial++) {
    const n = 1 + rng.int(4);
    const history = Array.from({ length: rng.int(12) }, () => rng.int(4));
    const banned = new Set(bannedNgramTokens(history, n));
    for (let t = 0; t < 4; t++)
      expect([history, n, t, banned.has(t)]).toEqual([
        history,
        n,
        t,
        history.length >= n - 1 && repeats([...history, t], n),
      ]);
  }
  expect(bannedNgramTokens([1, 2, 3], 0)).toEqual([]);
});

describe('generate with noRepeatNgramSize', () => {
  const t5 = createModel(tinyT5Config('v1.0', { initializerFactor: 4 }), 1);
  const gpt2 = createModel(tinyGpt2Config({ initializerRange: 0.5 }), 3);
  const inputs = [
    [5, 6, 7, 8, 1],
    [9, 10, 1],
  ];

  test(
    'T5 greedy: each token is the argmax of the teacher-forced logits with the n-grams of [start, ...tokens] ' +
      'banned',
    () => {
      const plain = generate(t5, inputs, { maxNewTokens: 16 });
      expect(plain.some((r) => hasRepeatedNgram([0, ...r[0].tokens], 2))).toBe(true); // the model does repeat itself
      const out = generate(t5, inputs, { maxNewTokens: 16, noRepeatNgramSize: 2 });
      inputs.forEach((x, b) => {
        const tokens = out[b][0].tokens;
        expect(hasRepeatedNgram([0, ...tokens], 2)).toBe(false);
        const logits = tf.tidy(() => t5.forward(batchOf([x], [x.map(() => 1)], [tokens])).arraySync() as number[][][]);
        tokens.forEach((tok, i) => {
          const row = [...logits[0][i]];
          const history = [0, ...tokens.slice(0, i)];
          for (let t = 0; t < row.length; t++) if (repeats([...history, t], 2)) row[t] = -Infinity;
          expect(tok).toBe(row.indexOf(Math.max(...row)));
        });
      });
    },
  );

  test('GPT-2 (the prompt counts), sampling and beam search never repeat an n-gram', () => {
    const prompts = [
      [5, 6, 7],
      [9, 10],
    ];
    for (const [m, xs, prefix] of [
      [gpt2, prompts, (b: number) => prompts[b]],
      [t5, inputs, () => [0]],
    ] as const) {
      for (const opts of [
        {},
        { doSample: true, seed: 2, numReturnSequences: 2 },
        { numBeams: 3, numReturnSequences: 2 },
      ]) {
        const out = generate(m, xs as number[][], { maxNewTokens: 14, noRepeatNgramSize: 3, ...opts });
        out.forEach((seqs, b) =>
          seqs.forEach((s) => expect(hasRepeatedNgram([...prefix(b), ...s.tokens], 3)).toBe(false)),
        );
      }
    }
  });
});
