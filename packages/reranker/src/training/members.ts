// Rerankers that differ only by seed (an ensemble's members): trained one after another, saved as one folder.
import * as path from 'node:path';
import type { ColbertModel } from '../colbert/model';
import { saveRerankerEnsemble } from '../inference/ensemble';
import { saveReranker } from '../io/save';
import type { BertTokenizer } from '../tokenizer';
import type { RerankerExample } from './data';
import { RerankerTrainer, type StepInfo, type RerankerTrainerOptions, type RerankerTrainResult } from './trainer';

/** A member's folder (and checkpoint subfolder) in an ensemble. */
export const memberName = (seed: number): string => `seed-${seed}`;

export interface TrainedMember {
  seed: number;
  model: ColbertModel;
  result: RerankerTrainResult;
  seconds: number;
}

/**
 * Trains `createModel(seed)` on `examples` for each seed (its trainer seeded with it too). With several seeds each
 * member checkpoints in its own subfolder of `options.checkpointDir`, so a killed run resumes member by member;
 * one seed uses the folder itself. `onStep` counts over all members: `step` adds the steps of those before this
 * one, `totalSteps` is all members' total.
 */
export async function trainMembers(
  seeds: number[],
  createModel: (seed: number) => ColbertModel,
  tokenizer: BertTokenizer,
  examples: RerankerExample[],
  options: Omit<Partial<RerankerTrainerOptions>, 'seed'>,
): Promise<TrainedMember[]> {
  if (seeds.length === 0 || new Set(seeds).size !== seeds.length)
    throw new RangeError(`seeds must be distinct and at least one, got [${seeds.join(', ')}]`);
  const { onStep, checkpointDir, ...training } = options;
  const members: TrainedMember[] = [];
  for (const seed of seeds) {
    const model = createModel(seed);
    const started = Date.now();
    const before = members.reduce((n, m) => n + m.result.steps, 0);
    const trainer = new RerankerTrainer(model, tokenizer, examples, {
      ...training,
      seed,
      onStep:
        onStep && ((s: StepInfo) => onStep({ ...s, step: before + s.step, totalSteps: s.totalSteps * seeds.length })),
      checkpointDir: checkpointDir && seeds.length > 1 ? path.join(checkpointDir, memberName(seed)) : checkpointDir,
    });
    const result = await trainer.train();
    members.push({ seed, model, result, seconds: (Date.now() - started) / 1000 });
  }
  return members;
}

/** Saves one member as a plain reranker folder, several as an ensemble folder (memberName subfolders). */
export async function saveMembers(
  members: Array<{ seed: number; model: ColbertModel }>,
  dir: string,
  opts: { baseModel?: string; tokenizerDir?: string; overwrite?: boolean },
): Promise<void> {
  if (members.length === 1) await saveReranker(members[0].model, dir, opts);
  else
    await saveRerankerEnsemble(
      members.map((m) => ({ name: memberName(m.seed), model: m.model })),
      dir,
      opts,
    );
}
