import * as fs from 'node:fs';
import type { Rng } from '@kard/core';
import { ExampleFormatError } from '../errors';
import { withEos } from '../encode';
import type { Tokenizer } from '../tokenizer';

/** One line of an input/target JSONL file (as written by @kard/cot-data). */
export interface TextExample {
  id: string;
  input: string;
  target: string;
}

/** A tokenized example: encoder input and target for seq2seq; prompt and continuation for causal LMs. */
export interface TokenizedExample {
  id: string;
  inputIds: number[];
  targetIds: number[];
}

/** Reads `{id, input, target}` lines; a bad line throws ExampleFormatError with file and line number. */
export function readExamples(file: string, opts: { requireTarget?: boolean } = {}): TextExample[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ExampleFormatError(`cannot read: ${(err as Error).message}`, file, 0);
  }
  const out: TextExample[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line);
    } catch (err) {
      throw new ExampleFormatError(`not JSON: ${(err as Error).message}`, file, i + 1);
    }
    if (typeof obj.input !== 'string') throw new ExampleFormatError('"input" must be a string', file, i + 1);
    if ((opts.requireTarget ?? true) && typeof obj.target !== 'string')
      throw new ExampleFormatError('"target" must be a string', file, i + 1);
    out.push({
      id: obj.id == null ? String(out.length) : String(obj.id),
      input: obj.input,
      target: (obj.target as string) ?? '',
    });
  });
  return out;
}

/** Tokenizes and truncates (keeping the final EOS of a T5 sequence when truncating). */
export function tokenizeExamples(
  tok: Tokenizer,
  examples: TextExample[],
  opts: { maxSourceLength?: number; maxTargetLength?: number; causal?: boolean } = {},
): TokenizedExample[] {
  const trunc = (ids: number[], max: number | undefined) =>
    max === undefined || ids.length <= max ? ids : [...ids.slice(0, max - 1), ids[ids.length - 1]];
  return examples.map((e) => {
    if (opts.causal) {
      // Decoder-only: prompt, EOS separator, target, EOS (encode.ts)
      return {
        id: e.id,
        inputIds: withEos(tok, e.input, opts.maxSourceLength),
        targetIds: withEos(tok, e.target, opts.maxTargetLength),
      };
    }
    return {
      id: e.id,
      inputIds: trunc(tok.encode(e.input), opts.maxSourceLength),
      targetIds: trunc(tok.encode(e.target), opts.maxTargetLength),
    };
  });
}

/**
 * Batches of example indices with similar lengths: shuffle, sort within mega-batches of 50 batches by
 * length, cut into batches, shuffle the batches. Deterministic given the generator's state.
 */
export function lengthBucketedBatches(lengths: number[], batchSize: number, rng: Rng): number[][] {
  const order = rng.shuffle(lengths.map((_, i) => i));
  const mega = batchSize * 50;
  const batches: number[][] = [];
  for (let s = 0; s < order.length; s += mega) {
    const chunk = order.slice(s, s + mega).sort((a, b) => lengths[b] - lengths[a] || a - b);
    for (let j = 0; j < chunk.length; j += batchSize) batches.push(chunk.slice(j, j + batchSize));
  }
  return rng.shuffle(batches);
}
