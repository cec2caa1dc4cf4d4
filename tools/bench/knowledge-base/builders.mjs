#!/usr/bin/env node
// kard-kb builders at scale: a synthetic MediaWiki dump (.xml.bz2) and a synthetic PubMed baseline (.xml.gz) of
// BENCH_KB_MB megabytes of XML each (default 2048: multi-GB), generated once from the shipped Wikipedia paragraphs'
// words, then read by WikipediaParagraphs (bzip2 through lbzip2 and through the pure-JS fallback) and
// PubmedAbstracts, each in its own process: seconds, MB/s of compressed input, passages/s and peak RSS.
// Peak RSS that stays flat as BENCH_KB_MB grows is the bounded-memory check (run two sizes).
// Run: npx nx run @kard/knowledge-base:build && BENCH_KB_MB=100 nice -n 10 node tools/bench/knowledge-base/builders.mjs
//      [BENCH_KB_DIR=/tmp/kard-bench-kb] [BENCH_KB_CASES=wiki-lbzip2,wiki-js,pubmed]
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { loadLine } from '../lib/host.mjs';
import { random } from '../lib/random.mjs';

const require = createRequire(import.meta.url);
const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '../../..');
const MB = Number(process.env.BENCH_KB_MB ?? 2048);
const DIR = process.env.BENCH_KB_DIR ?? path.join(os.tmpdir(), 'kard-bench-kb');
const CASES = (process.env.BENCH_KB_CASES ?? 'wiki-lbzip2,wiki-js,pubmed').split(',');

async function child(kind, file) {
  const { WikipediaParagraphs, PubmedAbstracts } = require('@kard/knowledge-base');
  const source = kind === 'pubmed' ? new PubmedAbstracts(file) : new WikipediaParagraphs(file);
  const t = process.hrtime.bigint();
  let passages = 0;
  let chars = 0;
  for await (const p of source) {
    passages++;
    chars += p.text.length;
  }
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(
    JSON.stringify({
      seconds,
      passages,
      chars,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      stats: source.stats,
    }),
  );
}

