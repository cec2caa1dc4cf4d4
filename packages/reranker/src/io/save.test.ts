import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, writeSafetensors } from '@kard/nn';
import { CheckpointError, loadBertEncoder } from '../bert/checkpoint';
import { parseBertConfig, type BertConfig } from '../bert/config';
import { KARD_LORA, LoraAdapters } from '../bert/lora';
import { BertEncoder } from '../bert/model';
import { ColbertModel } from '../colbert/model';
import { OutputExistsError } from '@kard/core';
import { saveRerankerEnsemble } from '../inference/ensemble';
import { RerankerLoadError, loadReranker, saveReranker } from './save';

beforeAll(() => initBackend());

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kard-reranker-'));
const cfg = (hidden: number): BertConfig =>
  parseBertConfig({
    vocab_size: 20,
    hidden_size: hidden,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 8,
    max_position_embeddings: 16,
  });

/** Writes a BertModel folder the way transformers does: config.json + model.safetensors, keys with a prefix. */
function writeBase(dir: string, enc: BertEncoder, prefix = '', omit?: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', ...enc.config }));
  const arrays = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const [n, v] of enc.params)
    if (n !== omit) arrays.set(prefix + n, { shape: v.shape, values: v.dataSync() as Float32Array });
  arrays.set(`${prefix}pooler.dense.weight`, { shape: [1], values: new Float32Array([7]) }); // ignored
  writeSafetensors(path.join(dir, 'model.safetensors'), arrays);
}

const batch = {
  ids: new Int32Array([1, 4, 6, 2, 3, 9, 0, 0]),
  mask: new Int32Array([1, 1, 1, 1, 1, 1, 0, 0]),
  batch: 2,
  length: 4,
};

