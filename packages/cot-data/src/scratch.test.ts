import path from 'node:path';
import { attachRationales, buildExamples, importFlanCot, loadStrategyQa, openKnowledge, verifyRationales } from './index';
import { evidenceHits } from './examples/evidence';
const D = path.resolve(__dirname, '../../../datasets');
test('scratch', async () => {
  let t = Date.now();
  const qs = loadStrategyQa(path.join(D, 'strategyqa/train.json')).questions;
  const att = attachRationales(qs, importFlanCot(path.join(D, 'flan-cot/strategyqa_train.tsv')));
  const v = verifyRationales(qs, att.rationales);
  console.log(att.unmatched, v.report);
  const k = await openKnowledge({ corpus: [path.join(D, 'wikipedia/strategyqa_paragraphs.jsonl'), path.join(D, 'wikipedia/hotpotqa_paragraphs.jsonl')] });
  console.log('index', Date.now() - t); t = Date.now();
  for (const query of ['rationale', 'question'] as const) {
    const b = await buildExamples(qs, v.kept, { instruction: 'x', retriever: k.index, nKnowledge: 1, query });
    console.log(query, evidenceHits(qs, b.examples), Date.now() - t); t = Date.now();
  }
  const b = await buildExamples(qs, v.kept.slice(0, 200), { instruction: 'x', retriever: k.index, scorer: k.index, nKnowledge: 1 });
  console.log('reranker 200', Date.now() - t, b.reranker[0].candidates.length);
}, 120000);
