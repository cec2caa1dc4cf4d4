import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CorpusFormatError, InputFileError } from '../errors';
import { readLines } from '../input/open-input';
import { indexedText, type Passage } from '../passage';
import { readPassages, type ReadPassagesOptions } from './read-passages';

const fixture = (name: string) => path.join(__dirname, '../../test/fixtures', name);

async function readAll(file: string, options?: ReadPassagesOptions) {
  const reader = readPassages(file, options);
  const passages: Passage[] = [];
  for await (const p of reader) passages.push(p);
  return { passages, stats: reader.stats };
}

describe('readPassages', () => {
  test('Pyserini JSONL: contents becomes text and stays available raw; numeric ids become strings', async () => {
    const { passages, stats } = await readAll(fixture('pyserini.jsonl'));
    expect(stats).toMatchObject({ format: 'pyserini', read: 3, skipped: 0, done: true });
    expect(passages[0]).toEqual({
      id: 'doc1',
      text: 'Genghis Khan\nGenghis Khan was the founder of the Mongol Empire.',
      contents: 'Genghis Khan\nGenghis Khan was the founder of the Mongol Empire.',
    });
    expect(passages.map((p) => p.id)).toEqual(['doc1', 'doc2', '3']);
    expect(indexedText(passages[1])).toBe('The Onon is a river of Mongolia and Russia.');
  });

  test('BEIR JSONL, plain and gzip, give the same passages; empty titles and blank lines are dropped', async () => {
    const plain = await readAll(fixture('beir.jsonl'));
    const gz = await readAll(fixture('beir.jsonl.gz'));
    expect(plain.stats).toMatchObject({ format: 'beir', read: 3, skipped: 0 });
    expect(gz.passages).toEqual(plain.passages);
    expect(plain.passages[1]).toEqual({
      id: '5836',
      text: 'Induction of myelodysplasia by myeloid-derived suppressor cells.',
    });
    expect(plain.passages[2].title).toBe('BC1 RNA, the transcript from a master gene');
    // BM25 indexes title + "\n" + text when there is no `contents`.
    expect(indexedText(plain.passages[2])).toBe(
      'BC1 RNA, the transcript from a master gene\nID elements are short interspersed elements (SINEs) found in high ' +
        'copy number.',
    );
  });

  test('plain {id, title, text} JSONL with CRLF line ends', async () => {
    const { passages, stats } = await readAll(fixture('plain-crlf.jsonl'));
    expect(stats.format).toBe('jsonl');
    expect(passages).toEqual([
      { id: 'Genghis_Khan-1', title: 'Genghis Khan', text: 'Genghis Khan was the founder of the Mongol Empire.' },
      { id: 'Onon_River-1', title: 'Onon River', text: 'The Onon is a river of Mongolia and Russia.' },
    ]);
  });

  test('DPR TSV: header skipped, csv quoting undone', async () => {
    const { passages, stats } = await readAll(fixture('dpr.tsv'));
    expect(stats).toMatchObject({ format: 'dpr-tsv', read: 2 });
    expect(passages[0]).toEqual({
      id: '1',
      title: 'Aaron',
      text: 'Aaron Aaron ( or ; "Ahärôn") is a prophet, high priest, and the brother of Moses.',
    });
    expect(passages[1].text).toBe('God at Sinai granted Aaron the priesthood for himself and his male descendants.');
  });

  test('an explicit format that does not fit the file is an error at line 1', async () => {
    await expect(readAll(fixture('beir.jsonl'), { format: 'pyserini' })).rejects.toThrow(
      `${fixture('beir.jsonl')}:1: missing string "contents"`,
    );
  });

  test('a malformed line throws CorpusFormatError naming file and 1-based line', async () => {
    const err = await readAll(fixture('malformed.jsonl')).catch((e) => e);
    expect(err).toBeInstanceOf(CorpusFormatError);
    expect(err.file).toBe(fixture('malformed.jsonl'));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(
      new RegExp(`^${fixture('malformed.jsonl').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: invalid JSON`),
    );
  });

  test('onError skip: malformed lines are skipped and counted with their line numbers', async () => {
    const { passages, stats } = await readAll(fixture('malformed.jsonl'), { onError: 'skip' });
    expect(passages.map((p) => p.id)).toEqual(['a', 'b', 'd', 'f']);
    expect(stats).toMatchObject({ read: 4, skipped: 2, skippedLines: [3, 5], done: true });
  });

  test('a missing file is an InputFileError naming the file', async () => {
    const missing = fixture('no-such-corpus.jsonl');
    const err = await readAll(missing).catch((e) => e);
    expect(err).toBeInstanceOf(InputFileError);
    expect(err.message).toBe(`input file not found: ${missing}`);
  });

  test('a truncated gzip file is an error, not a silently short corpus', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'kb-gz-'));
    const gz = readFileSync(fixture('beir.jsonl.gz'));
    const file = path.join(dir, 'cut.jsonl.gz');
    writeFileSync(file, gz.subarray(0, gz.length - 20));
    await expect(readAll(file)).rejects.toThrow(InputFileError);
  });

  describe('bytes that are not UTF-8', () => {
    // Line 1: a U+FFFD written as UTF-8 (valid, not counted) and "é" as UTF-8; line 2: Latin-1 "é" (one invalid
    // byte); line 4: two invalid bytes beside a valid U+FFFD; CRLF on line 3.
    const bytes = Buffer.concat([
      Buffer.from('{"id": "a", "contents": "ok \uFFFD café"}\n', 'utf8'),
      Buffer.from([...Buffer.from('{"id": "b", "contents": "caf'), 0xe9, ...Buffer.from('"}\n')]),
      Buffer.from('{"id": "c", "contents": "plain"}\r\n', 'utf8'),
      Buffer.from([...Buffer.from('{"id": "d", "contents": "x'), 0xff, 0xfe, ...Buffer.from(' \uFFFD"}')]),
    ]);
    let dir: string;
    let file: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'kb-utf8-'));
      file = path.join(dir, 'latin1.jsonl');
      writeFileSync(file, bytes);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('readLines decodes as one pass would, whatever the chunking, and counts invalid sequences per line', async () => {
      // The reference: WHATWG's decoder over the whole buffer, split at newlines.
      const expected = new TextDecoder('utf-8')
        .decode(bytes)
        .split('\n')
        .map((l) => l.replace(/\r$/, ''));
      for (const size of [1, 2, 3, 7, 1 << 20]) {
        const chunks = async function* () {
          for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
        };
        const invalid: Array<[number, number]> = [];
        const lines: string[] = [];
        for await (const l of readLines(chunks(), { onInvalidUtf8: (line, n) => void invalid.push([line, n]) }))
          lines.push(l);
        expect(lines).toEqual(expected);
        expect(invalid).toEqual([
          [2, 1],
          [4, 2],
        ]);
      }
    });

    test('are read as U+FFFD and counted with the first line; onInvalidUtf8 throw names file and line', async () => {
      const { passages, stats } = await readAll(file);
      expect(passages.map((p) => p.text)).toEqual(['ok \uFFFD café', 'caf\uFFFD', 'plain', 'x\uFFFD\uFFFD \uFFFD']);
      expect(stats.invalidUtf8).toEqual({ sequences: 3, lines: 2, firstLine: 2 });
      await expect(readAll(file, { onInvalidUtf8: 'throw' })).rejects.toThrow(CorpusFormatError);
      await expect(readAll(file, { onInvalidUtf8: 'throw' })).rejects.toThrow(
        `${file}:2: 1 byte sequence is not UTF-8 (is the file Latin-1 or binary?)`,
      );
      expect((await readAll(fixture('pyserini.jsonl'))).stats.invalidUtf8).toBeUndefined();
    });
  });
});
