import { Rng } from '@kard/core';
import { isInformative, sampleCandidates, type RerankerExample } from './data';

const list = (prefix: string, n: number, score = 1) =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, text: '', score }));

describe('sampleCandidates', () => {
  it('draws k/2 distinct candidates from each list', () => {
    const ex: RerankerExample = { question: 'q', fromRationale: list('r', 32), fromQuestion: list('q', 32) };
    const rng = new Rng(1);
    for (let t = 0; t < 20; t++) {
      const s = sampleCandidates(ex, 8, rng);
      expect(s.filter((x) => x.id.startsWith('r'))).toHaveLength(4);
      expect(new Set(s.map((x) => x.id)).size).toBe(8);
    }
  });

  it('fills a short list from the other, and repeats only when both are too short', () => {
    const rng = new Rng(2);
    const short: RerankerExample = { question: 'q', fromRationale: list('r', 32), fromQuestion: list('q', 2) };
    const s = sampleCandidates(short, 8, rng);
    expect(s.filter((x) => x.id.startsWith('q'))).toHaveLength(2);
    expect(new Set(s.map((x) => x.id)).size).toBe(8);
    const tiny: RerankerExample = { question: 'q', fromRationale: list('r', 1), fromQuestion: list('q', 2) };
    const t = sampleCandidates(tiny, 8, rng);
    expect(t).toHaveLength(8);
    expect(new Set(t.map((x) => x.id))).toEqual(new Set(['r0', 'q0', 'q1']));
  });

  it('rejects a question without candidates and marks all-zero questions uninformative', () => {
    expect(() => sampleCandidates({ question: 'q', fromRationale: [], fromQuestion: [] }, 8, new Rng(0))).toThrow(
      /no candidates/,
    );
    expect(isInformative({ question: 'q', fromRationale: list('r', 3, 0), fromQuestion: list('q', 3, 0) })).toBe(false);
    expect(isInformative({ question: 'q', fromRationale: list('r', 3, 0), fromQuestion: list('q', 1, 0.5) })).toBe(
      true,
    );
  });
});
