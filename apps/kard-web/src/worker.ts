// The inference worker: the whole KARD path of kard-eval's kard-reranker method, run by the same libraries as in
// Node (their browser entries) on the bundle's files. BM25 top-maxDoc, the reranker's top-nDocs, the student's
// input fitted to its budget, greedy decoding streamed token by token, the answer parsed from the rationale.
import {
  bm25IndexFromBuffers,
  type Bm25FileKey,
  type Bm25Index,
  type Bm25Manifest,
  type Hit,
} from '@kard/retriever/browser';
import {
  RerankerEnsemble,
  rerankerFromFiles,
  type NeuralReranker,
  type PeftLoraConfig,
  type RerankerConfigFile,
} from '@kard/reranker/browser';
import { generate, studentFromFiles, type StudentModel, type Tokenizer } from '@kard/student/browser';
import { fitInput, instructionFor, labelOptions, parseAnswer } from '@kard/cot-data/browser';
import { initBrowserBackend } from '@kard/nn/browser';
import { Bundle, PassageChunks } from './bundle';
import type { FromWorker, ShownHit, ToWorker } from './messages';

interface Loaded {
  bundle: Bundle;
  index: Bm25Index;
  passages: PassageChunks;
  reranker: NeuralReranker | RerankerEnsemble;
  model: StudentModel;
  tokenizer: Tokenizer;
}

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);
let loaded: Promise<Loaded> | undefined;

async function load(msg: Extract<ToWorker, { type: 'load' }>): Promise<Loaded> {
  const started = performance.now();
  const backend = await initBrowserBackend({ backend: msg.backend, wasmPaths: msg.wasmUrl });
  post({ type: 'backend', name: backend.name, reason: backend.reason });
  const bundle = await Bundle.open(msg.dataUrl);
  const m = bundle.manifest;
  // everything but the passage chunks (fetched by range as questions need them), for the progress bar
  const skip = /(^manifest\.json|generation_config\.json|special_tokens_map\.json)$/;
  const eager = Object.keys(m.files).filter((f) => !m.passages.chunks.includes(f) && !skip.test(f));
  const total = eager.reduce((s, f) => s + m.files[f].bytes, 0);
  let done = 0;
  const progress = (what: string) => (n: number) => {
    done += n;
    post({ type: 'progress', loaded: done, total, what });
  };

  const indexManifest = await bundle.json<Bm25Manifest>(`${m.index}/manifest.json`, progress('index'));
  const buffers = {} as Record<Bm25FileKey, Uint8Array>;
  for (const [key, f] of Object.entries(indexManifest.files))
    buffers[key as Bm25FileKey] = await bundle.bytes(`${m.index}/${f.file}`, progress('index'));
  const index = await bm25IndexFromBuffers(bundle.url(m.index), indexManifest, buffers);
  const passages = await PassageChunks.open(bundle, progress('passages'));

  const members: NeuralReranker[] = [];
  for (const r of m.reranker.members) {
    const p = progress('reranker');
    const has = (f: string) => m.files[`${r}/${f}`] !== undefined;
    members.push(
      rerankerFromFiles(
        {
          config: await bundle.json<RerankerConfigFile>(`${r}/reranker_config.json`, p),
          adapter: await bundle.bytes(`${r}/adapter_model.safetensors`, p),
          adapterConfig: has('adapter_config.json')
            ? await bundle.json<PeftLoraConfig>(`${r}/adapter_config.json`, p)
            : undefined,
          encoderConfig: await bundle.json(`${r}/encoder/config.json`, p),
          encoderWeights: await bundle.bytes(`${r}/encoder/model.safetensors`, p),
          tokenizer: await bundle.json(`${r}/tokenizer/tokenizer.json`, p),
          tokenizerConfig: await bundle.json(`${r}/tokenizer/tokenizer_config.json`, p),
        },
        bundle.url(r),
      ),
    );
  }
  const reranker = members.length === 1 ? members[0] : new RerankerEnsemble(members);

  const s = m.student.dir;
  const p = progress('student');
  const student = studentFromFiles(
    {
      config: await bundle.json(`${s}/config.json`, p),
      weights: await bundle.bytes(`${s}/model.safetensors`, p),
      tokenizer: await bundle.json(`${s}/tokenizer.json`, p),
      tokenizerConfig: m.files[`${s}/tokenizer_config.json`] ? await bundle.json(`${s}/tokenizer_config.json`, p) : {},
    },
    bundle.url(s),
  );
  post({
    type: 'ready',
    backend: backend.name,
    reason: backend.reason,
    settings: {
      dataset: m.settings.dataset,
      nDocs: m.settings.nDocs,
      maxDoc: m.settings.maxDoc,
      maxNewTokens: m.settings.maxNewTokens,
    },
    loadMs: performance.now() - started,
    bytes: total,
    passages: passages.size,
  });
  void passages.prefetchAll().then((chunks) => post({ type: 'offline-ready', chunks }));
  return { bundle, index, passages, reranker, model: student.model, tokenizer: student.tokenizer };
}

