import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { CorpusFormatError, readPassages } from '@kard/knowledge-base';
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

describe('threaded build of corpus files (workers parse blocks of lines)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-file-build-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string | Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, name.endsWith('.gz') ? zlib.gzipSync(text) : text);
    return f;
  };
  const words = (i: number) => `Word${i % 13} común ${i} the running fox${i % 5} 東京`;
  // the reference: the same files read with readPassages (PassageReader) into the in-thread builder
  const both = async (files: string[], read = {}) => {
    const one = await Bm25Index.buildFiles(files, { read });
    const many = await Bm25Index.buildFiles(files, { read, threads: 2, blockBytes: 150, tempDir: dir });
    return { one, many };
  };
  const same = ({ one, many }: Awaited<ReturnType<typeof both>>) => {
    const ids = (ix: Bm25Index) => Array.from({ length: ix.size }, (_, r) => ix.data.ids.get(r));
    expect(ids(many.index)).toEqual(ids(one.index));
    for (const key of ['terms', 'termOffsets', 'postingDocs', 'postingTfs', 'docLengths'] as const)
      expect([key, many.index.data[key]]).toEqual([key, one.index.data[key]]);
    expect(many.stats).toEqual(one.stats);
  };

  test('every format, gzip, CRLF, blank lines and a DPR header: the same index, ids and stats as readPassages', async () => {
    const n = 60;
    const jsonl = Array.from({ length: n }, (_, i) => JSON.stringify({ id: `j${i}`, title: `T${i}`, text: words(i) }));
    const files = [
      write('a.jsonl', `\n${jsonl.slice(0, 30).join('\r\n')}\r\n\r\n${jsonl.slice(30).join('\n')}`), // no final newline
      write(
        'b.beir.jsonl.gz',
        Array.from({ length: n }, (_, i) => JSON.stringify({ _id: `b${i}`, text: words(i + 1) })).join('\n'),
      ),
      write(
        'c.tsv',
        `id\ttext\ttitle\n${Array.from({ length: n }, (_, i) => `c${i}\t"${words(i + 2)}"\tTitle ${i}`).join('\n')}\n`,
      ),
      write('d.txt', Array.from({ length: n }, (_, i) => (i % 2 ? JSON.stringify(words(i)) : words(i + 3))).join('\n')),
      write(
        'e.jsonl',
        Array.from({ length: n }, (_, i) => JSON.stringify({ id: `e${i}`, contents: words(i + 4) })).join('\n'),
      ),
    ];
    const built = await both(files);
    expect(built.many.index.size).toBe(5 * n);
    expect(built.many.stats.map((s) => s.format)).toEqual(['jsonl', 'beir', 'dpr-tsv', 'facts', 'pyserini']);
    same(built);
  });

  test('a bad line is a CorpusFormatError naming its file and line, the first in input order', async () => {
    const lines = Array.from({ length: 80 }, (_, i) => JSON.stringify({ id: `p${i}`, text: words(i) }));
    lines[36] = '{"id": "p36", "text": 7}';
    lines[70] = 'not json';
    const good = write('good.jsonl', lines.slice(0, 5).join('\n').replace(/"p/g, '"g'));
    const bad = write('bad.jsonl.gz', lines.join('\n'));
    const threaded = Bm25Index.buildFiles([good, bad], { threads: 2, blockBytes: 150, tempDir: dir });
    await expect(threaded).rejects.toThrow(CorpusFormatError);
    await expect(threaded).rejects.toThrow(`${bad}:37: missing string "text"`);
    // skipping them: the same index and the same skipped lines as readPassages
    const built = await both([good, bad], { onError: 'skip' });
    expect(built.many.stats[1].skippedLines).toEqual([37, 71]);
    same(built);
  });

  test('bytes that are not UTF-8 are counted per file as readPassages counts them', async () => {
    const lines = Array.from({ length: 40 }, (_, i) =>
      Buffer.from(`${JSON.stringify({ id: `u${i}`, text: words(i) })}\n`),
    );
    lines[25] = Buffer.concat([
      Buffer.from('{"id": "u25", "text": "caf'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('"}\n'),
    ]);
    const built = await both([write('latin.jsonl', Buffer.concat(lines))]);
    expect(built.many.stats[0].invalidUtf8).toEqual({ sequences: 2, lines: 1, firstLine: 26 });
    same(built);
  });

  test('a duplicate id names both files and lines', async () => {
    const a = write(
      'dup-a.jsonl',
      Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: `x${i}`, text: 'a' })).join('\n'),
    );
    const b = write(
      'dup-b.jsonl',
      `\n${JSON.stringify({ id: 'y', text: 'b' })}\n${JSON.stringify({ id: 'x20', text: 'c' })}\n`,
    );
    await expect(Bm25Index.buildFiles([a, b], { threads: 2, blockBytes: 100, tempDir: dir })).rejects.toThrow(
      `${b}:3: duplicate passage id "x20" (first at ${a}:21)`,
    );
  });
});
