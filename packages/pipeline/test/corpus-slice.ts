// Test helper: a small knowledge corpus for tiny pipeline runs.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes the first `n` shipped StrategyQA paragraphs to `<dir>/corpus.jsonl` and returns its path (a tiny config's
 * knowledge.corpus).
 */
export function writeCorpusSlice(dir: string, n = 300): string {
  const corpus = path.join(dir, 'corpus.jsonl');
  const shipped = path.resolve(__dirname, '../../../datasets/wikipedia/strategyqa_paragraphs.jsonl');
  const lines = fs.readFileSync(shipped, 'utf8').split('\n').filter(Boolean);
  fs.writeFileSync(corpus, `${lines.slice(0, n).join('\n')}\n`);
  return corpus;
}