describe('saving and loading a reranker', () => {
  it('loads a BertModel checkpoint with or without the bert. prefix to the same outputs', () => {
    const enc = BertEncoder.random(cfg(8), { seed: 1 });
    const a = tmp();
    const b = tmp();
    writeBase(a, enc);
    writeBase(b, enc, 'bert.');
    const ids = tf.tensor2d(batch.ids, [2, 4], 'int32');
    const mask = tf.tensor2d(batch.mask, [2, 4], 'int32');
    const want = enc.forward(ids, mask).arraySync();
    expect(loadBertEncoder(a).forward(ids, mask).arraySync()).toEqual(want);
    expect(loadBertEncoder(b).forward(ids, mask).arraySync()).toEqual(want);
  });

  it(
    'round-trips a LoRA reranker: adapters and head saved ' + 'apart from the base, same embeddings after loading',
    async () => {
      const root = tmp();
      const base = BertEncoder.random(cfg(8), { seed: 2, trainable: false });
      writeBase(path.join(root, 'base'), base);
      base.lora = LoraAdapters.create({ ...KARD_LORA, r: 4 }, 2, 8, 3);
      for (const v of base.lora.b.values()) v.assign(tf.randomNormal(v.shape, 0, 1, 'float32', 5));
      const model = ColbertModel.create(base, { compressionDim: 6 }, 4);
      await saveReranker(model, path.join(root, 'rr'), { baseModel: path.join(root, 'base') });
      expect(fs.readdirSync(path.join(root, 'rr')).sort()).toEqual([
        'adapter_config.json',
        'adapter_model.safetensors',
        'reranker_config.json',
      ]);
      const loaded = loadReranker(path.join(root, 'rr'));
      expect(loaded.encoder.lora?.scaling).toBe(8);
      const want = model.embed(batch).arraySync();
      expect(loaded.embed(batch).arraySync()).toEqual(want);
    },
  );

  it('round-trips a from-scratch reranker with its own encoder folder', async () => {
    const root = tmp();
    const model = ColbertModel.create(BertEncoder.random(cfg(8), { seed: 6 }), { compressionDim: 5 }, 7);
    await saveReranker(model, path.join(root, 'rr'));
    const loaded = loadReranker(path.join(root, 'rr'));
    expect(loaded.embed(batch).arraySync()).toEqual(model.embed(batch).arraySync());
  });

  it('round-trips a hybrid reranker: mix weights and the hybrid flag come back, scores unchanged', async () => {
    const root = tmp();
    const model = ColbertModel.create(BertEncoder.random(cfg(8), { seed: 6 }), { compressionDim: 5, hybrid: true }, 7);
    model.mix!.weight.assign(tf.tensor1d([0.3, -0.2, 0.7]));
    model.mix!.prior.assign(tf.tensor1d([0.1, -0.2, 0.3, 0.4, -0.5]));
    await saveReranker(model, path.join(root, 'rr'));
    const loaded = loadReranker(path.join(root, 'rr'));
    expect(loaded.options.hybrid).toBe(true);
    expect(Array.from(loaded.mix!.weight.dataSync())).toEqual(Array.from(model.mix!.weight.dataSync()));
    expect(Array.from(loaded.mix!.prior.dataSync())).toEqual(Array.from(model.mix!.prior.dataSync()));
    const passages = { ...batch };
    const bm25 = [4, 2];
    expect(loaded.scoreGroups(batch, passages, 1, {}, bm25).arraySync()).toEqual(
      model.scoreGroups(batch, passages, 1, {}, bm25).arraySync(),
    );
  });

  it('replaces a reranker or an ensemble folder, but not a folder of other files unless overwrite', async () => {
    const root = tmp();
    const model = ColbertModel.create(BertEncoder.random(cfg(8), { seed: 6 }), { compressionDim: 5 }, 7);
    const rr = path.join(root, 'rr');
    await saveRerankerEnsemble([{ name: 'seed-1', model }], rr);
    await saveReranker(model, rr); // an ensemble folder is a reranker folder too
    expect(fs.existsSync(path.join(rr, 'reranker_config.json'))).toBe(true);
    expect(fs.existsSync(path.join(rr, 'ensemble.json'))).toBe(false);
    await saveRerankerEnsemble([{ name: 'seed-1', model }], rr);
    expect(fs.existsSync(path.join(rr, 'ensemble.json'))).toBe(true);

    const base = path.join(root, 'base'); // a BERT folder of the user's: config.json + weights, no reranker_config.json
    writeBase(base, BertEncoder.random(cfg(8), { seed: 1 }));
    const before = fs.readdirSync(base).sort();
    await expect(saveReranker(model, base)).rejects.toThrow(
      `${base} exists and is not a reranker folder written by KARD-TS (no reranker_config.json or ensemble.json); refusing to replace it.`,
    );
    await expect(saveRerankerEnsemble([{ name: 'a', model }], base)).rejects.toThrow(OutputExistsError);
    expect(fs.readdirSync(base).sort()).toEqual(before);
    await saveReranker(model, base, { overwrite: true });
    expect(loadReranker(base).embed(batch).arraySync()).toEqual(model.embed(batch).arraySync());
  });

  it('refuses a base model whose hidden size disagrees with the saved head', async () => {
    const root = tmp();
    writeBase(path.join(root, 'base8'), BertEncoder.random(cfg(8), { seed: 1 }));
    writeBase(path.join(root, 'base4'), BertEncoder.random(cfg(4), { seed: 1 }));
    const model = ColbertModel.create(loadBertEncoder(path.join(root, 'base8')), { compressionDim: 3 });
    await saveReranker(model, path.join(root, 'rr'), { baseModel: path.join(root, 'base8') });
    expect(() => loadReranker(path.join(root, 'rr'), { baseModel: path.join(root, 'base4') })).toThrow(
      RerankerLoadError,
    );
    expect(() => loadReranker(path.join(root, 'rr'), { baseModel: path.join(root, 'base4') })).toThrow(
      /hidden size 4.*expects 8/,
    );
  });

  it('names what is missing in an incomplete checkpoint', () => {
    const dir = tmp();
    const enc = BertEncoder.random(cfg(8), { seed: 1 });
    writeBase(dir, enc, '', 'encoder.layer.1.output.dense.bias');
    expect(() => loadBertEncoder(dir)).toThrow(CheckpointError);
    expect(() => loadBertEncoder(dir)).toThrow(/encoder\.layer\.1\.output\.dense\.bias/);
  });
});
