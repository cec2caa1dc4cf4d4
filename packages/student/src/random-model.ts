import * as fs from 'node:fs';
import * as path from 'node:path';
import { t5Config, type T5Config } from './config';
import { ModelLoadError } from './errors';
import { T5ForConditionalGeneration } from './t5/model';

/**
 * A small random T5 sized for tests and the demo, with the vocabulary of the tokenizer folder (e.g.
 * `models/t5-tokenizer`): defaults d_model 64, 2 + 2 layers, 4 heads, v1.0-style.
 */
export function randomT5FromTokenizer(tokenizerDir: string, over: Partial<T5Config> = {}, seed = 0): T5ForConditionalGeneration {
  const file = path.join(tokenizerDir, 'config.json');
  let vocabSize = over.vocabSize;
  if (vocabSize === undefined) {
    if (!fs.existsSync(file)) throw new ModelLoadError('no config.json to take vocab_size from', file);
    vocabSize = JSON.parse(fs.readFileSync(file, 'utf8')).vocab_size as number;
  }
  return new T5ForConditionalGeneration(t5Config({
    dModel: 64, dKv: 16, dFf: 128, numLayers: 2, numDecoderLayers: 2, numHeads: 4, dropoutRate: 0.1, ...over, vocabSize,
  }), seed);
}
