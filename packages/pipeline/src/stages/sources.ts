// Inputs the stages share: the corpus as a passage store, dataset subsets, and the content hashes that key stage
// markers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseJsonText } from '@kard/core';
import { PassageStore, readPassages, type Passage } from '@kard/knowledge-base';
import type { KardConfig } from '../config/schema';
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
