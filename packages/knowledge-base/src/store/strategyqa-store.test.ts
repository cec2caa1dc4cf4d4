import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPassages } from '../readers/read-passages';
import { PassageStore } from './passage-store';

// The shipped corpus (datasets/wikipedia, see its MANIFEST.json), read independently with JSON.parse per line.
const FILE = path.join(__dirname, '../../../../datasets/wikipedia/strategyqa_paragraphs.jsonl');

test('a store of the shipped StrategyQA paragraphs matches the file line by line', async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'kb-sqa-'));
  try {
    const lines = readFileSync(FILE, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.length).toBe(17645);
    const reader = readPassages(FILE);
    const store = await PassageStore.build(reader, path.join(work, 'store'));
    expect(reader.stats).toMatchObject({ format: 'jsonl', read: 17645, skipped: 0 });
    expect(store.size).toBe(17645);

    // A fixed-stride sample over the whole file, plus the first and last lines.
    const rows = [0, 17644];
    for (let row = 7; row < lines.length; row += 97) rows.push(row);
    for (const row of rows) {
      const rec = JSON.parse(lines[row]) as { id: string; title: string; text: string };
      const want = { id: rec.id, title: rec.title, text: rec.text };
      expect(store.at(row)).toEqual(want);
      expect(store.get(rec.id)).toEqual(want);
      expect(store.rowOf(rec.id)).toBe(row);
    }
    expect(store.get('Genghis_Khan-15')?.title).toBe('Genghis Khan');
    store.close();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
