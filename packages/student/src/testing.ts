// Tiny configurations shared by the tests (and handy for demos): small enough for the pure-JS backend.
import * as tf from '@tensorflow/tfjs-core';
import { gpt2Config, t5Config, type Gpt2Config, type T5Config } from './config';
import type { LmBatch } from './model';

export function tinyT5Config(version: 'v1.0' | 'v1.1', over: Partial<T5Config> = {}): T5Config {
  return t5Config({
    vocabSize: 13,
    dModel: 8,
    dKv: 4,
    dFf: 12,
    numLayers: 2,
    numDecoderLayers: 2,
    numHeads: 2,
    relativeAttentionNumBuckets: 8,
    relativeAttentionMaxDistance: 16,
    dropoutRate: 0,
    feedForwardProj: version === 'v1.0' ? 'relu' : 'gated-gelu',
    tieWordEmbeddings: version === 'v1.0',
    ...over,
  });
}

export function tinyGpt2Config(over: Partial<Gpt2Config> = {}): Gpt2Config {
  return gpt2Config({
    vocabSize: 13,
    nPositions: 16,
    nEmbd: 8,
    nLayer: 2,
    nHead: 2,
    nInner: 16,
    residPdrop: 0,
    embdPdrop: 0,
    attnPdrop: 0,
    eosTokenId: 1,
    bosTokenId: 1,
    ...over,
  });
}

/** A batch from plain arrays (padding 0 in inputs, -100 in labels already applied by the caller). */
export function batchOf(inputIds: number[][], attentionMask: number[][], labels: number[][]): LmBatch {
  return {
    inputIds: tf.tensor2d(inputIds, undefined, 'int32'),
    attentionMask: tf.tensor2d(attentionMask, undefined, 'int32'),
    labels: tf.tensor2d(labels, undefined, 'int32'),
  };
}
