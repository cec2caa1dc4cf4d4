import * as fs from 'node:fs';
import * as path from 'node:path';
import { Bm25Index } from './bm25-index';
import { FlexsearchBm25 } from './flexsearch-search';

const DATASETS = path.resolve(__dirname, '../../../../datasets');

describe('FlexsearchBm25', () => {
  const passages = fs
    .readFileSync(path.join(DATASETS, 'wikipedia/hotpotqa_paragraphs.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, 600)
    .map((l) => JSON.parse(l) as { id: string; title: string; text: string });
  const questions = (
    JSON.parse(fs.readFileSync(path.join(DATASETS, 'strategyqa/dev.json'), 'utf8')) as { question: string }[]
  )
    .slice(0, 20)
    .map((q) => q.question);
  let bm25: Bm25Index;
  beforeAll(async () => {
    bm25 = await Bm25Index.build(passages);
  });

  it('returns exact BM25 scores, and exactly the BM25 top 10 when candidates cover every match', async () => {
    const flex = await FlexsearchBm25.build(passages, bm25);
    for (const q of questions) {
      const approximate = flex.search(q, 10, 20);
      const exactScores = bm25.scoreDocuments(
        q,
        approximate.map((h) => h.id),
      );
      expect(approximate.map((h) => h.score)).toEqual(exactScores);
      expect(flex.search(q, 10, passages.length)).toEqual(bm25.search(q, 10));
    }
  });

  it('finds documents by word prefix when built with prefix: true', async () => {
    const flex = await FlexsearchBm25.build(passages.slice(0, 200), await Bm25Index.build(passages.slice(0, 200)), {
      prefix: true,
    });
    const word = 'corliss'; // in the first passage's title, "Meet Corliss Archer"
    const hits = flex.prefixSearch('corl', 200);
    expect(hits.length).toBeGreaterThan(0);
    for (const id of hits) {
      const p = passages.find((x) => x.id === id)!;
      expect(`${p.title} ${p.text}`.toLowerCase()).toMatch(/\bcorl/);
    }
    expect(hits).toContain(passages.find((p) => p.title.toLowerCase().includes(word))!.id);
  });

  it('refuses passages that are not the BM25 index corpus', async () => {
    await expect(FlexsearchBm25.build(passages.slice(1), bm25)).rejects.toThrow(/not the BM25 index's passage/);
  });
});
