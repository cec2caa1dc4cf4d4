// Every file and folder a config names, checked before any stage starts: a typo in `student.tokenizer` should
// say so at once, naming the key, not fail in a library after the index has been built.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkTokenizerFolder, InputFormatError } from '@kard/core';
import { isHubId } from '@kard/student';
import type { KardConfig } from './schema';
import { ConfigError } from './validate';

/** What a command is about to do: kard-train's stage (or all of them), or kard-eval. */
export type PathCheckScope = 'index' | 'prepare' | 'student' | 'reranker' | 'all' | 'eval';

function requireFile(key: string, file: string, what: string): void {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new ConfigError(`${abs} does not exist (${what})`, key);
  if (!fs.statSync(abs).isFile()) throw new ConfigError(`${abs} is a folder, not a file (${what})`, key);
}

function requireFolder(key: string, dir: string, what: string, files: readonly string[]): void {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs)) throw new ConfigError(`${abs} does not exist (${what})`, key);
  if (!fs.statSync(abs).isDirectory()) throw new ConfigError(`${abs} is a file, not a folder (${what})`, key);
  const missing = files.filter((f) => !fs.existsSync(path.join(abs, f)));
  if (missing.length) throw new ConfigError(`${abs} has no ${missing.join(' or ')} (${what})`, key);
}

/** A tokenizer folder whose JSON files parse (a damaged tokenizer.json is named with its line, under its key). */
function readable(key: string, dir: string): void {
  try {
    checkTokenizerFolder(dir);
  } catch (err) {
    if (err instanceof InputFormatError) throw new ConfigError(err.message, key);
    throw err;
  }
}

/**
 * Refuses (ConfigError naming the key and the path) a config whose input files and folders are missing, for the
 * stages `scope` runs: datasets, corpus and teacher rationales; the scratch student's tokenizer or the student model
 * folder (a Hub id is fetched later); the reranker's tokenizer, base and init folders.
 */
export function checkConfigPaths(cfg: KardConfig, scope: PathCheckScope): void {
  for (const f of cfg.knowledge.corpus) requireFile('knowledge.corpus', f, 'a passage file');
  const { store, index } = cfg.knowledge;
  if (store) requireFolder('knowledge.store', store, 'a passage store built by `kard-kb build`', ['manifest.json']);
  if (index) requireFolder('knowledge.index', index, 'a BM25 index built by `kard-retriever index`', ['manifest.json']);
  if (scope === 'index') return;
  if (scope === 'eval') {
    requireFile('dataset.eval', cfg.dataset.eval, 'the evaluation questions');
    return;
  }
  requireFile('dataset.train', cfg.dataset.train, 'the training questions');
  if (cfg.teacher.rationales) requireFile('teacher.rationales', cfg.teacher.rationales, 'the teacher rationales');
  const { model, tokenizer } = cfg.student;
  if (model === 'scratch') {
    requireFolder('student.tokenizer', tokenizer, "a scratch student's tokenizer folder", [
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    readable('student.tokenizer', tokenizer);
  } else if (!isHubId(model))
    requireFolder('student.model', model, 'a model folder (or scratch, or a Hub id such as google/flan-t5-base)', [
      'config.json',
    ]);
  if (scope !== 'reranker' && scope !== 'all') return;
  const r = cfg.reranker;
  if (r.base === 'scratch') {
    requireFolder('reranker.tokenizer', r.tokenizer, "a scratch reranker's WordPiece tokenizer folder", [
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    readable('reranker.tokenizer', r.tokenizer);
  } else requireFolder('reranker.base', r.base, 'a BERT model folder, or scratch', ['config.json']);
  if (r.init)
    requireFolder('reranker.init', r.init, 'a reranker saved by `kard-reranker pretrain`', ['reranker_config.json']);
}
