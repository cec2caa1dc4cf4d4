import { Rng } from './rng';

describe('Rng', () => {
  test('same seed, same stream; different seeds differ', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xs = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(xs);
  });

  test('state round-trips mid-stream', () => {
    const a = new Rng(7);
    a.normalArray(10);
    const state = a.getState();
    const next = a.normalArray(5);
    expect(Rng.fromState(state).normalArray(5)).toEqual(next);
  });

  test('uniform and normal moments match their textbook values', () => {
    const r = new Rng(1);
    const n = 100000;
    const u = r.uniformArray(n);
    const mean = u.reduce((s, x) => s + x, 0) / n;
    const varU = u.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(varU - 1 / 12)).toBeLessThan(0.002);
    const z = r.normalArray(n, 2, 3);
    const zm = z.reduce((s, x) => s + x, 0) / n;
    const zv = z.reduce((s, x) => s + (x - zm) ** 2, 0) / n;
    expect(Math.abs(zm - 2)).toBeLessThan(0.05);
    expect(Math.abs(zv - 9)).toBeLessThan(0.15);
    // P(|Z| < 1) = 0.6827 for a standard normal
    const within = z.filter((x) => Math.abs((x - 2) / 3) < 1).length / n;
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.01);
  });

  test('int is uniform over [0, n) and shuffle permutes', () => {
    const r = new Rng(3);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50000; i++) counts[r.int(5)]++;
    for (const c of counts) expect(Math.abs(c / 50000 - 0.2)).toBeLessThan(0.01);
    const items = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = r.shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });
});
