import { YES_NO, type McQuestion } from '../question';
import { attachRationales } from './rationale';
import { verifyRationales } from './verify';

const q = (id: string, question: string, answer = 'A'): McQuestion => ({
  id,
  question,
  options: YES_NO,
  answer,
  split: 'train',
  meta: {},
});
const questions = [
  q('a', 'Is ice cold?'),
  q('b', 'Is fire  HOT?', 'A'),
  q('t1', 'Same text?'),
  q('t2', 'Same text?', 'B'),
];

test(
  'rationales attach by id first, then by normalised ' + 'text; twins get one each in turn; strangers are counted',
  () => {
    const { rationales, unmatched } = attachRationales(questions, [
      { questionId: 'a', text: 'r0', source: 's' },
      { questionId: 'a', text: 'r1', source: 's' },
      { questionId: 'not-loaded', question: 'is fire hot?', text: 'r2', source: 's' },
      { question: 'Same text?', text: 'r3', source: 's' },
      { question: 'Same text?', text: 'r4', source: 's' },
      { question: 'Unknown?', text: 'r5', source: 's' },
      { questionId: 'zzz', text: 'r6', source: 's' },
    ]);
    expect(rationales.map((r) => [r.questionId, r.sample, r.text])).toEqual([
      ['a', 0, 'r0'],
      ['a', 1, 'r1'],
      ['b', 0, 'r2'],
      ['t1', 0, 'r3'],
      ['t2', 0, 'r4'],
    ]);
    expect(unmatched).toBe(2);
  },
);

test('verification keeps matching answers and counts wrong ones and parse failures', () => {
  const { rationales } = attachRationales(questions, [
    { questionId: 'a', text: 'Ice is frozen water. So the answer is yes.', source: 's' },
    { questionId: 'a', text: 'Ice melts. Answer: B', source: 's' },
    { questionId: 'b', text: 'Fire burns wood and releases a lot of heat, as everybody knows.', source: 's' },
    { questionId: 't2', text: 'Whatever.', answerText: 'no', source: 'flan' },
  ]);
  const { kept, report } = verifyRationales(questions, rationales);
  expect(kept.map((r) => [r.questionId, r.label])).toEqual([
    ['a', 'A'],
    ['t2', 'B'],
  ]);
  expect(report).toEqual({
    total: 4,
    kept: 2,
    wrong: 1,
    parseFailures: 1,
    noExplanation: 0,
    unknownQuestion: 0,
    questionsWithKept: 2,
    accuracy: 0.5,
  });
});
