// The fast subset of tools/chaos/fuzz.mjs: a few hundred seeded mutations of every reader's valid input.
import { fuzz } from '../src/fuzz';

test('truncated and byte-flipped inputs end in a typed error naming the file, or in a correct result', async () => {
  const s = await fuzz({ cases: Number(process.env.KARD_FUZZ_CASES ?? 300), seed: 18 });
  expect(s.failures).toEqual([]);
  expect(s.counts.crash).toBe(0);
  expect(s.counts.hang).toBe(0);
  expect(s.counts['invalid-output']).toBe(0);
  expect(s.unnamed).toBe(0);
  // the mutations reach both sides: errors and successful reads
  expect(s.counts['typed-error']).toBeGreaterThan(s.cases / 10);
  expect(s.counts['same-result'] + s.counts['valid-parse']).toBeGreaterThan(s.cases / 10);
}, 120000);
