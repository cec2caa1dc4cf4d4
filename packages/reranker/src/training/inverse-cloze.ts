// Self-supervised pre-training of a from-scratch reranker encoder on the knowledge base itself: the inverse cloze task
// (Lee et al., ACL 2019, "Latent Retrieval for Weakly Supervised Open Domain QA"). A random span of a passage is the
// query; the passage, with the span cut out most of the time, is its positive; the other passages of the batch are
// the negatives; the score is the reranker's own late interaction. No question, rationale or label is read, so the
// encoder can be pre-trained once per corpus and then fine-tuned by RerankerTrainer. (ours, not KARD's: KARD starts
// from a pretrained LinkBERT, which no machine here has.)
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, linearSchedule, optimizerStep, runTrainingLoop } from '@kard/nn';
import { Rng, createProgress, noProgress, type Progress } from '@kard/core';
import type { ColbertModel } from '../colbert/model';
import { lateInteractionAllPairs } from '../colbert/late-interaction';
import { padBatch, type BertTokenizer, type TokenBatch } from '../tokenizer';
import { rerankerCheckpoints, type DataPosition } from './checkpoint';

export interface InverseClozeOptions {
  /** Optimizer steps. */
  steps: number;
  /** Passages per step; each query's negatives are the batch's other passages. */
  batchSize: number;
  /** Peak AdamW learning rate (5 % linear warm-up, then linear decay). */
  lr: number;
  weightDecay: number;
  /** Span lengths in tokens, drawn uniformly from [minSpan, maxSpan]. */
  minSpan: number;
  maxSpan: number;
  /** Probability that the span is cut out of the positive (ICT: 0.9; kept otherwise, so exact matches still count). */
  removeProbability: number;
  /** Passages with fewer body tokens than this are not used (the span would be most of them). */
  minPassageTokens: number;
  seed: number;
  checkpointDir?: string;
  checkpointEvery?: number;
  /** Replace `checkpointDir` even when it holds something other than a checkpoint (the CLI's --overwrite). */
  overwriteCheckpoint?: boolean;
  /** Stop after this many steps (the schedule still spans `steps`): for resume tests. */
  maxSteps?: number;
  progress: boolean | 'auto';
  onStep?: (info: { step: number; totalSteps: number; loss: number; lr: number }) => void;
}

export const INVERSE_CLOZE_DEFAULTS: InverseClozeOptions = {
  steps: 2000,
  batchSize: 64,
  lr: 1e-3,
  weightDecay: 0.01,
  minSpan: 8,
  maxSpan: 20,
  removeProbability: 0.9,
  minPassageTokens: 28,
  seed: 42,
  progress: 'auto',
};

/**
 * One inverse-cloze pair from a passage's tokens (without [CLS]/[SEP]): the span and the passage around it, both
 * wrapped in [CLS] … [SEP]. `body` must hold at least `maxSpan` tokens.
 */
export function inverseClozePair(
  body: number[],
  tok: { clsId: number; sepId: number },
  o: Pick<InverseClozeOptions, 'minSpan' | 'maxSpan' | 'removeProbability'>,
  rng: Rng,
): { query: number[]; passage: number[] } {
  const len = o.minSpan + rng.int(o.maxSpan - o.minSpan + 1);
  if (body.length < len) throw new RangeError(`passage of ${body.length} tokens is shorter than a ${len}-token span`);
  const start = rng.int(body.length - len + 1);
  const span = body.slice(start, start + len);
  const rest = rng.uniform() < o.removeProbability ? [...body.slice(0, start), ...body.slice(start + len)] : body;
  return { query: [tok.clsId, ...span, tok.sepId], passage: [tok.clsId, ...rest, tok.sepId] };
}

/**
 * In-batch softmax cross-entropy of B queries against B passages (query i belongs with passage i). The logits are the
 * late-interaction scores divided by the query's token count (so long and short spans weigh alike), times
 * 10·e^scale with a learned `scale`.
 */
export function inverseClozeLoss(
  model: ColbertModel,
  queries: TokenBatch,
  passages: TokenBatch,
  scale: tf.Variable,
  training: { nextSeed?: () => number } | null,
): tf.Scalar {
  const B = queries.batch;
  if (passages.batch !== B) throw new RangeError(`expected ${B} passages for ${B} queries, got ${passages.batch}`);
  return tf.tidy(() => {
    const opts = training ? { training: true, nextSeed: training.nextSeed } : {};
    const q = model.embed(queries, opts);
    const d = model.embed(passages, opts);
    const qMask = tf.tensor2d(queries.mask, [B, queries.length], 'int32');
    const li = lateInteractionAllPairs(q, qMask, d, tf.tensor2d(passages.mask, [B, passages.length], 'int32'));
    const qLen = tf.sum(tf.cast(qMask, 'float32'), 1, true);
    const logits = tf.mul(tf.div(li, qLen), tf.mul(tf.exp(scale), 10));
    const labels = tf.oneHot(tf.range(0, B, 1, 'int32'), B);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  });
}

