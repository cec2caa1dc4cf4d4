import { existsSync } from 'node:fs';
import { readJsonFile } from '@kard/core';
import path from 'node:path';
import type { DatasetFormat } from './load';

export interface DatasetFile {
  /** Path relative to the datasets directory ("strategyqa/train.json"). */
  path: string;
  split: string;
  format: DatasetFormat | 'passages' | 'flan-cot-rationales';
  /** Records in the shipped copy (from its MANIFEST.json), when shipped. */
  records?: number;
  shipped: boolean;
}

export interface DatasetInfo {
  name: string;
  kind: 'questions' | 'knowledge';
  description: string;
  files: DatasetFile[];
  /** What a user must fetch themselves, and from where, for the parts not shipped. */
  download?: string;
}

interface Spec {
  name: string;
  kind: DatasetInfo['kind'];
  description: string;
  files: Array<Omit<DatasetFile, 'shipped' | 'records'>>;
  download?: string;
}

const SPECS: Spec[] = [
  {
    name: 'strategyqa',
    kind: 'questions',
    description:
      'StrategyQA yes/no questions with Wikipedia evidence ids (dev is a split of the public train set); FLAN ' +
      'rationales for train.',
    files: [
      { path: 'strategyqa/train.json', split: 'train', format: 'strategyqa' },
      { path: 'strategyqa/dev.json', split: 'dev', format: 'strategyqa' },
      { path: 'flan-cot/strategyqa_train.tsv', split: 'train', format: 'flan-cot-rationales' },
    ],
    download: 'The official test split has no public answers (leaderboard only): https://allenai.org/data/strategyqa',
  },
  {
    name: 'medqa',
    kind: 'questions',
    description: 'MedQA-USMLE, 4 options.',
    files: [
      { path: 'medqa/test.jsonl', split: 'test', format: 'medqa' },
      { path: 'medqa/train.jsonl', split: 'train', format: 'medqa' },
      { path: 'medqa/dev.jsonl', split: 'dev', format: 'medqa' },
    ],
    download:
      'train/dev: github.com/jind11/MedQA (data_clean/questions/US/4_options/phrases_no_exclude_{train,dev}.jsonl); ' +
      'save as datasets/medqa/{train,dev}.jsonl',
  },
  {
    name: 'obqa',
    kind: 'questions',
    description: 'OpenBookQA science questions (test/dev shipped with the gold fact) and its open book of 1326 facts.',
    files: [
      { path: 'obqa/test.json', split: 'test', format: 'obqa-json' },
      { path: 'obqa/dev.json', split: 'dev', format: 'obqa-json' },
      { path: 'obqa/openbook.txt', split: 'facts', format: 'passages' },
      { path: 'obqa/train.jsonl', split: 'train', format: 'obqa' },
    ],
    download:
      'train: https://ai2-public-datasets.s3.amazonaws.com/open-book-qa/OpenBookQA-V1-Sep2018.zip ' +
      '(Data/Main/train.jsonl); save as datasets/obqa/train.jsonl',
  },
  {
    name: 'qasc',
    kind: 'questions',
    description: 'QASC 8-option science questions with FLAN rationales.',
    files: [{ path: 'flan-cot/qasc_train.tsv', split: 'train', format: 'flan-cot' }],
    download: 'dev/test: https://allenai.org/data/qasc',
  },
  {
    name: 'ecqa',
    kind: 'questions',
    description: 'ECQA (CommonsenseQA with explanations), 5 options, FLAN rationales.',
    files: [{ path: 'flan-cot/ecqa_train.tsv', split: 'train', format: 'flan-cot' }],
    download:
      'dev/test: github.com/dair-iitd/ECQA-Dataset (questions from CommonsenseQA, tau-nlp.github.io/commonsenseqa)',
  },
  {
    name: 'creak',
    kind: 'questions',
    description: 'CREAK true/false claims (options yes/no), FLAN rationales.',
    files: [{ path: 'flan-cot/creak_train.tsv', split: 'train', format: 'flan-cot' }],
    download: 'dev/contrast sets: github.com/yasumasaonoe/creak',
  },
  {
    name: 'wikipedia',
    kind: 'knowledge',
    description:
      'Wikipedia paragraphs around StrategyQA questions (ids = evidence ids) plus HotpotQA distractor paragraphs.',
    files: [
      { path: 'wikipedia/strategyqa_paragraphs.jsonl', split: 'corpus', format: 'passages' },
      { path: 'wikipedia/hotpotqa_paragraphs.jsonl', split: 'corpus', format: 'passages' },
    ],
    download:
      "KARD's full knowledge base, 21M DPR passages: " +
      'https://dl.fbaipublicfiles.com/dpr/wikipedia_split/psgs_w100.tsv.gz (or a dump from dumps.wikimedia.org)',
  },
  {
    name: 'pubmed',
    kind: 'knowledge',
    description: 'PubMed abstracts (1000, from PubMedQA), the knowledge base for MedQA.',
    files: [{ path: 'pubmed/pubmedqa_abstracts.jsonl', split: 'corpus', format: 'passages' }],
    download: 'full annual baseline: https://ftp.ncbi.nlm.nih.gov/pubmed/baseline/',
  },
];

/**
 * Every dataset KARD-TS knows, with which of its files are shipped under `datasetsDir` (record counts from the
 * MANIFEST.json there) and where to download the rest. `kard datasets` prints this.
 */
export function listDatasets(datasetsDir: string = findDatasetsDir()): DatasetInfo[] {
  const manifests = new Map<string, Map<string, number | undefined>>();
  const shipped = (rel: string): { shipped: boolean; records?: number } => {
    const [dir, file] = rel.split('/');
    if (!manifests.has(dir)) manifests.set(dir, readManifest(path.join(datasetsDir, dir, 'MANIFEST.json')));
    const m = manifests.get(dir)!;
    const inManifest = m.has(file);
    return { shipped: inManifest || existsSync(path.join(datasetsDir, rel)), records: m.get(file) };
  };
  return SPECS.map((s) => ({ ...s, files: s.files.map((f) => ({ ...f, ...shipped(f.path) })) }));
}

function readManifest(file: string): Map<string, number | undefined> {
  if (!existsSync(file)) return new Map();
  const m = readJsonFile<{ files?: Array<{ path: string; records?: number }> }>(file);
  return new Map((m.files ?? []).map((f) => [f.path, f.records]));
}

/** A plain-text table of {@link listDatasets}, one line per file. */
export function formatDatasetList(list: DatasetInfo[]): string {
  const out: string[] = [];
  for (const d of list) {
    out.push(`${d.name} (${d.kind}): ${d.description}`);
    for (const f of d.files) {
      const state = f.shipped ? `shipped${f.records !== undefined ? `, ${f.records} records` : ''}` : 'not shipped';
      out.push(`  ${f.path.padEnd(40)} ${f.split.padEnd(7)} ${f.format.padEnd(20)} ${state}`);
    }
    if (d.download) out.push(`  download: ${d.download}`);
  }
  return out.join('\n');
}

/**
 * The project's `datasets/` directory: `$KARD_DATASETS`, else the first `datasets/` holding a MANIFEST.json
 * found walking up from this module and from the working directory.
 */
export function findDatasetsDir(): string {
  if (process.env.KARD_DATASETS) return process.env.KARD_DATASETS;
  for (const start of [__dirname, process.cwd()]) {
    let dir = path.resolve(start);
    for (;;) {
      const candidate = path.join(dir, 'datasets');
      if (existsSync(path.join(candidate, 'strategyqa', 'MANIFEST.json'))) return candidate;
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return path.resolve('datasets');
}
