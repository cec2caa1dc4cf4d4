// A T5 built from scratch memorises 32 StrategyQA rationales (FLAN's CoT rationales for questions of
// datasets/strategyqa/train.json): the training loss goes to near zero, and greedy decoding from each question
// reproduces its rationale token for token. Checks forward, loss, backward, AdamW and generation together.
// Training stops once every target token is the model's clear first choice (teacher-forced probability above 0.9):
// greedy decoding then has to give each rationale back, on any backend. A mean loss alone is not enough: one
// token at 2 nats hides inside a mean of 0.01 over ~780 tokens, and a rationale then loops from that token on.
// Reduced to fit in seconds on 2 cores: the 32 shortest rationales of the first 100 questions (~780 target
// tokens), and the vocabulary cut to the ~600 T5 tokens these texts use (ids remapped both ways).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, initBackend } from '@kard/nn';
import { generate, loadTokenizer, t5Config, T5ForConditionalGeneration, type LmBatch } from '@kard/student';
import { padBatch } from '../src/generation';

const repo = path.join(__dirname, '..', '..', '..');

// The shipped data, read directly: the student does not depend on @kard/cot-data (whose loaders bring the retriever).
// StrategyQA's train.json is an array of {question, ...}; FLAN's TSV is question<TAB>answer<TAB>rationale, with
// newlines in the question written as backslash-n (StrategyQA's have no options block).
function strategyQaQuestions(file: string): Set<string> {
  return new Set((JSON.parse(readFileSync(file, 'utf8')) as { question: string }[]).map((q) => q.question));
}
function flanCotRows(file: string): { question: string; rationale: string }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [question, , ...rationale] = l.split('\t');
      return { question: question.replace(/\\n/g, ' ').trim(), rationale: rationale.join('\t').trim() };
    });
}

/**
 * A teacher-forced probability above this for every target token makes each one its position's argmax with a margin.
 */
const TOKEN_LOSS_STOP = -Math.log(0.9);

test(
  'a tiny T5 memorises 32 StrategyQA rationales: loss ' + 'near zero, greedy decoding gives them back verbatim',
  async () => {
    const backend = await initBackend();
    const tok = await loadTokenizer(path.join(repo, 'models', 't5-tokenizer'));
    const strategyQa = strategyQaQuestions(path.join(repo, 'datasets', 'strategyqa', 'train.json'));
    const rows = flanCotRows(path.join(repo, 'datasets', 'flan-cot', 'strategyqa_train.tsv'))
      .filter((r) => strategyQa.has(r.question) && r.rationale.length > 0)
      .slice(0, 100)
      .map((r) => ({ r, n: tok.encode(r.rationale).length }))
      .sort((a, b) => a.n - b.n)
      .slice(0, 32)
      .map((x) => x.r);
    expect(rows).toHaveLength(32);

    // Compact vocabulary: 0 = pad (also T5's decoder start), 1 = EOS, then every other id the texts use.
    const inputs = rows.map((r) => tok.encode(r.question));
    const targets = rows.map((r) => tok.encode(r.rationale));
    const used = [...new Set([...inputs.flat(), ...targets.flat()])].filter((id) => id > 1).sort((a, b) => a - b);
    const toSmall = new Map([[0, 0], [1, 1], ...used.map((id, i) => [id, i + 2] as [number, number])]);
    const toT5 = [0, 1, ...used];
    const small = (ids: number[]) => ids.map((id) => toSmall.get(id)!);

    const model = new T5ForConditionalGeneration(
      t5Config({
        vocabSize: toT5.length,
        dModel: 64,
        dKv: 16,
        numHeads: 4,
        dFf: 128,
        numLayers: 2,
        numDecoderLayers: 2,
        dropoutRate: 0,
      }),
      1,
    );
    const enc = padBatch(inputs.map(small), 0, 'right');
    const tgt = padBatch(targets.map(small), -100, 'right');
    const batch: LmBatch = {
      inputIds: tf.tensor2d(enc.ids, undefined, 'int32'),
      attentionMask: tf.tensor2d(enc.mask, undefined, 'int32'),
      labels: tf.tensor2d(tgt.ids, undefined, 'int32'),
    };
    const params = model.namedParameters();
    const vars = [...params.values()];
    const optimizer = new AdamW(params, { lr: 1e-2, weightDecay: 0 });
    const losses: number[] = [];
    let worstToken = Infinity; // the largest teacher-forced token loss, measured once the mean is below 0.01
    const t0 = Date.now();
    for (let step = 0; step < 300 && !(worstToken < TOKEN_LOSS_STOP); step++) {
      const { value, grads } = tf.variableGrads(() => model.loss(batch), vars);
      optimizer.applyGradients(new Map([...params].map(([n, v]) => [n, grads[v.name]])));
      losses.push(value.dataSync()[0]);
      tf.dispose([value, ...Object.values(grads)]);
      if (losses[losses.length - 1] < 0.01) {
        const worst = tf.tidy(() => model.tokenLosses(batch).max());
        worstToken = worst.dataSync()[0];
        worst.dispose();
      }
    }
    const last = losses[losses.length - 1];
    console.log(
      `${backend.name}: ${losses.length} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s, loss ` +
        `${losses[0].toFixed(2)} -> ${last.toFixed(4)}, ` +
        `worst token ${worstToken.toFixed(4)} (${targets.flat().length} target tokens, vocabulary ${toT5.length})`,
    );
    expect(targets.every((t) => t.length >= 12)).toBe(true); // sentences, not one-word answers
    expect(losses[0]).toBeGreaterThan(Math.log(toT5.length) - 1); // started from chance
    expect(last).toBeLessThan(0.01); // about 120 steps
    expect(worstToken).toBeLessThan(TOKEN_LOSS_STOP); // a few steps more

    const out = generate(model, inputs.map(small), { maxNewTokens: Math.max(...targets.map((t) => t.length)) + 2 });
    const decoded = out.map((r) => tok.decode(r[0].tokens.map((id) => toT5[id])));
    expect(out.map((r) => r[0].tokens.map((id) => toT5[id]))).toEqual(targets);
    expect(decoded).toEqual(targets.map((t) => tok.decode(t)));
    optimizer.dispose();
    model.dispose();
    tf.dispose([batch.inputIds, batch.attentionMask, batch.labels]);
  },
);
