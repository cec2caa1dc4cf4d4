// The one training loop (after nanoGPT's train.py, read top to bottom): resume or start, then step, report,
// checkpoint, yield, until the last step. What a step does (batches, loss, gradients) is the caller's function;
// everything a run needs to continue exactly lives in its LoopState and is what a checkpoint saves.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KardError, readJsonFile, yieldToEventLoop, type Rng, type RngState } from '@kard/core';
import { loadTrainingState, saveCheckpoint, TRAINER_STATE_FILE } from '../checkpoint';
import type { AdamW } from '../optim';

/** Where a run is: the step, and the caller's own position in its data (epoch, cursor, order...), as JSON. */
export interface LoopState<P> {
  /** Optimizer steps taken. */
  step: number;
  position: P;
}

export interface CheckpointPolicy {
  /**
   * `folder`: `dir` holds the run's one checkpoint, replaced atomically at each save. `numbered`: each save is a new
   * `dir/checkpoint-<step>/` (Hugging Face's layout), the oldest beyond `keepLast` deleted.
   */
  layout: 'folder' | 'numbered';
  dir: string;
  /** Save every N steps (0 or undefined: only at the end, and when a step asks for it). */
  every?: number;
  /** `numbered` only: keep the newest N checkpoints. Default: all. */
  keepLast?: number;
  /** Writes the weights into a checkpoint folder being filled. */
  writeWeights: (dir: string) => void | Promise<void>;
  /** Restores the weights from a checkpoint folder. */
  readWeights: (dir: string) => void;
  /** Called once a checkpoint is complete on disk. */
  onSaved?: (step: number, dir: string) => void;
  /**
   * Replace what is at a checkpoint's folder even when it is not a checkpoint (the user's --overwrite). By default
   * only an empty folder or a checkpoint (trainer_state.json) is replaced: see @kard/core's assertReplaceable.
   */
  overwrite?: boolean;
}

export interface TrainingLoop<P, R> {
  optimizer: AdamW;
  /** The generators that drive shuffling, sampling and dropout, by name: saved and restored with the state. */
  rngs: Record<string, Rng>;
  /** Where a fresh run starts. */
  start: P;
  /**
   * What makes two runs the same run (options that change the numbers, data size): a checkpoint is only resumed by
   * a loop with an equal fingerprint.
   */
  fingerprint: Record<string, unknown>;
  /** Run until this step (the schedule may span more). */
  stopAt: number;
  checkpoints?: CheckpointPolicy;
  /**
   * A checkpoint folder to continue from, or 'latest': the policy's newest checkpoint if there is one. Default: start
   * fresh.
   */
  resumeFrom?: string;
  /**
   * One optimizer step: takes its batch at `state.position`, applies the gradients and moves the position on
   * (`state.step` is the step about to be taken; the loop counts it). Returns what the caller reports.
   */
  step: (state: LoopState<P>) => R;
  /**
   * The loss in a step's result, checked after every step: NaN or an infinity stops the run with a
   * `NonFiniteLossError` naming the step and its batch, before that step is reported or saved. Default: the result
   * itself when it is a number, else its `loss` field when that is a number.
   */
  lossOf?: (result: R) => number | undefined;
  /** Once the state is known (fresh or resumed), before the first step: start a progress bar here. */
  onStart?: (state: LoopState<P>) => void;
  /**
   * After each step (state.step counts it), before its checkpoint: progress, logs, evaluation. `true` forces a
   * checkpoint.
   */
  afterStep?: (state: LoopState<P>, result: R) => boolean | void;
  /** Awaited between steps; default: let Ctrl-C / SIGTERM handlers run (steps are synchronous). */
  yieldBetweenSteps?: () => Promise<void>;
}

export interface LoopResult<P> {
  state: LoopState<P>;
  /** The step the run continued from (0: a fresh start). */
  resumedFromStep: number;
}

/** Thrown when a checkpoint belongs to another run (its fingerprint differs) or predates fingerprints. */
export class CheckpointMismatchError extends KardError {
  constructor(
    readonly dir: string,
    readonly fields: string[],
    detail: string,
  ) {
    super(
      `${dir}: this checkpoint ${detail}. Delete ${dir} to start the run over, or train into another checkpoint ` +
        `folder.`,
    );
    this.name = 'CheckpointMismatchError';
  }
}

