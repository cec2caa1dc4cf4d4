import { majorityVote, summarizeAccuracy, wilsonInterval } from './stats';

describe('wilsonInterval', () => {
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
    const w = (n: number) => { const [a, b] = wilsonInterval(n / 2, n); return b - a; };
    expect(w(100)).toBeLessThan(w(10));
    expect(w(1000)).toBeLessThan(w(100));
  });
});
const Z2 = 1.959963984540054 ** 2;

describe('majorityVote', () => {
  test('most frequent answer wins; unparsable samples do not vote', () => {
    expect(majorityVote(['A', 'B', 'B', undefined, undefined, undefined])).toBe('B');
    expect(majorityVote([undefined, undefined])).toBeUndefined();
    expect(majorityVote([])).toBeUndefined();
  });
  test('ties go to the answer that reached the count first', () => {
    expect(majorityVote(['B', 'A', 'A', 'B'])).toBe('A');
    expect(majorityVote(['B', 'A'])).toBe('B');
  });
});

describe('summarizeAccuracy', () => {
  test('unparsed predictions count as wrong and are reported', () => {
    const s = summarizeAccuracy([
      { predicted: 'A', gold: 'A' },
      { predicted: 'B', gold: 'A' },
      { predicted: undefined, gold: 'B' },
      { predicted: 'B', gold: 'B' },
    ]);
    expect(s).toMatchObject({ n: 4, correct: 2, unparsed: 1, accuracy: 0.5 });
    expect(s.ci95[0]).toBeLessThan(0.5);
    expect(s.ci95[1]).toBeGreaterThan(0.5);
  });
});
