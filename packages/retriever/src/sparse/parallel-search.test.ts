import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Passage, readPassages } from '@kard/knowledge-base';
import { Bm25Index } from './bm25-index';
import { Bm25SearchPool, toShared } from './parallel-search';

const root = path.resolve(__dirname, '../../../..');

/** Every typed array under `value` (IdTables and plain objects walked), by path. */
function typedArrays(
  value: unknown,
  at: string,
  out = new Map<string, ArrayBufferView>(),
): Map<string, ArrayBufferView> {
  if (ArrayBuffer.isView(value)) out.set(at, value);
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) typedArrays(v, `${at}.${k}`, out);
  return out;
}

describe('searchBatchParallel and searchPool', () => {
  let passages: Passage[];
  let index: Bm25Index;
  let questions: string[];
  let tmp: string;
  beforeAll(async () => {
    passages = [];
    for await (const p of readPassages(path.join(root, 'datasets/wikipedia/strategyqa_paragraphs.jsonl'))) {
      passages.push(p);
      if (passages.length === 4000) break;
    }
    index = await Bm25Index.build(passages);
    const train = JSON.parse(fs.readFileSync(path.join(root, 'datasets/strategyqa/train.json'), 'utf8')) as {
      question: string;
    }[];
    questions = train.slice(0, 200).map((q) => q.question);
    // no terms, only stop words, an unknown term, a repeated term
    questions.push('', 'the of and', 'zzzzunknownzzzz', 'war war war peace');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bm25-pool-'));
  });
  afterAll(async () => {
    await index.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('searchBatchParallel answers as the single-threaded search, in query order, and keeps its workers', async () => {
    const progress: number[] = [];
    const parallel = await index.searchBatchParallel(questions, 10, {
      threads: 2,
      onProgress: (n) => progress.push(n),
    });
    expect(parallel).toEqual(questions.map((q) => index.search(q, 10)));
    expect(progress[progress.length - 1]).toBe(questions.length);
    const kept = (index as unknown as { pool: { pool: unknown } }).pool.pool;
    expect(await index.searchBatchParallel(questions.slice(0, 30), 5, { threads: 2 })).toEqual(
      questions.slice(0, 30).map((q) => index.search(q, 5)),
    );
    expect((index as unknown as { pool: { pool: unknown } }).pool.pool).toBe(kept);
  });

  it('a pool answers as search, pruned and exhaustive, call after call, passages attached in this thread', async () => {
    const pool = index.searchPool({ threads: 2 });
    try {
      for (const exhaustive of [false, true]) {
        const hits = await pool.search(questions, 7, { exhaustive });
        expect(hits).toEqual(questions.map((q) => index.search(q, 7, { exhaustive })));
        expect(hits.filter((h) => h.length === 7).length).toBeGreaterThan(150);
      }
      const byId = new Map(passages.map((p) => [p.id, p]));
      index.attachPassages(byId);
      const [withPassages] = await pool.search([questions[0]], 3);
      expect(withPassages.map((h) => h.passage)).toEqual(withPassages.map((h) => byId.get(h.id)));
      expect(withPassages[0].passage).toBeDefined();
    } finally {
      index.attachPassages(null);
      await pool.close();
    }
    await expect(pool.search(questions, 10)).rejects.toThrow(/closed/);
  });

  it('moves the index onto SharedArrayBuffers once; an index loaded shared is not copied at all', async () => {
    const built = await Bm25Index.build(passages.slice(0, 500));
    await built.save(path.join(tmp, 'idx'));
    const plain = Bm25Index.load(path.join(tmp, 'idx'));
    const loaded = Bm25Index.load(path.join(tmp, 'idx'), { shared: true });
    for (const i of [plain, loaded]) {
      const before = typedArrays({ data: i.data, arrays: i.arrays }, 'index');
      const first = i.searchPool({ threads: 1 });
      const after = typedArrays({ data: i.data, arrays: i.arrays }, 'index');
      // at least ids (bytes, offsets, sortedRows, rank), docLengths, termOffsets, postings; norms, idf, blocks
      expect(after.size).toBeGreaterThanOrEqual(14);
      expect([...after.keys()]).toEqual([...before.keys()]);
      for (const [at, a] of after) {
        expect([at, a.buffer instanceof SharedArrayBuffer]).toEqual([at, true]);
        expect(a).toEqual(before.get(at));
        // loaded shared: the very arrays the loader made
        if (i === loaded) expect([at, a === before.get(at)]).toEqual([at, true]);
      }
      const second = i.searchPool({ threads: 1 });
      for (const [at, a] of typedArrays({ data: i.data, arrays: i.arrays }, 'index'))
        expect([at, a === after.get(at)]).toEqual([at, true]);
      expect(await second.search(questions.slice(0, 20), 10)).toEqual(
        questions.slice(0, 20).map((q) => built.search(q, 10)),
      );
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('a search on a pool closed before it ran rejects; bad threads and unshared arrays are refused', async () => {
    const pool = index.searchPool({ threads: 1 });
    const pending = pool.search(questions, 10);
    await pool.close();
    await expect(pending).rejects.toThrow(/closed/);
    expect(() => index.searchPool({ threads: 0 })).toThrow(RangeError);
    const plain = await Bm25Index.build(passages.slice(0, 50));
    const host = {
      data: plain.data,
      arrays: plain.arrays,
      termIds: () => [],
      exhaustive: () => true,
      hit: () => ({ id: '', score: 0, rank: 1 }),
    };
    // a worker would get a copy of each array that is not shared: refused, naming them
    expect(() => new Bm25SearchPool(host, 1)).toThrow(/not on a SharedArrayBuffer.*data\.postingDocs.*arrays\.norms/);
    await expect(index.searchBatchParallel(questions, 0, { threads: 2 })).rejects.toThrow(RangeError);
  });

  it.each([
    ['throw', /worker \d+ failed: test crash/],
    ['exit', /worker \d+ exited with code 7/],
  ])(
    'a worker that fails (%s) rejects the search and every later one; searchBatchParallel starts anew',
    async (how, error) => {
      await index.close(); // the kept workers were started without the hook (a worker reads env at its start)
      process.env.KARD_BM25_TEST_SEARCH_CRASH = how;
      let pool;
      try {
        pool = index.searchPool({ threads: 1 });
        await expect(pool.search(questions, 10)).rejects.toThrow(error);
        await expect(index.searchBatchParallel(questions, 10, { threads: 2 })).rejects.toThrow(error);
      } finally {
        delete process.env.KARD_BM25_TEST_SEARCH_CRASH;
      }
      expect(pool.usable).toBe(false);
      await expect(pool.search(questions, 10)).rejects.toThrow(error);
      expect(await index.searchBatchParallel(questions.slice(0, 20), 10, { threads: 2 })).toEqual(
        questions.slice(0, 20).map((q) => index.search(q, 10)),
      );
    },
  );

  it('toShared moves every typed array into a SharedArrayBuffer, values unchanged', () => {
    const shared = toShared(index.data);
    const arrays = typedArrays(shared, 'data');
    const original = typedArrays(index.data, 'data');
    // at least ids (bytes, offsets, sortedRows, rank), docLengths, termOffsets, postingDocs, postingTfs
    expect(arrays.size).toBeGreaterThanOrEqual(8);
    for (const [at, a] of arrays) {
      expect([at, a.buffer instanceof SharedArrayBuffer]).toEqual([at, true]);
      expect(a).toEqual(original.get(at));
    }
    expect(new Bm25Index(shared).search(questions[0], 10)).toEqual(index.search(questions[0], 10));
  });
});
