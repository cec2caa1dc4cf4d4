import * as fs from 'node:fs';
import { InputFileError } from '@kard/knowledge-base';
import type { Hit } from '../types';
import { TrecFormatError } from './errors';

/** A query to run: Pyserini's topics, read from `qid<TAB>query` lines. */
export interface Topic {
  qid: string;
  query: string;
}

/** Relevance judgements: qid -> docid -> grade (> 0 is relevant). */
export type Qrels = Map<string, Map<string, number>>;

/** A retrieval run: qid -> ranked documents as the run file lists them. */
export type Run = Map<string, { docid: string; score: number; rank: number }[]>;

function readLines(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputFileError(file, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot read', {
      cause: err,
    });
  }
  return text.split(/\r?\n/);
}

/**
 * Reads `qid<TAB>query` lines (blank lines skipped). A qid given twice is an error naming both lines: its run
 * would hold two rank-1 blocks under one qid, which evaluation reads as one ranking.
 */
export function readTopics(file: string): Topic[] {
  const topics: Topic[] = [];
  const lineOf = new Map<string, number>();
  readLines(file).forEach((line, i) => {
    if (line.trim() === '') return;
    const tab = line.indexOf('\t');
    if (tab <= 0) throw new TrecFormatError(file, i + 1, 'expected "qid<TAB>query"');
    const qid = line.slice(0, tab);
    const first = lineOf.get(qid);
    if (first !== undefined)
      throw new TrecFormatError(
        file,
        i + 1,
        `qid ${JSON.stringify(qid)} repeats line ${first}; each qid must be unique`,
      );
    lineOf.set(qid, i + 1);
    topics.push({ qid, query: line.slice(tab + 1) });
  });
  return topics;
}

/** Reads TREC qrels: `qid iteration docid relevance`, whitespace separated. */
export function readQrels(file: string): Qrels {
  const qrels: Qrels = new Map();
  readLines(file).forEach((line, i) => {
    if (line.trim() === '') return;
    const f = line.trim().split(/\s+/);
    const grade = Number(f[3]);
    if (f.length !== 4 || !Number.isInteger(grade)) {
      throw new TrecFormatError(file, i + 1, 'expected "qid iteration docid relevance" with an integer relevance');
    }
    let judged = qrels.get(f[0]);
    if (!judged) qrels.set(f[0], (judged = new Map()));
    judged.set(f[2], grade);
  });
  return qrels;
}

/** Reads a TREC run: `qid Q0 docid rank score tag`. Documents keep the file's order per query. */
export function readRun(file: string): Run {
  const run: Run = new Map();
  readLines(file).forEach((line, i) => {
    if (line.trim() === '') return;
    const f = line.trim().split(/\s+/);
    const rank = Number(f[3]);
    const score = Number(f[4]);
    if (f.length !== 6 || !Number.isInteger(rank) || !Number.isFinite(score)) {
      throw new TrecFormatError(file, i + 1, 'expected "qid Q0 docid rank score tag"');
    }
    let docs = run.get(f[0]);
    if (!docs) run.set(f[0], (docs = []));
    docs.push({ docid: f[2], score, rank });
  });
  return run;
}

/** TREC run lines for one query's hits: `qid Q0 docid rank score tag`, score with 6 decimals. */
export function formatRunLines(qid: string, hits: Hit[], tag: string): string {
  let out = '';
  for (const h of hits) {
    if (/\s/.test(h.id))
      throw new RangeError(`document id ${JSON.stringify(h.id)} contains whitespace and cannot go in a TREC run`);
    out += `${qid} Q0 ${h.id} ${h.rank} ${h.score.toFixed(6)} ${tag}\n`;
  }
  return out;
}
