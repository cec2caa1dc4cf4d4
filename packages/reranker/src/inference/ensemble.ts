// Several rerankers as one (e.g. the same start fine-tuned with different seeds): the mean of their scores.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '@kard/core';
import type { ColbertModel } from '../colbert/model';
import { RERANKER_OWNER, RerankerLoadError, writeRerankerFiles } from '../io/save';
import { RerankerEnsemble } from './ensemble-reranker';
import { NeuralReranker, type NeuralRerankerOptions } from './neural-reranker';

export { RerankerEnsemble } from './ensemble-reranker';

/** The file that makes a folder of saved rerankers (one subfolder each) an ensemble. */
export const ENSEMBLE_FILE = 'ensemble.json';

interface EnsembleFile {
  format: 'kard-reranker-ensemble';
  /** Member folders, relative to the ensemble folder. */
  members: string[];
}

/** Records `members` (subfolders of `dir`, each written by saveReranker) as one ensemble; write it last. */
export function writeEnsembleFile(dir: string, members: string[]): void {
  const file: EnsembleFile = { format: 'kard-reranker-ensemble', members };
  writeFileAtomic(path.join(dir, ENSEMBLE_FILE), JSON.stringify(file, null, 2) + '\n');
}

/** Saves models as one ensemble folder, atomically: each in its subfolder `name`, then ensemble.json. */
export async function saveRerankerEnsemble(
  members: Array<{ name: string; model: ColbertModel }>,
  dir: string,
  opts: { baseModel?: string; tokenizerDir?: string; overwrite?: boolean } = {},
): Promise<void> {
  await writeDirAtomic(
    dir,
    (tmp) => {
      for (const m of members) {
        fs.mkdirSync(path.join(tmp, m.name));
        writeRerankerFiles(m.model, path.join(tmp, m.name), opts);
      }
      writeEnsembleFile(
        tmp,
        members.map((m) => m.name),
      );
    },
    { ...RERANKER_OWNER, overwrite: opts.overwrite },
  );
}

/** A saved reranker folder: one reranker, or an ensemble (ensemble.json and its members' subfolders). */
export async function loadRerankerFolder(
  dir: string,
  opts: NeuralRerankerOptions & { baseModel?: string } = {},
): Promise<NeuralReranker | RerankerEnsemble> {
  const file = path.join(dir, ENSEMBLE_FILE);
  if (!fs.existsSync(file)) return NeuralReranker.load(dir, opts);
  let cfg: EnsembleFile;
  try {
    cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RerankerLoadError(`cannot read: ${(err as Error).message}`, file);
  }
  if (cfg.format !== 'kard-reranker-ensemble' || !Array.isArray(cfg.members) || cfg.members.length === 0) {
    throw new RerankerLoadError(
      'not a kard-reranker ensemble (format "kard-reranker-ensemble" with a non-empty members list)',
      file,
    );
  }
  return RerankerEnsemble.load(
    cfg.members.map((m) => path.resolve(dir, m)),
    opts,
  );
}

/** Saved reranker folders as one reranker: a single folder as `loadRerankerFolder` reads it, several as an ensemble of them. */
export async function loadRerankerFolders(
  dirs: string[],
  opts: NeuralRerankerOptions & { baseModel?: string } = {},
): Promise<NeuralReranker | RerankerEnsemble> {
  return dirs.length === 1 ? loadRerankerFolder(dirs[0], opts) : RerankerEnsemble.load(dirs, opts);
}
