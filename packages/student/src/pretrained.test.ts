import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, readSafetensors, writeSafetensors } from '@kard/nn';
import { ModelLoadError } from './errors';
import { createModel, fromPretrained, savePretrained } from './pretrained';
import { scoreExamples } from './score';
import { createScratchT5 } from './scratch-t5';
import { loadTokenizer } from './tokenizer';
import { batchOf, tinyGpt2Config, tinyT5Config } from './testing';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'student-pre-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => initBackend());

const batch = () =>
  batchOf(
    [
      [5, 6, 7, 1],
      [8, 9, 1, 0],
    ],
    [
      [1, 1, 1, 1],
      [1, 1, 1, 0],
    ],
    [
      [3, 4, 1],
      [10, 1, -100],
    ],
  );

describe('savePretrained / fromPretrained', () => {
  test.each([
    ['v1.0', tinyT5Config('v1.0')],
    ['v1.1', tinyT5Config('v1.1')],
    ['gpt2', tinyGpt2Config()],
  ] as const)('%s round trip gives identical logits and HF key names', async (name, cfg) => {
    const m = createModel(cfg, 7);
    const dir = path.join(tmp, name);
    await savePretrained(m, dir);
    const loaded = fromPretrained(dir).model;
    const a = tf.tidy(() => m.forward(batch()).dataSync());
    const b = tf.tidy(() => loaded.forward(batch()).dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    const keys = [...readSafetensors(path.join(dir, 'model.safetensors')).tensors.keys()];
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    if (cfg.modelType === 't5') {
      expect(keys).toContain('encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight');
      expect(keys).not.toContain('encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight');
      expect(keys).toContain('decoder.block.1.layer.1.EncDecAttention.q.weight');
      expect(keys.includes('lm_head.weight')).toBe(!cfg.tieWordEmbeddings);
      expect(config.feed_forward_proj).toBe(cfg.feedForwardProj);
    } else {
      expect(keys).toContain('transformer.h.1.attn.c_attn.weight');
      expect(
        readSafetensors(path.join(dir, 'model.safetensors')).tensors.get('transformer.h.0.mlp.c_fc.weight')!.shape,
      ).toEqual([8, 16]); // Conv1D [in, out]
    }
  });

  test('replaces a student folder it saved, never a model folder it did not (a download) unless overwrite', async () => {
    const m = createModel(tinyT5Config('v1.1'), 3);
    const dir = path.join(tmp, 'ours');
    await savePretrained(m, dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, '.kard-output.json'), 'utf8'))).toEqual({
      format: 'kard-output',
      kind: 'student model',
    });
    await savePretrained(createModel(tinyT5Config('v1.1'), 4), dir);

    // the same files, as a Hugging Face download has them, but no marker: somebody else's model
    const download = path.join(tmp, 'download');
    fs.cpSync(dir, download, { recursive: true });
    fs.rmSync(path.join(download, '.kard-output.json'));
    const files = fs.readdirSync(download).sort();
    await expect(savePretrained(m, download)).rejects.toThrow(
      `${download} exists and is not a student model written by KARD-TS (no .kard-output.json); refusing to replace it.`,
    );
    expect(fs.readdirSync(download).sort()).toEqual(files);
    await savePretrained(m, download, { overwrite: true });
    expect(fs.existsSync(path.join(download, '.kard-output.json'))).toBe(true);
  });

  test('loads sharded and BF16 checkpoints, and GPT2Model keys without the transformer. prefix', async () => {
    const m = createModel(tinyT5Config('v1.1'), 3);
    const dir = path.join(tmp, 'sharded');
    await savePretrained(m, dir, { maxShardBytes: 2000 });
    expect(fs.existsSync(path.join(dir, 'model.safetensors.index.json'))).toBe(true);
    const a = tf.tidy(() => m.forward(batch()).dataSync());
    expect(Array.from(tf.tidy(() => fromPretrained(dir).model.forward(batch()).dataSync()))).toEqual(Array.from(a));

    const g = createModel(tinyGpt2Config(), 4);
    const gdir = path.join(tmp, 'gpt-bf16');
    await savePretrained(g, gdir);
    const t = readSafetensors(path.join(gdir, 'model.safetensors')).tensors;
    writeSafetensors(
      path.join(gdir, 'model.safetensors'),
      new Map([...t].map(([k, v]) => [k.replace(/^transformer\./, ''), { ...v, dtype: 'BF16' as const }])),
    );
    const back = fromPretrained(gdir).model.namedParameters().get('transformer.wte.weight')!.dataSync();
    const orig = g.namedParameters().get('transformer.wte.weight')!.dataSync();
    orig.forEach((x, i) => expect(Math.abs(back[i] - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -8));
  });

  test('bad folders are clear errors naming the file', async () => {
    const dir = path.join(tmp, 'bad');
    await savePretrained(createModel(tinyT5Config('v1.0'), 1), dir);
    const weights = path.join(dir, 'model.safetensors');
    const bytes = fs.readFileSync(weights);
    fs.writeFileSync(weights, bytes.subarray(0, bytes.length - 100));
    expect(() => fromPretrained(dir)).toThrow(ModelLoadError);
    expect(() => fromPretrained(dir)).toThrow(/model\.safetensors: truncated file/);
    fs.rmSync(weights);
    expect(() => fromPretrained(dir)).toThrow(/bad: no model weights/);
    fs.writeFileSync(weights, bytes);
    const cfgFile = path.join(dir, 'config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
    fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, d_ff: 20 }));
    expect(() => fromPretrained(dir)).toThrow(
      /model\.safetensors: .*wi\.weight" has shape \[12,8\] but the model expects \[20,8\]/,
    );
    fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, num_layers: 3 }));
    expect(() => fromPretrained(dir)).toThrow(/lacks .* encoder\.block\.2/);
    fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, architectures: ['BertForMaskedLM'], model_type: 'bert' }));
    expect(() => fromPretrained(dir)).toThrow(/config\.json: unsupported architecture \["BertForMaskedLM"\]/);
    expect(() => fromPretrained(path.join(tmp, 'nowhere'))).toThrow(/config\.json: no config\.json/);
  });
  test('a NaN or infinite weight is a ModelLoadError naming the tensor and the file', async () => {
    const dir = path.join(tmp, 'nan');
    await savePretrained(createModel(tinyT5Config('v1.0'), 2), dir);
    const weights = path.join(dir, 'model.safetensors');
    const t = readSafetensors(weights).tensors;
    const name = 'decoder.block.1.layer.2.DenseReluDense.wo.weight';
    const values = Float32Array.from(t.get(name)!.values);
    values[5] = Infinity;
    values[9] = NaN;
    writeSafetensors(weights, new Map([...t, [name, { ...t.get(name)!, values }]]));
    expect(() => fromPretrained(dir)).toThrow(ModelLoadError);
    expect(() => fromPretrained(dir)).toThrow(
      `${weights}: tensor "${name}" holds 2 non-finite values (first: Infinity at flat index 5 of shape [8,12])`,
    );
  });
});

