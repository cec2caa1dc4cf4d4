import { GrowableBigUint64Array, GrowableUint32Array } from './growable';

test('GrowableUint32Array keeps every pushed value in order across growth', () => {
  const g = new GrowableUint32Array(1);
  const expected: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const v = (i * 2654435761) >>> 0;
    g.push(v);
    expected.push(v);
  }
  expect(g.length).toBe(5000);
  expect([...g.toArray()]).toEqual(expected);
  expect([...g.view()]).toEqual(expected);
  expect(g.toArray().length).toBe(5000); // exact size, no spare capacity
  g.reserve(100_000);
  expect(g.data.length).toBeGreaterThanOrEqual(100_000);
  expect([...g.view()]).toEqual(expected);
});

test('GrowableBigUint64Array keeps 64-bit values exactly', () => {
  const g = new GrowableBigUint64Array(2);
  const expected: bigint[] = [];
  for (let i = 0; i < 3000; i++) {
    const v = (BigInt(i) << 40n) | 0xffffffffn;
    g.push(v);
    expected.push(v);
  }
  expect([...g.view()]).toEqual(expected);
  expect([...g.toArray()]).toEqual(expected);
});