const shown = (h: Hit): ShownHit => ({
  id: h.id,
  score: h.score,
  rank: h.rank,
  title: h.passage?.title ?? '',
  text: h.passage?.text ?? '',
});

async function ask(L: Loaded, msg: Extract<ToWorker, { type: 'ask' }>): Promise<void> {
  const { settings } = L.bundle.manifest;
  const t0 = performance.now();
  const hits = L.index.search(msg.question, Math.max(settings.maxDoc, settings.nDocs));
  for (const h of hits) {
    const p = await L.passages.get(L.index.data.ids.rowOf(h.id));
    if (p.id !== h.id) throw new Error(`bundle passage row for ${h.id} holds ${p.id}: re-export the bundle`);
    h.passage = { id: p.id, title: p.title, text: p.text };
  }
  const t1 = performance.now();
  post({ type: 'candidates', id: msg.id, hits: hits.map(shown), ms: t1 - t0 });
  const top = await L.reranker.rerank(msg.question, hits, settings.nDocs);
  const t2 = performance.now();
  post({ type: 'reranked', id: msg.id, hits: top.map(shown), ms: t2 - t1 });

  const options = labelOptions(msg.options.length ? msg.options : ['yes', 'no']);
  const q = { question: msg.question, options };
  const counter = { name: L.tokenizer.dir, count: (text: string) => L.tokenizer.encode(text).length };
  const fitted = fitInput(
    instructionFor(settings.dataset),
    q,
    'kard',
    top.map((h) => h.passage!),
    counter,
    settings.maxInputTokens,
  );
  const ids = L.tokenizer.encode(fitted.input, { maxLength: settings.maxInputTokens });
  const tokens: number[] = [];
  const eos = L.tokenizer.eosTokenId;
  // kard-eval's greedy decoding (pipeline/src/eval/evaluate.ts: decode), streamed
  const [[sequence]] = generate(L.model, [ids], {
    maxNewTokens: settings.maxNewTokens,
    numReturnSequences: 1,
    doSample: false,
    topK: 0,
    noRepeatNgramSize: settings.noRepeatNgramSize,
    onToken: (_row, token) => {
      if (token === eos) return;
      tokens.push(token);
      post({ type: 'token', id: msg.id, token, text: L.tokenizer.decode(tokens) });
    },
  });
  const text = L.tokenizer.decode(tokens);
  const answer = parseAnswer(text, options) ?? null;
  post({
    type: 'answer',
    id: msg.id,
    tokens,
    score: sequence.score,
    text,
    answer,
    answerText: options.find((o) => o.label === answer)?.text ?? null,
    ms: { retrieve: t1 - t0, rerank: t2 - t1, generate: performance.now() - t2 },
  });
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === 'load') {
    loaded = load(msg);
    loaded.catch((err: Error) => post({ type: 'error', message: err.message }));
  } else if (msg.type === 'ask') {
    if (!loaded) return post({ type: 'error', id: msg.id, message: 'the bundle is not loaded' });
    loaded.then((L) => ask(L, msg)).catch((err: Error) => post({ type: 'error', id: msg.id, message: err.message }));
  }
};
