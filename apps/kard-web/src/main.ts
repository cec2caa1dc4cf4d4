// The page: a form, the bundle's load progress, and what the inference worker reports, shown as it arrives. No
// model code runs here, so typing and scrolling stay smooth while the worker computes.
import type { FromWorker, ShownHit, ToWorker } from './messages';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What tests and curious users can read: the backend, and each question's full results. */
interface KardPage {
  ready: boolean;
  backend?: string;
  reason?: string;
  loadMs?: number;
  offlineReady: boolean;
  error?: string;
  results: Array<{
    question: string;
    candidates?: ShownHit[];
    reranked?: ShownHit[];
    tokens?: number[];
    score?: number;
    text?: string;
    ms?: { retrieve: number; rerank: number; generate: number };
    answer?: string | null;
    streamed: number;
  }>;
  ask(question: string, options?: string[]): Promise<KardPage['results'][number]>;
}

const page: KardPage = {
  ready: false,
  offlineReady: false,
  results: [],
  ask: () => Promise.reject(new Error('loading')),
};
(window as unknown as { kard: KardPage }).kard = page;

/**
 * Registers the offline cache and waits until it controls the page, so the worker (created after) fetches the
 * bundle through it and every file is kept. Without service workers (a private window, plain http on another
 * host) the page still works, online only.
 */
async function offlineCache(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  try {
    await navigator.serviceWorker.register('sw.js');
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller)
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
      );
  } catch (err) {
    console.warn(`no offline cache: ${(err as Error).message}`);
  }
}

await offlineCache();
const worker = new Worker('worker.js', { type: 'module' });
const params = new URLSearchParams(location.search);
const backend = params.get('backend') as ToWorker extends { backend?: infer B } ? B : never;
const load: ToWorker = {
  type: 'load',
  dataUrl: new URL(params.get('data') ?? 'data/', location.href).href,
  wasmUrl: new URL('wasm/', location.href).href,
  ...(backend ? { backend } : {}),
};
worker.postMessage(load);

const pending = new Map<number, (r: KardPage['results'][number]) => void>();
let nextId = 0;

function hitList(el: HTMLElement, hits: ShownHit[], withText: boolean): void {
  el.replaceChildren(
    ...hits.map((h) => {
      const li = document.createElement('li');
      const title = document.createElement('strong');
      title.textContent = h.title || h.id;
      const score = document.createElement('span');
      score.className = 'score';
      score.textContent = `${h.id} · ${h.score.toFixed(3)}`;
      li.append(title, score);
      if (withText) {
        const text = document.createElement('div');
        text.className = 'text';
        text.textContent = h.text;
        li.append(text);
      }
      return li;
    }),
  );
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  const r = 'id' in m && m.id !== undefined ? page.results[m.id] : undefined;
  switch (m.type) {
    case 'backend':
      $('backend').textContent = `backend: ${m.name}`;
      $('backend').title = m.reason;
      break;
    case 'progress':
      ($('progress') as HTMLProgressElement).value = m.loaded / Math.max(1, m.total);
      $('state').textContent =
        `loading ${m.what}… ${(m.loaded / 1048576).toFixed(1)} / ${(m.total / 1048576).toFixed(1)} MiB`;
      break;
    case 'ready':
      Object.assign(page, { ready: true, backend: m.backend, reason: m.reason, loadMs: m.loadMs });
      ($('progress') as HTMLProgressElement).value = 1;
      $('state').textContent =
        `ready in ${(m.loadMs / 1000).toFixed(1)} s: ${m.passages.toLocaleString()} passages, ` +
        `${(m.bytes / 1048576).toFixed(1)} MiB, top ${m.settings.nDocs} of ${m.settings.maxDoc} reranked`;
      ($('go') as HTMLButtonElement).disabled = false;
      break;
    case 'offline-ready':
      page.offlineReady = true;
      $('offline').textContent = 'offline: ready';
      $('offline').className = 'badge ok';
      break;
    case 'candidates':
      r!.candidates = m.hits;
      hitList($('candidates'), m.hits, false);
      $('bm25-ms').textContent = `${m.ms.toFixed(0)} ms`;
      break;
    case 'reranked':
      r!.reranked = m.hits;
      hitList($('reranked'), m.hits, true);
      $('rerank-ms').textContent = `${m.ms.toFixed(0)} ms`;
      break;
    case 'token':
      r!.streamed++;
      $('rationale').textContent = m.text;
      break;
    case 'answer':
      Object.assign(r!, { tokens: m.tokens, score: m.score, text: m.text, answer: m.answer, ms: m.ms });
      $('rationale').textContent = m.text;
      $('gen-ms').textContent = `${m.tokens.length} tokens, ${m.ms.generate.toFixed(0)} ms`;
      $('answer').textContent = m.answer ? `${m.answer}. ${m.answerText}` : '(no option named in the rationale)';
      ($('go') as HTMLButtonElement).disabled = false;
      pending.get(m.id)?.(r!);
      break;
    case 'error':
      page.error = m.message;
      $('state').textContent = m.message;
      $('state').className = 'error';
      ($('go') as HTMLButtonElement).disabled = !page.ready;
      if (m.id !== undefined) pending.get(m.id)?.(r!);
      break;
  }
};

page.ask = (question, options = ['yes', 'no']) => {
  const id = nextId++;
  page.results[id] = { question, streamed: 0 };
  ($('question') as HTMLTextAreaElement).value = question;
  ($('options') as HTMLInputElement).value = options.join(', ');
  for (const el of ['candidates', 'reranked']) $(el).replaceChildren();
  $('rationale').textContent = '';
  $('answer').textContent = '';
  ($('go') as HTMLButtonElement).disabled = true;
  worker.postMessage({ type: 'ask', id, question, options } satisfies ToWorker);
  return new Promise((resolve) => pending.set(id, resolve));
};

$('ask').addEventListener('submit', (e) => {
  e.preventDefault();
  const options = ($('options') as HTMLInputElement).value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  void page.ask(($('question') as HTMLTextAreaElement).value.trim(), options);
});
