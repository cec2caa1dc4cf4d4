#!/usr/bin/env node
// KARD's premise on the shipped data: BM25 with the teacher's rationale as the query finds the question's gold
// evidence paragraph more often than BM25 with the question (the baseline, measured in the same run).
// StrategyQA train (2061 questions) + FLAN rationales + the shipped Wikipedia paragraphs (StrategyQA's + HotpotQA
// distractors). Also reproduces the zero-shot-CoT teacher's accuracy when its (unshipped) log is at hand.
// Run: npx nx run @kard/cot-data:build && node tools/bench/cot-data/evidence.mjs
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ds = (p) => path.join(root, 'datasets', p);
const cot = require('@kard/cot-data');

const t0 = Date.now();
const { questions } = cot.loadStrategyQa(ds('strategyqa/train.json'));
const attached = cot.attachRationales(questions, cot.importFlanCot(ds('flan-cot/strategyqa_train.tsv')));
const { kept, report } = cot.verifyRationales(questions, attached.rationales);
const knowledge = await cot.openKnowledge({
  corpus: [ds('wikipedia/strategyqa_paragraphs.jsonl'), ds('wikipedia/hotpotqa_paragraphs.jsonl')],
});
console.log(
  `questions ${questions.length}, FLAN rationales ${attached.rationales.length} (unmatched ${attached.unmatched}), ` +
    `kept ${report.kept} (wrong ${report.wrong}, unparsed ${report.parseFailures}); passages ` +
    `${knowledge.passages.size}; loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);

const gold = new Map(questions.map((q) => [q.id, new Set(q.meta.evidenceIds)]));
const K = 5;
const rows = [];
for (const query of ['question', 'rationale']) {
  const t = Date.now();
  const { examples } = await cot.buildExamples(questions, kept, {
    instruction: '',
    retriever: knowledge.index,
    nKnowledge: K,
    query,
  });
  const top1 = cot.evidenceHits(questions, examples);
  const withGold = examples.filter((e) => gold.get(e.questionId).size > 0);
  const anyInK = withGold.filter((e) => e.knowledgeIds.some((id) => gold.get(e.questionId).has(id))).length;
  rows.push({
    query,
    examples: examples.length,
    top1,
    recallK: anyInK / withGold.length,
    seconds: (Date.now() - t) / 1000,
  });
}
console.log(`\nquery       examples  with gold  top-1 gold          any gold in top-${K}   time`);
for (const r of rows) {
  console.log(
    `${r.query.padEnd(10)}  ${String(r.examples).padStart(8)}  ${String(r.top1.examples).padStart(9)}  ` +
      `${`${r.top1.hits} (${(100 * r.top1.share).toFixed(1)}%)`.padEnd(18)}  ` +
      `${`${(100 * r.recallK).toFixed(1)}%`.padEnd(18)}  ${r.seconds.toFixed(1)} s`,
  );
}
const [q, r] = rows;
console.log(
  `\nrationale / question (baseline): top-1 ${(r.top1.share / q.top1.share).toFixed(3)}x, top-${K} ` +
    `${(r.recallK / q.recallK).toFixed(3)}x`,
);
if (!(r.top1.share > q.top1.share)) {
  console.error('FAIL: the rationale query does not find gold evidence more often than the question');
  process.exitCode = 1;
}

const shared = process.env.KARD_SHARED_DATA ?? path.resolve(root, '../shared/data');
const log = path.join(shared, 'teacher/strategyqa_zero_shot_cot.log');
if (existsSync(log)) {
  const recs = cot.readZeroShotCotLog(log);
  const yn = (l) => (l === 'A' ? 'yes' : l === 'B' ? 'no' : '');
  const correct = recs.filter((x) => yn(cot.parseAnswer(x.rationale, cot.YES_NO)) === x.gold).length;
  const unparsed = recs.filter((x) => cot.parseAnswer(x.rationale, cot.YES_NO) === undefined).length;
  console.log(
    `\nzero-shot-CoT log: ${recs.length} answers, accuracy by our parser ${correct}/${recs.length} = ` +
      `${((100 * correct) / recs.length).toFixed(2)}% (log says 54.76%), unparsed ${unparsed}`,
  );
} else {
  console.log(`\nzero-shot-CoT log not found at ${log} (set KARD_SHARED_DATA); skipped`);
}
