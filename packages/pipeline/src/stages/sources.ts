// Inputs the stages share: the corpus as a passage store, dataset subsets, and the content hashes that key stage
// markers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseJsonText } from '@kard/core';
import { PassageStore, readPassages, type Passage } from '@kard/knowledge-base';
import { Bm25Index, readBm25Manifest } from '@kard/retriever';
import type { KardConfig } from '../config/schema';
import { ConfigError } from '../config/validate';
import type { RunFolder } from '../run/run-folder';
import type { StagePlan } from './stage-plan';

/** The corpus files' passages, file after file, each in file order. */
async function* corpusPassages(files: string[]): AsyncGenerator<Passage> {
  for (const f of files) yield* readPassages(path.resolve(f));
}

/**
 * The run's passages: `passages/`, a `PassageStore` built from the corpus files by the `passages` stage (keyed by
 * their hashes, so a run folder from before the stage existed just builds it). Every stage and the evaluation read
 * passages through it, by id or in corpus order, instead of holding the corpus in memory. Ids must be unique
 * across the files (a repeat is a `DuplicatePassageIdError` naming it).
 */
export async function openPassages(run: RunFolder, plan: StagePlan): Promise<PassageStore> {
  // a prebuilt store (knowledge.store) is shared by runs: opened where it is, never rebuilt
  if (plan.cfg.knowledge.store) return PassageStore.open(path.resolve(plan.cfg.knowledge.store));
  const dir = run.path('passages');
  const files = plan.cfg.knowledge.corpus;
  const { stage, inputs, outputs } = await plan.passages();
  await run.stage(
    stage,
    inputs,
    async () => {
      const store = await PassageStore.build(corpusPassages(files), dir, {
        overwrite: true,
        progress: false,
        source: files.map((f) => path.resolve(f)).join(', '),
      });
      const size = store.size;
      store.close();
      return { passages: size };
    },
    { outputs },
  );
  return PassageStore.open(dir);
}

/** The BM25 index folder a run reads: the prebuilt knowledge.index, else the run's own index/. */
export function indexFolder(cfg: KardConfig, runDir: string): string {
  return cfg.knowledge.index ? path.resolve(cfg.knowledge.index) : path.join(runDir, 'index');
}

/** Rows whose ids are compared between an index and its store: both ends and 62 spread between. */
function sampleRows(size: number): number[] {
  const rows = new Set<number>();
  for (let i = 0; i < 64 && size > 0; i++) rows.add(Math.min(size - 1, Math.round((i * (size - 1)) / 63)));
  return [...rows];
}

const rebuildHint = (store: PassageStore) =>
  `rebuild it from the store: kard-retriever index --corpus ${path.join(store.dir, 'passages.jsonl')} --out <dir>`;

/**
 * Refuses (ConfigError on knowledge.index) a prebuilt index that cannot be this store's, from its manifest alone:
 * another passage count, or BM25 parameters other than the config's.
 */
export function checkPrebuiltIndex(cfg: KardConfig, store: PassageStore): { passages: number; terms: number } {
  const dir = path.resolve(cfg.knowledge.index!);
  const m = readBm25Manifest(dir);
  if (m.counts.documents !== store.size)
    throw new ConfigError(
      `${dir} indexes ${m.counts.documents} passages but the passage store ${store.dir} holds ${store.size}: the ` +
        `index was built from another corpus; ${rebuildHint(store)}`,
      'knowledge.index',
    );
  const { k1, b } = cfg.knowledge;
  if (m.params.k1 !== k1 || m.params.b !== b)
    throw new ConfigError(
      `${dir} was built with k1 ${m.params.k1}, b ${m.params.b}; this config asks for k1 ${k1}, b ${b} (set ` +
        `knowledge.k1/b to match, or rebuild the index with --k1 ${k1} --b ${b})`,
      'knowledge.index',
    );
  return { passages: m.counts.documents, terms: m.counts.terms };
}

/**
 * The run's BM25 index, with hits reading their passages from `store`. The index must index the store's passages
 * row for row (same count, same ids at 64 spread rows): an index of another corpus would hand out ids the store
 * lacks or, worse, other passages' text; it is a ConfigError naming both folders.
 */
export function loadIndexFor(cfg: KardConfig, run: RunFolder, store: PassageStore): Bm25Index {
  const dir = indexFolder(cfg, run.dir);
  // on SharedArrayBuffers: the prepare stages' search threads then share these arrays instead of a copy of them
  const index = Bm25Index.load(dir, { shared: true });
  const key = cfg.knowledge.index ? 'knowledge.index' : 'knowledge';
  if (index.size !== store.size)
    throw new ConfigError(
      `the BM25 index ${dir} holds ${index.size} passages, the passage store ${store.dir} ${store.size}: they come ` +
        `from different corpora; ${rebuildHint(store)}`,
      key,
    );
  for (const row of sampleRows(store.size)) {
    const [a, b] = [index.idAt(row), store.idAt(row)];
    if (a !== b)
      throw new ConfigError(
        `the BM25 index ${dir} and the passage store ${store.dir} disagree at row ${row} (index id ` +
          `${JSON.stringify(a)}, store id ${JSON.stringify(b)}): they come from different corpora; ${rebuildHint(store)}`,
        key,
      );
  }
  return index.attachPassages(store);
}

/**
 * The first `limit` questions of a dataset file, written under `dir` with the same name (a JSON array is
 * sliced, JSONL keeps its first lines); without a limit, the file itself.
 */
export function datasetSubset(file: string, limit: number | undefined, dir: string): string {
  if (!limit) return path.resolve(file);
  const text = fs.readFileSync(file, 'utf8');
  const out = path.join(dir, path.basename(file));
  fs.mkdirSync(dir, { recursive: true });
  if (text.trimStart().startsWith('['))
    fs.writeFileSync(out, JSON.stringify(parseJsonText<unknown[]>(text, path.resolve(file)).slice(0, limit)));
  else
    fs.writeFileSync(
      out,
      `${text
        .split('\n')
        .filter((l) => l.trim())
        .slice(0, limit)
        .join('\n')}\n`,
    );
  return out;
}

export function configFiles(cfg: KardConfig): string[] {
  return [cfg.dataset.train, ...cfg.knowledge.corpus, ...(cfg.teacher.rationales ? [cfg.teacher.rationales] : [])];
}
