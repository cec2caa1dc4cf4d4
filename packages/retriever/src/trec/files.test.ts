import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputFileError } from '@kard/knowledge-base';
import { TrecFormatError } from './errors';
import { formatRunLines, readQrels, readRun, readTopics } from './files';

describe('TREC files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trec-'));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads topics, qrels and runs', () => {
    expect(readTopics(write('t.tsv', 'q1\twho is it?\n\nq2\ta\tb\n'))).toEqual([
      { qid: 'q1', query: 'who is it?' },
      { qid: 'q2', query: 'a\tb' },
    ]);
    expect(readQrels(write('q.txt', 'q1 0 d1 1\nq1 0 d2 0\n')).get('q1')).toEqual(
      new Map([
        ['d1', 1],
        ['d2', 0],
      ]),
    );
    expect(readRun(write('r.txt', 'q1 Q0 d1 1 2.500000 bm25\n')).get('q1')).toEqual([
      { docid: 'd1', rank: 1, score: 2.5 },
    ]);
  });

  it('writes run lines with six decimals, and refuses ids with whitespace', () => {
    expect(formatRunLines('q1', [{ id: 'd1', score: 1 / 3, rank: 1 }], 'tag')).toBe('q1 Q0 d1 1 0.333333 tag\n');
    expect(() => formatRunLines('q1', [{ id: 'd 1', score: 1, rank: 1 }], 't')).toThrow(/whitespace/);
  });

  it('names file and line of a malformed line, and the missing file', () => {
    expect(() => readTopics(write('bad.tsv', 'q1\tok\nno tab here\n'))).toThrow(/bad.tsv:2: expected "qid<TAB>query"/);
    expect(() => readQrels(write('bad.qrels', 'q1 0 d1\n'))).toThrow(TrecFormatError);
    expect(() => readRun(write('bad.run', 'q1 Q0 d1 one 1.0 t\n'))).toThrow(/bad.run:1/);
    expect(() => readTopics(path.join(dir, 'missing.tsv'))).toThrow(InputFileError);
  });

  it('refuses a qid given twice, naming both lines', () => {
    const file = write('dup.tsv', 'q1\tfirst\nq2\tsecond\n\nq1\tthird\n');
    expect(() => readTopics(file)).toThrow(TrecFormatError);
    expect(() => readTopics(file)).toThrow(`${file}:4: qid "q1" repeats line 1; each qid must be unique`);
  });
});
