// The prepare stage on a 200k-passage store, against the in-memory path it replaced: the corpus in a Map, an index
// built from that array, and one BM25 query at a time (no batches, no store). The pipeline's path reads passages
// only through the store, builds its index from the store, and retrieves in batches; its prepared data must be the
// same bytes. Also: a prebuilt store and index named by the config are used as they are, and an index of another
// corpus is refused.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepare } from '@kard/cot-data';
import { PassageStore, type Passage } from '@kard/knowledge-base';
import { rerankerRecord } from '@kard/reranker';
import { Bm25Index } from '@kard/retriever';
import { Rng } from '@kard/core';
import { ConfigError, loadConfig, RunFolder, TrainingPipeline } from '../src';

const root = path.resolve(__dirname, '../../..');
const N_GENERATED = 200_000;

/**
 * 200k short passages of words drawn (seeded) from the shipped paragraphs' own words, after 2,000 real paragraphs,
 * so rationales find both real evidence and generated distractors.
 */
function corpus(): Passage[] {
  const real = fs
    .readFileSync(path.join(root, 'datasets/wikipedia/strategyqa_paragraphs.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, 2000)
    .map((l) => JSON.parse(l) as Passage);
  const words = real.flatMap((p) => p.text.toLowerCase().match(/[a-z]+/g) ?? []);
  const rng = new Rng(14);
  const out = [...real];
  for (let i = 0; i < N_GENERATED; i++) {
    const len = 8 + rng.int(17);
    const w: string[] = [];
    for (let j = 0; j < len; j++) w.push(words[rng.int(words.length)]);
    out.push({ id: `gen-${i}`, title: '', text: w.join(' ') });
  }
  return out;
}

const files = (dir: string) =>
  Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  );

test('prepare on a 200k-passage store equals the in-memory path; prebuilt store and index; a mismatch is refused', async () => {
  const cwd = process.cwd();
  process.chdir(root);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-store-scale-'));
  try {
    const passages = corpus();
    const storeDir = path.join(dir, 'store');
    (await PassageStore.build(passages, storeDir, { progress: false })).close();
    const over = {
      'knowledge.corpus': [],
      'knowledge.store': storeDir,
      'dataset.trainLimit': 120,
      'student.methods': ['kard'],
    };
    const cfg = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), { ...over, run: path.join(dir, 'a') });
    const pipeline = new TrainingPipeline(cfg, new RunFolder(cfg.run));
    await pipeline.prepare('kard');
    pipeline.close();
    expect(fs.existsSync(path.join(cfg.run, 'passages'))).toBe(false); // the prebuilt store, not a copy

    // the in-memory path: a Map, an index built from the array, one query at a time
    const index = await Bm25Index.build(passages, { k1: cfg.knowledge.k1, b: cfg.knowledge.b });
    const map = new Map(passages.map((p) => [p.id, p]));
    index.attachPassages(map);
    const oneByOne = {
      search: (q: string, k: number) => index.search(q, k),
      scoreDocuments: (q: string, ids: string[]) => index.scoreDocuments(q, ids),
    };
    const refDir = path.join(dir, 'reference');
    const questions = path.join(dir, 'train.json'); // the first 120 questions, as trainLimit takes them
    fs.writeFileSync(questions, JSON.stringify(JSON.parse(fs.readFileSync(cfg.dataset.train, 'utf8')).slice(0, 120)));
    await prepare(
      {
        dataset: { file: questions, name: 'strategyqa', onInvalid: 'skip' },
        rationales: [{ file: path.resolve(cfg.teacher.rationales!), format: 'flan-cot' }],
        mode: 'kard',
        nKnowledge: cfg.student.nKnowledge,
        rerankerCandidates: cfg.reranker.candidates,
        tokenizer: path.resolve(cfg.student.tokenizer),
        maxInputTokens: cfg.student.maxInputTokens,
        validationFraction: cfg.dataset.validationFraction,
        seed: cfg.seed,
        outDir: refDir,
        progress: false,
      },
      { retriever: oneByOne, passages: map, rerankerRecord },
    );
    const got = files(path.join(cfg.run, 'data', 'kard'));
    const want = files(refDir);
    expect(Object.keys(got).sort()).toEqual([
      'reranker.train.jsonl',
      'reranker.validation.jsonl',
      'train.jsonl',
      'validation.jsonl',
    ]);
    expect(got).toEqual(want);
    // retrieval reached generated passages too (the store's rows beyond the shipped ones are read by id)
    expect(got['reranker.train.jsonl']).toMatch(/"gen-\d+"/);

    // a second run names the first run's index as prebuilt: no index/ of its own, the same data
    const cfgB = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), {
      ...over,
      'knowledge.index': path.join(cfg.run, 'index'),
      run: path.join(dir, 'b'),
    });
    const b = new TrainingPipeline(cfgB, new RunFolder(cfgB.run));
    await b.prepare('kard');
    b.close();
    expect(fs.existsSync(path.join(cfgB.run, 'index'))).toBe(false);
    expect(files(path.join(cfgB.run, 'data', 'kard'))).toEqual(want);

    // an index of another corpus is a ConfigError naming it and the store
    const otherDir = path.join(dir, 'other-index');
    await (await Bm25Index.build(passages.slice(0, 100))).save(otherDir);
    const bad = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), {
      ...over,
      'knowledge.index': otherDir,
      run: path.join(dir, 'c'),
    });
    const c = new TrainingPipeline(bad, new RunFolder(bad.run));
    const err = await c.prepare('kard').catch((e: unknown) => e);
    c.close();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      /knowledge\.index: .*other-index indexes 100 passages but the passage store .*store holds 202000: the index was built from another corpus/,
    );
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
