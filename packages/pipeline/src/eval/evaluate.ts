// kard-eval's work: each method's student answers the evaluation questions (self-consistency over sampled
// rationales as the reference's generate_predict.py, greedy, or beam search), answers are parsed as @kard/cot-data
// parses them, and accuracy gets a Wilson interval.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  fitInput,
  instructionFor,
  loadQuestions,
  loadTokenCounter,
  parseAnswer,
  type McQuestion,
} from '@kard/cot-data';
import type { PassageLookup } from '@kard/knowledge-base';
import type { Hit } from '@kard/retriever';
import { datasetName, type EvalMethod, type KardConfig, type StudentMethod } from '../config/schema';
import { generate, loadStudent, scoreExamples, type StudentModel, type Tokenizer } from '@kard/student';
// prompts and targets as the student's architecture reads them (T5 encoder input, or GPT-2 prompt ++ EOS separator)
import { encodePrompt, encodeTarget } from '@kard/student';
import { retrieveFor } from './retrieval';
import { majorityVote, summarizeAccuracy, type AccuracySummary } from './stats';

export interface Prediction {
  id: string;
  question: string;
  passages: Array<{ id: string; title?: string }>;
  /** Of `passages`, how many went into the student's input (the last possibly cut) under its token budget. */
  passagesInInput: number;
  rationale: string;
  /** Every sampled output under self-consistency. */
  samples?: string[];
  predicted: string | null;
  /**
   * How the answer was read: parsed from the output, or (output unparsable) the option the student scores best after
   * its rationale.
   */
  answeredBy: 'parsed' | 'scored' | 'none';
  gold: string;
  correct: boolean;
}

export interface MethodResult extends AccuracySummary {
  name: EvalMethod;
  student: StudentMethod;
  sc: number;
  /** Share of questions whose passages include a StrategyQA gold-evidence paragraph (KARD methods). */
  evidenceHitRate?: number;
  /** Unparsable outputs answered by scoring the options instead (eval.answerFallback = score). */
  scored: number;
  seconds: number;
}

/**
 * The option the student finds likeliest after its own rationale: NLL of "{rationale}\nAnswer: {label}" on the
 * label tokens, lowest wins (rank classification, as multiple-choice evaluation of seq2seq models does).
 */
export function scoreOptions(
  model: StudentModel,
  tok: Tokenizer,
  input: number[],
  rationale: string,
  labels: string[],
  maxTarget: number,
): string {
  const prefix = `${rationale.split(/\nAnswer:/)[0].trim()}\nAnswer:`;
  const start = Math.min(encodeTarget(model, tok, prefix).length - 1, maxTarget - 3);
  const examples = labels.map((l) => {
    const full = encodeTarget(model, tok, `${prefix} ${l}`);
    const target =
      full.length > maxTarget ? [...full.slice(0, start), ...full.slice(full.length - (maxTarget - start))] : full;
    return { id: l, inputIds: input, targetIds: target, lossMask: target.map((_, i) => i >= start) };
  });
  const losses = scoreExamples(model, examples, SCORE_BATCH).map((s) => s.totalLoss);
  return labels[losses.indexOf(Math.min(...losses))];
}

/** Examples per teacher-forced scoring batch. */
const SCORE_BATCH = 16;

/** How a method's student decodes: eval.decoding with its settings (ft answers in a few tokens, greedily). */
export interface Decoding {
  mode: KardConfig['eval']['decoding'];
  /** Sequences per question: sc when sampling, else 1 (beam search returns its best). */
  samples: number;
  temperature: number;
  topK: number;
  topP: number;
  numBeams: number;
  lengthPenalty: number;
  seed: number;
  maxNewTokens: number;
  noRepeatNgramSize: number;
}

export function decodingFor(cfg: KardConfig, student: StudentMethod): Decoding {
  const e = cfg.eval;
  // the ft student writes no rationale, only its answer: one greedy answer, as before sampling was the default
  const mode = student === 'ft' ? 'greedy' : e.decoding;
  return {
    mode,
    samples: mode === 'sample' ? e.sc : 1,
    temperature: e.temperature,
    topK: e.topK,
    topP: e.topP,
    numBeams: e.numBeams,
    lengthPenalty: e.lengthPenalty,
    seed: e.samplingSeed ?? cfg.seed,
    maxNewTokens: student === 'ft' ? 8 : e.maxNewTokens,
    noRepeatNgramSize: e.noRepeatNgramSize,
  };
}

/**
 * Generated token ids (without the closing </s>) for each input x sample, rows input-major. Sampling draws from
 * softmax(logits / temperature) cut to the top-k tokens and then to the top-p nucleus (Hugging Face's order, the
 * reference's top_k 50, top_p 0.95); `batchOffset` moves the seed, so each batch samples from its own stream.
 */
function decode(model: StudentModel, inputs: number[][], d: Decoding, eosId: number, batchOffset: number): number[][] {
  const out = generate(model, inputs, {
    maxNewTokens: d.maxNewTokens,
    numReturnSequences: d.samples,
    doSample: d.mode === 'sample',
    temperature: d.temperature,
    topK: d.topK,
    topP: d.topP,
    numBeams: d.mode === 'beam' ? d.numBeams : 1,
    lengthPenalty: d.lengthPenalty,
    seed: d.seed + batchOffset,
    noRepeatNgramSize: d.noRepeatNgramSize,
  });
  return out.flatMap((seqs) =>
    seqs.map((s) => (s.tokens[s.tokens.length - 1] === eosId ? s.tokens.slice(0, -1) : s.tokens)),
  );
}

