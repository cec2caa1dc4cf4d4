// kard-train export-web on a tiny run: the bundle holds the run's own bytes (checked against the run folder, not
// against the exporter's manifest alone), and the browser entries rebuild from it the same index, reranker and
// student that Node loads from the run folder: same hits and scores, same reranked order, same greedy tokens.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bm25Index } from '@kard/retriever';
import { bm25IndexFromBuffers, type Bm25FileKey, type Bm25Manifest } from '@kard/retriever/browser';
import { loadRerankerFolder } from '@kard/reranker';
import { RerankerEnsemble, rerankerFromFiles, type RerankerConfigFile } from '@kard/reranker/browser';
import { generate, loadStudent } from '@kard/student';
import { studentFromFiles } from '@kard/student/browser';
import { PassageStore } from '@kard/knowledge-base';
import {
  exportWebBundle,
  loadConfig,
  RunFolder,
  startBackend,
  TrainingPipeline,
  WebExportError,
  writeRunInfo,
} from '../src';
import type { WebBundleManifest } from '../src';

const root = path.resolve(__dirname, '../../..');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir: string;
let runDir: string;

beforeAll(async () => {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-web-'));
    runDir = path.join(dir, 'run');
    const cfg = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), {
      run: runDir,
      'student.methods': ['kard'],
      'reranker.ensemble': 2, // the bundle's ensemble layout, and the browser's RerankerEnsemble
    });
    const backend = await startBackend(cfg);
    const run = new RunFolder(runDir);
    await new TrainingPipeline(cfg, run).runStage('all');
    writeRunInfo(run, cfg, backend); // as kard-train does after each stage
  } finally {
    process.chdir(cwd);
  }
}, 120000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the bundle holds the run files byte for byte, chunked passages included, each listed with size and sha256', async () => {
  const out = path.join(dir, 'bundle');
  const m = await exportWebBundle(runDir, out, { chunkBytes: 100_000 });
  const onDisk = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as WebBundleManifest;
  expect(onDisk.files).toEqual(m.files);
  let total = 0;
  for (const [rel, f] of Object.entries(m.files)) {
    const bytes = fs.readFileSync(path.join(out, rel));
    expect({ rel, bytes: bytes.length, sha256: sha256(bytes) }).toEqual({ rel, bytes: f.bytes, sha256: f.sha256 });
    total += bytes.length;
  }
  expect(m.totalBytes).toBe(total);
  // the chunks are the store's data file cut in order; the index and student files are the run's
  const data = fs.readFileSync(path.join(runDir, 'passages', 'passages.jsonl'));
  expect(m.passages.chunks.length).toBe(Math.ceil(data.length / 100_000));
  expect(Buffer.concat(m.passages.chunks.map((c) => fs.readFileSync(path.join(out, c)))).equals(data)).toBe(true);
  for (const f of fs.readdirSync(path.join(runDir, 'index')))
    expect(fs.readFileSync(path.join(out, 'index', f)).equals(fs.readFileSync(path.join(runDir, 'index', f)))).toBe(
      true,
    );
  expect(fs.readFileSync(path.join(out, 'student/model.safetensors'))).toEqual(
    fs.readFileSync(path.join(runDir, 'student/kard/model.safetensors')),
  );
  expect(m.settings).toMatchObject({
    dataset: 'strategyqa',
    nDocs: 1,
    maxDoc: 4,
    maxNewTokens: 6,
    maxInputTokens: 128,
  });
  // a second export replaces the bundle; a folder that is not one is refused
  await exportWebBundle(runDir, out);
  const other = path.join(dir, 'someone');
  fs.mkdirSync(other);
  fs.writeFileSync(path.join(other, 'notes.txt'), 'mine');
  await expect(exportWebBundle(runDir, other)).rejects.toThrow(/notes|not empty|exists/i);
  expect(fs.readFileSync(path.join(other, 'notes.txt'), 'utf8')).toBe('mine');
});

