// Every kernel native-cpu overrides gives what tfjs's own cpu kernels give, on odd shapes, every transpose
// flag and every broadcast pattern; and the fast paths really run in C (the addon's functions are called).
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeAddon } from './native-addon';
import '../autodiff';
import { expectParity, nativeOrSkip, rand, seeded } from './testing/parity';

const haveNative = nativeOrSkip();
const maybe = haveNative ? describe : describe.skip;

maybe('native-cpu kernels match the cpu backend', () => {
  it('BatchMatMul: every transpose flag, batched, broadcast batch and odd shapes', async () => {
    const calls = jest.spyOn(loadNativeAddon().addon!, 'gemm');
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const a = seeded(7 * 5, 11),
        b = seeded(5 * 3, 12);
      await expectParity(() =>
        tf.matMul(tf.tensor(a, ta ? [5, 7] : [7, 5]), tf.tensor(b, tb ? [3, 5] : [5, 3]), ta, tb),
      );
      const a3 = seeded(2 * 7 * 5, 13),
        b3 = seeded(2 * 5 * 3, 14);
      await expectParity(() =>
        tf.matMul(tf.tensor(a3, ta ? [2, 5, 7] : [2, 7, 5]), tf.tensor(b3, tb ? [2, 3, 5] : [2, 5, 3]), ta, tb),
      );
    }
    const x = seeded(3 * 4 * 6, 15),
      w = seeded(6 * 9, 16),
      one = seeded(1 * 6 * 2, 17);
    await expectParity(() => tf.matMul(tf.tensor(x, [3, 4, 6]), tf.tensor(w, [6, 9])));
    await expectParity(() => tf.matMul(tf.tensor(x, [3, 4, 6]), tf.tensor(one, [1, 6, 2])));
    await expectParity(() => tf.matMul(tf.tensor(w, [1, 6, 9]), tf.tensor(x, [3, 4, 6]), true, true));
    expect(calls).toHaveBeenCalled();
    calls.mockRestore();
  });

  it('_FusedMatMul with bias and linear, relu and sigmoid activations', async () => {
    const a = seeded(5 * 4, 21),
      b = seeded(4 * 6, 22),
      bias = seeded(6, 23);
    for (const activation of ['linear', 'relu', 'sigmoid'] as const) {
      await expectParity(() =>
        tf.fused.matMul({ a: tf.tensor(a, [5, 4]), b: tf.tensor(b, [4, 6]), bias: tf.tensor(bias, [6]), activation }),
      );
      await expectParity(() =>
        tf.fused.matMul({
          a: tf.tensor(a, [4, 5]),
          b: tf.tensor(b, [6, 4]),
          transposeA: true,
          transposeB: true,
          activation,
        }),
      );
    }
  });

  it('binary ops: same shape, scalar, row, column, middle and two-sided broadcasts', async () => {
    const calls = jest.spyOn(loadNativeAddon().addon!, 'binary');
    const pairs: [number[], number[]][] = [
      [
        [3, 5],
        [3, 5],
      ],
      [[3, 5], []],
      [[], [3, 5]],
      [[4, 6], [6]],
      [
        [4, 6],
        [4, 1],
      ],
      [
        [2, 1, 5],
        [2, 3, 5],
      ],
      [
        [3, 1],
        [1, 4],
      ],
      [
        [2, 3, 4, 5],
        [3, 1, 5],
      ],
      [[1], [7]],
      [
        [2, 3, 1, 1, 5],
        [1, 3, 4, 1, 1],
      ],
    ];
    const ops = [tf.add, tf.sub, tf.mul, tf.div, tf.maximum, tf.minimum, tf.squaredDifference];
    for (const [sa, sb] of pairs) {
      for (const op of ops) await expectParity(() => op(rand(sa), rand(sb, 0.5, 2)));
      await expectParity(() => tf.pow(rand(sa, 0.1, 2), rand(sb, -2, 2)));
    }
    expect(calls).toHaveBeenCalled();
    calls.mockRestore();
  });

  it('unary ops over positive, negative and large inputs', async () => {
    const x = tf.tensor(seeded(1000, 31, -30, 30));
    const xs = x.arraySync() as number[];
    x.dispose();
    const wide = () => tf.tensor([...xs, 0, -0, 1e-6, -1e-6, 88, -88, -100, 100]);
    for (const op of [tf.exp, tf.neg, tf.relu, tf.tanh, tf.sigmoid, tf.square, tf.abs])
      await expectParity(() => op(wide()));
    const pos = () => tf.tensor(seeded(1001, 32, 1e-3, 50));
    for (const op of [tf.log, tf.sqrt, tf.rsqrt, tf.reciprocal]) await expectParity(() => op(pos()));
  });

  it('softmax and reductions over last, first, middle and several axes, with keepDims', async () => {
    await expectParity(() => tf.softmax(rand([3, 5, 7], -20, 20)));
    await expectParity(() => tf.softmax(rand([2, 32128], -5, 5)));
    for (const op of [tf.sum, tf.mean, tf.max, tf.min]) {
      for (const axis of [-1, 0, 1, [1, 2], [0, 1], [0, 2], undefined] as (number | number[] | undefined)[]) {
        for (const keep of [false, true]) await expectParity(() => op(rand([3, 5, 7]), axis, keep));
      }
    }
  });

  it('transpose: 2-D, attention-style, rotations, size-1 dims and identities', async () => {
    const perms: [number[], number[]][] = [
      [
        [37, 45],
        [1, 0],
      ],
      [
        [2, 7, 3, 5],
        [0, 2, 1, 3],
      ],
      [
        [2, 3, 5, 4],
        [0, 2, 3, 1],
      ],
      [
        [4, 1, 6],
        [2, 1, 0],
      ],
      [
        [3, 4, 5],
        [2, 0, 1],
      ],
      [
        [3, 4, 5],
        [0, 1, 2],
      ],
      [
        [1, 1, 9],
        [2, 0, 1],
      ],
      [
        [2, 3, 4, 5, 6],
        [4, 2, 0, 3, 1],
      ],
    ];
    for (const [shape, perm] of perms) await expectParity(() => tf.transpose(rand(shape), perm));
  });

  it('gather on axis 0 and its gradient, UnsortedSegmentSum, with repeated ids', async () => {
    const table = seeded(11 * 4, 41);
    const ids = [3, 0, 3, 10, 7, 3, 0];
    await expectParity(() => {
      const t = tf.tensor(table, [11, 4]);
      const g = tf.grad((w: tf.Tensor) =>
        tf.sum(tf.mul(tf.gather(w, tf.tensor2d([ids.slice(0, 4), ids.slice(3)], [2, 4], 'int32')), rand([2, 4, 4]))),
      );
      return [tf.gather(t, tf.tensor1d(ids, 'int32')), g(t)];
    });
    await expectParity(() => tf.unsortedSegmentSum(rand([6, 2, 3]), tf.tensor1d([0, 2, 2, 1, 0, 4], 'int32'), 5));
    expect(() => tf.tidy(() => tf.gather(tf.tensor(table, [11, 4]), tf.tensor1d([11], 'int32')))).toThrow(
      /not in \[0, 10\]/,
    );
  });

  it('int32 and bool inputs fall through to the cpu kernels', async () => {
    await expectParity(() =>
      tf.cast(tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32')), 'float32'),
    );
    await expectParity(() =>
      tf.cast(
        tf.sum(
          tf.tensor2d(
            [
              [1, 2],
              [3, 4],
            ],
            [2, 2],
            'int32',
          ),
          1,
        ),
        'float32',
      ),
    );
    await expectParity(() =>
      tf.cast(
        tf.transpose(
          tf.tensor2d(
            [
              [1, 2, 3],
              [4, 5, 6],
            ],
            [2, 3],
            'int32',
          ),
        ),
        'float32',
      ),
    );
  });
});
