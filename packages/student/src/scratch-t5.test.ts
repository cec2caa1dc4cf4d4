// createScratchT5 must initialise exactly as the pipeline's scratch factory it replaced (same config, same draw
// order), so existing runs and the demo report stay identical. The hashes below were computed from that factory
// (packages/pipeline/src/student/model.ts, commit 89d685b) before it was deleted; they are not derived from this code.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { initBackend } from '@kard/nn';
import { createScratchT5 } from './scratch-t5';
import { loadTokenizer } from './tokenizer';

beforeAll(() => initBackend());

const CASES = [
  {
    seed: 0,
    opts: { dModel: 16, dFf: 32, numLayers: 1, numHeads: 2 },
    dKv: 8,
    sha256: '2914d6f22876c0a6191cf5d44a8146711bb4f40b309ef95a7284a8b7f987ec0d',
  },
  {
    seed: 7,
    opts: { dModel: 24, dFf: 40, numLayers: 2, numHeads: 3 },
    dKv: 8,
    sha256: 'c38c30a3a518250f075c0dfa5e650bcaf4e337cc8f5ddb5520b8276a73b7b9da',
  },
];

test.each(CASES)('seed $seed, $opts: the weights of the replaced factory', async ({ seed, opts, dKv, sha256 }) => {
  const tok = await loadTokenizer(path.resolve(__dirname, '../../../models/t5-tokenizer'));
  expect([tok.vocabSize, tok.padTokenId, tok.eosTokenId]).toEqual([32100, 0, 1]);
  const model = createScratchT5(tok, opts, seed);
  expect(model.config).toEqual({
    modelType: 't5',
    ...opts,
    dKv,
    numDecoderLayers: opts.numLayers,
    vocabSize: 32100,
    relativeAttentionNumBuckets: 32,
    relativeAttentionMaxDistance: 128,
    dropoutRate: 0,
    layerNormEpsilon: 1e-6,
    initializerFactor: 1,
    feedForwardProj: 'gated-gelu',
    tieWordEmbeddings: true,
    scaleDecoderOutputs: true,
    padTokenId: 0,
    eosTokenId: 1,
    decoderStartTokenId: 0,
  });
  // name, shape and float32 bytes of every parameter, in the model's order
  const h = createHash('sha256');
  for (const [name, t] of model.stateDict()) {
    h.update(name);
    h.update(JSON.stringify(t.shape));
    h.update(Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength));
  }
  expect(h.digest('hex')).toBe(sha256);
  model.dispose();
});
