// A fresh reranker network, the one way the CLI's pretrain, the pipeline's reranker stage and experiments build one.
import * as path from 'node:path';
import { smallBertConfig, type BertConfig } from '../bert/config';
import { loadBertEncoder } from '../bert/checkpoint';
import { KARD_LORA, LoraAdapters } from '../bert/lora';
import { BertEncoder } from '../bert/model';
import { RerankerLoadError, loadReranker } from '../io/save';
import { ColbertModel, freshHybridHead } from './model';

export interface RerankerModelOptions {
  /** 'scratch' trains a small BERT from random weights; a folder path loads that BertModel and trains LoRA on it. */
  encoder: 'scratch' | string;
  /**
   * With `encoder: 'scratch'`: start from this saved reranker (e.g. `kard-reranker pretrain`'s inverse-cloze output)
   * instead of random weights; its encoder and compressor all train, and a hybrid head starts fresh.
   */
  init?: string;
  /** Overrides of the small from-scratch BERT (default: 1 layer, hidden 64, 2 heads). */
  scratchConfig?: Partial<BertConfig>;
  compressionDim: number;
  queryMaxLength: number;
  passageMaxLength: number;
  /** Late interaction + BM25(question) + length prior with learned weights (see ColbertModel.combine). */
  hybrid?: boolean;
  vocabSize: number;
  seed: number;
}

/** A fresh reranker network: a small random BERT (all weights train), or a pretrained base with KARD's LoRA. */
export function createRerankerModel(o: RerankerModelOptions): ColbertModel {
  let encoder: BertEncoder;
  if (o.init && o.encoder !== 'scratch')
    throw new RangeError(
      `init (${o.init}) starts a from-scratch encoder; it cannot be combined with the pretrained encoder ${o.encoder}`,
    );
  if (o.encoder !== 'scratch') {
    encoder = loadBertEncoder(o.encoder, { trainable: false });
    encoder.lora = LoraAdapters.create(KARD_LORA, encoder.config.num_hidden_layers, encoder.config.hidden_size, o.seed);
  } else if (o.init) {
    const start = loadReranker(o.init);
    for (const v of [...start.encoder.params.values(), start.compressor.weight, start.compressor.bias])
      v.trainable = true;
    const need = Math.max(o.passageMaxLength, o.queryMaxLength);
    const c = start.encoder.config;
    const problem =
      need > c.max_position_embeddings
        ? `its encoder takes ${c.max_position_embeddings} positions, fewer than the ${need} asked for`
        : c.vocab_size !== o.vocabSize
          ? `its encoder has ${c.vocab_size} token embeddings, the tokenizer ${o.vocabSize} tokens`
          : null;
    if (problem) {
      start.dispose();
      throw new RerankerLoadError(problem, path.join(o.init, 'reranker_config.json'));
    }
    start.mix?.weight.dispose();
    start.mix?.prior.dispose();
    const options = {
      ...start.options,
      queryMaxLength: o.queryMaxLength,
      passageMaxLength: o.passageMaxLength,
      hybrid: o.hybrid ?? false,
    };
    return new ColbertModel(
      start.encoder,
      start.compressor,
      options,
      options.hybrid ? freshHybridHead(options.compressionDim) : null,
    );
  } else {
    const config = smallBertConfig({
      vocab_size: o.vocabSize,
      max_position_embeddings: Math.max(o.passageMaxLength, o.queryMaxLength),
      ...o.scratchConfig,
    });
    encoder = BertEncoder.random(config, { seed: o.seed, positionScale: 0.1 });
  }
  return ColbertModel.create(
    encoder,
    {
      compressionDim: o.compressionDim,
      queryMaxLength: o.queryMaxLength,
      passageMaxLength: o.passageMaxLength,
      hybrid: o.hybrid ?? false,
    },
    o.seed,
  );
}
