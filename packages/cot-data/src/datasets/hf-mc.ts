import { readJsonlEntries } from '@kard/core';
import { LABELS, type McQuestion } from '../question';
import { collect, fail, splitFromFile, type LoadOptions, type LoadedQuestions } from './load-result';

interface HfMcRecord {
  id?: string | number;
  sent1?: string;
  sent2?: string;
  label?: number | string;
  [ending: `ending${number}`]: string | undefined;
}

/**
 * The reference's (KARD's) question files, Hugging Face's SWAG-style multiple choice as in its
 * `data/medqa_usmle_hf/{train,dev,test}.json`: JSON lines `{id?, sent1, sent2?, ending0, ending1, ..., label}`, where
 * `label` is the 0-based index of the gold ending. Endings become options A, B, ... in order; a label outside
 * them is an error naming the file and line.
 */
export function loadHfMc(file: string, opts: LoadOptions = {}): LoadedQuestions {
  const split = splitFromFile(file, opts);
  const records = readJsonlEntries<HfMcRecord>(file).map((e) => ({ line: e.line, record: e.value }));
  let position = 0;
  return collect(
    file,
    records,
    (r, line): McQuestion => {
      const index = position++;
      if (typeof r.sent1 !== 'string') fail('record lacks "sent1" (the question)', file, line);
      const options = [];
      for (let k = 0; typeof r[`ending${k}`] === 'string'; k++)
        options.push({ label: LABELS[k], text: r[`ending${k}`] as string });
      if (options.length < 2) fail('record has fewer than two endings (ending0, ending1, ...)', file, line);
      const label = typeof r.label === 'string' && /^\d+$/.test(r.label.trim()) ? Number(r.label) : r.label;
      if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= options.length)
        fail(
          `label ${JSON.stringify(r.label)} is out of range: expected an integer 0..${options.length - 1} (one per ending)`,
          file,
          line,
        );
      // sent2 is SWAG's second context sentence; MedQA leaves it empty, so it joins the question only when set
      const question = r.sent2 ? `${r.sent1} ${r.sent2}` : r.sent1;
      return {
        id: r.id !== undefined ? String(r.id) : `${split}-${index}`,
        question,
        options,
        answer: LABELS[label],
        split,
        meta: {},
      };
    },
    opts,
  );
}
