// Pruned search (block-max MaxScore) against the exhaustive scorer it replaces: the same ids, ranks and
// bit-identical scores (toEqual compares numbers with Object.is), on real text and on random corpora built to
// tie; and against a brute-force textbook BM25.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '@kard/core';
import { Analyzer } from '../analysis';
import { BLOCK_SIZE, impactOf, impactStepOf, KTH_TERM } from './bm25-blocks';
import { Bm25Index } from './bm25-index';
import { bruteForceBm25 } from './bm25-reference.test-helper';

const DATASETS = path.resolve(__dirname, '../../../../datasets');
const pruned = { exhaustive: false };
const exhaustive = { exhaustive: true };

describe('pruned search on the shipped StrategyQA paragraphs', () => {
  it('equals the exhaustive scorer for questions and long rationales, k = 1, 10, 100, 1000', async () => {
    const lines = fs.readFileSync(path.join(DATASETS, 'wikipedia/strategyqa_paragraphs.jsonl'), 'utf8').split('\n');
    const index = await Bm25Index.build(
      lines.filter(Boolean).map((l) => JSON.parse(l) as { id: string; text: string }),
    );
    const rows = fs.readFileSync(path.join(DATASETS, 'flan-cot/strategyqa_train.tsv'), 'utf8').split('\n');
    const tsv = rows.filter(Boolean).map((l) => l.split('\t'));
    // Every 20th question and rationale (rationales run 40+ words: most of their terms end up non-essential).
    const queries = tsv.filter((_, i) => i % 20 === 0).flatMap(([question, , rationale]) => [question, rationale]);
    expect(queries.length).toBeGreaterThan(200);
    let hits = 0;
    for (const k of [1, 10, 100, 1000]) {
      for (const q of queries) {
        const expected = index.search(q, k, exhaustive);
        expect(index.search(q, k, pruned)).toEqual(expected);
        hits += expected.length;
      }
    }
    expect(hits).toBeGreaterThan(100_000);
  });
});

