import path from 'node:path';
import { labelOptions, YES_NO } from '../question';
import { fitInput, loadTokenCounter, type TokenCounter } from './budget';
import { formatInput, formatTarget } from './prompt';

const q = { question: 'Could a dandelion suffer from hepatitis?', options: YES_NO };

describe('KARD prompt format', () => {
  test('kard input and target, character for character', () => {
    expect(formatInput('Answer it.', q, 'kard', 'Hepatitis is an inflammation of the liver.')).toBe(
      'Answer it.\nQuestion: Could a dandelion suffer from hepatitis? A. yes B. no\nKnowledge: Hepatitis is an ' +
        'inflammation of the liver.\nExplanation:',
    );
    expect(formatTarget('kard', 'B', 'Plants have no liver.')).toBe('Plants have no liver.\nAnswer: B');
  });

  test('reasoning distillation leaves out the Knowledge line; plain fine-tuning targets the answer alone', () => {
    expect(formatInput('Answer it.', q, 'rd')).toBe(
      'Answer it.\nQuestion: Could a dandelion suffer from hepatitis? A. yes B. no\nExplanation:',
    );
    expect(formatInput('Answer it.', { question: 'Pick one.', options: labelOptions(['x', 'y', 'z']) }, 'ft')).toBe(
      'Answer it.\nQuestion: Pick one. A. x B. y C. z\nAnswer:',
    );
    expect(formatTarget('ft', 'C', 'ignored')).toBe('C');
  });
});

describe('token budget with the real T5 tokenizer', () => {
  let t5: TokenCounter;
  beforeAll(async () => {
    t5 = await loadTokenCounter(path.resolve(__dirname, '../../../../models/t5-tokenizer'));
  });

  const words = (n: number, w: string) => Array.from({ length: n }, (_, i) => `${w}${i}`).join(' ');
  const passages = [
    { id: 'p1', title: 'Dandelion', text: words(60, 'flower') },
    { id: 'p2', title: 'Hepatitis', text: words(60, 'liver') },
  ];

  test('counts T5 tokens including </s> ("Hello world" -> ▁Hello ▁world </s>)', () => {
    expect(t5.count('Hello world')).toBe(3);
  });

  test('fits: passages are cut to the longest word prefix that fits; question and options stay whole', () => {
    const full = fitInput('Answer it.', q, 'kard', passages, t5, 10_000);
    expect(full.truncated).toBe(false);
    const budget = Math.floor(full.tokens * 0.6);
    const fitted = fitInput('Answer it.', q, 'kard', passages, t5, budget);
    expect(fitted.truncated).toBe(true);
    expect(fitted.overBudget).toBe(false);
    expect(t5.count(fitted.input)).toBe(fitted.tokens);
    expect(fitted.tokens).toBeLessThanOrEqual(budget);
    expect(fitted.input).toContain(
      'Question: Could a dandelion suffer from hepatitis? A. yes B. no\nKnowledge: Dandelion: flower0',
    );
    expect(fitted.input.endsWith('\nExplanation:')).toBe(true);
    // Maximal: one more word of knowledge would not fit (brute-force reference built by hand here).
    const knowledge = /\nKnowledge: (.*)\nExplanation:$/s.exec(fitted.input)![1];
    const allWords = `Dandelion: ${passages[0].text} Hepatitis: ${passages[1].text}`.split(' ');
    const kept = knowledge.split(' ');
    expect(allWords.slice(0, kept.length)).toEqual(kept);
    const oneMore = formatInput('Answer it.', q, 'kard', allWords.slice(0, kept.length + 1).join(' '));
    expect(t5.count(oneMore)).toBeGreaterThan(budget);
  });

  test('a budget below the bare question keeps the question and options and flags it', () => {
    const fitted = fitInput('Answer it.', q, 'kard', passages, t5, 5);
    expect(fitted.overBudget).toBe(true);
    expect(fitted.input).toBe(
      'Answer it.\nQuestion: Could a dandelion suffer from hepatitis? A. yes B. no\nKnowledge: \nExplanation:',
    );
  });
});
