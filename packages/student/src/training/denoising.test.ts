import { denoisingExamples, type DenoisingOptions } from './denoising';

const SENTINELS = Array.from({ length: 100 }, (_, i) => 1000 - i);
const opts: DenoisingOptions = {
  count: 300,
  length: 40,
  noise: 0.15,
  meanSpan: 3,
  sentinelIds: SENTINELS,
  eosId: 1,
  seed: 5,
};
const docs = [Array.from({ length: 120 }, (_, i) => 10 + i), Array.from({ length: 25 }, (_, i) => 500 + i), [7]];

/** Rebuilds the target from the input: each sentinel stands for the tokens between its neighbours in the target. */
function fill(input: number[], target: number[]): { restored: number[]; masked: number; spans: number[] } {
  const restored: number[] = [];
  const spans: number[] = [];
  let t = 0;
  for (let i = 0; i < input.length; i++) {
    const id = input[i];
    if (!SENTINELS.includes(id)) {
      expect(target[t]).toBe(id);
      restored.push(target[t++]);
      continue;
    }
    const next = input[i + 1];
    let len = 0;
    while (target[t] !== next) {
      restored.push(target[t++]);
      len++;
    }
    spans.push(len);
  }
  return { restored, masked: spans.reduce((a, b) => a + b, 0), spans };
}

test(
  'the target is a contiguous window of one document plus ' + 'EOS; filling each sentinel with its span gives it back',
  () => {
    const ex = denoisingExamples(docs, opts);
    expect(ex).toHaveLength(300);
    for (const e of ex) {
      const window = e.targetIds.slice(0, -1);
      expect(e.targetIds.at(-1)).toBe(1);
      expect(e.inputIds.at(-1)).toBe(1);
      const doc = docs.find((d) => d.includes(window[0]))!;
      const at = doc.indexOf(window[0]);
      expect(window).toEqual(doc.slice(at, at + window.length));
      expect(window.length).toBe(Math.min(40, doc.length));
      const { restored, masked, spans } = fill(e.inputIds, e.targetIds);
      expect(restored).toEqual(e.targetIds);
      // Sentinels in order, one per span, every span non-empty, ~15% masked, never everything.
      const used = e.inputIds.filter((id) => SENTINELS.includes(id));
      expect(used).toEqual(SENTINELS.slice(0, used.length));
      expect(spans.every((n) => n >= 1)).toBe(true);
      expect(masked).toBe(Math.round(0.15 * window.length));
      expect(masked).toBeLessThan(window.length);
    }
  },
);

test('documents are drawn by the windows they hold; one-token documents are skipped; seeded', () => {
  const ex = denoisingExamples(docs, { ...opts, count: 2000 });
  const fromLong = ex.filter((e) => e.targetIds[0] < 500).length / ex.length;
  expect(fromLong).toBeGreaterThan(0.9); // 81 windows against 1
  expect(ex.some((e) => e.targetIds[0] === 7)).toBe(false);
  expect(denoisingExamples(docs, opts)).toEqual(denoisingExamples(docs, opts));
  expect(denoisingExamples(docs, { ...opts, seed: 6 })).not.toEqual(denoisingExamples(docs, opts));
  const spanLengths = ex.flatMap((e) => fill(e.inputIds, e.targetIds).spans);
  const mean = spanLengths.reduce((a, b) => a + b, 0) / spanLengths.length;
  expect(mean).toBeGreaterThan(1.5); // geometric spans (capped by the goal), not single tokens
});

test('bad input', () => {
  expect(() => denoisingExamples([[1]], opts)).toThrow(/no document/);
  expect(() => denoisingExamples(docs, { ...opts, noise: 1 })).toThrow(/noise/);
  expect(() => denoisingExamples(docs, { ...opts, sentinelIds: [] })).toThrow(/sentinel/);
});
