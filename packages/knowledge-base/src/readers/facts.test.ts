// OpenBookQA's openbook.txt (one quoted fact a line) as a knowledge base.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CorpusFormatError } from '../errors';
import { readPassages } from './read-passages';

const OPENBOOK = path.resolve(__dirname, '../../../../datasets/obqa/openbook.txt');

async function readAll(file: string) {
  const reader = readPassages(file);
  const out = [];
  for await (const p of reader) out.push(p);
  return { passages: out, stats: reader.stats };
}

test('the shipped openbook.txt reads as its 1,326 facts, ids openbook-0 ..., quotes taken off', async () => {
  const { passages, stats } = await readAll(OPENBOOK);
  const lines = readFileSync(OPENBOOK, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  expect(stats).toMatchObject({ format: 'facts', read: 1326, skipped: 0 });
  expect(passages).toHaveLength(lines.length);
  expect(passages[0]).toEqual({ id: 'openbook-0', text: 'A bee is a pollinating animal' });
  expect(passages[1325].id).toBe('openbook-1325');
  // each line is a JSON string literal
  passages.forEach((p, i) => expect(p.text).toBe(JSON.parse(lines[i])));
});

test('a facts file is told by its first line too, plain lines count, and a broken quote names its line', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kard-facts-'));
  const quoted = path.join(dir, 'science.lines');
  writeFileSync(quoted, '"Water boils at 100 \\"degrees\\" C"\n\n"Ice is frozen water"\n');
  expect((await readAll(quoted)).passages).toEqual([
    { id: 'science-0', text: 'Water boils at 100 "degrees" C' },
    { id: 'science-1', text: 'Ice is frozen water' },
  ]);
  const plain = path.join(dir, 'facts.txt');
  writeFileSync(plain, 'the sun is a star\nplants need light\n');
  expect((await readAll(plain)).passages.map((p) => p.id)).toEqual(['facts-0', 'facts-1']);
  const broken = path.join(dir, 'broken.txt');
  writeFileSync(broken, '"a fact"\n"an unterminated fact\n');
  await expect(readAll(broken)).rejects.toThrow(CorpusFormatError);
  await expect(readAll(broken)).rejects.toThrow(`${broken}:2`);
});
