// A student and its tokenizer, from wherever it comes: a fresh scratch T5 or GPT-2, a local model folder, or the Hub.
import * as path from 'node:path';
import { ModelLoadError } from './errors';
import { downloadFromHub, isHubId } from './hub';
import { fromPretrained, savePretrained, type StudentModel } from './pretrained';
import { createScratchGpt2 } from './scratch-gpt2';
import { createScratchT5, type ScratchT5Options } from './scratch-t5';
import { loadTokenizer, type Tokenizer } from './tokenizer';

/** The student architectures: encoder-decoder T5, decoder-only GPT-2. */
export const STUDENT_ARCHS = ['t5', 'gpt2'] as const;
export type StudentArch = (typeof STUDENT_ARCHS)[number];

/** A model with the tokenizer it reads and writes. */
export interface Student {
  model: StudentModel;
  tokenizer: Tokenizer;
}

export interface StudentSource {
  /** 'scratch', a local model folder or a Hub id (`google/flan-t5-base`). */
  model: string;
  /** Tokenizer folder for 'scratch' (a loaded folder brings its own). */
  tokenizer: string;
  /**
   * The architecture of a scratch model (default t5: dModel, dFf, numLayers, numHeads size it either way). A folder's
   * comes from its config.json's model_type; set here, it must agree.
   */
  arch?: StudentArch;
  /** Sizes a scratch model; `nPositions` is a scratch GPT-2's longest sequence (default 1024). */
  scratch: ScratchT5Options & { nPositions?: number };
  /** Seeds a scratch model's initialisation. */
  seed: number;
}

/** The student to fine-tune: a fresh small T5 or GPT-2, a local folder, or a Hub download; `origin` says which. */
export async function openStudent(src: StudentSource): Promise<Student & { origin: string }> {
  if (src.model === 'scratch') {
    const tokenizer = await loadTokenizer(path.resolve(src.tokenizer));
    const gpt2 = src.arch === 'gpt2';
    return {
      model: gpt2
        ? createScratchGpt2(tokenizer, src.scratch, src.seed)
        : createScratchT5(tokenizer, src.scratch, src.seed),
      tokenizer,
      origin: `scratch ${gpt2 ? 'GPT-2' : 'T5'} from ${src.tokenizer}`,
    };
  }
  const dir = isHubId(src.model) ? await downloadFromHub(src.model) : path.resolve(src.model);
  const { model } = fromPretrained(dir);
  if (src.arch && model.config.modelType !== src.arch) {
    model.dispose();
    throw new ModelLoadError(
      `the student is set to ${src.arch} but the folder holds a ${model.config.modelType} model`,
      path.join(dir, 'config.json'),
    );
  }
  return { model, tokenizer: await loadTokenizer(dir), origin: dir };
}

/** A model folder with its tokenizer (one written by `saveStudent`, or any Hugging Face folder). */
export async function loadStudent(dir: string): Promise<Student> {
  return { model: fromPretrained(dir).model, tokenizer: await loadTokenizer(dir) };
}

/** Writes the model as a Hugging Face folder, with its tokenizer's files beside it (see savePretrained). */
export async function saveStudent(student: Student, dir: string, opts: { overwrite?: boolean } = {}): Promise<void> {
  await savePretrained(student.model, dir, { tokenizerDir: student.tokenizer.dir, overwrite: opts.overwrite });
}