describe('score', () => {
  test('per-example mean NLL equals the HF loss of that example alone, for T5 and GPT-2', () => {
    for (const cfg of [tinyT5Config('v1.1'), tinyGpt2Config()]) {
      const m = createModel(cfg, 2);
      const examples = [
        { id: 'a', inputIds: [5, 6, 7, 1], targetIds: [3, 4, 1] },
        { id: 'b', inputIds: [8, 1], targetIds: [10, 11, 12, 9, 1] },
      ];
      const scores = scoreExamples(m, examples);
      examples.forEach((e, i) => {
        const single =
          cfg.modelType === 't5'
            ? batchOf([e.inputIds], [e.inputIds.map(() => 1)], [e.targetIds])
            : batchOf(
                [[...e.inputIds, ...e.targetIds]],
                [[...e.inputIds, ...e.targetIds].map(() => 1)],
                [[...e.inputIds.map(() => -100), ...e.targetIds]],
              );
        expect(scores[i].loss).toBeCloseTo(
          tf.tidy(() => m.loss(single).dataSync()[0]),
          5,
        );
        expect(scores[i].tokens).toBe(e.targetIds.length);
      });
    }
  });
});

describe('score with a lossMask', () => {
  test('totalLoss sums the per-token NLL of the kept positions only, each row scored alone as reference', () => {
    for (const cfg of [tinyT5Config('v1.1'), tinyGpt2Config()]) {
      const m = createModel(cfg, 3);
      const examples = [
        { id: 'a', inputIds: [5, 6, 7, 1], targetIds: [3, 4, 1], lossMask: [false, true, true] },
        { id: 'b', inputIds: [8, 1], targetIds: [10, 11, 12, 9, 1], lossMask: [true, false, true, false, true] },
        { id: 'c', inputIds: [4, 1], targetIds: [2, 1] },
      ];
      const scores = scoreExamples(m, examples, 2);
      examples.forEach((e, i) => {
        // per-token NLL of this example alone (batch of one, no padding), summed in float64 over the kept positions
        const single =
          cfg.modelType === 't5'
            ? batchOf([e.inputIds], [e.inputIds.map(() => 1)], [e.targetIds])
            : batchOf(
                [[...e.inputIds, ...e.targetIds]],
                [[...e.inputIds, ...e.targetIds].map(() => 1)],
                [[...e.inputIds.map(() => -100), ...e.targetIds]],
              );
        const row = (tf.tidy(() => m.tokenLosses(single).arraySync()) as number[][])[0];
        const perTarget = cfg.modelType === 't5' ? row : row.slice(e.inputIds.length - 1);
        const kept = e.targetIds.map((_, t) => (e.lossMask ? e.lossMask[t] : true));
        const want = perTarget.reduce((sum, l, t) => sum + (kept[t] ? l : 0), 0);
        expect(scores[i].tokens).toBe(kept.filter(Boolean).length);
        expect(scores[i].totalLoss).toBeCloseTo(want, 5);
        expect(scores[i].loss).toBeCloseTo(want / scores[i].tokens, 5);
      });
      m.dispose();
    }
  });
});

