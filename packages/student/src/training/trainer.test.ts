import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { Rng } from '@kard/core';
import { createModel, fromPretrained } from '../pretrained';
import { tinyGpt2Config, tinyT5Config } from '../testing';
import type { TokenizedExample } from './examples';
import { CausalLmTrainer, Seq2SeqTrainer } from './trainer';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'student-train-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => initBackend());

function synthetic(n: number, seed: number): TokenizedExample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: String(i),
    inputIds: [...Array.from({ length: 2 + rng.int(5) }, () => 2 + rng.int(11)), 1],
    targetIds: [...Array.from({ length: 1 + rng.int(4) }, () => 2 + rng.int(11)), 1],
  }));
}

describe('Seq2SeqTrainer', () => {
  const data = synthetic(24, 1);
  const opts = {
    epochs: 2,
    batchSize: 4,
    gradientAccumulationSteps: 2,
    lr: 1e-2,
    warmupSteps: 2,
    seed: 3,
    progress: false,
  };

  test('resuming from a checkpoint reproduces the uninterrupted losses exactly (dropout on)', async () => {
    const cfg = tinyT5Config('v1.1', { dropoutRate: 0.1 });
    const full = await new Seq2SeqTrainer(createModel(cfg, 5), { ...opts, outputDir: path.join(tmp, 'full') }).train(
      data,
    );
    expect(full.steps.length).toBe(6); // 24 / 4 = 6 micro-batches an epoch, 2 per step, 2 epochs
    const first = await new Seq2SeqTrainer(createModel(cfg, 5), {
      ...opts,
      outputDir: path.join(tmp, 'part'),
      saveSteps: 2,
      maxSteps: 4,
    }).train(data);
    expect(first.steps.map((s) => s.loss)).toEqual(full.steps.slice(0, 4).map((s) => s.loss));
    const resumed = await new Seq2SeqTrainer(createModel(cfg, 99), {
      ...opts,
      outputDir: path.join(tmp, 'part'),
      resumeFrom: path.join(tmp, 'part', 'checkpoint-2'),
    }).train(data);
    expect(resumed.steps.map((s) => s.loss)).toEqual(full.steps.slice(2).map((s) => s.loss));
    expect(resumed.steps.map((s) => s.lr)).toEqual(full.steps.slice(2).map((s) => s.lr));
    const ckpt = fs.readdirSync(path.join(tmp, 'part', 'checkpoint-2')).sort();
    expect(ckpt).toEqual([
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'optimizer.safetensors',
      'trainer_state.json',
    ]);
    const log = fs
      .readFileSync(path.join(tmp, 'full', 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.filter((l) => 'loss' in l)).toHaveLength(6);
    expect(fromPretrained(path.join(tmp, 'full', 'final')).config.modelType).toBe('t5');
  });

  test(
    'totalSteps runs exactly that many steps across epochs; resumeFrom latest continues a stopped run; ' +
      'saveTotalLimit keeps the newest',
    async () => {
      const cfg = tinyT5Config('v1.1');
      // 6 batches an epoch: 2 epochs, the second cut short
      const base = { batchSize: 4, lr: 1e-2, warmupSteps: 2, seed: 3, progress: false, totalSteps: 10 };
      const full = await new Seq2SeqTrainer(createModel(cfg, 5), {
        ...base,
        outputDir: path.join(tmp, 'ts-full'),
        finalDir: false,
      }).train(data);
      expect(full.steps).toHaveLength(10);
      expect(full.steps.map((s) => s.epoch)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
      expect(full.steps[9].lr).toBeCloseTo((1e-2 * (1 - 9 / 10)) / (1 - 2 / 10), 8); // linear decay to 0 at step 10
      expect(fs.existsSync(path.join(tmp, 'ts-full', 'final'))).toBe(false);
      const dir = path.join(tmp, 'ts-part');
      const saved: number[] = [];
      const first = await new Seq2SeqTrainer(createModel(cfg, 5), {
        ...base,
        outputDir: dir,
        saveSteps: 3,
        saveTotalLimit: 1,
        maxSteps: 7,
        resumeFrom: 'latest',
        onCheckpoint: (s) => saved.push(s),
      }).train(data);
      expect(first.resumedFromStep).toBe(0);
      expect(saved).toEqual([3, 6, 7]);
      expect(fs.readdirSync(dir).filter((n) => n.startsWith('checkpoint-'))).toEqual(['checkpoint-7']);
      const rest = await new Seq2SeqTrainer(createModel(cfg, 99), {
        ...base,
        outputDir: dir,
        resumeFrom: 'latest',
      }).train(data);
      expect(rest.resumedFromStep).toBe(7);
      expect([...first.steps, ...rest.steps].map((s) => s.loss)).toEqual(full.steps.map((s) => s.loss));
      // Another run (here another learning rate) does not resume this one's checkpoints.
      await expect(
        new Seq2SeqTrainer(createModel(cfg, 5), { ...base, lr: 1e-3, outputDir: dir, resumeFrom: 'latest' }).train(
          data,
        ),
      ).rejects.toThrow(
        /checkpoint-10: this checkpoint comes from another run \(lr: checkpoint 0\.01, this run 0\.001\)/,
      );
    },
  );

  test('no tensor leak: tf.memory().numTensors is flat across steps; eval loss is reported', async () => {
    const counts: number[] = [];
    const res = await new Seq2SeqTrainer(createModel(tinyT5Config('v1.0', { dropoutRate: 0.1 }), 5), {
      ...opts,
      outputDir: path.join(tmp, 'leak'),
      onStep: () => counts.push(tf.memory().numTensors),
    }).train(data, synthetic(6, 2));
    expect(counts.length).toBe(6);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(res.evals).toHaveLength(2);
    expect(res.evals[1].evalLoss).toBeLessThan(Math.log(13) + 1);
  });
});

describe('CausalLmTrainer', () => {
  test('loss decreases on a repeated small set and memory stays flat', async () => {
    const data = synthetic(8, 4);
    const counts: number[] = [];
    const res = await new CausalLmTrainer(createModel(tinyGpt2Config(), 1), {
      outputDir: path.join(tmp, 'gpt'),
      epochs: 15,
      batchSize: 8,
      lr: 3e-2,
      progress: false,
      onStep: () => counts.push(tf.memory().numTensors),
    }).train(data);
    expect(res.steps[res.steps.length - 1].loss).toBeLessThan(res.steps[0].loss * 0.75);
    expect(new Set(counts.slice(1)).size).toBe(1);
  });
});
