import * as tf from '@tensorflow/tfjs-core';
import '../autodiff';
import { initBackend } from './init';
import { installFastSegmentSum } from './segment-sum';
import { Rng } from '@kard/core';

beforeAll(() => initBackend({ backend: 'cpu' }));

test('scatter-add UnsortedSegmentSum on cpu matches a brute-force sum, and gather gradients go through it', () => {
  const rng = new Rng(3);
  const n = 50,
    d = 3,
    segs = 7;
  const x = Array.from({ length: n * d }, () => rng.normal());
  const ids = Array.from({ length: n }, () => rng.int(segs));
  const expected = new Array(segs * d).fill(0);
  ids.forEach((s, r) => {
    for (let j = 0; j < d; j++) expected[s * d + j] += x[r * d + j];
  });
  expect(installFastSegmentSum()).toBe(true);
  const got = tf.unsortedSegmentSum(tf.tensor2d(x, [n, d]), tf.tensor1d(ids, 'int32'), segs).arraySync() as number[][];
  got.flat().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  // out-of-range ids are dropped, as TensorFlow does
  const dropped = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 4]), tf.tensor1d([0, 5, 1], 'int32'), 2).arraySync();
  expect(dropped).toEqual([1, 4]);
  // d/dE sum(gather(E, ids)) = how often each row was looked up
  const e = tf.variable(tf.zeros([segs, d]));
  const g = tf
    .grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d(ids, 'int32'))))(e)
    .arraySync() as number[][];
  for (let s = 0; s < segs; s++) expect(g[s][0]).toBe(ids.filter((i) => i === s).length);
});
