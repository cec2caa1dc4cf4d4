// Inputs the stages share: the corpus as a passage store, dataset subsets, and the content hashes that key stage
// markers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseJsonText } from '@kard/core';
import { PassageStore, readPassages, type Passage } from '@kard/knowledge-base';
import type { KardConfig } from '../config/schema';
import { ConfigError } from '../config/validate';
import { hashFile } from '../run/hash';
import type { RunFolder } from '../run/run-folder';

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
export async function openPassages(run: RunFolder, files: string[]): Promise<PassageStore> {
  const dir = run.path('passages');
  await run.stage(
    'passages',
    { corpus: await hashInputs(files) },
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
    { outputs: ['passages'] },
  );
  return PassageStore.open(dir);
}

/** sha256 of each input file, by the path as configured. */
export async function hashInputs(files: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of files) {
    if (!fs.existsSync(f)) throw new ConfigError(`file not found: ${path.resolve(f)}`, 'input');
    out[f] = await hashFile(f);
  }
  return out;
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
