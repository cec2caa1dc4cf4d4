// reranker.init: the reranker stage starts from a saved from-scratch reranker (what `kard-reranker pretrain` writes)
// instead of random weights, takes its sizes from it, and reruns when its weights change.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BertTokenizer, createRerankerModel, loadReranker, saveReranker } from '@kard/reranker';
import { loadConfig, RunFolder, startBackend, TrainingPipeline } from '../src';
import { distance } from './params';

const root = path.resolve(__dirname, '../../..');

test(
  "reranker.init: the stage fine-tunes the saved encoder (its sizes, not the config's), reruns when it changes, " +
    'and names a missing one',
  async () => {
    const cwd = process.cwd();
    process.chdir(root);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-rr-init-'));
    try {
      const init = path.join(dir, 'init');
      const cfg0 = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), { run: path.join(dir, 'run') });
      await startBackend(cfg0);
      const vocabSize = (await BertTokenizer.fromPretrained(path.resolve(cfg0.reranker.tokenizer))).vocabSize;
      // hidden 24 and dim 12, where the config says 16 and 8
      const start = (seed: number) =>
        createRerankerModel({
          encoder: 'scratch',
          scratchConfig: { hidden_size: 24, intermediate_size: 48, num_attention_heads: 2 },
          compressionDim: 12,
          queryMaxLength: 32,
          passageMaxLength: 32,
          vocabSize,
          seed,
        });
      await saveReranker(start(7), init);
      const over = { run: path.join(dir, 'run'), 'reranker.init': init };
      const run = new RunFolder(over.run);
      await new TrainingPipeline(loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), over), run).runStage(
        'reranker',
      );

      const trained = loadReranker(run.path('reranker'));
      expect([trained.hiddenSize, trained.options.compressionDim]).toEqual([24, 12]);
      const params = (m: ReturnType<typeof loadReranker>) =>
        new Map([...m.encoder.params, ['compressor', m.compressor.weight]]);
      // fine-tuned from the saved start: nearer to it than to another initialisation of the same shape
      expect(distance(params(trained), params(loadReranker(init)))).toBeLessThan(
        distance(params(trained), params(start(8))),
      );
      const marker = () => JSON.parse(fs.readFileSync(run.path('.stages', 'reranker.json'), 'utf8'));
      expect(marker().result.init).toBe(init);

      // new weights in the same folder rerun the stage
      const hash = marker().inputsHash;
      await saveReranker(start(9), init);
      await new TrainingPipeline(loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), over), run).runStage(
        'reranker',
      );
      expect(marker().inputsHash).not.toBe(hash);

      const missing = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), {
        ...over,
        'reranker.init': path.join(dir, 'nope'),
      });
      await expect(new TrainingPipeline(missing, run).runStage('reranker')).rejects.toThrow(
        /reranker\.init: .*nope.*model\.safetensors does not exist; make a starting point with `kard-reranker pretrain/,
      );
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  180_000,
);
