// The question files of the reference (KARD's medqa_usmle_hf JSON lines) and OpenBookQA's official jsonl, and the
// errors a broken one gives.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatasetFormatError } from '../errors';
import { datasetNameOf, detectFormat, loadQuestions } from './load';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kard-ref-formats-'));
const write = (rel: string, lines: unknown[]) => {
  const file = path.join(tmp, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
};
const hf = (label: unknown, endings = ['Vitamin A', 'Vitamin B12', 'Vitamin C', 'Vitamin D']) => ({
  id: 'q',
  sent1: 'Which vitamin deficiency causes scurvy?',
  sent2: '',
  ...Object.fromEntries(endings.map((e, i) => [`ending${i}`, e])),
  label,
});

test('medqa_usmle_hf JSON lines: sent1 is the question, ending0..3 the options A..D, label the 0-based gold', () => {
  const file = write('data/medqa_usmle_hf/dev.json', [hf(2), { ...hf('0'), id: 7 }]);
  expect(detectFormat(file)).toBe('hf-mc');
  expect(datasetNameOf(file)).toBe('medqa');
  const { questions } = loadQuestions(file);
  expect(questions).toEqual([
    {
      id: 'q',
      question: 'Which vitamin deficiency causes scurvy?',
      options: [
        { label: 'A', text: 'Vitamin A' },
        { label: 'B', text: 'Vitamin B12' },
        { label: 'C', text: 'Vitamin C' },
        { label: 'D', text: 'Vitamin D' },
      ],
      answer: 'C',
      split: 'dev',
      meta: {},
    },
    expect.objectContaining({ id: '7', answer: 'A' }),
  ]);
});

test('a MedQA line whose label is out of range is an error naming the file and line', () => {
  const file = write('data/medqa_usmle_hf/train.json', [hf(1), hf(1), hf(4)]);
  let err: unknown;
  try {
    loadQuestions(file);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DatasetFormatError);
  expect(err).toMatchObject({ file, line: 3 });
  expect((err as Error).message).toBe(`label 4 is out of range: expected an integer 0..3 (one per ending) (${file}:3)`);
  // skipping instead: the record is counted with its place and reason
  const skipped = loadQuestions(write('medqa_usmle_hf/t.json', [hf(-1), hf(0)]), { onInvalid: 'skip' });
  expect(skipped.questions).toHaveLength(1);
  expect(skipped.skipped[0]).toMatchObject({ line: 1, reason: expect.stringContaining('label -1 is out of range') });
});

const obqa = (labels: string[]) => ({
  id: '8-376',
  question: {
    stem: 'Frilled sharks and angler fish live far beneath the surface of the ocean, which is why they are known as',
    choices: labels.map((label, i) => ({
      text: ['Deep sea animals', 'fish', 'Long Sea Fish', 'Far Sea Animals', 'x'][i],
      label,
    })),
  },
  fact1: 'deep sea animals live deep in the ocean',
  humanScore: '1.00',
  clarity: '2.00',
  turkIdAnonymized: 'b356d338b7',
  answerKey: 'A',
});

test("OpenBookQA's official jsonl: question.stem, question.choices[{label, text}], answerKey, fact1", () => {
  const file = write('OpenBookQA-V1-Sep2018/Data/Additional/dev_complete.jsonl', [obqa(['A', 'B', 'C', 'D'])]);
  expect(detectFormat(file)).toBe('obqa');
  expect(datasetNameOf(file)).toBe('obqa');
  expect(loadQuestions(file).questions[0]).toEqual({
    id: '8-376',
    question: obqa([]).question.stem,
    options: [
      { label: 'A', text: 'Deep sea animals' },
      { label: 'B', text: 'fish' },
      { label: 'C', text: 'Long Sea Fish' },
      { label: 'D', text: 'Far Sea Animals' },
    ],
    answer: 'A',
    split: 'dev_complete',
    meta: { fact: 'deep sea animals live deep in the ocean' },
  });
});

test('an OpenBookQA choice list that is not the 4 labels A..D is an error naming the file and line', () => {
  for (const labels of [
    ['A', 'B', 'C'],
    ['A', 'B', 'C', 'D', 'E'],
    ['A', 'B', 'D', 'C'],
  ]) {
    const file = write(`obqa-${labels.join('')}.jsonl`, [obqa(['A', 'B', 'C', 'D']), obqa(labels)]);
    expect(() => loadQuestions(file)).toThrow(
      `OpenBookQA choices must be the 4 labels A,B,C,D in order; found ${labels.length}: [${labels.join(',')}] (${file}:2)`,
    );
  }
  // the shipped ThoughtSource JSON is held to the same rule
  const staged = path.join(tmp, 'staged.json');
  writeFileSync(
    staged,
    JSON.stringify([
      {
        problem: {
          question: 'q?',
          choices: [
            { choice_text: 'x', choice_label: 'A' },
            { choice_text: 'y', choice_label: 'B' },
          ],
        },
        answer: 'A',
      },
    ]),
  );
  expect(() => loadQuestions(staged)).toThrow(`found 2: [A,B] (${staged}:1)`);
});
