// initBackend picks the best backend that starts, says why it passed over the others, and honours a forced one.
import * as tf from '@tensorflow/tfjs-core';
import '../autodiff';
import { BackendUnavailableError, initBackend } from './init';
import { nativeOrSkip } from './testing/parity';

const haveNative = nativeOrSkip();

describe('initBackend', () => {
  // These tests choose backends themselves: a KARD_BACKEND from outside (the test command's cpu pass) must not force
  // one.
  const unforce = () => {
    delete process.env.KARD_BACKEND;
  };
  beforeEach(unforce);
  afterEach(unforce);

  it('picks the first backend that starts and explains the ones it skipped', async () => {
    const info = await initBackend();
    expect(info.skipped.map((s) => s.name)).toEqual(expect.arrayContaining(['tfjs-node-gpu', 'tfjs-node']));
    expect(info.reason).toMatch(/@tensorflow\/tfjs-node not installed/);
    expect(info.name).toBe(haveNative ? 'native-cpu' : 'wasm');
    expect(tf.getBackend()).toBe(info.tfjsName);
  });

  it('honours the backend option and KARD_BACKEND', async () => {
    expect(await initBackend({ backend: 'cpu' })).toMatchObject({ name: 'cpu', tfjsName: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    process.env.KARD_BACKEND = 'wasm';
    const info = await initBackend();
    expect(info).toMatchObject({ name: 'wasm', tfjsName: 'wasm' });
    expect(info.reason).toMatch(/forced by KARD_BACKEND/);
  });

  it('throws a BackendUnavailableError naming the reason when a forced backend cannot start', async () => {
    await expect(initBackend({ backend: 'tfjs-node' })).rejects.toThrow(BackendUnavailableError);
    await expect(initBackend({ backend: 'tfjs-node' })).rejects.toThrow(/tfjs-node not installed/);
    await expect(initBackend({ backend: 'tpu' as never })).rejects.toThrow(/unknown backend/);
  });

  it('wasm gets a JS UnsortedSegmentSum, so embedding gradients work there (checked against a hand sum)', async () => {
    await initBackend({ backend: 'wasm' });
    const table = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const ids = tf.tensor1d([2, 0, 2], 'int32');
    const grad = tf.grad((w: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.gather(w, ids),
          tf.tensor2d([
            [1, 10],
            [100, 1000],
            [2, 20],
          ]),
        ),
      ),
    )(table);
    expect(Array.from(grad.dataSync())).toEqual([100, 1000, 0, 0, 3, 30]);
  });
});
