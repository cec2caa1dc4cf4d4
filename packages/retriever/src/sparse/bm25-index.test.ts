import { DuplicatePassageIdError } from '@kard/knowledge-base';
import { bruteForceBm25 as bruteForce } from './bm25-reference.test-helper';
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Bm25Index } from './bm25-index';
import { EmptyCorpusError, UnknownDocumentError } from './errors';

const plain = { stemmer: 'none', stopwords: 'none' } as const;
const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

describe('Bm25Index on a small corpus', () => {
  const corpus = [
    { id: 'd1', text: 'the cat sat on the mat' },
    { id: 'd2', text: 'the dog chased the cat and the cat ran' },
    { id: 'd5', text: 'dogs and cats are pets' },
    { id: 'd4', text: 'a mat is a small rug' },
    { id: 'd3', text: 'dogs and cats are pets' }, // same text as d5: scores tie, d3 ranks first
    { id: 'd6', text: '' }, // no terms: excluded from N and avgdl, as in Lucene
    { id: 'd7', text: 'cat cat cat cat cat cat cat cat cat cat cat cat dog' },
  ];
  const reference = bruteForce(corpus.map((d) => ({ id: d.id, terms: words(d.text) })));
  let index: Bm25Index;
  beforeAll(async () => {
    index = await Bm25Index.build(corpus, plain);
  });

  it.each(['cat', 'cat mat', 'cat cat dog', 'pets', 'dogs cats', 'rug unicorn', 'the'])(
    'scores %j like the textbook formula',
    (q) => {
      const hits = index.search(q, 10);
      const expected = reference.top(words(q), 10);
      expect(hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
      hits.forEach((h, i) => {
        expect(h.score).toBeCloseTo(expected[i].score, 12);
        expect(h.rank).toBe(i + 1);
      });
    },
  );

  it('derives its search arrays on first use: a build that is only saved never pays for them', async () => {
    // white-box: the private field the arrays are kept in (a spy cannot replace an ES module's export)
    const derived = (i: Bm25Index) => (i as unknown as { currentArrays: unknown }).currentArrays !== null;
    const built = await Bm25Index.build(corpus, plain);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-bm25-lazy-'));
    try {
      await built.save(path.join(dir, 'index'));
      expect(derived(built)).toBe(false);
      expect(built.search('cat', 3, { exhaustive: false })).toEqual(index.search('cat', 3, { exhaustive: true }));
      expect(derived(built)).toBe(true);
      expect(derived(Bm25Index.load(path.join(dir, 'index')))).toBe(true); // a loaded index is for searching
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts a repeated query token each time', () => {
    const once = index.scoreDocuments('cat', ['d2'])[0];
    expect(index.scoreDocuments('cat cat', ['d2'])[0]).toBeCloseTo(2 * once, 12);
    expect(once).toBeGreaterThan(0);
  });

  it('breaks score ties by id ascending', () => {
    const hits = index.search('pets', 10);
    expect(hits.map((h) => h.id)).toEqual(['d3', 'd5']);
    expect(hits[0].score).toBe(hits[1].score);
  });

  it('keeps only the k best, and returns nothing for a query without known terms', () => {
    expect(index.search('cat', 2).map((h) => h.id)).toEqual(reference.top(['cat'], 2).map((h) => h.id));
    expect(index.search('unicorn zebra', 5)).toEqual([]);
    expect(index.search('', 5)).toEqual([]);
  });

  it('scores given documents, 0 where no query term occurs, and rejects unknown ids', () => {
    const ids = ['d4', 'd1', 'd6', 'd7'];
    const scores = index.scoreDocuments('cat mat mat', ids);
    ids.forEach((id, j) => {
      const i = corpus.findIndex((d) => d.id === id);
      expect(scores[j]).toBeCloseTo(reference.score(['cat', 'mat', 'mat'], i), 12);
    });
    expect(scores[2]).toBe(0);
    expect(() => index.scoreDocuments('cat', ['nope'])).toThrow(UnknownDocumentError);
  });

  it('explains a score term by term', () => {
    const parts = index.explain('cat unicorn mat', 'd1');
    expect(parts.map((p) => [p.term, p.tf, p.df])).toEqual([
      ['cat', 1, 3],
      ['unicorn', 0, 0],
      ['mat', 1, 2],
    ]);
    expect(parts.reduce((s, p) => s + p.score, 0)).toBeCloseTo(index.scoreDocuments('cat unicorn mat', ['d1'])[0], 12);
  });

  it('honours k1 and b', async () => {
    const other = await Bm25Index.build(corpus, { ...plain, k1: 1.2, b: 0.75 });
    const ref = bruteForce(
      corpus.map((d) => ({ id: d.id, terms: words(d.text) })),
      1.2,
      0.75,
    );
    const hits = other.search('cat dog', 10);
    expect(hits.map((h) => h.id)).toEqual(ref.top(['cat', 'dog'], 10).map((h) => h.id));
    hits.forEach((h, i) => expect(h.score).toBeCloseTo(ref.top(['cat', 'dog'], 10)[i].score, 12));
  });

  it('indexes contents, else title + newline + text, from async iterables too', async () => {
    async function* passages() {
      yield { id: 'a', title: 'Zebra', text: 'striped horse' };
      yield { id: 'b', text: 'ignored', contents: 'zebra crossing' };
      yield { id: 'c', text: 'a horse' };
    }
    const idx = await Bm25Index.build(passages(), plain);
    // "zebra crossing" (2 terms) is shorter than "zebra striped horse" (title + text, 3 terms).
    expect(idx.search('zebra', 5).map((h) => h.id)).toEqual(['b', 'a']);
    expect(idx.scoreDocuments('zebra', ['c'])).toEqual([0]);
    expect(idx.search('ignored', 5)).toEqual([]);
  });

  it('refuses an empty corpus, duplicate ids and bad parameters', async () => {
    await expect(Bm25Index.build([])).rejects.toThrow(EmptyCorpusError);
    await expect(
      Bm25Index.build([
        { id: 'x', text: 'a' },
        { id: 'x', text: 'b' },
      ]),
    ).rejects.toThrow(DuplicatePassageIdError);
    await expect(Bm25Index.build(corpus, { b: 2 })).rejects.toThrow(/b must be/);
    expect(() => index.search('cat', -1)).toThrow(/k must be/);
  });
});
