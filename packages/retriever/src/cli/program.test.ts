import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Bm25Index } from '../sparse';
import { type CliIo } from './io';
import { main } from './program';

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

describe('kard-retriever CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-cli-'));
  const file = (name: string, text?: string | Buffer) => {
    const f = path.join(dir, name);
    if (text !== undefined) fs.writeFileSync(f, text);
    return f;
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Two corpora in two formats, one gzipped; topics and qrels small enough to evaluate by hand.
  const corpusA = file(
    'a.jsonl',
    '{"id": "a", "contents": "apple banana"}\n{"id": "b", "contents": "banana cherry"}\n',
  );
  const corpusB = file('b.jsonl.gz', zlib.gzipSync('{"_id": "c", "title": "Cherry", "text": "date"}\n'));
  const topics = file('topics.tsv', 'q1\tapple\nq2\tcherry date\n');
  const qrels = file('qrels.txt', 'q1 0 a 1\nq2 0 b 1\n');
  const indexDir = path.join(dir, 'index');
  const runFile = path.join(dir, 'run.txt');

  it('indexes, searches into a TREC run, and evaluates it', async () => {
    let io = capture();
    const built = await main(
      ['index', '--corpus', corpusA, '--corpus', corpusB, '--out', indexDir, '--no-progress'],
      io,
    );
    expect(io.err).toBe('');
    expect(built).toBe(0);
    expect(io.out).toMatch(/indexed 3 passages/);
    const manifest = JSON.parse(fs.readFileSync(path.join(indexDir, 'manifest.json'), 'utf8'));
    expect(manifest.corpus.map((c: { passages: number }) => c.passages)).toEqual([2, 1]);
    expect(manifest.corpus[0].sha256).toBe(createHash('sha256').update(fs.readFileSync(corpusA)).digest('hex'));

    io = capture();
    expect(
      await main(
        ['search', '--index', indexDir, '--topics', topics, '--k', '5', '--output', runFile, '--no-progress'],
        io,
      ),
    ).toBe(0);
    const lines = fs.readFileSync(runFile, 'utf8').trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^q\d Q0 [abc] \d+ \d+\.\d{6} bm25$/);
    const index = Bm25Index.load(indexDir);
    const expected = ['q1', 'q2'].flatMap((qid, i) =>
      index.search(['apple', 'cherry date'][i], 5).map((h) => `${qid} Q0 ${h.id} ${h.rank} ${h.score.toFixed(6)} bm25`),
    );
    expect(lines).toEqual(expected);
    expect(lines.map((l) => l.split(' ')[2])).toEqual(['a', 'c', 'b']);

    io = capture();
    expect(await main(['eval', '--run', runFile, '--qrels', qrels], io)).toBe(0);
    // q1: "a" at rank 1. q2: relevant "b" at rank 2 behind "c". recall@2: 1 and 1; MRR: 1 and 1/2;
    // nDCG@10: 1 and (1/log2(3)) / 1.
    const values = Object.fromEntries(
      io.out
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)),
    );
    expect(values).toEqual({
      queries: '2',
      'recall@2': (1).toFixed(4),
      'mrr@10': (0.75).toFixed(4),
      'ndcg@10': ((1 + 1 / Math.log2(3)) / 2).toFixed(4),
    });
  });

  it('has --help on every command', async () => {
    for (const args of [
      ['--help'],
      ['index', '--help'],
      ['search', '--help'],
      ['eval', '--help'],
      ['check', '--help'],
    ]) {
      const io = capture();
      expect(await main(args, io)).toBe(0);
      expect(io.out).toMatch(/Usage: kard-retriever/);
    }
  });

  it('fails with one clear line on bad input, leaving no index behind', async () => {
    const out = path.join(dir, 'never');
    const cases: [string[], RegExp][] = [
      [['index', '--corpus', path.join(dir, 'missing.jsonl'), '--out', out], /no such file.*missing.jsonl/],
      [
        ['index', '--corpus', file('bad.jsonl', '{"id": "x", "contents": "ok"}\n{not json\n'), '--out', out],
        /bad.jsonl:2/,
      ],
      [['index', '--corpus', file('empty.jsonl', '\n'), '--out', out], /empty corpus/],
      [['search', '--index', dir, '--topics', topics, '--output', path.join(dir, 'r')], /manifest.json is missing/],
      [
        ['search', '--index', indexDir, '--topics', file('bad.tsv', 'no tab\n'), '--output', path.join(dir, 'r')],
        /bad.tsv:1/,
      ],
    ];
    for (const [args, message] of cases) {
      const io = capture();
      expect(await main([...args, '--no-progress'], io)).toBe(1);
      expect(io.err).toMatch(message);
      expect(fs.existsSync(out)).toBe(false);
    }
    const io = capture();
    expect(await main(['index', '--corpus', corpusA, '--out', out, '--stemmer', 'snowball'], io)).not.toBe(0);
    expect(io.err).toMatch(/snowball/);
    expect(
      await main(['search', '--index', indexDir, '--topics', topics, '--output', 'x', '--k', '0'], capture()),
    ).not.toBe(0);
  });

  it('skips malformed lines when asked, and reports them', async () => {
    const io = capture();
    const corpus = file('mixed.jsonl', '{"id": "x", "contents": "ok"}\n{broken\n{"id": "y", "contents": "fine"}\n');
    expect(
      await main(
        ['index', '--corpus', corpus, '--out', path.join(dir, 'mixed'), '--skip-malformed', '--no-progress'],
        io,
      ),
    ).toBe(0);
    expect(io.err).toMatch(/skipped 1 malformed lines \(first: 2\)/);
    expect(Bm25Index.load(path.join(dir, 'mixed')).size).toBe(2);
  });

  it('index warns about bytes that are not UTF-8 and records their count; --strict refuses them', async () => {
    const corpus = file(
      'latin1.jsonl',
      Buffer.concat([
        Buffer.from('{"id": "a", "contents": "plain"}\n'),
        Buffer.from([...Buffer.from('{"id": "b", "contents": "caf'), 0xe9, ...Buffer.from(' au lait"}\n')]),
      ]),
    );
    const out = path.join(dir, 'latin1-index');
    let io = capture();
    expect(await main(['index', '--corpus', corpus, '--out', out, '--no-progress'], io)).toBe(0);
    expect(io.err).toBe(
      `warning: ${corpus}:2: 1 byte sequence not valid UTF-8 on 1 line (the first on this line), read as U+FFFD; --strict refuses them\n`,
    );
    expect(JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).corpus[0]).toMatchObject({
      passages: 2,
      invalidUtf8: 1,
    });
    const strict = path.join(dir, 'latin1-strict');
    io = capture();
    expect(await main(['index', '--corpus', corpus, '--out', strict, '--strict', '--no-progress'], io)).toBe(1);
    expect(io.err).toMatch(new RegExp(`^kard-retriever: ${corpus}:2: 1 byte sequence is not UTF-8`));
    expect(fs.existsSync(strict)).toBe(false);
  });

  it('check verifies an index and names a corrupt file (exit 1), and search refuses it', async () => {
    const checked = path.join(dir, 'checked');
    expect(await main(['index', '--corpus', corpusA, '--out', checked, '--no-progress'], capture())).toBe(0);
    let io = capture();
    expect(await main(['check', checked], io)).toBe(0);
    expect(io.out).toMatch(/^index .*checked: kard-bm25-index version 2, 2 documents, \d+ terms, \d+ postings\n/);
    expect(io.out.match(/crc32 ok/g)).toHaveLength(8);
    expect(io.out).toMatch(/\nok in [\d.]+ s: checksums match, document rows in range, term frequencies >= 1/);

    // Same size, other bytes: every posting points at document row 1.
    const docs = path.join(checked, 'posting-docs.u32');
    fs.writeFileSync(docs, Buffer.from(new Uint32Array(fs.statSync(docs).size / 4).fill(1).buffer));
    io = capture();
    expect(await main(['check', checked], io)).toBe(1);
    expect(io.out).toMatch(/posting-docs.u32 +\d+ bytes {2}crc32 MISMATCH/);
    expect(io.out).toMatch(/problem: posting-docs.u32 is corrupt: its crc32 is [0-9a-f]{8}, the manifest says/);
    expect(io.err).toMatch(/^kard-retriever: index .*checked: \d+ problems? found \(rebuild the index\)\n$/);
    io = capture();
    const run = path.join(dir, 'never-run.txt');
    expect(await main(['search', '--index', checked, '--topics', topics, '--output', run, '--no-progress'], io)).toBe(
      1,
    );
    expect(io.err).toMatch(/posting-docs.u32 is corrupt/);
    expect(fs.existsSync(run)).toBe(false);
  });
});