/** A step whose loss is NaN or infinite: training has diverged (or a batch is broken) and cannot usefully go on. */
export class NonFiniteLossError extends KardError {
  constructor(
    /** The step, counted from 1 as logs and checkpoints count it. */
    readonly step: number,
    readonly loss: number,
    /** Where the step's batch starts in the data, e.g. `epoch 0, batchInEpoch 3`. */
    readonly batch: string,
  ) {
    super(
      `training stopped: the loss of step ${step} is ${loss} (batch at ${batch}). Nothing from this step was saved; lower the learning rate or inspect that batch, then resume from the last checkpoint.`,
    );
    this.name = 'NonFiniteLossError';
  }
}

function defaultLoss(result: unknown): number | undefined {
  if (typeof result === 'number') return result;
  const loss = (result as { loss?: unknown } | null)?.loss;
  return typeof loss === 'number' ? loss : undefined;
}

/** The scalar fields of a position (epoch, cursor...), which say where a batch starts; arrays are left out. */
function describePosition(position: unknown): string {
  if (typeof position !== 'object' || position === null) return JSON.stringify(position);
  const parts = Object.entries(position)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(', ') : 'an unknown position';
}

/**
 * Thrown when the checkpoint a run resumes from cannot be read (a torn or damaged file): names the checkpoint, what
 * is wrong with it, and the way on: delete it, and the rerun resumes from the one before (or starts over).
 */
