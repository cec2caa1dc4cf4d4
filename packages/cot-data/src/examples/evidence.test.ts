import path from 'node:path';
import { loadStrategyQa } from '../datasets/strategyqa';
import { importFlanCot } from '../teacher/import';
import { attachRationales } from '../teacher/rationale';
import { verifyRationales } from '../teacher/verify';
import { evidenceHits } from './evidence';
import { buildExamples } from './kard-examples';
import { openKnowledge } from './knowledge';

const DATASETS = path.resolve(__dirname, '../../../../datasets');

// KARD's premise on real data: the shipped StrategyQA train questions, their FLAN rationales and the shipped
// Wikipedia paragraphs (StrategyQA's plus HotpotQA distractors). The rationale, as a BM25 query, must find a
// gold evidence paragraph at rank 1 more often than the question does.
test(
  'on StrategyQA + FLAN rationales + shipped Wikipedia, the rationale query finds gold evidence more often than ' +
    'the question',
  async () => {
    const { questions } = loadStrategyQa(path.join(DATASETS, 'strategyqa/train.json'));
    const imported = importFlanCot(path.join(DATASETS, 'flan-cot/strategyqa_train.tsv'));
    const attached = attachRationales(questions, imported);
    const { kept, report } = verifyRationales(questions, attached.rationales);
    expect(questions).toHaveLength(2061);
    expect(attached.unmatched).toBe(0);
    // FLAN gives the gold answer beside each rationale, so all are kept, one per question.
    expect(report).toMatchObject({ total: 2061, kept: 2061, wrong: 0, parseFailures: 0, questionsWithKept: 2061 });

    const knowledge = await openKnowledge({
      corpus: ['strategyqa_paragraphs.jsonl', 'hotpotqa_paragraphs.jsonl'].map((f) =>
        path.join(DATASETS, 'wikipedia', f),
      ),
    });
    expect(knowledge.passages.size).toBe(17645 + 4858);
    const byRationale = await buildExamples(questions, kept, {
      instruction: 'x',
      retriever: knowledge.index,
      query: 'rationale',
    });
    const byQuestion = await buildExamples(questions, kept, {
      instruction: 'x',
      retriever: knowledge.index,
      query: 'question',
    });
    expect(byRationale.examples).toHaveLength(2061);
    expect(byQuestion.examples).toHaveLength(2061);

    const r = evidenceHits(questions, byRationale.examples);
    const q = evidenceHits(questions, byQuestion.examples);
    console.log(
      `[cot-data] StrategyQA train: ${questions.length} questions, ${report.kept} FLAN rationales kept, ` +
        `${byRationale.examples.length} examples; ` +
        `top-1 passage is gold evidence: rationale query ${r.hits}/${r.examples} = ${(100 * r.share).toFixed(1)}%, ` +
        `question query ${q.hits}/${q.examples} = ${(100 * q.share).toFixed(1)}%`,
    );
    expect(r.examples).toBe(q.examples);
    expect(r.examples).toBeGreaterThan(2000);
    expect(r.share).toBeGreaterThan(q.share);
    // Not a tie broken by noise: the margin is large on 2,000 questions (measured ~16 points).
    expect(r.share - q.share).toBeGreaterThan(0.05);
  },
  60_000,
);
