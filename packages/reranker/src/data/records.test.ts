import type { Passage } from '@kard/knowledge-base';
import {
  RecordPassageError,
  rerankerExamples,
  rerankerRecord,
  withQuestionScores,
  type RerankerRecord,
  type SearchSpaceIndex,
} from './records';

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
const byId = (id: string) => corpus.find((p) => p.id === id)!;
const index: SearchSpaceIndex = {
  search: (q, k) =>
    corpus
      .map((p) => ({ id: p.id, score: overlap(q, p) }))
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
      .slice(0, k),
  scoreDocuments: (q, ids) => ids.map((id) => overlap(q, byId(id))),
};
const passages = new Map(corpus.map((p) => [p.id, p]));
const pair = {
  id: 'q1#0',
  questionId: 'q1',
  question: 'Could a dandelion suffer from hepatitis?',
  rationale: 'Hepatitis is an illness of the liver. Plants have no liver organ.',
};

test('rerankerRecord: the union of the rationale and question top-k, each scored against the rationale', async () => {
  const r = await rerankerRecord(pair, index, 2);
  // By hand, distinct shared words. Rationale: plant {plants, have, no, liver, organ} 5, liver {hepatitis, of, the,
  // liver} 4, dandelion {is} 1. Question: dandelion {a, dandelion} 2, then liver {hepatitis} and plant {dandelion} 1,
  // tied, by id: liver.
  expect(r).toEqual({
    ...pair,
    candidates: [
      { id: 'plant', score: 5, rationaleRank: 1 },
      { id: 'liver', score: 4, rationaleRank: 2, questionRank: 2 },
      { id: 'dandelion', score: 1, questionRank: 1 },
    ],
  });
});

test('rerankerExamples: each list in rank order with the indexed text; a passage the corpus lacks is an error', () => {
  const rec: RerankerRecord = {
    ...pair,
    candidates: [
      { id: 'moon', score: 1, questionRank: 2 },
      { id: 'liver', score: 2, rationaleRank: 2, questionRank: 1 },
      { id: 'plant', score: 4, rationaleRank: 1 },
    ],
  };
  const [ex] = rerankerExamples([rec], passages);
  expect(ex).toEqual({
    question: pair.question,
    fromRationale: [
      { id: 'plant', text: 'Plant\nplants such as dandelion have no liver organ', score: 4 },
      { id: 'liver', text: 'Liver\nhepatitis inflames the liver of animals', score: 2 },
    ],
    fromQuestion: [
      { id: 'liver', text: 'Liver\nhepatitis inflames the liver of animals', score: 2 },
      { id: 'moon', text: 'Moon\nthe moon orbits earth', score: 1 },
    ],
  });
  const bad = { ...rec, candidates: [{ id: 'sun', score: 1, rationaleRank: 1 }] };
  expect(() => rerankerExamples([bad], passages)).toThrow(RecordPassageError);
  expect(() => rerankerExamples([bad], passages)).toThrow(/record q1#0: passage sun/);
});

test('withQuestionScores: BM25(question, passage) on every candidate of both lists', async () => {
  const [ex] = withQuestionScores(rerankerExamples([await rerankerRecord(pair, index, 2)], passages), {
    scoreDocuments: (q, ids) => ids.map((id) => overlap(q, byId(id))),
  });
  for (const c of [...ex.fromRationale, ...ex.fromQuestion])
    expect(c.questionScore).toBe(overlap(pair.question, byId(c.id)));
  expect(ex.fromQuestion.map((c) => [c.id, c.questionScore])).toEqual([
    ['dandelion', 2],
    ['liver', 1],
  ]);
});