/** Documents of words w0..w(vocab-1) drawn Zipf-like, lengths in [minLength, maxLength]. */
const corpus = (rng: Rng, docs: number, vocab: number, minLength: number, maxLength: number) => {
  const weights = Array.from({ length: vocab }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const word = () => {
    let x = rng.uniform() * total;
    for (let i = 0; i < vocab; i++) if ((x -= weights[i]) < 0) return `w${i}`;
    return `w${vocab - 1}`;
  };
  return Array.from({ length: docs }, (_, d) => {
    const length = minLength + rng.int(maxLength - minLength + 1);
    // Ids not in row order, so ties by id differ from ties by row.
    return { id: `d${(d * 7919) % docs}`, terms: Array.from({ length }, word) };
  });
};
const query = (rng: Rng, vocab: number, length: number) => Array.from({ length }, () => `w${rng.int(vocab)}`).join(' ');

describe('pruned search on random corpora', () => {
  it('equals the exhaustive scorer with heavy ties (few words, equal lengths) and long postings', async () => {
    for (const seed of [1, 2, 3]) {
      const rng = new Rng(seed);
      // 6 words over 3,000 documents of 3 words: scores take few values, lists run to thousands of postings.
      for (const [vocab, min, max] of [
        [6, 3, 3],
        [400, 5, 40],
      ]) {
        const docs = corpus(rng, 3000, vocab, min, max);
        const index = await Bm25Index.build(docs.map((d) => ({ id: d.id, title: '', text: d.terms.join(' ') })));
        expect(index.documentFrequency('w0')).toBeGreaterThan(4 * BLOCK_SIZE);
        for (let i = 0; i < 60; i++) {
          const q = query(rng, vocab, 1 + rng.int(i % 3 === 0 ? 30 : 6));
          for (const k of [1, 3, 10, 100, 1000])
            expect(index.search(q, k, pruned)).toEqual(index.search(q, k, exhaustive));
        }
      }
    }
  });

  it('matches a brute-force BM25 (ids, ranks, scores) for random queries with repeated tokens', async () => {
    const rng = new Rng(7);
    const docs = corpus(rng, 1500, 120, 1, 30);
    docs[5].terms = []; // an empty document: no term, no score, not counted in N or avgdl
    const index = await Bm25Index.build(docs.map((d) => ({ id: d.id, title: '', text: d.terms.join(' ') })));
    const reference = bruteForceBm25(docs);
    const analyzer = new Analyzer();
    for (let i = 0; i < 80; i++) {
      const q = query(rng, 120, 1 + rng.int(12));
      const k = [1, 10, 50, 2000][i % 4];
      const expected = reference.top(analyzer.analyze(q), k);
      const hits = index.search(q, k, pruned);
      expect(hits.map((h) => [h.id, h.rank])).toEqual(expected.map((h, r) => [h.id, r + 1]));
      hits.forEach((h, r) => expect(Math.abs(h.score - expected[r].score)).toBeLessThanOrEqual(1e-12 * h.score));
    }
  });
});

describe('posting impacts (the bounds pruning filters with)', () => {
  it('bound every contribution from above by less than one step, in 1..255, whatever the weight', () => {
    const rng = new Rng(11);
    let bad = 0;
    for (let i = 0; i < 100_000; i++) {
      const idf = i % 7 === 0 ? 1e-9 + rng.uniform() * 1e-6 : 0.01 + rng.uniform() * 30;
      const step = impactStepOf(idf);
      // the largest contribution possible (k1 = 0: tf / (tf + 0) = 1), then random ones below it
      const s = i % 5 === 0 ? idf : idf * rng.uniform() + Number.MIN_VALUE;
      const q = impactOf(s, step);
      if (!(Number.isInteger(q) && q >= 1 && q <= 255 && q * step >= s && (q - 1) * step < s)) bad++;
    }
    expect(bad).toBe(0);
  });

  it('and the block maxima, term maxima and 10th largest contributions equal their definitions, long documents too', async () => {
    const rng = new Rng(13);
    const docs = [
      ...corpus(rng, 800, 150, 1, 12),
      // 12 documents of one word: its 10th best contribution ties with the 9th and the 11th
      ...Array.from({ length: 12 }, (_, i) => ({ id: `same${i}`, terms: ['tie'] })),
      // around and past the lengths whose norms the derivation looks up in a table (under 255 words)
      ...[254, 255, 256, 70_000].map((length) => ({
        id: `long${length}`,
        terms: Array.from({ length }, (_, i) => `w${i % 50}`),
      })),
    ];
    const index = await Bm25Index.build(docs.map((d) => ({ id: d.id, title: '', text: d.terms.join(' ') })));
    const { termOffsets, postingDocs, postingTfs, terms, docLengths } = index.data;
    const { idf, norms, blockOffsets, blockLastDoc, blockMax, termMax, termKth, postingImpacts, impactStep } =
      index.arrays;
    const avgdl = docLengths.reduce((a, b) => a + b, 0) / docLengths.length;
    docLengths.forEach((l, d) => expect(norms[d]).toBeCloseTo(0.9 * (1 - 0.4 + (0.4 * l) / avgdl), 12));
    expect(KTH_TERM).toBe(10);
    let few = 0;
    let bad = 0;
    for (let t = 0; t < terms.length; t++) {
      const all: number[] = [];
      expect(impactStep[t]).toBe(impactStepOf(idf[t]));
      for (let j = blockOffsets[t]; j < blockOffsets[t + 1]; j++) {
        const from = termOffsets[t] + (j - blockOffsets[t]) * BLOCK_SIZE;
        const to = Math.min(from + BLOCK_SIZE, termOffsets[t + 1]);
        let max = 0;
        for (let p = from; p < to; p++) {
          const s = (idf[t] * postingTfs[p]) / (postingTfs[p] + norms[postingDocs[p]]);
          if (postingImpacts[p] !== impactOf(s, impactStep[t])) bad++;
          max = Math.max(max, s);
          all.push(s);
        }
        if (blockMax[j] !== max || blockLastDoc[j] !== postingDocs[to - 1]) bad++;
      }
      all.sort((a, b) => b - a);
      if (all.length < 10) few++;
      expect([terms[t], termMax[t], termKth[t]]).toEqual([terms[t], all[0], all.length < 10 ? 0 : all[9]]);
    }
    expect(bad).toBe(0);
    expect(few).toBeGreaterThan(10);
    expect(termKth[terms.indexOf('tie')]).toBeGreaterThan(0);
    expect(Math.max(...docLengths)).toBe(70_000);
  });

  it('keep pruned search exact for k1 = 0 (every contribution equals idf) and for k1 = 3, b = 1', async () => {
    const rng = new Rng(5);
    const docs = corpus(rng, 2000, 300, 2, 30);
    for (const params of [
      { k1: 0, b: 0.4 },
      { k1: 3, b: 1 },
    ]) {
      const index = await Bm25Index.build(
        docs.map((d) => ({ id: d.id, title: '', text: d.terms.join(' ') })),
        params,
      );
      for (let i = 0; i < 40; i++) {
        const q = query(rng, 300, 1 + rng.int(10));
        for (const k of [1, 10, 100]) expect(index.search(q, k, pruned)).toEqual(index.search(q, k, exhaustive));
      }
    }
  });

  it('keep pruned search exact over more documents than one window holds (65,536)', async () => {
    const rng = new Rng(9);
    // 150,000 short documents: the dense words' windows are cut at the window size, the rare words' are not
    const docs = corpus(rng, 150_000, 2000, 1, 6);
    const index = await Bm25Index.build(docs.map((d) => ({ id: d.id, title: '', text: d.terms.join(' ') })));
    for (let i = 0; i < 30; i++) {
      const q = `${query(rng, 8, 1 + rng.int(3))} ${query(rng, 2000, 1 + rng.int(4))}`;
      for (const k of [1, 10, 1000]) expect(index.search(q, k, pruned)).toEqual(index.search(q, k, exhaustive));
    }
  });
});

describe('Bm25Index.search on bad input', () => {
  let index: Bm25Index;
  beforeAll(async () => {
    index = await Bm25Index.build([
      { id: 'a', title: '', text: 'mongol empire founded by genghis khan' },
      { id: 'b', title: '', text: 'the roman empire and julius caesar' },
      { id: 'c', title: '', text: 'shrimp scampi with garlic' },
    ]);
  });

  it('returns nothing, without an error, for an empty query', () => {
    expect(index.search('', 10)).toEqual([]);
    expect(index.search('  \n\t ', 10, pruned)).toEqual([]);
    expect(index.searchBatch(['', 'empire'], 10).map((h) => h.length)).toEqual([0, 2]);
  });

  it('returns nothing, without an error, for a query of only stop words', () => {
    expect(index.search('the and of to be with', 10)).toEqual([]);
    expect(index.search('The AND of', 10, exhaustive)).toEqual([]);
  });

  it('returns only the matching documents when k exceeds them', () => {
    const hits = index.search('empire', 100, pruned);
    expect(hits.map((h) => h.id).sort()).toEqual(['a', 'b']);
    expect(index.search('empire', 100, exhaustive)).toEqual(hits);
    expect(index.search('empire garlic', 1_000_000_000)).toHaveLength(3);
  });

  it('returns [] for k = 0', () => {
    expect(index.search('empire', 0)).toEqual([]);
    expect(index.searchBatch(['empire', 'garlic'], 0)).toEqual([[], []]);
  });

  it('throws a RangeError naming k for a negative or non-integer k', () => {
    for (const k of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => index.search('empire', k)).toThrow(new RangeError(`k must be an integer >= 0, got ${k}`));
    expect(() => index.searchBatch(['empire'], -3)).toThrow(RangeError);
  });
});
