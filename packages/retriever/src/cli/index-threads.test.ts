import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bm25Index, BuildWorkerError, IndexFormatError } from '../sparse';
import { type CliIo } from './io';
import { main } from './program';

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-index-threads-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string | Buffer) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};
const leftovers = () => fs.readdirSync(dir).filter((f) => f.startsWith('.'));
const lines = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ id: `p${from + i}`, contents: `word${i % 97} common text ${i}` }),
  )
    .join('\n')
    .concat('\n');

describe('kard-retriever index with --threads: bad input', () => {
  it.each([0, 2])('a line without an id is an error naming file and line (threads %i)', async (threads) => {
    const corpus = file('no-id.jsonl', `${lines(3)}{"contents": "no id here"}\n`);
    const io = capture();
    const out = path.join(dir, `no-id-${threads}`);
    const args = ['index', '--corpus', corpus, '--out', out, '--threads', String(threads), '--no-progress'];
    expect(await main(args, io)).not.toBe(0);
    expect(io.err).toContain(`${corpus}:4:`);
    expect(fs.existsSync(out)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it.each([0, 2])('duplicate ids are an error naming both files and lines (threads %i)', async (threads) => {
    const a = file('dup-a.jsonl', lines(5));
    const b = file('dup-b.jsonl', `\n${lines(2, 10)}${JSON.stringify({ id: 'p3', contents: 'again' })}\n`);
    const io = capture();
    const out = path.join(dir, `dup-${threads}`);
    const args = ['index', '--corpus', a, '--corpus', b, '--out', out, '--threads', String(threads), '--no-progress'];
    expect(await main(args, io)).not.toBe(0);
    expect(io.err).toContain(`${b}:4: duplicate passage id "p3" (first at ${a}:4)`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('indexes a 5 MB passage and bytes that are not UTF-8 (read as U+FFFD, counted)', async () => {
    const big = `${'alpha beta gamma delta '.repeat((5 * 2 ** 20) / 23)}needle`;
    const corpus = file(
      'odd.jsonl',
      Buffer.concat([
        Buffer.from(`${lines(10)}${JSON.stringify({ id: 'big', contents: big })}\n{"id": "latin1", "contents": "caf`),
        Buffer.from([0xe9]),
        Buffer.from(' au lait"}\n'),
      ]),
    );
    const out = path.join(dir, 'odd');
    const io = capture();
    expect(await main(['index', '--corpus', corpus, '--out', out, '--threads', '2', '--no-progress'], io)).toBe(0);
    expect(io.err).toContain(`${corpus}:12: 1 byte sequence not valid UTF-8`);
    const index = Bm25Index.load(out);
    expect(index.corpus[0].invalidUtf8).toBe(1);
    expect(index.search('needle', 1)[0].id).toBe('big');
    // U+FFFD is not a letter, so "caf\ufffd" is the token "caf"
    expect(index.search('caf', 1)[0].id).toBe('latin1');
    const reference = await Bm25Index.build(
      [
        ...lines(10)
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
        { id: 'big', contents: big },
        { id: 'latin1', contents: 'caf\ufffd au lait' },
      ].map((p: { id: string; contents: string }) => ({ id: p.id, text: p.contents, contents: p.contents })),
    );
    expect(index.data.postingDocs).toEqual(reference.data.postingDocs);
    expect(index.data.terms).toEqual(reference.data.terms);
  });
});

describe('a build worker that fails', () => {
  afterEach(() => delete process.env.KARD_BM25_TEST_CRASH);
  it.each(['2', '2:exit'])(
    'fails the build cleanly, leaving no index and no segments (KARD_BM25_TEST_CRASH=%s)',
    async (hook) => {
      process.env.KARD_BM25_TEST_CRASH = hook;
      const docs = Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, text: `text ${i}` }));
      const build = Bm25Index.build(docs, { threads: 2, batchDocs: 10, tempDir: dir });
      await expect(build).rejects.toThrow(BuildWorkerError);
      await expect(build).rejects.toThrow(/worker \d failed while indexing batch 2 \(passages 21\.\.30\)/);
      expect(leftovers()).toEqual([]);
    },
  );
});

it('a killed threaded build leaves nothing that loads as an index, and rerunning succeeds', async () => {
  const corpus = file('kill.jsonl', lines(20_000));
  const out = path.join(dir, 'killed');
  const register = path.join(__dirname, '..', 'sparse', 'test-support', 'register-source.js');
  const child = spawn(
    process.execPath,
    [
      '-r',
      register,
      path.join(__dirname, 'main.ts'),
      'index',
      '--corpus',
      corpus,
      '--out',
      out,
      '--threads',
      '2',
      '--no-progress',
    ],
    { stdio: 'ignore' },
  );
  // kill it once the workers are spilling segments
  const deadline = Date.now() + 30_000;
  const spilling = () => {
    const spill = fs.readdirSync(dir).find((f) => f.startsWith('.kard-bm25-segments-'));
    if (spill === undefined) return false;
    const files = fs.readdirSync(path.join(dir, spill)).map((f) => fs.statSync(path.join(dir, spill, f)).size);
    return files.some((size) => size > 0);
  };
  while (!spilling()) {
    if (Date.now() > deadline) throw new Error('the build never started spilling');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  expect(leftovers()).toHaveLength(1);
  expect(() => Bm25Index.load(out)).toThrow(IndexFormatError);
  const io = capture();
  expect(await main(['index', '--corpus', corpus, '--out', out, '--threads', '2', '--no-progress'], io)).toBe(0);
  expect(Bm25Index.load(out).size).toBe(20_000);
  // the killed build's spill folder went when the next build started beside it
  expect(leftovers()).toEqual([]);
}, 60_000);

it('kard-retriever search --threads 2 writes the run --threads 1 writes', async () => {
  const corpus = file('search.jsonl', lines(3000));
  const out = path.join(dir, 'search-index');
  expect(await main(['index', '--corpus', corpus, '--out', out, '--threads', '0', '--no-progress'], capture())).toBe(0);
  const topics = file(
    'topics.tsv',
    Array.from({ length: 300 }, (_, i) => `q${i}\tword${i % 97} text ${i * 7}\n`).join(''),
  );
  const runs = [];
  for (const threads of ['1', '2']) {
    const run = path.join(dir, `run-${threads}.txt`);
    const args = [
      'search',
      '--index',
      out,
      '--topics',
      topics,
      '--k',
      '20',
      '--output',
      run,
      '--threads',
      threads,
      '--no-progress',
    ];
    expect(await main(args, capture())).toBe(0);
    runs.push(fs.readFileSync(run, 'utf8'));
  }
  expect(runs[0].split('\n')).toHaveLength(300 * 20 + 1);
  expect(runs[1]).toBe(runs[0]);
});
