import * as fs from 'node:fs';
import * as path from 'node:path';
import { toJsonl, writeDirAtomic } from '@kard/core';
import type { MethodResult, Prediction } from '../eval/evaluate';
import type { RationaleLoss, RerankerMetrics } from '../eval/diagnostics';
import type { PairedTest } from '../eval/stats';
import type { LossCurve } from '../stages/student-training';
import { lossCurvesSvg } from './loss-curves';

export interface EvalReport {
  createdAt: string;
  run: string;
  dataset: { name: string; file: string; questions: number };
  settings: {
    nDocs: number;
    maxDoc: number;
    sc: number;
    maxNewTokens: number;
    noRepeatNgramSize?: number;
    answerFallback: string;
    /** Reports written before these settings existed lack them. */
    query?: string;
    decoding?: string;
    temperature?: number;
    topK?: number;
    topP?: number;
    numBeams?: number;
    lengthPenalty?: number;
    samplingSeed?: number;
  };
  methods: Array<
    Pick<
      MethodResult,
      'name' | 'accuracy' | 'ci95' | 'n' | 'unparsed' | 'scored' | 'correct' | 'sc' | 'evidenceHitRate' | 'seconds'
    >
  >;
  retrieval: { reranking?: RerankerMetrics; evidenceHitRate: Record<string, number> };
  /** The most common gold answer and its share: the accuracy of always answering it. */
  majorityClass?: { answer: string; rate: number };
  /** Exact McNemar test between every two methods, on the questions both answered. */
  paired?: Array<{ first: string; second: string } & PairedTest>;
  /** Each method against the same method of another report (kard-eval --compare), question by question. */
  compared?: {
    report: string;
    settings: Partial<EvalReport['settings']>;
    methods: Array<{ name: string; accuracy: number; otherAccuracy: number } & PairedTest>;
  };
  /** Students whose loss curves loss-curves.svg draws. */
  lossCurves?: string[];
  rationaleLoss?: RationaleLoss;
  /** Wall time of the evaluation's parts. */
  seconds?: { methods: number; reranking: number; rationaleLoss: number };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const num = (x: number | undefined, d = 3) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d));

