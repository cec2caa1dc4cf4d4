// Inputs the stages share: the corpus in memory, dataset subsets, and the content hashes that key stage markers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPassages, type Passage } from '@kard/knowledge-base';
import type { KardConfig } from '../config/schema';
import { ConfigError } from '../config/validate';
import { hashFile } from '../run/hash';

export async function readCorpus(files: string[]): Promise<Map<string, Passage>> {
  const passages = new Map<string, Passage>();
  for (const f of files) for await (const p of readPassages(path.resolve(f))) passages.set(p.id, p);
  return passages;
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
  if (text.trimStart().startsWith('[')) fs.writeFileSync(out, JSON.stringify((JSON.parse(text) as unknown[]).slice(0, limit)));
  else fs.writeFileSync(out, `${text.split('\n').filter((l) => l.trim()).slice(0, limit).join('\n')}\n`);
  return out;
}

export function configFiles(cfg: KardConfig): string[] {
  return [cfg.dataset.train, ...cfg.knowledge.corpus, ...(cfg.teacher.rationales ? [cfg.teacher.rationales] : [])];
}
