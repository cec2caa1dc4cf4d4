// reranker.ensemble: the reranker stage fine-tunes several rerankers (seeds seed, seed+1, ...), saves them as one
// ensemble folder, and kard-reranker retrieval reranks with their mean score.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPassages, type Passage } from '@kard/knowledge-base';
import { RerankerEnsemble, loadReranker, loadRerankerFolder } from '@kard/reranker';
import { Bm25Index } from '@kard/retriever';
import { loadConfig, RunFolder, startBackend, TrainingPipeline } from '../src';
import { evalQuestions } from '../src/eval/evaluate';
import { retrieveFor } from '../src/eval/retrieval';
import { distance } from './params';

const root = path.resolve(__dirname, '../../..');

test(
  'reranker.ensemble: the stage trains one reranker per seed into an ensemble folder, and retrieval reranks with ' +
    'their mean score',
  async () => {
    const cwd = process.cwd();
    process.chdir(root);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-rr-ens-'));
    try {
      const over = { run: path.join(dir, 'run'), 'reranker.ensemble': 2 };
      const cfg = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), over);
      await startBackend(cfg);
      const run = new RunFolder(over.run);
      const progress: Array<[number, number]> = [];
      const hooks = {
        onProgress: (stage: string, done: number, total: number) =>
          void (stage === 'reranker' && progress.push([done, total])),
      };
      await new TrainingPipeline(cfg, run, hooks).runStage('reranker');
      // progress counts over both members: maxSteps (2) each, one total for the whole stage
      expect(progress.map(([d]) => d)).toEqual([1, 2, 3, 4]);
      expect(new Set(progress.map(([, t]) => t)).size).toBe(1);

      const seeds = [cfg.seed, cfg.seed + 1];
      const loaded = await loadRerankerFolder(run.path('reranker'));
      expect(loaded).toBeInstanceOf(RerankerEnsemble);
      const [a, b] = seeds.map((s) => loadReranker(run.path('reranker', `seed-${s}`)));
      const params = (m: ReturnType<typeof loadReranker>) =>
        new Map([...m.encoder.params, ['compressor', m.compressor.weight]]);
      expect(distance(params(a), params(b))).toBeGreaterThan(0); // two different members, not one saved twice
      const marker = JSON.parse(fs.readFileSync(run.path('.stages', 'reranker.json'), 'utf8'));
      expect(marker.result.members.map((m: { seed: number }) => m.seed)).toEqual(seeds);

      // kard-reranker retrieval: BM25 top maxDoc for the question and its options, reordered by the members' mean
      // score, nDocs kept
      const passages = new Map<string, Passage>();
      for await (const p of readPassages(path.resolve(cfg.knowledge.corpus[0]))) passages.set(p.id, p);
      const questions = evalQuestions(cfg).slice(0, 3);
      // retrieval reads the run's passage store; the reference below, the corpus file in a Map
      const got = await retrieveFor('kard-reranker', questions, {
        cfg,
        runDir: run.path(),
        passages: await new TrainingPipeline(cfg, run).passages(),
      });
      const ens = loaded as RerankerEnsemble;
      const index = Bm25Index.load(run.path('index')).attachPassages(passages);
      for (const [i, q] of questions.entries()) {
        // the reference's query (cache_retrieval.py): "{question} A. {option} B. {option}", StrategyQA's yes and no
        const query = `${q.question} A. yes B. no`;
        const want = await ens.rerank(
          query,
          index.search(query, Math.max(cfg.eval.maxDoc, cfg.eval.nDocs)),
          cfg.eval.nDocs,
        );
        expect(got[i].map((h) => h.id)).toEqual(want.map((h) => h.id));
      }
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  180_000,
);