/** One table: method by accuracy (with CI, unparsed and evidence hits), then the retrieval and loss lines. */
export function reportMarkdown(r: EvalReport): string {
  const lines = [
    `# KARD evaluation: ${r.dataset.name} (${r.dataset.questions} questions)`,
    '',
    '| method | accuracy | 95% CI | n | unparsed (scored) | gold-evidence hit |',
    '|---|---|---|---|---|---|',
    ...r.methods.map(
      (m) =>
        `| ${m.name} | ${pct(m.accuracy)} | ${pct(m.ci95[0])} – ${pct(m.ci95[1])} | ${m.n} | ${m.unparsed} ` +
        `(${m.scored}) | ${m.evidenceHitRate === undefined ? '–' : pct(m.evidenceHitRate)} |`,
    ),
    '',
  ];
  if (r.methods.some((m) => m.name === 'kard-oracle'))
    lines.push(
      "kard-oracle is the upper bound: its passages are retrieved with the teacher's rationale of each test " +
        "question (the reference's --ground_truth_doc), which no deployed student has.",
      '',
    );
  if (r.majorityClass)
    lines.push(
      `Majority class: always answering ${r.majorityClass.answer} scores ${pct(r.majorityClass.rate)} (the dashed ` +
        'line in accuracy.svg).',
      '',
    );
  if (r.paired?.length) {
    lines.push(
      'Paired comparison on the same questions (exact McNemar test: two-sided binomial on the questions only one ' +
        'method answers correctly):',
      '',
      '| first | second | n | only first right | only second right | p |',
      '|---|---|---|---|---|---|',
      ...r.paired.map(
        (t) => `| ${t.first} | ${t.second} | ${t.n} | ${t.onlyFirst} | ${t.onlySecond} | ${pValue(t.p)} |`,
      ),
      '',
    );
  }
  if (r.compared) {
    const o = r.compared.settings;
    lines.push(
      `Against ${r.compared.report} (decoding ${decodingOf(o)}), question by question (exact McNemar):`,
      '',
      '| method | accuracy here | accuracy there | n | only here right | only there right | p |',
      '|---|---|---|---|---|---|---|',
      ...r.compared.methods.map(
        (t) =>
          `| ${t.name} | ${pct(t.accuracy)} | ${pct(t.otherAccuracy)} | ${t.n} | ${t.onlyFirst} | ${t.onlySecond} | ` +
          `${pValue(t.p)} |`,
      ),
      '',
    );
  }
  const rr = r.retrieval.reranking;
  if (rr) {
    lines.push(
      `Reranker vs BM25 (${rr.reranker.n} held-out questions, target among 8): top-1 ${rr.reranker.top1.toFixed(1)} ` +
        `vs ${rr.bm25.top1.toFixed(1)}, top-3 ${rr.reranker.top3.toFixed(1)} vs ${rr.bm25.top3.toFixed(1)}, top-5 ` +
        `${rr.reranker.top5.toFixed(1)} vs ${rr.bm25.top5.toFixed(1)}.`,
      '',
    );
  }
  const rl = r.rationaleLoss;
  if (rl) {
    lines.push(
      `Validation loss per rationale token (${rl.examples} examples): KARD student with knowledge ` +
        `${num(rl.kardWithKnowledge)}, same student without ${num(rl.kardWithoutKnowledge)}, RD student (no ` +
        `knowledge) ${num(rl.rdWithoutKnowledge)}.`,
      '',
    );
  }
  const st = r.settings;
  const noRepeat = st.noRepeatNgramSize ? `, noRepeatNgramSize ${st.noRepeatNgramSize}` : '';
  const decoding =
    st.decoding === 'sample'
      ? `sampling (self-consistency ${st.sc}, temperature ${st.temperature}, top-k ${st.topK}, top-p ${st.topP})`
      : st.decoding === 'beam'
        ? `beam search (${st.numBeams} beams, length penalty ${st.lengthPenalty})`
        : st.decoding === 'greedy'
          ? 'greedy'
          : `self-consistency ${st.sc}`;
  const query = st.query ? `, retrieval query ${st.query}` : '';
  lines.push(
    `Settings: nDocs ${st.nDocs}, maxDoc ${st.maxDoc}${query}, decoding ${decoding}, ` +
      `maxNewTokens ${r.settings.maxNewTokens}${noRepeat}, ` +
      `answer fallback ${r.settings.answerFallback} (an unparsable output is answered by the option the student ` +
      `scores best after its rationale; such outputs are counted in unparsed, and in brackets when scored). ` +
      `Accuracy bars: accuracy.svg.${r.lossCurves?.length ? ` Loss curves of ${r.lossCurves.join(', ')}: loss-curves.svg.` : ''}`,
    '',
  );
  return lines.join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
/** A report's decoding in words; reports from before eval.decoding sampled exactly when sc > 1. */
const decodingOf = (o: Partial<EvalReport['settings']>) =>
  (o.decoding ?? ((o.sc ?? 1) > 1 ? 'sample' : 'greedy')) === 'sample'
    ? `sampling, sc ${o.sc}`
    : o.decoding === 'beam'
      ? `beam search, ${o.numBeams} beams`
      : 'greedy';
const pValue = (p: number) => (p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

/** A horizontal bar per method with its 95% interval as a whisker, and the majority-class rate as a dashed line. */
export function accuracySvg(r: EvalReport): string {
  const w = 560,
    rowH = 36,
    left = 120,
    plot = 380,
    top = 30;
  const h = top + rowH * r.methods.length + 30;
  const x = (v: number) => left + v * plot;
  const rows = r.methods.map((m, i) => {
    const y = top + i * rowH;
    return [
      `<text x="${left - 8}" y="${y + 20}" text-anchor="end" font-size="13">${esc(m.name)}</text>`,
      `<rect x="${left}" y="${y + 6}" width="${(m.accuracy * plot).toFixed(1)}" height="20" fill="#4c78a8"/>`,
      `<line x1="${x(m.ci95[0]).toFixed(1)}" x2="${x(m.ci95[1]).toFixed(1)}" y1="${y + 16}" y2="${y + 16}" ` +
        `stroke="#222" stroke-width="1.5"/>`,
      `<text x="${(x(m.ci95[1]) + 6).toFixed(1)}" y="${y + 20}" font-size="12">${pct(m.accuracy)}</text>`,
    ].join('');
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (t) =>
      `<line x1="${x(t)}" x2="${x(t)}" y1="${top}" y2="${h - 24}" stroke="#ddd"/><text x="${x(t)}" y="${h - 8}" ` +
      `font-size="11" text-anchor="middle">${t * 100}%</text>`,
  );
  const mc = r.majorityClass;
  const majority = mc
    ? `<line class="majority-class" x1="${x(mc.rate).toFixed(1)}" x2="${x(mc.rate).toFixed(1)}" y1="${top}" ` +
      `y2="${h - 24}" stroke="#e45756" stroke-width="1.5" stroke-dasharray="4 3"/><text x="${x(mc.rate).toFixed(1)}" ` +
      `y="${top - 2}" font-size="10" text-anchor="middle" fill="#e45756">majority class ${pct(mc.rate)}</text>`
    : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif"><text ` +
    `x="${left}" y="18" font-size="14">Accuracy on ${esc(r.dataset.name)} (n = ${r.dataset.questions}), 95% Wilson ` +
    `CI</text>${ticks.join('')}${rows.join('')}${majority}</svg>\n`
  );
}

/** What a report folder is, for writeDirAtomic's ownership check: one holding report.json. */
export const REPORT_OWNER = { kind: 'report folder', manifest: 'report.json' } as const;

/**
 * Writes report.json, report.md, accuracy.svg, loss-curves.svg (given curves) and predictions.<method>.jsonl into
 * `dir`, all at once. An existing
 * `dir` that is not empty and not a report folder is refused (OutputExistsError) unless `overwrite`.
 */
export async function writeReport(
  dir: string,
  report: EvalReport,
  predictions: Record<string, Prediction[]>,
  options: { overwrite?: boolean; lossCurves?: Record<string, LossCurve> } = {},
): Promise<void> {
  const curves = options.lossCurves && lossCurvesSvg(options.lossCurves);
  await writeDirAtomic(
    dir,
    (tmp) => {
      fs.writeFileSync(path.join(tmp, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
      fs.writeFileSync(path.join(tmp, 'report.md'), reportMarkdown(report));
      fs.writeFileSync(path.join(tmp, 'accuracy.svg'), accuracySvg(report));
      if (curves) fs.writeFileSync(path.join(tmp, 'loss-curves.svg'), curves);
      for (const [m, preds] of Object.entries(predictions))
        fs.writeFileSync(path.join(tmp, `predictions.${m}.jsonl`), toJsonl(preds));
    },
    { ...REPORT_OWNER, overwrite: options.overwrite },
  );
}
