import '../dense/test-support/single-thread';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeNpy } from '../dense';
import { bruteForceTopK, randomVectors } from '../dense/test-support/hashing-embedder';
import type { CliIo } from './io';
import { main } from './program';

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('kard-retriever dense-index / dense-search', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-dense-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dim = 8;
  const n = 200;
  const base = randomVectors(n, dim, 31);
  const queries = randomVectors(5, dim, 32);
  const docids = Array.from({ length: n }, (_, i) => `doc${i}`);
  const vectorsFile = path.join(dir, 'passages.npy');
  fs.writeFileSync(vectorsFile, encodeNpy({ rows: n, cols: dim, data: base }));
  fs.writeFileSync(path.join(dir, 'passages.ids.txt'), docids.join('\n') + '\n');
  const queriesFile = path.join(dir, 'queries.jsonl');
  fs.writeFileSync(
    queriesFile,
    Array.from({ length: 5 }, (_, q) =>
      JSON.stringify({ id: `q${q}`, vector: Array.from(queries.subarray(q * dim, (q + 1) * dim)) }),
    ).join('\n'),
  );

  test('flat index from .npy, JSONL queries, TREC run equal to brute force with 6 decimals', async () => {
    let io = capture();
    const indexDir = path.join(dir, 'flat');
    expect(await main(['dense-index', '--vectors', vectorsFile, '--out', indexDir], io)).toBe(0);
    expect(io.out).toMatch(/indexed 200 vectors of dimension 8 \(flat, ip\)/);
    io = capture();
    const run = path.join(dir, 'run.txt');
    expect(
      await main(
        ['dense-search', '--index', indexDir, '--vectors-queries', queriesFile, '--k', '3', '--output', run],
        io,
      ),
    ).toBe(0);
    expect(io.err).toBe('');
    const want = Array.from({ length: 5 }, (_, q) =>
      bruteForceTopK(base, queries.subarray(q * dim, (q + 1) * dim), dim, 3).map(
        (w, r) => `q${q} Q0 ${docids[w.row]} ${r + 1} ${w.score.toFixed(6)} dense`,
      ),
    ).flat();
    const got = fs.readFileSync(run, 'utf8').trim().split('\n');
    expect(got.map((l) => l.split(' ').filter((_, i) => i !== 4))).toEqual(
      want.map((l) => l.split(' ').filter((_, i) => i !== 4)),
    );
    got.forEach((l, i) => {
      expect(l).toMatch(/^q\d Q0 doc\d+ \d \S+\.\d{6} dense$/);
      expect(Math.abs(Number(l.split(' ')[4]) - Number(want[i].split(' ')[4]))).toBeLessThanOrEqual(2e-6);
    });
  });

  test('HNSW options reach the manifest; --help lists the options; errors are one line', async () => {
    let io = capture();
    const indexDir = path.join(dir, 'hnsw');
    const args = [
      'dense-index',
      '--vectors',
      vectorsFile,
      '--out',
      indexDir,
      '--hnsw',
      '--m',
      '8',
      '--ef-construction',
      '20',
      '--ef-search',
      '33',
      '--metric',
      'cosine',
    ];
    expect(await main(args, io)).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(indexDir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      type: 'hnsw',
      metric: 'cosine',
      hnsw: { m: 8, efConstruction: 20, efSearch: 33 },
    });

    for (const command of ['dense-index', 'dense-search']) {
      io = capture();
      expect(await main([command, '--help'], io)).toBe(0);
      expect(io.out).toMatch(command === 'dense-index' ? /--ef-construction <n>/ : /--vectors-queries <file>/);
    }

    io = capture();
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, '{"id": "q", "vector": [1, 2]}\n');
    const run = path.join(dir, 'never.txt');
    expect(await main(['dense-search', '--index', indexDir, '--vectors-queries', bad, '--output', run], io)).toBe(1);
    expect(io.err).toBe(`kard-retriever: ${bad}:1: vector has dimension 2, expected dimension 8\n`);
    expect(fs.existsSync(run)).toBe(false);

    io = capture();
    expect(
      await main(['dense-search', '--index', path.join(dir, 'nope'), '--vectors-queries', bad, '--output', run], io),
    ).toBe(1);
    expect(io.err).toMatch(/nope: folder not found/);
  });
});
