// scoreOptions picks the option whose answer tokens are likeliest after the rationale. Reference: the same
// log-probabilities read off the incremental decoder token by token (a different code path from tokenLosses).
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { createScratchT5, loadTokenizer } from '@kard/student';
import { scoreOptions } from './evaluate';

beforeAll(() => initBackend());

test('the chosen option has the lowest NLL of its answer tokens under step-by-step decoding', async () => {
  const tok = await loadTokenizer(path.resolve(__dirname, '../../../../models/t5-tokenizer'));
  for (const seed of [1, 2, 3]) {
    const model = createScratchT5(tok, { dModel: 16, dFf: 32, numLayers: 1, numHeads: 2 }, seed);
    const input = tok.encode('Question: Is water wet? A. yes B. no\nExplanation:');
    const rationale = 'Water makes things wet.';
    const prefix = `${rationale}\nAnswer:`;
    const start = tok.encode(prefix).length - 1;
    const nll = (label: string) => {
      const target = tok.encode(`${prefix} ${label}`);
      const dec = model.startDecoding(
        tf.tensor2d([input], undefined, 'int32'),
        tf.tensor2d([input.map(() => 1)], undefined, 'int32'),
        { useCache: true },
      );
      let total = 0;
      let logits: Float32Array = dec.next(null);
      for (let i = 0; i < target.length; i++) {
        if (i >= start) {
          const max = Math.max(...logits);
          const lse = max + Math.log(logits.reduce((s, x) => s + Math.exp(x - max), 0));
          total += lse - logits[target[i]];
        }
        if (i + 1 < target.length) logits = dec.next([target[i]]);
      }
      dec.dispose();
      return total;
    };
    const ref = nll('A') <= nll('B') ? 'A' : 'B';
    expect(scoreOptions(model, tok, input, rationale, ['A', 'B'], 64)).toBe(ref);
    model.dispose();
  }
});
