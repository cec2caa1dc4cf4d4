import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPassages } from '@kard/knowledge-base';
import { Bm25Index } from './bm25-index';
import { toShared } from './parallel-search';

const root = path.resolve(__dirname, '../../../..');

describe('searchBatchParallel', () => {
  let index: Bm25Index;
  let questions: string[];
  beforeAll(async () => {
    const passages = [];
    for await (const p of readPassages(path.join(root, 'datasets/wikipedia/strategyqa_paragraphs.jsonl'))) {
      passages.push(p);
      if (passages.length === 4000) break;
    }
    index = await Bm25Index.build(passages);
    const train = JSON.parse(fs.readFileSync(path.join(root, 'datasets/strategyqa/train.json'), 'utf8')) as {
      question: string;
    }[];
    questions = train.slice(0, 200).map((q) => q.question);
    questions.push('', 'the of and', 'zzzzunknownzzzz');
  });

  it('answers as the single-threaded searchBatch, in query order', async () => {
    const progress: number[] = [];
    const parallel = await index.searchBatchParallel(questions, 10, {
      threads: 2,
      onProgress: (n) => progress.push(n),
    });
    expect(parallel).toEqual(index.searchBatch(questions, 10));
    expect(progress[progress.length - 1]).toBe(questions.length);
  });

  it('toShared moves every typed array into a SharedArrayBuffer, values unchanged', () => {
    const shared = toShared(index.data);
    const walk = (a: unknown, b: unknown, at: string): number => {
      if (ArrayBuffer.isView(a)) {
        expect([at, (a as Uint8Array).buffer instanceof SharedArrayBuffer]).toEqual([at, true]);
        expect(a).toEqual(b);
        return 1;
      }
      if (typeof a !== 'object' || a === null) return 0;
      return Object.keys(a).reduce((n, k) => n + walk((a as never)[k], (b as never)[k], `${at}.${k}`), 0);
    };
    // at least ids (bytes, offsets, sortedRows, rank), docLengths, termOffsets, postingDocs, postingTfs
    expect(walk(shared, index.data, 'data')).toBeGreaterThanOrEqual(8);
    expect(new Bm25Index(shared).search(questions[0], 10)).toEqual(index.search(questions[0], 10));
  });
});
