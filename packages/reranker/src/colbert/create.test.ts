import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@kard/nn';
import { saveReranker } from '../io/save';
import { createRerankerModel } from './create';
import { ColbertModel, HYBRID_INIT } from './model';

describe('createRerankerModel with init (a pre-trained from-scratch reranker)', () => {
  const base = {
    encoder: 'scratch' as const,
    compressionDim: 8,
    queryMaxLength: 16,
    passageMaxLength: 24,
    vocabSize: 300,
    seed: 1,
  };
  let dir: string;
  let saved: ColbertModel;
  beforeAll(async () => {
    await initBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-init-'));
    saved = createRerankerModel({ ...base, scratchConfig: { hidden_size: 8, intermediate_size: 16, vocab_size: 300 } });
    await saveReranker(saved, dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts from the saved encoder and compressor, all trainable, with a fresh hybrid head', () => {
    const m = createRerankerModel({ ...base, seed: 99, init: dir, hybrid: true, scratchConfig: { hidden_size: 64 } });
    const vars = m.trainableVariables();
    for (const [name, v] of saved.trainableVariables())
      expect(Array.from(vars.get(name)!.dataSync())).toEqual(Array.from(v.dataSync()));
    expect([...m.encoder.params.values()].every((v) => v.trainable)).toBe(true);
    expect(m.compressor.weight.trainable).toBe(true);
    expect(Array.from(m.mix!.weight.dataSync())).toEqual(Array.from(Float32Array.from(HYBRID_INIT)));
    expect(Array.from(m.mix!.prior.dataSync()).every((x) => x === 0)).toBe(true);
    expect(m.hiddenSize).toBe(8); // the saved encoder's size, not scratchConfig's
  });

  it('refuses a tokenizer of another size, lengths beyond its positions, and a pretrained encoder beside it', () => {
    expect(() => createRerankerModel({ ...base, init: dir, vocabSize: 301 })).toThrow(
      /300 token embeddings, the tokenizer 301 tokens/,
    );
    expect(() => createRerankerModel({ ...base, init: dir, passageMaxLength: 64 })).toThrow(
      /takes 24 positions, fewer than the 64 asked for/,
    );
    expect(() => createRerankerModel({ ...base, init: dir, encoder: '/some/bert' })).toThrow(
      /cannot be combined with the pretrained encoder/,
    );
  });
});
