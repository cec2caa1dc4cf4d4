import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RerankerRecordBuilder } from './examples/kard-examples';
import { prepare, type PrepareConfig } from './prepare';

const FIX = path.resolve(__dirname, '../test/fixtures');
const T5 = path.resolve(__dirname, '../../../models/t5-tokenizer');
const readJsonl = (f: string) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'prepare-'));
});

const base = (): PrepareConfig => ({
  dataset: { file: path.join(FIX, 'tiny-questions.jsonl') },
  rationales: [{ file: path.join(FIX, 'tiny-rationales.jsonl'), format: 'jsonl' }],
  knowledge: { corpus: [path.join(FIX, 'tiny-corpus.jsonl')] },
  tokenizer: T5,
  maxInputTokens: 64,
  validationFraction: 0.2,
  outDir: path.join(dir, 'out'),
  progress: false,
});

/** A stand-in for @kard/reranker's rerankerRecord: the pair, the k it was asked for and the rationale's top-k ids. */
const rerankerRecord: RerankerRecordBuilder = async (pair, retriever, k) => ({
  ...pair,
  k,
  hits: (await retriever.search(pair.rationale, k)).map((h) => h.id),
});

test(
  'kard end to end: verified rationales, BM25 knowledge, T5 budget, seeded split, reranker data, manifest with ' +
    'hashes',
  async () => {
    const manifest = await prepare({ ...base(), rerankerCandidates: 4 }, { rerankerRecord });
    // By hand from the fixtures: 9 rationales, 1 of an unloaded question; of the 8 left, 5 right, 2 wrong, 1 without an
    // answer.
    expect(manifest.counts).toMatchObject({
      questions: 5,
      skippedQuestions: 0,
      rationalesImported: 9,
      rationalesUnmatched: 1,
      verify: { total: 8, kept: 5, wrong: 2, parseFailures: 1 },
      examples: { train: 4, validation: 1 },
      reranker: { train: 4, validation: 1 },
    });
    const out = base().outDir;
    expect(readdirSync(out).sort()).toEqual([
      'manifest.json',
      'reranker.train.jsonl',
      'reranker.validation.jsonl',
      'train.jsonl',
      'validation.jsonl',
    ]);
    expect(readdirSync(dir)).toEqual(['out']);
    for (const f of manifest.files) {
      const bytes = readFileSync(path.join(out, f.path));
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(f.records).toBe(readJsonl(path.join(out, f.path)).length);
    }
    expect(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'))).toEqual(manifest);
    expect(manifest.tokenizer).toEqual({ path: T5, maxInputTokens: 64 });

    const all = [...readJsonl(path.join(out, 'train.jsonl')), ...readJsonl(path.join(out, 'validation.jsonl'))];
    const byQ = new Map(all.map((e) => [e.questionId, e]));
    expect(byQ.get('q2').knowledgeIds).toEqual(['Moon-3']);
    expect(byQ.get('q5').knowledgeIds).toEqual(['Mercury-1']);
    expect(byQ.get('q5').input).toBe(
      'Answer the following question by reasoning step by step.\nQuestion: Which metal is liquid at room ' +
        'temperature? ' +
        'A. iron B. mercury C. copper\n' +
        'Knowledge: Mercury (element): Mercury is the only metallic element that is liquid at standard temperature ' +
        'and ' +
        'pressure.\nExplanation:',
    );
    expect(byQ.get('q5').target).toBe('Mercury is the only metal that is liquid at standard conditions.\nAnswer: B');
    for (const e of all) expect(e.inputTokens).toBeLessThanOrEqual(64);
    // One reranker record per example, split with it; the builder got the example's pair and the configured k.
    for (const split of ['train', 'validation']) {
      const examples = readJsonl(path.join(out, `${split}.jsonl`));
      const records = readJsonl(path.join(out, `reranker.${split}.jsonl`));
      expect(records.map((r) => r.id)).toEqual(examples.map((e) => e.id));
      for (const [i, r] of records.entries()) {
        expect(examples[i].target.startsWith(`${r.rationale}\nAnswer:`)).toBe(true);
        expect(r.k).toBe(4);
        expect(r.hits.length).toBeLessThanOrEqual(4);
      }
    }
    expect(byQ.get('q5').knowledgeIds[0]).toBe(
      readJsonl(path.join(out, 'reranker.train.jsonl'))
        .concat(readJsonl(path.join(out, 'reranker.validation.jsonl')))
        .find((r) => r.questionId === 'q5').hits[0],
    );

    // The same config gives the same bytes (seeded split); another seed can move the held-out question.
    const again = await prepare({ ...base(), rerankerCandidates: 4 }, { rerankerRecord });
    expect(again.files.map((f) => f.sha256)).toEqual(manifest.files.map((f) => f.sha256));
  },
);

test('rd and ft need no knowledge base; ft needs no rationales', async () => {
  const rd = await prepare({ ...base(), knowledge: undefined, mode: 'rd', tokenizer: undefined });
  expect(rd.counts.examples.train + rd.counts.examples.validation).toBe(5);
  expect(rd.files.map((f) => f.path)).toEqual(['train.jsonl', 'validation.jsonl']);
  const ft = await prepare({
    ...base(),
    knowledge: undefined,
    rationales: undefined,
    mode: 'ft',
    tokenizer: undefined,
  });
  const e = readJsonl(path.join(base().outDir, 'train.jsonl'))[0];
  expect(e.input.endsWith('\nAnswer:')).toBe(true);
  expect(e.target).toMatch(/^[AB]$/);
  expect(ft.counts.verify).toBeNull();
});

test(
  'kard without a reranker record builder: no reranker ' + 'data by default, an error when candidates are asked for',
  async () => {
    const plain = await prepare(base());
    expect(plain.files.map((f) => f.path)).toEqual(['train.jsonl', 'validation.jsonl']);
    expect(plain.counts.reranker).toEqual({ train: 0, validation: 0 });
    await expect(prepare({ ...base(), rerankerCandidates: 4 })).rejects.toThrow(
      /rerankerCandidates 4 needs a reranker record builder/,
    );
  },
);

test('bad input fails with a clear error and leaves an earlier output untouched, with no temporary folder left', async () => {
  const out = base().outDir;
  mkdirSync(out);
  writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ format: 'kard-cot-data', version: 1 }));
  writeFileSync(path.join(out, 'keep.txt'), 'earlier run');
  await expect(
    prepare({ ...base(), rationales: [{ file: path.join(FIX, 'tiny-questions.jsonl'), format: 'jsonl' }] }),
  ).rejects.toThrow(/expected \{id, rationales: \[string, \.\.\.\]\}.*tiny-questions\.jsonl:1/);
  await expect(
    prepare({ ...base(), rationales: [{ file: path.join(FIX, 'tiny-rationales.jsonl'), format: 'yaml' as never }] }),
  ).rejects.toThrow(/unknown rationale format "yaml"/);
  await expect(prepare({ ...base(), knowledge: undefined })).rejects.toThrow(/needs a knowledge base/);
  await expect(prepare({ ...base(), rationales: undefined })).rejects.toThrow(/needs teacher rationales/);
  await expect(prepare({ ...base(), dataset: { file: path.join(FIX, 'bad-no-options.jsonl') } })).rejects.toThrow(
    /empty has 0 options/,
  );
  expect(readdirSync(out).sort()).toEqual(['keep.txt', 'manifest.json']);
  expect(readdirSync(dir)).toEqual(['out']);
});

test('an --out holding something else (a file, a folder of notes) is refused before any work, unless overwrite', async () => {
  const out = base().outDir;
  mkdirSync(out);
  writeFileSync(path.join(out, 'notes.txt'), 'keep');
  await expect(prepare(base())).rejects.toThrow(
    `${out} exists and is not a prepared data folder written by KARD-TS (no manifest.json); refusing to replace it.`,
  );
  expect(readdirSync(out)).toEqual(['notes.txt']);
  const manifest = await prepare({ ...base(), overwrite: true });
  expect(manifest.format).toBe('kard-cot-data');
  expect(readdirSync(out)).toContain('train.jsonl');
  expect(readdirSync(out)).not.toContain('notes.txt');
  expect(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).config.overwrite).toBeUndefined();
  await prepare(base()); // its own output is replaced without asking
});
