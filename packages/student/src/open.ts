// A student and its tokenizer, from wherever it comes: a fresh scratch T5, a local model folder, or the Hub.
import * as path from 'node:path';
import { downloadFromHub, isHubId } from './hub';
import { fromPretrained, savePretrained, type StudentModel } from './pretrained';
import { createScratchT5, type ScratchT5Options } from './scratch-t5';
import { loadTokenizer, type Tokenizer } from './tokenizer';

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
  scratch: ScratchT5Options;
  /** Seeds a scratch model's initialisation. */
  seed: number;
}

/** The student to fine-tune: a fresh small T5, a local folder, or a Hub download; `origin` says which. */
export async function openStudent(src: StudentSource): Promise<Student & { origin: string }> {
  if (src.model === 'scratch') {
    const tokenizer = await loadTokenizer(path.resolve(src.tokenizer));
    return {
      model: createScratchT5(tokenizer, src.scratch, src.seed),
      tokenizer,
      origin: `scratch T5 from ${src.tokenizer}`,
    };
  }
  const dir = isHubId(src.model) ? await downloadFromHub(src.model) : path.resolve(src.model);
  return { model: fromPretrained(dir).model, tokenizer: await loadTokenizer(dir), origin: dir };
}

/** A model folder with its tokenizer (one written by `saveStudent`, or any Hugging Face folder). */
export async function loadStudent(dir: string): Promise<Student> {
  return { model: fromPretrained(dir).model, tokenizer: await loadTokenizer(dir) };
}

/** Writes the model as a Hugging Face folder, with its tokenizer's files beside it (see savePretrained). */
export async function saveStudent(student: Student, dir: string, opts: { overwrite?: boolean } = {}): Promise<void> {
  await savePretrained(student.model, dir, { tokenizerDir: student.tokenizer.dir, overwrite: opts.overwrite });
}
