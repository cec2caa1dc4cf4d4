import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { DatasetFormatError } from '../errors';
import { flanDatasetName, loadFlanCot } from './flan-cot';
import type { LoadOptions, LoadedQuestions } from './load-result';
import { loadHfMc } from './hf-mc';
import { loadMcJsonl } from './mc-jsonl';
import { loadMedQa } from './medqa';
import { loadObqa, loadObqaStaged } from './obqa';
import { loadStrategyQa } from './strategyqa';

export type DatasetFormat = 'strategyqa' | 'medqa' | 'obqa' | 'obqa-json' | 'flan-cot' | 'mc-jsonl' | 'hf-mc';

const LOADERS: Record<DatasetFormat, (file: string, opts: LoadOptions) => LoadedQuestions> = {
  strategyqa: loadStrategyQa,
  medqa: loadMedQa,
  obqa: loadObqa,
  'obqa-json': loadObqaStaged,
  'flan-cot': loadFlanCot,
  'mc-jsonl': loadMcJsonl,
  'hf-mc': loadHfMc,
};

export const DATASET_FORMATS = Object.keys(LOADERS) as DatasetFormat[];

export interface LoadQuestionsOptions extends LoadOptions {
  /** One of {@link DATASET_FORMATS}, or `'auto'` (default) to tell from the file's name and first record. */
  format?: DatasetFormat | 'auto';
}

/** Loads any supported question file into McQuestions. An unknown format is an error that lists the known ones. */
export function loadQuestions(file: string, opts: LoadQuestionsOptions = {}): LoadedQuestions {
  const format = !opts.format || opts.format === 'auto' ? detectFormat(file) : opts.format;
  const loader = LOADERS[format as DatasetFormat];
  if (!loader)
    throw new DatasetFormatError(`unknown dataset format "${format}" (known: ${DATASET_FORMATS.join(', ')})`, file);
  return loader(file, opts);
}

/** The dataset a question file holds, for its default instruction: "strategyqa", "medqa", "obqa", "qasc", ... */
export function datasetNameOf(file: string, format: DatasetFormat | 'auto' = 'auto'): string | undefined {
  const f = format === 'auto' ? detectFormat(file) : format;
  if (f === 'flan-cot') return flanDatasetName(file);
  if (f === 'obqa-json') return 'obqa';
  // the reference's files carry no dataset name: its folders do (data/medqa_usmle_hf/train.json, data/obqa/...)
  if (f === 'hf-mc') return [...path.resolve(file).matchAll(/medqa|obqa|strategyqa/gi)].pop()?.[0].toLowerCase();
  return f === 'mc-jsonl' ? undefined : f;
}

/** Tells a question file's format from its extension and the keys of its first record. */
export function detectFormat(file: string): DatasetFormat {
  if (file.endsWith('.tsv')) return 'flan-cot';
  const head = readHead(file, 64 * 1024);
  const keys = (pattern: string) => new RegExp(`"${pattern}"\\s*:`).test(head);
  // before the extension: the reference names its JSON-lines files *.json
  if (keys('sent1') && keys('ending0')) return 'hf-mc';
  if (file.endsWith('.json') || head.trimStart().startsWith('[')) {
    if (keys('problem')) return 'obqa-json';
    if (keys('qid') && keys('answer')) return 'strategyqa';
  } else {
    if (keys('answer_idx')) return 'medqa';
    if (keys('stem') && keys('answerKey')) return 'obqa';
    if (keys('options') && keys('question')) return 'mc-jsonl';
  }
  throw new DatasetFormatError(`cannot tell the dataset format; pass one of: ${DATASET_FORMATS.join(', ')}`, file);
}

function readHead(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
