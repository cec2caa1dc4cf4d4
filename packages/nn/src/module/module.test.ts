import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint';
import { crossEntropy } from '../losses';
import { AdamW } from '../optim';
import { Rng } from '@kard/core';
import { readSafetensors } from '../safetensors';
import { Conv1D, Embedding, LayerNorm, Linear, Module, StateDictError } from './index';

class Block extends Module {
  q = this.addModule('q', new Linear(3, 2, { bias: false }));
  ln = this.addModule('layer_norm', new LayerNorm(2));
}
class Toy extends Module {
  shared = this.addModule('shared', new Embedding(5, 3));
  blocks = [0, 1].map((i) => this.addModule(`block.${i}`, new Block()));
  head = this.addModule('lm_head', this.shared); // tied: listed once, as shared.weight
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-mod-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => initBackend());

describe('Module', () => {
  test('parameter names are HF-style dotted paths, tied weights listed once', () => {
    const m = new Toy();
    expect([...m.namedParameters().keys()]).toEqual([
      'shared.weight',
      'block.0.q.weight',
      'block.0.layer_norm.weight',
      'block.0.layer_norm.bias',
      'block.1.q.weight',
      'block.1.layer_norm.weight',
      'block.1.layer_norm.bias',
    ]);
    expect(m.namedParameters().get('block.1.q.weight')!.shape).toEqual([2, 3]); // [out, in]
    expect(m.numParameters()).toBe(15 + 2 * (6 + 4));
  });

  test('Linear computes x W^T + b; Conv1D x W + b; LayerNorm normalises', () => {
    const lin = new Linear(2, 3);
    lin.weight.assign(
      tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    );
    lin.bias!.assign(tf.tensor1d([1, 0, -1]));
    expect([...lin.forward(tf.tensor2d([[1, -1]])).dataSync()]).toEqual([0, -1, -2]);
    const conv = new Conv1D(2, 3);
    conv.weight.assign(
      tf.tensor2d([
        [1, 3, 5],
        [2, 4, 6],
      ]),
    );
    expect([...conv.forward(tf.tensor2d([[1, -1]])).dataSync()]).toEqual([-1, -1, -1]);
    const ln = new LayerNorm(4, 0);
    const y = ln.forward(tf.tensor2d([[1, 2, 3, 4]])).dataSync();
    const sd = Math.sqrt(1.25);
    expect(y[0]).toBeCloseTo(-1.5 / sd, 5);
    expect(y[3]).toBeCloseTo(1.5 / sd, 5);
  });

  test('loadStateDict: shape mismatch throws naming the file; strict reports missing/unexpected', () => {
    const m = new Toy();
    const sd = new Map([...m.stateDict()].map(([k, v]) => [k, { dtype: 'F32' as const, ...v }]));
    expect(m.loadStateDict(sd)).toEqual({ missing: [], unexpected: [] });
    sd.set('block.0.q.weight', { dtype: 'F32', shape: [3, 2], values: new Float32Array(6) });
    expect(() => m.loadStateDict(sd, { file: 'x.safetensors' })).toThrow(StateDictError);
    expect(() => m.loadStateDict(sd, { file: 'x.safetensors' })).toThrow(
      /x\.safetensors: tensor "block.0.q.weight" has shape \[3,2\]/,
    );
    sd.delete('block.0.q.weight');
    sd.set('extra', { dtype: 'F32', shape: [1], values: new Float32Array(1) });
    expect(m.loadStateDict(sd, { ignore: [/^extra$/] })).toEqual({ missing: ['block.0.q.weight'], unexpected: [] });
    expect(() => m.loadStateDict(sd, { strict: true })).toThrow(/missing \[block.0.q.weight\], unexpected \[extra\]/);
  });
});

