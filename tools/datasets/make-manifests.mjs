#!/usr/bin/env node
// Writes datasets/<name>/MANIFEST.json: source, licence, and per-file record count and sha256.
// `--check` verifies instead of writing (used by the test suite).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../datasets');

const SOURCES = {
  strategyqa: {
    description:
      'StrategyQA questions (train 2061 / dev 229, dev is a split of the public train set) with facts, decomposition ' +
      'and Wikipedia evidence ids.',
    source: 'github eladsegal/strategyqa, data/strategyqa',
    license: 'MIT',
  },
  wikipedia: {
    description:
      'Wikipedia paragraphs {id, title, text}: paragraphs around StrategyQA questions (ids are StrategyQA evidence ' +
      'ids with spaces as underscores) and HotpotQA intro paragraphs as distractors.',
    source:
      'strategyqa_paragraphs: rebuilt from github wywy136/StrategyQA data/reason/*_sents.pk; hotpotqa_paragraphs: ' +
      'HotpotQA dev subsample as processed by IRCoT (github xindili-cmu/anlp-project-multihop)',
    license: 'CC BY-SA 3.0 (StrategyQA paragraphs), CC BY-SA 4.0 (HotpotQA paragraphs)',
  },
  pubmed: {
    description: 'PubMed abstracts {id "PMID:n", title, text, year, mesh[]}.',
    source: 'github pubmedqa/pubmedqa, data/ori_pqal.json',
    license: 'MIT',
  },
  medqa: {
    description: 'MedQA-USMLE 4-option test set (jind11/MedQA jsonl format).',
    source: 'github xk-huang/medagents-benchmark',
    license: 'MIT',
  },
  obqa: {
    description:
      'OpenBookQA test/dev questions (problem/choices/answer JSON with the gold fact as cot) and the 1326 open-book ' +
      'science facts.',
    source: 'github OpenBioLink/ThoughtSource (AI2 OpenBookQA)',
    license: 'Apache-2.0',
  },
  'flan-cot': {
    description:
      'FLAN chain-of-thought training data: question TAB answer TAB rationale, for StrategyQA, QASC, ECQA and CREAK.',
    source: 'github google-research/FLAN, flan/v2/cot_data',
    license: 'Apache-2.0',
  },
};

function countRecords(file, buf) {
  const text = buf.toString('utf8');
  if (file.endsWith('.json')) {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v.length : Object.keys(v).length;
  }
  if (/\.(jsonl|tsv|txt)$/.test(file)) return text.split('\n').filter((l) => l.trim() !== '').length;
  return null;
}

function manifestFor(name) {
  const dir = path.join(root, name);
  const files = readdirSync(dir)
    .filter((f) => f !== 'MANIFEST.json' && f !== 'LICENSE')
    .sort()
    .map((f) => {
      const buf = readFileSync(path.join(dir, f));
      return {
        path: f,
        bytes: buf.length,
        records: countRecords(f, buf),
        sha256: createHash('sha256').update(buf).digest('hex'),
      };
    });
  return { name, ...SOURCES[name], files };
}

const check = process.argv.includes('--check');
let bad = 0;
for (const name of Object.keys(SOURCES)) {
  const m = manifestFor(name);
  const file = path.join(root, name, 'MANIFEST.json');
  if (check) {
    const have = JSON.parse(readFileSync(file, 'utf8'));
    if (JSON.stringify(have.files) !== JSON.stringify(m.files)) {
      console.error(`${file}: files differ from the manifest`);
      bad++;
    }
  } else {
    writeFileSync(file + '.tmp', JSON.stringify(m, null, 2) + '\n');
    renameSync(file + '.tmp', file);
    console.log(`${name}: ${m.files.map((f) => `${f.path} (${f.records})`).join(', ')}`);
  }
}
process.exit(bad ? 1 : 0);
