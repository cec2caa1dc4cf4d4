import { readJsonl } from '@kard/core';
import type { McQuestion } from '../question';
import { collect, fail, splitFromFile, type LoadOptions, type LoadedQuestions } from './load-result';

interface MedQaRecord {
  question?: string;
  options?: Record<string, string>;
  answer_idx?: string;
  answer?: string;
  meta_info?: string;
  realidx?: number | string;
  id?: string;
}

/** MedQA-USMLE jsonl (jind11/MedQA): question, options {A: .., B: ..}, answer_idx. */
export function loadMedQa(file: string, opts: LoadOptions = {}): LoadedQuestions {
  const split = splitFromFile(file, opts);
  const records = readJsonl<MedQaRecord>(file).map((record, i) => ({ line: i + 1, record }));
  return collect(
    file,
    records,
    (r, line): McQuestion => {
      if (typeof r.question !== 'string') fail('record lacks a question', file, line);
      if (!r.options || typeof r.options !== 'object') fail('record has no options', file, line);
      const options = Object.keys(r.options)
        .sort()
        .map((label) => ({ label, text: String(r.options![label]) }));
      return {
        id: r.id ?? `medqa-${split}-${r.realidx ?? line - 1}`,
        question: r.question,
        options,
        answer: String(r.answer_idx ?? ''),
        split,
        meta: { metaInfo: r.meta_info, answerText: r.answer },
      };
    },
    opts,
  );
}
