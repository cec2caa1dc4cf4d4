import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analyzer } from '../analysis';
import { bruteForceBm25 as bruteForce } from './bm25-reference.test-helper';
import { Bm25Index } from './bm25-index';

const DATASETS = path.resolve(__dirname, '../../../../datasets');

describe('Bm25Index on the shipped StrategyQA paragraphs', () => {
  it('gives the brute-force top 10, scores included, for 200 StrategyQA questions', async () => {
    const lines = fs.readFileSync(path.join(DATASETS, 'wikipedia/strategyqa_paragraphs.jsonl'), 'utf8').split('\n');
    const passages = lines.filter(Boolean).map((l) => JSON.parse(l) as { id: string; title: string; text: string });
    const analyzer = new Analyzer();
    const reference = bruteForce(passages.map((p) => ({ id: p.id, terms: analyzer.analyze(`${p.title}\n${p.text}`) })));
    const index = await Bm25Index.build(passages);
    const questions = (
      JSON.parse(fs.readFileSync(path.join(DATASETS, 'strategyqa/train.json'), 'utf8')) as { question: string }[]
    )
      .slice(0, 200)
      .map((q) => q.question);
    let compared = 0;
    for (const q of questions) {
      const expected = reference.top(analyzer.analyze(q), 10);
      const hits = index.search(q, 10);
      expect(hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
      hits.forEach((h, i) => expect(Math.abs(h.score - expected[i].score)).toBeLessThan(1e-9));
      compared += hits.length;
    }
    expect(compared).toBe(2000);
  });
});