export const STUDENT_OF: Record<EvalMethod, StudentMethod> = {
  ft: 'ft',
  rd: 'rd',
  'kard-bm25': 'kard',
  'kard-reranker': 'kard',
  'kard-oracle': 'kard',
};

export interface EvalContext {
  cfg: KardConfig;
  runDir: string;
  passages: PassageLookup;
  onProgress?: (method: string, done: number, total: number) => void;
}

export function evalQuestions(cfg: KardConfig): McQuestion[] {
  const loaded = loadQuestions(path.resolve(cfg.dataset.eval), { format: cfg.dataset.format as 'auto' });
  return cfg.dataset.evalLimit ? loaded.questions.slice(0, cfg.dataset.evalLimit) : loaded.questions;
}

/** Whether any given passage is one of the question's gold evidence paragraphs (StrategyQA `evidenceIds`). */
export function evidenceHit(q: McQuestion, hits: Hit[]): boolean | undefined {
  const gold = q.meta.evidenceIds as string[] | undefined;
  if (!gold?.length) return undefined;
  return hits.some((h) => gold.includes(h.id));
}

export async function evaluateMethod(
  method: EvalMethod,
  questions: McQuestion[],
  ctx: EvalContext,
): Promise<{ result: MethodResult; predictions: Prediction[] }> {
  const started = Date.now();
  const { cfg } = ctx;
  const studentMethod = STUDENT_OF[method];
  const dir = cfg.eval.studentDir ? path.resolve(cfg.eval.studentDir) : path.join(ctx.runDir, 'student', studentMethod);
  if (!fs.existsSync(dir)) throw new Error(`${method}: no trained student at ${dir} (run kard-train first)`);
  const { model, tokenizer } = await loadStudent(dir);
  const counter = await loadTokenCounter(dir);
  const instruction = instructionFor(datasetName(cfg));
  const hits = await retrieveFor(method, questions, ctx);
  const decoding = decodingFor(cfg, studentMethod);
  const sc = decoding.samples;
  const predictions: Prediction[] = [];
  for (let i = 0; i < questions.length; i += cfg.eval.batchSize) {
    const qs = questions.slice(i, i + cfg.eval.batchSize);
    const fitted = qs.map((q, j) => {
      const passages = hits[i + j].map((h) => h.passage ?? ctx.passages.get(h.id)!);
      return fitInput(instruction, q, studentMethod, passages, counter, cfg.student.maxInputTokens);
    });
    const inputs = fitted.map((f) => encodePrompt(model, tokenizer, f.input, cfg.student.maxInputTokens));
    const outs = decode(model, inputs, decoding, tokenizer.eosTokenId, i);
    qs.forEach((q, j) => {
      const texts = outs.slice(j * sc, (j + 1) * sc).map((ids) => tokenizer.decode(ids));
      const parsedAnswers = texts.map((t) => parseAnswer(t, q.options));
      const parsed = sc > 1 ? majorityVote(parsedAnswers) : parsedAnswers[0];
      let predicted = parsed;
      let answeredBy: Prediction['answeredBy'] = parsed ? 'parsed' : 'none';
      if (!parsed && cfg.eval.answerFallback === 'score') {
        const votes = texts.map((t) =>
          scoreOptions(
            model,
            tokenizer,
            inputs[j],
            studentMethod === 'ft' ? '' : t,
            q.options.map((o) => o.label),
            cfg.student.maxTargetTokens,
          ),
        );
        predicted = majorityVote(votes);
        answeredBy = 'scored';
      }
      predictions.push({
        id: q.id,
        question: q.question,
        passages: hits[i + j].map((h) => ({ id: h.id, title: h.passage?.title })),
        passagesInInput: fitted[j].passagesUsed,
        rationale: texts[0],
        ...(sc > 1 ? { samples: texts } : {}),
        predicted: predicted ?? null,
        answeredBy,
        gold: q.answer,
        correct: predicted === q.answer,
      });
    });
    ctx.onProgress?.(method, Math.min(i + cfg.eval.batchSize, questions.length), questions.length);
  }
  model.dispose();
  const summary = summarizeAccuracy(predictions.map((p) => ({ predicted: p.predicted ?? undefined, gold: p.gold })));
  // `unparsed` counts outputs with no parsable answer, whether or not scoring then answered them
  summary.unparsed = predictions.filter((p) => p.answeredBy !== 'parsed').length;
  const scored = predictions.filter((p) => p.answeredBy === 'scored').length;
  const hitsKnown = questions.map((q, i) => evidenceHit(q, hits[i])).filter((h): h is boolean => h !== undefined);
  const evidenceHitRate =
    studentMethod === 'kard' && hitsKnown.length ? hitsKnown.filter(Boolean).length / hitsKnown.length : undefined;
  return {
    result: {
      name: method,
      student: studentMethod,
      sc,
      ...summary,
      scored,
      evidenceHitRate,
      seconds: (Date.now() - started) / 1000,
    },
    predictions,
  };
}
