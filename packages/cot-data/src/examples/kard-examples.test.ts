import type { Passage } from '@kard/knowledge-base';
import { YES_NO, type McQuestion } from '../question';
import type { VerifiedRationale } from '../teacher/verify';
import type { TokenCounter } from './budget';
import { buildExamples, type ScorerLike, type SearchLike } from './kard-examples';
import { splitByQuestion } from './split';

const corpus: Passage[] = [
  { id: 'liver', title: 'Liver', text: 'hepatitis inflames the liver of animals' },
  { id: 'plant', title: 'Plant', text: 'plants such as dandelion have no liver organ' },
  { id: 'dandelion', title: 'Dandelion', text: 'dandelion is a yellow flower' },
  { id: 'moon', title: 'Moon', text: 'the moon orbits earth' },
];
const words = (s: string): string[] => s.toLowerCase().match(/[a-z]+/g) ?? [];
/** Score = shared distinct words: a transparent stand-in for BM25, ranked by brute force (ties by id). */
const overlap = (q: string, p: Passage) =>
  new Set(words(q).filter((w) => words(`${p.title} ${p.text}`).includes(w))).size;
const retriever: SearchLike & ScorerLike = {
  search: (q, k) =>
    corpus
      .map((p) => ({ id: p.id, score: overlap(q, p) }))
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
      .slice(0, k),
  scoreDocuments: (q, ids) =>
    ids.map((id) =>
      overlap(
        q,
        corpus.find((p) => p.id === id)!,
      ),
    ),
};
const passages = new Map(corpus.map((p) => [p.id, p]));

const question: McQuestion = {
  id: 'q1',
  question: 'Could a dandelion suffer from hepatitis?',
  options: YES_NO,
  answer: 'B',
  split: 'train',
  meta: {},
};
const rationale: VerifiedRationale = {
  questionId: 'q1',
  sample: 0,
  text: 'Hepatitis is an illness of the liver. Plants have no liver organ. So the answer is no.',
  source: 't',
  label: 'B',
};

test('kard: the rationale retrieves the knowledge; input and target in KARD format', async () => {
  const { examples } = await buildExamples([question], [rationale], {
    instruction: 'Answer it.',
    retriever,
    passages,
    nKnowledge: 1,
  });
  // By hand: rationale words shared -> plant: plants? no ("plants" vs "plants" yes), no, liver, organ =
  // {plants,no,liver,organ} = 4; liver: {hepatitis, liver} = 2.
  expect(examples).toEqual([
    {
      id: 'q1#0',
      questionId: 'q1',
      input:
        'Answer it.\nQuestion: Could a dandelion suffer from hepatitis? A. yes B. no\nKnowledge: Plant: plants such ' +
        'as dandelion have no liver organ\nExplanation:',
      target: 'Hepatitis is an illness of the liver. Plants have no liver organ.\nAnswer: B',
      answer: 'B',
      mode: 'kard',
      knowledgeIds: ['plant'],
    },
  ]);
});

test('kard with the question as query, two passages, and a token budget that cuts the second', async () => {
  const counter: TokenCounter = { name: 'words', count: (s) => s.split(/\s+/).filter(Boolean).length };
  const full = await buildExamples([question], [rationale], {
    instruction: 'Answer it.',
    retriever,
    passages,
    nKnowledge: 2,
    query: 'question',
  });
  // Question words: dandelion (plant, dandelion), hepatitis (liver) -> dandelion 1, liver 1, plant 1: ties by id.
  expect(full.examples[0].knowledgeIds).toEqual(['dandelion', 'liver']);
  // Three words fewer than the full input: "Liver: hepatitis inflames the liver of animals" loses its last three.
  const budget = counter.count(full.examples[0].input) - 3;
  const cut = await buildExamples([question], [rationale], {
    instruction: 'Answer it.',
    retriever,
    passages,
    nKnowledge: 2,
    query: 'question',
    counter,
    maxInputTokens: budget,
  });
  expect(cut.examples[0]).toMatchObject({ truncated: true, overBudget: false, inputTokens: budget });
  expect(cut.examples[0].input).toContain(
    'Knowledge: Dandelion: dandelion is a yellow flower Liver: hepatitis inflames the\nExplanation:',
  );
});

test(
  "reranker data: the builder gets each kept rationale's " + 'pair (stripped rationale, question text), in order',
  async () => {
    const second: VerifiedRationale = { ...rationale, sample: 1, text: 'Dandelions are plants. So the answer is no.' };
    const pairs: unknown[] = [];
    const { examples, reranker } = await buildExamples([question], [rationale, second], {
      instruction: 'x',
      retriever,
      passages,
      rerankerRecord: async (p) => (pairs.push(p), { questionId: p.questionId, n: pairs.length }),
    });
    expect(pairs).toEqual([
      {
        id: 'q1#0',
        questionId: 'q1',
        question: 'Could a dandelion suffer from hepatitis?',
        rationale: 'Hepatitis is an illness of the liver. Plants have no liver organ.',
      },
      {
        id: 'q1#1',
        questionId: 'q1',
        question: 'Could a dandelion suffer from hepatitis?',
        rationale: 'Dandelions are plants.',
      },
    ]);
    expect(reranker).toEqual([
      { questionId: 'q1', n: 1 },
      { questionId: 'q1', n: 2 },
    ]);
    expect(examples.map((e) => e.id)).toEqual(['q1#0', 'q1#1']);
  },
);

test('rd has no Knowledge line and needs no retriever; ft makes one answer-only example per question', async () => {
  const rd = await buildExamples([question], [rationale], { mode: 'rd', instruction: 'I.' });
  expect(rd.examples[0].input).toBe(
    'I.\nQuestion: Could a dandelion suffer from hepatitis? A. yes B. no\nExplanation:',
  );
  const ft = await buildExamples([question], [rationale, { ...rationale, sample: 1 }], {
    mode: 'ft',
    instruction: 'I.',
  });
  expect(ft.examples.map((e) => [e.id, e.target])).toEqual([['q1', 'B']]);
});

test('errors: kard without a retriever, a hit with no text anywhere, a rationale of an unknown question', async () => {
  await expect(buildExamples([question], [rationale], { instruction: 'x' })).rejects.toThrow(/needs a retriever/);
  await expect(buildExamples([question], [rationale], { instruction: 'x', retriever })).rejects.toThrow(
    /no text for passage plant/,
  );
  await expect(buildExamples([], [rationale], { instruction: 'x', retriever, passages })).rejects.toThrow(
    /unknown question q1/,
  );
});

test('splits are by question, seeded, and the fraction of questions held out is exact', () => {
  const records = Array.from({ length: 100 }, (_, i) => ({ questionId: `q${i % 20}`, i }));
  const a = splitByQuestion(records, 0.25, 7);
  const b = splitByQuestion(records, 0.25, 7);
  expect(a).toEqual(b);
  const held = new Set(a.validation.map((r) => r.questionId));
  expect(held.size).toBe(5);
  expect(a.train.some((r) => held.has(r.questionId))).toBe(false);
  expect(a.train.length + a.validation.length).toBe(100);
  expect(new Set(splitByQuestion(records, 0.25, 8).validation.map((r) => r.questionId))).not.toEqual(held);
  expect(() => splitByQuestion(records, 1, 7)).toThrow(RangeError);
});