export class CorruptCheckpointError extends KardError {
  constructor(
    readonly dir: string,
    /** The complete checkpoint before it, which a rerun resumes from once `dir` is gone; undefined: none. */
    readonly previous: { dir: string; step: number } | undefined,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${dir}: this checkpoint cannot be read (${reason}). ` +
        (previous
          ? `Delete ${dir} and rerun to resume from the one before, ${previous.dir} (step ${previous.step}).`
          : `Delete ${dir} and rerun to start the run over.`),
      options,
    );
    this.name = 'CorruptCheckpointError';
  }
}

const NUMBERED = /^checkpoint-(\d+)$/;

/** The `checkpoint-<step>/` folders in `dir`, newest first. */
export function numberedCheckpoints(dir: string): Array<{ dir: string; step: number }> {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((n) => ({ n, m: NUMBERED.exec(n) }))
    .filter((x) => x.m)
    .map((x) => ({ dir: path.join(dir, x.n), step: Number(x.m![1]) }))
    .sort((a, b) => b.step - a.step);
}

const isComplete = (dir: string) => fs.existsSync(path.join(dir, TRAINER_STATE_FILE));

/** The newest complete checkpoint the policy has written, if any. */
export function latestCheckpoint(policy: Pick<CheckpointPolicy, 'layout' | 'dir'>): string | undefined {
  if (policy.layout === 'folder') return isComplete(policy.dir) ? policy.dir : undefined;
  return numberedCheckpoints(policy.dir).find((c) => isComplete(c.dir))?.dir;
}

/** Refuses a checkpoint whose stored fingerprint is not `want`, naming the fields that differ. */
export function checkFingerprint(dir: string, stored: unknown, want: Record<string, unknown>): void {
  const expected = JSON.stringify(want);
  if (stored === expected) return;
  if (typeof stored !== 'string') {
    throw new CheckpointMismatchError(
      dir,
      [],
      'has no run fingerprint (it was written before trainers recorded one), so it cannot be checked against this run',
    );
  }
  const have = JSON.parse(stored) as Record<string, unknown>;
  const now = JSON.parse(expected) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(have), ...Object.keys(now)])].filter(
    (k) => JSON.stringify(have[k]) !== JSON.stringify(now[k]),
  );
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  const diff = fields.map((k) => `${k}: checkpoint ${show(have[k])}, this run ${show(now[k])}`).join('; ');
  throw new CheckpointMismatchError(dir, fields, `comes from another run (${diff})`);
}

/** Runs `loop` from a fresh start or its checkpoint to `stopAt`, checkpointing as its policy says. */
export async function runTrainingLoop<P, R>(loop: TrainingLoop<P, R>): Promise<LoopResult<P>> {
  const policy = loop.checkpoints;
  const state = resume(loop) ?? { step: 0, position: loop.start };
  const resumedFromStep = state.step;
  loop.onStart?.(state);
  let onDisk = loop.resumeFrom && resumedFromStep > 0 ? resumedFromStep : undefined; // the step the checkpoint holds

  const lossOf = loop.lossOf ?? defaultLoss;
  while (state.step < loop.stopAt) {
    // The step moves the position on; a shallow copy keeps where its batch started, for the error below.
    const before = typeof state.position === 'object' ? { ...state.position } : state.position;
    const result = loop.step(state);
    const loss = lossOf(result);
    if (loss !== undefined && !Number.isFinite(loss))
      throw new NonFiniteLossError(state.step + 1, loss, describePosition(before));
    state.step++;
    const forced = loop.afterStep?.(state, result) === true;
    if (policy && (forced || (policy.every && state.step % policy.every === 0) || state.step === loop.stopAt)) {
      await save(loop, state);
      onDisk = state.step;
    }
    await (loop.yieldBetweenSteps ?? yieldToEventLoop)();
  }
  // The run's end is always on disk, once (a numbered checkpoint of this step from an earlier run counts).
  if (
    policy &&
    onDisk !== state.step &&
    !(policy.layout === 'numbered' && isComplete(checkpointDir(policy, state.step)))
  )
    await save(loop, state);
  return { state, resumedFromStep };
}

function checkpointDir(policy: CheckpointPolicy, step: number): string {
  return policy.layout === 'folder' ? policy.dir : path.join(policy.dir, `checkpoint-${step}`);
}

/** Weights, optimizer moments, rng states, position and fingerprint, into one folder written atomically. */
async function save<P, R>(loop: TrainingLoop<P, R>, state: LoopState<P>): Promise<void> {
  const policy = loop.checkpoints!;
  const dir = checkpointDir(policy, state.step);
  const rng: Record<string, RngState> = Object.fromEntries(
    Object.entries(loop.rngs).map(([n, r]) => [n, r.getState()]),
  );
  await saveCheckpoint(dir, {
    overwrite: policy.overwrite,
    writeWeights: policy.writeWeights,
    optimizer: loop.optimizer,
    state: {
      step: state.step,
      rng,
      extra: { ...(state.position as object), fingerprint: JSON.stringify(loop.fingerprint) },
    },
  });
  if (policy.layout === 'numbered' && policy.keepLast !== undefined) {
    for (const c of numberedCheckpoints(policy.dir).slice(Math.max(1, policy.keepLast)))
      fs.rmSync(c.dir, { recursive: true, force: true });
  }
  policy.onSaved?.(state.step, dir);
}

/** The state to continue from (weights, optimizer and rngs restored in place), or undefined for a fresh start. */
function resume<P, R>(loop: TrainingLoop<P, R>): LoopState<P> | undefined {
  const policy = loop.checkpoints;
  if (!loop.resumeFrom) return undefined;
  const dir = loop.resumeFrom === 'latest' ? policy && latestCheckpoint(policy) : loop.resumeFrom;
  if (!dir) return undefined;
  if (!policy) throw new Error(`resuming from ${dir} needs a checkpoint policy (it says how to read the weights)`);
  const file = path.join(dir, TRAINER_STATE_FILE);
  if (!fs.existsSync(file)) throw new Error(`${dir}: not a complete checkpoint (no ${TRAINER_STATE_FILE})`);
  const corrupt = (err: unknown): never => {
    if (err instanceof CheckpointMismatchError) throw err;
    const previous =
      policy.layout === 'numbered'
        ? numberedCheckpoints(policy.dir).find((c) => path.resolve(c.dir) !== path.resolve(dir) && isComplete(c.dir))
        : undefined;
    throw new CorruptCheckpointError(dir, previous, (err as Error).message, { cause: err });
  };
  let saved: { extra?: Record<string, unknown>; rng?: Record<string, RngState> };
  try {
    saved = readJsonFile(file);
  } catch (err) {
    return corrupt(err);
  }
  checkFingerprint(dir, saved.extra?.fingerprint, loop.fingerprint);
  const missing = Object.keys(loop.rngs).filter((n) => !saved.rng?.[n]);
  if (missing.length) throw new Error(`${file}: no state for the random generator(s) ${missing.join(', ')}`);
  let s: ReturnType<typeof loadTrainingState>;
  try {
    policy.readWeights(dir);
    s = loadTrainingState(dir, loop.optimizer);
  } catch (err) {
    return corrupt(err);
  }
  for (const [n, r] of Object.entries(loop.rngs)) r.setState(s.rng[n]);
  const { fingerprint: _fingerprint, ...position } = s.extra ?? {};
  return { step: s.step, position: position as P };
}
