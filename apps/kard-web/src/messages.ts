// What the page and its inference worker say to each other (structured-clone data only).

/** A passage as the page shows it. */
export interface ShownHit {
  id: string;
  score: number;
  rank: number;
  title: string;
  text: string;
}

export type ToWorker =
  | { type: 'load'; dataUrl: string; wasmUrl: string; backend?: 'webgpu' | 'wasm' | 'cpu' }
  | { type: 'ask'; id: number; question: string; options: string[] };

export interface Settings {
  dataset: string;
  nDocs: number;
  maxDoc: number;
  maxNewTokens: number;
}

export type FromWorker =
  | { type: 'progress'; loaded: number; total: number; what: string }
  | { type: 'backend'; name: string; reason: string }
  | {
      type: 'ready';
      backend: string;
      reason: string;
      settings: Settings;
      loadMs: number;
      bytes: number;
      passages: number;
    }
  | { type: 'offline-ready'; chunks: number }
  | { type: 'candidates'; id: number; hits: ShownHit[]; ms: number }
  | { type: 'reranked'; id: number; hits: ShownHit[]; ms: number }
  | { type: 'token'; id: number; token: number; text: string }
  | {
      type: 'answer';
      id: number;
      tokens: number[];
      /** The rationale's sum of token log-probabilities (EOS included), as generate reports it. */
      score: number;
      text: string;
      answer: string | null;
      answerText: string | null;
      ms: { retrieve: number; rerank: number; generate: number };
    }
  | { type: 'error'; id?: number; message: string };