test('the browser entries rebuild the same index, reranker and student from the bundle bytes', async () => {
  const out = path.join(dir, 'bundle-load');
  const m = await exportWebBundle(runDir, out);
  const read = (rel: string) => new Uint8Array(fs.readFileSync(path.join(out, rel)));
  const json = <T>(rel: string) => JSON.parse(fs.readFileSync(path.join(out, rel), 'utf8')) as T;

  const indexManifest = json<Bm25Manifest>('index/manifest.json');
  const buffers = Object.fromEntries(
    Object.entries(indexManifest.files).map(([k, f]) => [k, read(`index/${f.file}`)]),
  ) as Record<Bm25FileKey, Uint8Array>;
  const web = await bm25IndexFromBuffers('bundle/index', indexManifest, buffers);
  const node = Bm25Index.load(path.join(runDir, 'index'));
  const questions = ['Did the Mongols use gunpowder?', 'Is a banana a berry?', 'Could a llama birth twice in 1 year?'];
  for (const q of questions) expect(web.search(q, 10)).toEqual(node.search(q, 10));
  // a flipped byte is caught by the checksum
  const bad = { ...buffers, postingTfs: buffers.postingTfs.slice() };
  bad.postingTfs[0] ^= 1;
  await expect(bm25IndexFromBuffers('bundle/index', indexManifest, bad)).rejects.toThrow(
    /posting-tfs.u16 is corrupt: its crc32 is/,
  );

  const store = PassageStore.open(path.join(runDir, 'passages'));
  try {
    const nodeReranker = await loadRerankerFolder(path.join(runDir, 'reranker'), { passages: store });
    expect(m.reranker.members).toEqual(['reranker/0', 'reranker/1']);
    const members = m.reranker.members.map((r) =>
      rerankerFromFiles(
        {
          config: json<RerankerConfigFile>(`${r}/reranker_config.json`),
          adapter: read(`${r}/adapter_model.safetensors`),
          encoderConfig: json(`${r}/encoder/config.json`),
          encoderWeights: read(`${r}/encoder/model.safetensors`),
          tokenizer: json(`${r}/tokenizer/tokenizer.json`),
          tokenizerConfig: json(`${r}/tokenizer/tokenizer_config.json`),
        },
        r,
        { passages: store },
      ),
    );
    const webReranker = new RerankerEnsemble(members);
    for (const q of questions) {
      const hits = node.search(q, 4);
      const a = await nodeReranker.rerank(q, hits);
      const b = await webReranker.rerank(q, hits);
      expect(b.map((h) => h.id)).toEqual(a.map((h) => h.id));
      b.forEach((h, i) => expect(h.score).toBeCloseTo(a[i].score, 5));
    }
  } finally {
    store.close();
  }

  const nodeStudent = await loadStudent(path.join(runDir, 'student', 'kard'));
  const webStudent = studentFromFiles(
    {
      config: json('student/config.json'),
      weights: read('student/model.safetensors'),
      tokenizer: json('student/tokenizer.json'),
      tokenizerConfig: json('student/tokenizer_config.json'),
    },
    'bundle/student',
  );
  for (const q of questions) {
    const a = nodeStudent.tokenizer.encode(q);
    expect(webStudent.tokenizer.encode(q)).toEqual(a);
    const streamed: number[] = [];
    const [[ours]] = generate(webStudent.model, [a], { maxNewTokens: 8, onToken: (_, t) => streamed.push(t) });
    const [[theirs]] = generate(nodeStudent.model, [a], { maxNewTokens: 8 });
    expect(ours.tokens).toEqual(theirs.tokens);
    expect(streamed).toEqual(theirs.tokens);
    expect(webStudent.tokenizer.decode(ours.tokens)).toBe(nodeStudent.tokenizer.decode(theirs.tokens));
  }
});

test('a run without a trained student, reranker or index is refused, naming the stage to run', async () => {
  const partial = path.join(dir, 'partial');
  fs.cpSync(runDir, partial, { recursive: true });
  fs.rmSync(path.join(partial, 'student'), { recursive: true });
  const out = path.join(dir, 'never');
  await expect(exportWebBundle(partial, out)).rejects.toThrow(WebExportError);
  await expect(exportWebBundle(partial, out)).rejects.toThrow(/no trained kard student .*kard-train student/);
  await expect(exportWebBundle(runDir, out, { student: 'rd' })).rejects.toThrow(/no trained rd student/);
  fs.rmSync(path.join(partial, 'index'), { recursive: true });
  await expect(exportWebBundle(partial, out)).rejects.toThrow(/no BM25 index .*kard-train index/);
  fs.cpSync(path.join(runDir, 'index'), path.join(partial, 'index'), { recursive: true });
  fs.cpSync(path.join(runDir, 'student'), path.join(partial, 'student'), { recursive: true });
  fs.rmSync(path.join(partial, 'reranker'), { recursive: true });
  await expect(exportWebBundle(partial, out)).rejects.toThrow(/no trained reranker .*kard-train reranker/);
  expect(fs.existsSync(out)).toBe(false);
});
