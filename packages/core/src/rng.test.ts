import { Rng } from './rng';

describe('Rng', () => {
  test('same seed, same stream; different seeds differ', () => {
    const a = new Rng(42),
      b = new Rng(42),
      c = new Rng(43);
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

/**
 * An independent reference in BigInt arithmetic, written from the published algorithms: xoshiro128** by
 * Blackman and Vigna (prng.di.unimi.it/xoshiro128starstar.c) seeded by a splitmix32 (golden-ratio increment,
 * then the murmur3 finaliser's xor-shift-multiply rounds).
 */
function referenceStream(seed: number, n: number): number[] {
  const M = 0xffffffffn;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
  let sm = BigInt(seed >>> 0);
  const splitmix = () => {
    sm = (sm + 0x9e3779b9n) & M;
    let z = sm;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M;
    return z ^ (z >> 16n);
  };
  const s = [splitmix(), splitmix(), splitmix(), splitmix()];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const result = (rotl((s[1] * 5n) & M, 7n) * 9n) & M;
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
    out.push(Number(result));
  }
  return out;
}

test('nextU32 is xoshiro128** seeded by splitmix32 (BigInt reference), for several seeds', () => {
  for (const seed of [0, 1, 42, 0xdeadbeef, 2 ** 32 - 1]) {
    const r = new Rng(seed);
    expect(Array.from({ length: 1000 }, () => r.nextU32())).toEqual(referenceStream(seed, 1000));
  }
  // uniform, int and shuffle are derived from that stream: x / 2^32, floor(u * n), Fisher-Yates from the end
  const ref = referenceStream(9, 3);
  const r = new Rng(9);
  expect(r.uniform()).toBe(ref[0] / 2 ** 32);
  expect(r.int(10)).toBe(Math.floor((ref[1] / 2 ** 32) * 10));
});
