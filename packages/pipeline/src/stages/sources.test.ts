// The run's passage store against the corpus files read directly: the same passages in the same order, the same
// text BM25 indexes, and a byte-identical BM25 index (what the pipeline built from an in-memory Map before).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuplicatePassageIdError, indexedText, readPassages, type Passage } from '@kard/knowledge-base';
import { Bm25Index } from '@kard/retriever';
import { RunFolder } from '../run/run-folder';
import { loadConfig } from '../config/validate';
import { datasetSubset, openPassages } from './sources';
import { StagePlan } from './stage-plan';

const repo = path.resolve(__dirname, '../../../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-sources-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The stage plan of a tiny run whose knowledge base is `files`. */
const planFor = (run: RunFolder, files: string[]) =>
  new StagePlan(
    loadConfig(path.join(repo, 'packages/pipeline/test/fixtures/tiny.config.yaml'), {
      run: run.dir,
      'knowledge.corpus': files,
    }),
  );

/** Reference: each file's JSON lines parsed by hand, file after file. */
function directly(files: string[]): Array<Record<string, unknown>> {
  return files.flatMap((f) =>
    fs
      .readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

test('passages via the PassageStore equal the corpus files, and index to the same BM25 files', async () => {
  const files = [
    path.join(repo, 'datasets/wikipedia/strategyqa_paragraphs.jsonl'),
    path.join(repo, 'datasets/wikipedia/hotpotqa_paragraphs.jsonl'),
  ];
  const run = new RunFolder(path.join(tmp, 'run'));
  const store = await openPassages(run, planFor(run, files));
  const ref = directly(files);
  expect(store.size).toBe(ref.length);
  const stored = [...store];
  expect(stored.map((p) => p.id)).toEqual(ref.map((r) => r.id));
  stored.forEach((p, i) => {
    expect(p.text).toBe(ref[i].text);
    expect(p.title).toBe(ref[i].title || undefined); // empty titles are dropped on reading
  });
  for (const i of [0, 1, 17644, 17645, ref.length - 1]) expect(store.get(ref[i].id as string)).toEqual(stored[i]);
  expect(store.get('no such passage')).toBeUndefined();

  // what the pipeline held before: a Map filled by readPassages
  const map = new Map<string, Passage>();
  for (const f of files) for await (const p of readPassages(f)) map.set(p.id, p);
  expect(stored.map(indexedText)).toEqual([...map.values()].map(indexedText));
  const fromStore = await Bm25Index.build(store, { k1: 0.9, b: 0.4 });
  const fromMap = await Bm25Index.build(map.values(), { k1: 0.9, b: 0.4 });
  await fromStore.save(path.join(tmp, 'index-store'));
  await fromMap.save(path.join(tmp, 'index-map'));
  const names = fs.readdirSync(path.join(tmp, 'index-map')).sort();
  expect(fs.readdirSync(path.join(tmp, 'index-store')).sort()).toEqual(names);
  for (const n of names.filter((n) => n !== 'manifest.json')) {
    expect(
      fs.readFileSync(path.join(tmp, 'index-store', n)).equals(fs.readFileSync(path.join(tmp, 'index-map', n))),
    ).toBe(true);
  }
  store.close();

  // a second open finds the stage done; a run folder without the stage (made before it existed) builds it
  const again = await openPassages(run, planFor(run, files));
  expect(again.size).toBe(ref.length);
  again.close();
  // the marker's hash is the one run folders have had since the stage was added: sha256 of {corpus: {file: sha256}}
  const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
  const corpus = Object.fromEntries(files.map((f) => [f, sha(fs.readFileSync(f))]));
  const sorted = Object.keys(corpus).sort();
  const canonical = `{"corpus":{${sorted.map((f) => `${JSON.stringify(f)}:${JSON.stringify(corpus[f])}`).join(',')}}}`;
  expect(run.marker('passages')?.inputsHash).toBe(sha(canonical));
  const events = fs
    .readFileSync(run.path('log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(events.filter((e) => e.stage === 'passages').map((e) => e.event)).toEqual([
    'stage-start',
    'stage-done',
    'stage-skip',
  ]);
});

test('a corpus that repeats an id is an error naming it, not a silently replaced passage', async () => {
  const f = path.join(tmp, 'dup.jsonl');
  fs.writeFileSync(f, '{"id":"a","text":"one"}\n{"id":"b","text":"two"}\n{"id":"a","text":"three"}\n');
  await expect(
    openPassages(new RunFolder(path.join(tmp, 'dup-run')), planFor(new RunFolder(path.join(tmp, 'dup-run')), [f])),
  ).rejects.toThrow(DuplicatePassageIdError);
});

test('a malformed questions file cut to trainLimit names the file and the line (issue 18: no bare JSON error)', () => {
  const file = path.join(tmp, 'train.json');
  fs.writeFileSync(file, '[\n  {"qid": "a", "answer": true},\n  {"qid": "b" "answer": false}\n]\n');
  expect(() => datasetSubset(file, 1, path.join(tmp, 'subset'))).toThrow(`${file}:3: malformed JSON: `);
});
