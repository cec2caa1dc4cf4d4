import { meanInterval, wilsonInterval } from './stats';

const Z2 = 1.959963984540054 ** 2;

describe('wilsonInterval', () => {
  test('matches the published Wilson intervals of Newcombe (1998), Table I, to 4 decimals', () => {
    // Newcombe RG, Two-sided confidence intervals for the single proportion, Stat Med 17:857-872, method 3
    const table: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [r, n, lo, hi] of table) {
      const [a, b] = wilsonInterval(r, n);
      expect(a).toBeCloseTo(lo, 4);
      expect(b).toBeCloseTo(hi, 4);
    }
  });

  test('matches hand computation for 8/10 (z = 1.96)', () => {
    // p = 0.8, z² = 3.8416: center = (0.8 + 0.19208) / 1.38416 = 0.716738
    // half = (1.96 / 1.38416) * sqrt(0.016 + 0.009604) = 0.226581 -> [0.490157, 0.943319]
    const [lo, hi] = wilsonInterval(8, 10, 1.96);
    expect(lo).toBeCloseTo(0.4901568, 6);
    expect(hi).toBeCloseTo(0.9433191, 6);
  });

  test('0 of n and n of n stay inside [0, 1] and are not degenerate', () => {
    const [lo0, hi0] = wilsonInterval(0, 20);
    expect(lo0).toBe(0);
    // closed form for p = 0: z²/(n + z²)
    expect(hi0).toBeCloseTo(Z2 / (20 + Z2), 10);
    const [lo1, hi1] = wilsonInterval(20, 20);
    expect(hi1).toBeCloseTo(1, 12);
    expect(lo1).toBeCloseTo(20 / (20 + Z2), 10);
  });

  test('n = 0 is the whole range; the interval narrows as n grows', () => {
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
    const w = (n: number) => {
      const [a, b] = wilsonInterval(n / 2, n);
      return b - a;
    };
    expect(w(100)).toBeLessThan(w(10));
    expect(w(1000)).toBeLessThan(w(100));
  });
});

describe('meanInterval', () => {
  it('is the textbook s²/n interval without clusters', () => {
    // [1, 2, 3, 6]: mean 3, s² = 14/3, half-width 1.96·sqrt(14/12)
    const { mean, ci95 } = meanInterval([1, 2, 3, 6], undefined, 1.96);
    expect(mean).toBe(3);
    expect(ci95[1] - mean).toBeCloseTo(1.96 * Math.sqrt(14 / 12), 12);
  });

  it(
    'counts repeated measurements of a unit once: duplicated ' +
      'data with clusters keeps the interval of the originals',
    () => {
      const d = [1, 0, 0, -1, 1, 1, 0, 1];
      const once = meanInterval(d);
      const twice = [...d, ...d];
      const ids = [...d.keys(), ...d.keys()];
      const clustered = meanInterval(twice, ids);
      expect(clustered.mean).toBeCloseTo(once.mean, 12);
      expect(clustered.ci95[0]).toBeCloseTo(once.ci95[0], 12);
      expect(clustered.ci95[1]).toBeCloseTo(once.ci95[1], 12);
      // treated as 16 independent values the interval would shrink by about sqrt(2): false precision
      const naive = meanInterval(twice);
      expect(naive.ci95[1] - naive.mean).toBeLessThan(0.75 * (once.ci95[1] - once.mean));
      expect(() => meanInterval([1, 2], [0])).toThrow(/clusters/);
    },
  );
});
