import { majorityVote, summarizeAccuracy } from './stats';

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