export interface InverseClozeResult {
  steps: number;
  losses: number[];
  /** Passages long enough to draw spans from. */
  passages: number;
  resumedFromStep: number;
}

/**
 * Pre-trains `model`'s encoder and compressor (every trainable variable but the hybrid head) with the inverse cloze
 * task on `texts`, the corpus the reranker will rank. Resumes from `checkpointDir` when it holds a checkpoint of the
 * same run.
 */
export async function pretrainInverseCloze(
  model: ColbertModel,
  tokenizer: BertTokenizer,
  texts: string[],
  options: Partial<InverseClozeOptions> = {},
): Promise<InverseClozeResult> {
  const o = { ...INVERSE_CLOZE_DEFAULTS, ...options };
  if (o.minPassageTokens < o.maxSpan)
    throw new RangeError(`minPassageTokens (${o.minPassageTokens}) must be at least maxSpan (${o.maxSpan})`);
  const mo = model.options;
  if (o.maxSpan + 2 > mo.queryMaxLength)
    throw new RangeError(`spans of up to ${o.maxSpan} tokens do not fit queryMaxLength ${mo.queryMaxLength}`);
  const bodies = texts
    .map((t) => tokenizer.encode(t, mo.passageMaxLength).slice(1, -1))
    .filter((b) => b.length >= o.minPassageTokens);
  if (bodies.length < o.batchSize)
    throw new RangeError(
      `only ${bodies.length} passages have ${o.minPassageTokens}+ tokens; a batch needs ${o.batchSize}`,
    );

  const scale = tf.variable(tf.scalar(0), true);
  const params = new Map<string, tf.Variable>([...model.trainableVariables()].filter(([n]) => !n.startsWith('mix.')));
  params.set('ict.scale', scale);
  const opt = new AdamW(params, { lr: o.lr, weightDecay: o.weightDecay });
  const schedule = linearSchedule({ lr: o.lr, warmupSteps: Math.floor(0.05 * o.steps), totalSteps: o.steps });
  const rng = new Rng(o.seed);
  const fingerprint = {
    task: 'inverse-cloze',
    ...o,
    checkpointDir: undefined,
    checkpointEvery: undefined,
    maxSteps: undefined,
    progress: undefined,
    onStep: undefined,
    n: bodies.length,
  };
  const start: DataPosition = { epoch: 0, cursor: 0, order: rng.shuffle([...bodies.keys()]), totalSteps: o.steps };
  const show = o.progress === 'auto' ? Boolean(process.stderr.isTTY) : o.progress;
  let bar: Progress = noProgress;
  const losses: number[] = [];
  try {
    const { state, resumedFromStep } = await runTrainingLoop({
      optimizer: opt,
      rngs: { loop: rng },
      start,
      fingerprint,
      stopAt: Math.min(o.steps, o.maxSteps ?? Infinity),
      checkpoints: o.checkpointDir
        ? rerankerCheckpoints(o.checkpointDir, params, o.checkpointEvery, o.overwriteCheckpoint)
        : undefined,
      resumeFrom: o.checkpointDir ? 'latest' : undefined,
      onStart: ({ step }) => {
        bar = createProgress({
          label: 'inverse cloze',
          total: o.steps,
          start: step,
          payload: { loss: '-' },
          show,
          format: 'inverse cloze {bar} {value}/{total} steps | loss {loss} | {eta_formatted}',
        });
      },
      step: ({ step, position: p }) => {
        if (p.cursor + o.batchSize > p.order.length) {
          p.epoch++;
          p.cursor = 0;
          p.order = rng.shuffle([...bodies.keys()]);
        }
        const pairs = p.order
          .slice(p.cursor, p.cursor + o.batchSize)
          .map((i) => inverseClozePair(bodies[i], tokenizer, o, rng));
        p.cursor += o.batchSize;
        const queries = padBatch(
          pairs.map((x) => x.query),
          tokenizer.padId,
        );
        const passages = padBatch(
          pairs.map((x) => x.passage),
          tokenizer.padId,
        );
        const lr = schedule(step);
        const { loss } = optimizerStep(
          opt,
          [() => inverseClozeLoss(model, queries, passages, scale, { nextSeed: () => rng.nextU32() })],
          { lr },
        );
        losses.push(loss);
        return { loss, lr };
      },
      afterStep: ({ step }, { loss, lr }) => {
        o.onStep?.({ step, totalSteps: o.steps, loss, lr });
        bar.update(step, { loss: loss.toFixed(3) });
      },
    });
    return { steps: state.step, losses, passages: bodies.length, resumedFromStep };
  } finally {
    bar.stop();
    opt.dispose();
    scale.dispose();
  }
}
