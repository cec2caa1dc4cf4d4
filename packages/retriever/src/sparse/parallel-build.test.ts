import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPassages } from '@kard/knowledge-base';
import { Bm25Index } from './bm25-index';

const docs = [
  { id: 'b', text: 'The quick brown fox jumps over the lazy dog. Café crème brûlée, naïve coöperation!' },
  { id: 'a', text: 'Running runners run; the dogs are running. 42 foxes and 7 dogs' },
  { id: 'c', text: '' },
  { id: 'd', title: 'Ünïcode', text: 'ΑΒΓ δέλτα ñandú 東京 東京 fox fox fox' },
];

test('segmented build equals the in-thread builder', async () => {
  const one = await Bm25Index.build(docs);
  const many = await Bm25Index.build(docs, { threads: 2, batchDocs: 1, segmentTerms: 3 });
  expect(many.data.terms).toEqual(one.data.terms);
  expect(many.data.termOffsets).toEqual(one.data.termOffsets);
  expect(many.data.postingDocs).toEqual(one.data.postingDocs);
  expect(many.data.postingTfs).toEqual(one.data.postingTfs);
  expect(many.data.docLengths).toEqual(one.data.docLengths);
});

test('the threaded tokenizer splits any Unicode text as the Analyzer does (random strings)', async () => {
  // letters of several scripts, digits, astral letters (U+1D49C) and symbols (emoji), combining marks, lone
  // surrogates, case pairs whose lowercase changes length (U+0130) or depends on context (final sigma)
  const pieces = [
    'a',
    'Z',
    '7',
    'é',
    'e\u0301',
    'ß',
    'İ',
    'Σ',
    'ΑΣ ',
    '東',
    '٣',
    '𝒜',
    '😀',
    '\ud800',
    '\udc00',
    ' ',
    '-',
    '’',
    '\n',
    'the',
    'Running',
  ];
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const docs = Array.from({ length: 300 }, (_, i) => ({
    id: `d${i}`,
    text: Array.from({ length: 1 + Math.floor(rand() * 40) }, () => pieces[Math.floor(rand() * pieces.length)]).join(
      '',
    ),
  }));
  const one = await Bm25Index.build(docs);
  const many = await Bm25Index.build(docs, { threads: 2, batchDocs: 17 });
  expect(many.data.terms).toEqual(one.data.terms);
  expect(many.data.docLengths).toEqual(one.data.docLengths);
  expect(many.data.postingDocs).toEqual(one.data.postingDocs);
  expect(many.data.postingTfs).toEqual(one.data.postingTfs);
});

test('saved index files are byte for byte those of the in-thread build (6,000 real paragraphs, many batches and segments)', async () => {
  const root = path.resolve(__dirname, '../../../..');
  const file = path.join(root, 'datasets/wikipedia/strategyqa_paragraphs.jsonl');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-segments-'));
  try {
    const head = async function* () {
      let n = 0;
      for await (const p of readPassages(file)) {
        yield p;
        if (++n === 6000) break;
      }
    };
    const one = await Bm25Index.build(head());
    const many = await Bm25Index.build(head(), {
      threads: 2,
      batchDocs: 700,
      segmentTerms: 3000,
      tempDir: dir,
    });
    await one.save(path.join(dir, 'one'));
    await many.save(path.join(dir, 'many'));
    const names = fs.readdirSync(path.join(dir, 'one')).sort();
    expect(fs.readdirSync(path.join(dir, 'many')).sort()).toEqual(names);
    for (const name of names) {
      const [a, b] = ['one', 'many'].map((d) => fs.readFileSync(path.join(dir, d, name)));
      const same =
        name === 'manifest.json'
          ? a.toString().replace(/"createdAt": "[^"]*"/, '') === b.toString().replace(/"createdAt": "[^"]*"/, '')
          : a.equals(b);
      expect([name, same]).toEqual([name, true]);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['many', 'one']); // segments removed
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