describe('kard-student CLI (built dist, real tokenizer)', () => {
  const cli = path.join(__dirname, '..', 'dist', 'cli.js');
  const run = (args: string[]) =>
    execFileSync('node', [cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  (fs.existsSync(cli) ? test : test.skip)('generate and score print JSON lines; --help works', async () => {
    const tokDir = path.join(__dirname, '..', '..', '..', 'models', 't5-tokenizer');
    const dir = path.join(tmp, 'cli-model');
    await savePretrained(
      createScratchT5(await loadTokenizer(tokDir), { dModel: 16, dFf: 32, numLayers: 1, numHeads: 2 }, 0),
      dir,
      { tokenizerDir: tokDir },
    );
    expect(run(['--help'])).toMatch(/generate/);
    expect(run(['score', '--help'])).toMatch(/--examples/);
    const gen = run([
      'generate',
      '--model',
      dir,
      '--input',
      'Is the sky blue?',
      '--max-new-tokens',
      '3',
      '--num-beams',
      '2',
    ])
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(gen[0].outputs[0].tokens.length).toBeLessThanOrEqual(3);
    const ex = path.join(tmp, 'ex.jsonl');
    fs.writeFileSync(ex, '{"id":"q1","input":"Is the sky blue?","target":"Yes."}\n');
    const sc = JSON.parse(run(['score', '--model', dir, '--examples', ex]).trim());
    expect(sc.id).toBe('q1');
    expect(sc.tokens).toBe(3); // "▁Yes", ".", "</s>"
    expect(sc.loss).toBeGreaterThan(0);
  });
});