describe('crossEntropy', () => {
  test('matches a hand computation, skipping -100 labels', () => {
    const logits = [
      [1, 2, 3],
      [0, 0, 0],
      [5, -1, 2],
    ];
    const labels = [2, -100, 0];
    const nll = (row: number[], y: number) => Math.log(row.reduce((s, x) => s + Math.exp(x), 0)) - row[y];
    const expected = (nll(logits[0], 2) + nll(logits[2], 0)) / 2;
    const got = crossEntropy(tf.tensor2d(logits), tf.tensor1d(labels, 'int32')).dataSync()[0];
    expect(got).toBeCloseTo(expected, 5);
    const none = crossEntropy(tf.tensor2d(logits), tf.tensor1d(labels, 'int32'), { reduction: 'none' }).dataSync();
    expect(none[1]).toBe(0);
    expect(none[2]).toBeCloseTo(nll(logits[2], 0), 5);
  });

  test('the fused mean/sum (cpu kernel) equal the op path of reduction none, values and gradients', () => {
    const logits = tf.randomNormal([6, 11], 0, 3, 'float32', 4);
    const labels = tf.tensor1d([3, -100, 0, 10, -100, 7], 'int32');
    const viaOps = (x: tf.Tensor) => tf.div(tf.sum(crossEntropy(x, labels, { reduction: 'none' })), 4);
    const fused = (x: tf.Tensor) => crossEntropy(x, labels);
    expect(fused(logits).dataSync()[0]).toBeCloseTo(viaOps(logits).dataSync()[0], 5);
    expect(crossEntropy(logits, labels, { reduction: 'sum' }).dataSync()[0]).toBeCloseTo(
      viaOps(logits).dataSync()[0] * 4,
      4,
    );
    const g1 = tf.grad(fused)(logits).dataSync(),
      g2 = tf.grad(viaOps)(logits).dataSync();
    g2.forEach((x, i) => expect(Math.abs(g1[i] - x)).toBeLessThan(1e-6));
    expect(crossEntropy(logits, tf.fill([6], -100, 'int32')).dataSync()[0]).toBe(0); // nothing counted: 0, not NaN
  });
});

describe('checkpoint', () => {
  test('save then load restores weights, moments and step, and the next update is identical', async () => {
    const run = (m: Toy, opt: AdamW) =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () =>
            tf.sum(
              tf.square(m.blocks[1].ln.forward(m.blocks[0].q.forward(m.shared.forward(tf.tensor1d([1, 3], 'int32'))))),
            ) as tf.Scalar,
          [...m.namedParameters().values()],
        );
        const byName = new Map([...m.namedParameters()].map(([n, v]) => [n, grads[v.name]]));
        opt.applyGradients(byName);
      });
    const a = new Toy();
    const optA = new AdamW(a.namedParameters(), { lr: 0.01 });
    run(a, optA);
    const rng = new Rng(5);
    const dir = path.join(tmp, 'ckpt');
    await saveCheckpoint(dir, {
      module: a,
      optimizer: optA,
      state: { step: 1, rng: { data: rng.getState() }, extra: { epoch: 0 } },
    });
    expect(fs.readdirSync(dir).sort()).toEqual(['model.safetensors', 'optimizer.safetensors', 'trainer_state.json']);
    expect(readSafetensors(path.join(dir, 'optimizer.safetensors')).tensors.has('exp_avg.shared.weight')).toBe(true);

    const b = new Toy();
    const optB = new AdamW(b.namedParameters(), { lr: 0.01 });
    const state = loadCheckpoint(dir, { module: b, optimizer: optB });
    expect(state.step).toBe(1);
    expect(Rng.fromState(state.rng.data).nextU32()).toBe(rng.nextU32());
    expect(optB.step).toBe(1);
    run(a, optA);
    run(b, optB);
    for (const [n, v] of a.namedParameters())
      expect([...b.namedParameters().get(n)!.dataSync()]).toEqual([...v.dataSync()]);
  });

  test('a failing write leaves the previous checkpoint untouched', async () => {
    const dir = path.join(tmp, 'ckpt2');
    const m = new Toy();
    const opt = new AdamW(m.namedParameters());
    await saveCheckpoint(dir, { module: m, optimizer: opt, state: { step: 3, rng: {} } });
    await expect(
      saveCheckpoint(dir, {
        writeWeights: () => {
          throw new Error('disk full');
        },
        optimizer: opt,
        state: { step: 4, rng: {} },
      }),
    ).rejects.toThrow('disk full');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'trainer_state.json'), 'utf8')).step).toBe(3);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
