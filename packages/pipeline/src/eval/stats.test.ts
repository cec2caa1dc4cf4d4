import { majorityClass, majorityVote, mcnemarExact, pairedTest, summarizeAccuracy } from './stats';

describe('majorityVote', () => {
  test('most frequent answer wins; unparsable samples do not vote', () => {
    expect(majorityVote(['A', 'B', 'B', undefined, undefined, undefined])).toBe('B');
    expect(majorityVote([undefined, undefined])).toBeUndefined();
    expect(majorityVote([])).toBeUndefined();
  });
  test("ties go to the tied answer sampled first, as the reference's max(votes, key=Counter(votes).get)", () => {
    // Python: max(['B','A','A','B'], key=Counter(...).get) == 'B' (the first element with the top count)
    expect(majorityVote(['B', 'A', 'A', 'B'])).toBe('B');
    expect(majorityVote(['B', 'A'])).toBe('B');
    expect(majorityVote([undefined, 'C', 'A', 'A', 'C', 'B'])).toBe('C');
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

/** 2 * sum_{i <= min(b, c)} C(b + c, i) / 2^(b + c), in exact BigInt arithmetic, rounded once at the end. */
function bruteForceMcnemar(b: number, c: number): number {
  const n = BigInt(b + c);
  if (n === 0n) return 1;
  let term = 1n; // C(n, 0)
  let tail = 1n;
  for (let i = 0n; i < BigInt(Math.min(b, c)); i++) {
    term = (term * (n - i)) / (i + 1n);
    tail += term;
  }
  // 2 * tail / 2^n as a float: scale to 60 significant bits before dividing
  const scaled = (2n * tail * 2n ** 60n) / 2n ** n;
  return Math.min(1, Number(scaled) / 2 ** 60);
}

describe('mcnemarExact', () => {
  test('by hand: b = 3, c = 10 gives 2 (1 + 13 + 78 + 286) / 2^13', () => {
    expect(mcnemarExact(3, 10)).toBeCloseTo((2 * 378) / 8192, 12);
    expect(mcnemarExact(10, 3)).toBeCloseTo((2 * 378) / 8192, 12);
  });
  test('by hand: no discordant pairs, or a balanced split, is p = 1; b = 0, c = 5 is 2 / 32', () => {
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(4, 4)).toBe(1);
    expect(mcnemarExact(0, 5)).toBeCloseTo(2 / 32, 14);
  });
  test('equals the exact binomial sum, up to n = 1,500 discordant pairs (where 2^-n underflows a double)', () => {
    for (const [b, c] of [
      [1, 2],
      [7, 19],
      [30, 45],
      [100, 140],
      [480, 560],
      [700, 800],
      [5, 1495],
    ]) {
      const want = bruteForceMcnemar(b, c);
      const got = mcnemarExact(b, c);
      if (want > 1e-300) expect(Math.abs(got - want) / want).toBeLessThan(1e-9);
      else expect(got).toBeLessThan(1e-300);
    }
  });
});

describe('pairedTest', () => {
  test('counts discordant pairs by question id, leaving out ids only one side has', () => {
    const a = [
      { id: 'q1', correct: true },
      { id: 'q2', correct: true },
      { id: 'q3', correct: false },
      { id: 'q4', correct: true },
      { id: 'only-a', correct: true },
    ];
    const b = [
      { id: 'q4', correct: false },
      { id: 'q3', correct: true },
      { id: 'q2', correct: false },
      { id: 'q1', correct: true },
    ];
    expect(pairedTest(a, b)).toEqual({ n: 4, onlyFirst: 2, onlySecond: 1, p: 1 }); // 2 * (1 + 3) / 8 capped
  });
});

test('majorityClass: the most common gold answer and its share', () => {
  expect(majorityClass(['B', 'A', 'B', 'B'])).toEqual({ answer: 'B', rate: 0.75 });
  expect(majorityClass([])).toEqual({ answer: '', rate: 0 });
});
