import { readJson } from '../io';
import { YES_NO, type McQuestion } from '../question';
import { collect, fail, splitFromFile, type LoadOptions, type LoadedQuestions } from './load-result';

interface StrategyQaRecord {
  qid?: string;
  question?: string;
  answer?: boolean;
  term?: string;
  description?: string;
  facts?: string[];
  decomposition?: string[];
  evidence?: unknown;
}

/**
 * The Wikipedia paragraph ids of StrategyQA's `evidence` (annotators x steps x [ids | "no_evidence" |
 * "operation"]), deduplicated, with spaces as underscores so they match the shipped passage ids.
 */
export function strategyQaEvidenceIds(evidence: unknown): string[] {
  const ids = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'string' && v !== 'no_evidence' && v !== 'operation') ids.add(v.replace(/ /g, '_'));
  };
  walk(evidence);
  return [...ids];
}

/** StrategyQA's official `train.json` / `dev.json`: a JSON array; answers become A (yes) / B (no). */
export function loadStrategyQa(file: string, opts: LoadOptions = {}): LoadedQuestions {
  const data = readJson<StrategyQaRecord[]>(file);
  if (!Array.isArray(data)) fail('StrategyQA file must hold a JSON array', file, 1);
  const split = splitFromFile(file, opts);
  const records = data.map((record, i) => ({ line: i + 1, record }));
  return collect(
    file,
    records,
    (r, line): McQuestion => {
      if (typeof r.qid !== 'string' || typeof r.question !== 'string')
        fail(`record ${line} lacks qid or question`, file, line);
      if (typeof r.answer !== 'boolean') fail(`question ${r.qid}: answer must be true or false`, file, line);
      return {
        id: r.qid,
        question: r.question,
        options: YES_NO,
        answer: r.answer ? 'A' : 'B',
        split,
        meta: {
          term: r.term,
          description: r.description,
          facts: r.facts ?? [],
          decomposition: r.decomposition ?? [],
          evidenceIds: strategyQaEvidenceIds(r.evidence),
        },
      };
    },
    opts,
  );
}