const words = fs
  .readFileSync(path.join(root, 'datasets/wikipedia/strategyqa_paragraphs.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .flatMap((l) =>
    JSON.parse(l)
      .text.split(/\s+/)
      .filter((w) => /^[\p{L}\p{N}.,;'()-]+$/u.test(w)),
  );
const xml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Writes `target` XML megabytes made by `record(i, rand)` through `compress` (a stream) into `file`. */
async function generate(file, head, tail, record, compress) {
  const rand = random(7);
  const out = fs.createWriteStream(`${file}.tmp`);
  compress.pipe(out);
  const write = (s) => (compress.write(s) ? undefined : new Promise((r) => compress.once('drain', r)));
  await write(head);
  let bytes = 0;
  for (let i = 0; bytes < MB * 2 ** 20; i++) {
    const s = record(i, rand);
    bytes += Buffer.byteLength(s);
    await write(s);
  }
  compress.end(tail);
  await new Promise((r) => out.on('finish', r));
  fs.renameSync(`${file}.tmp`, file);
}

const sentence = (rand, n) => Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(' ');

function wikiPage(i, rand) {
  const title = `Synthetic article ${i}`;
  if (i % 10 === 9)
    return `<page><title>Redirect ${i}</title><ns>0</ns><id>${i}</id><redirect title="${title}"/><revision><text>#REDIRECT [[${title}]]</text></revision></page>\n`;
  if (i % 20 === 5)
    return `<page><title>Talk:${title}</title><ns>1</ns><id>${i}</id><revision><text>${xml(sentence(rand, 30))}</text></revision></page>\n`;
  const paragraphs = [];
  for (let p = 0, n = 2 + Math.floor(rand() * 6); p < n; p++) {
    const s = sentence(rand, 40 + Math.floor(rand() * 80)).split(' ');
    s[3] = `[[${s[3]}|${s[3]}]]`;
    s[8] = `'''${s[8]}'''`;
    paragraphs.push(`${s.join(' ')}<ref>{{cite web|url=http://example.org/${i}|title=Source}}</ref>.`);
  }
  const text = `{{Infobox thing|name=${title}}}\n${paragraphs.join('\n\n')}\n\n== See also ==\n* [[Other ${i}]]\n\n[[Category:Synthetic]]`;
  return `<page><title>${title}</title><ns>0</ns><id>${i}</id><revision><text xml:space="preserve">${xml(text)}</text></revision></page>\n`;
}

function pubmedArticle(i, rand) {
  const sections =
    i % 3 === 0
      ? ['BACKGROUND', 'METHODS', 'RESULTS']
          .map((l) => `<AbstractText Label="${l}">${xml(sentence(rand, 50))}</AbstractText>`)
          .join('')
      : `<AbstractText>${xml(sentence(rand, 150))}</AbstractText>`;
  const abstract = i % 17 === 0 ? '' : `<Abstract>${sections}</Abstract>`;
  return `<PubmedArticle><MedlineCitation><PMID Version="1">${i + 1}</PMID><Article><ArticleTitle>${xml(sentence(rand, 12))}</ArticleTitle>${abstract}</Article></MedlineCitation></PubmedArticle>\n`;
}

function lbzip2Stream() {
  const p = spawn('lbzip2', ['-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const { stdin, stdout } = p;
  stdin.pipe = (dest) => stdout.pipe(dest);
  return stdin;
}

async function main() {
  fs.mkdirSync(DIR, { recursive: true });
  const wiki = path.join(DIR, `enwiki-synthetic-${MB}MB.xml.bz2`);
  const pubmed = path.join(DIR, `pubmed-synthetic-${MB}MB.xml.gz`);
  if (!fs.existsSync(wiki) && CASES.some((c) => c.startsWith('wiki')))
    await generate(wiki, '<mediawiki>\n', '</mediawiki>\n', wikiPage, lbzip2Stream());
  if (!fs.existsSync(pubmed) && CASES.includes('pubmed'))
    await generate(
      pubmed,
      '<PubmedArticleSet>\n',
      '</PubmedArticleSet>\n',
      pubmedArticle,
      zlib.createGzip({ level: 6 }),
    );
  console.log(`${MB} MB of XML per input; ${loadLine()}`);
  console.log(
    '| builder | input | compressed MB | seconds | MB/s (compressed) | MB/s (XML) | passages | passages/s | peak RSS (MiB) |',
  );
  console.log(
    '| ------- | ----- | ------------: | ------: | ----------------: | ---------: | -------: | ---------: | -------------: |',
  );
  for (const c of CASES) {
    const file = c === 'pubmed' ? pubmed : wiki;
    const env = { ...process.env, KARD_BZIP2: c === 'wiki-js' ? 'js' : 'auto' };
    const line = execFileSync(process.execPath, [here, '--child', c === 'pubmed' ? 'pubmed' : 'wiki', file], {
      encoding: 'utf8',
      env,
    });
    const r = JSON.parse(line.trim().split('\n').pop());
    const compressed = fs.statSync(file).size / 2 ** 20;
    const builder =
      c === 'pubmed'
        ? 'PubmedAbstracts (gzip)'
        : `WikipediaParagraphs (bzip2, ${c === 'wiki-js' ? 'pure JS' : 'lbzip2'})`;
    console.log(
      `| ${builder} | ${path.basename(file)} | ${compressed.toFixed(1)} | ${r.seconds.toFixed(1)} | ${(compressed / r.seconds).toFixed(2)} | ` +
        `${(MB / r.seconds).toFixed(2)} | ${r.passages.toLocaleString()} | ${Math.round(r.passages / r.seconds).toLocaleString()} | ${r.peakRssMiB.toFixed(0)} |`,
    );
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();
