import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeCliError, KardError } from '@kard/core';
import { PassageStore } from '../store/passage-store';
import { createProgram } from './program';

const fixture = (name: string) => path.join(__dirname, '../../test/fixtures', name);

let work: string;
let out: string[];
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'kb-cli-'));
  out = [];
  jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(work, { recursive: true, force: true });
});

const run = (...args: string[]) =>
  createProgram((root) => root.exitOverride().configureOutput({ writeOut: (s) => void out.push(s) })).parseAsync([
    'node',
    'kard-kb',
    ...args,
  ]);

describe('kard-kb', () => {
  test('wikipedia --out FILE.jsonl writes the paragraphs as JSONL', async () => {
    const file = path.join(work, 'wiki.jsonl');
    await run('wikipedia', '--dump', fixture('enwiki-sample.xml.bz2'), '--out', file, '--no-progress');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((p) => p.id)).toEqual([
      'Genghis_Khan-1',
      'Genghis_Khan-2',
      'Genghis_Khan-3',
      'Genghis_Khan-4',
      'Onon_River-1',
      'Onon_River-2',
    ]);
    expect(out).toContain('2 articles (skipped 1 redirects, 2 non-article pages)');
  });

  test('build --skip-malformed reports skipped lines, info and get read the store', async () => {
    const dir = path.join(work, 'store');
    await run(
      'build',
      '-i',
      fixture('malformed.jsonl'),
      fixture('dpr.tsv'),
      '--skip-malformed',
      '-o',
      dir,
      '--no-progress',
    );
    expect(out).toContain(`${fixture('malformed.jsonl')}: 4 passages (jsonl), skipped 2 malformed (lines 3, 5)`);
    expect(out).toContain(`${fixture('dpr.tsv')}: 2 passages (dpr-tsv)`);
    const store = PassageStore.open(dir);
    expect(store.size).toBe(6);
    expect(store.manifest.source).toBe('kard-kb build malformed.jsonl dpr.tsv');
    store.close();
    out = [];
    await run('get', dir, 'd', '2');
    expect(out.map((l) => JSON.parse(l).id)).toEqual(['d', '2']);
    out = [];
    await run('info', dir);
    expect(out[0]).toMatch(/passage store version 1, 6 passages/);
  });

  test('pubmed builds a store; a malformed corpus stops the build with file:line and leaves nothing', async () => {
    await run('pubmed', '-i', fixture('pubmed-sample.xml.gz'), '-o', path.join(work, 'pm'), '--no-progress');
    const pm = PassageStore.open(path.join(work, 'pm'));
    expect(pm.get('PMID:25429730')?.title).toBe('Effect of CO2 & temperature on E. coli growth.');
    pm.close();
    await expect(run('build', '-i', fixture('malformed.jsonl'), '-o', path.join(work, 'bad'))).rejects.toThrow(
      `${fixture('malformed.jsonl')}:3:`,
    );
    expect(existsSync(path.join(work, 'bad'))).toBe(false);
  });

  test('build warns about bytes that are not UTF-8 and counts them; --strict refuses them, leaving nothing', async () => {
    const corpus = path.join(work, 'latin1.jsonl');
    writeFileSync(
      corpus,
      Buffer.concat([
        Buffer.from('{"id": "a", "contents": "plain"}\n'),
        Buffer.from([...Buffer.from('{"id": "b", "contents": "caf'), 0xe9, 0xe9, ...Buffer.from('"}\n')]),
      ]),
    );
    const errors: string[] = [];
    jest.spyOn(console, 'error').mockImplementation((...a) => void errors.push(a.join(' ')));
    const dir = path.join(work, 'store');
    await run('build', '-i', corpus, '-o', dir, '--no-progress');
    expect(out).toContain(`${corpus}: 2 passages (pyserini), 2 invalid UTF-8 sequences read as U+FFFD (first: line 2)`);
    expect(errors).toEqual([
      `warning: ${corpus}:2: 2 byte sequences not valid UTF-8 on 1 line (the first on this line), read as U+FFFD; --strict refuses them`,
    ]);
    const strict = path.join(work, 'strict');
    await expect(run('build', '-i', corpus, '-o', strict, '--strict', '--no-progress')).rejects.toThrow(
      `${corpus}:2: 2 byte sequences are not UTF-8`,
    );
    expect(existsSync(strict)).toBe(false);
  });

  test('build refuses an existing output it did not write: a KardError (printed without a stack), the data kept', async () => {
    const corpus = path.join(work, 'c.jsonl');
    writeFileSync(corpus, '{"id": "d1", "contents": "alpha"}\n');
    const file = path.join(work, 'out.jsonl');
    writeFileSync(file, 'keep\n');
    const err = await run('build', '-i', corpus, '-o', file, '--no-progress').catch((e) => e);
    expect(err).toBeInstanceOf(KardError);
    expect(describeCliError(err)).toBe(
      `${file} already exists; refusing to replace it. Pass --overwrite to replace it anyway.`,
    );
    const notes = path.join(work, 'notes');
    mkdirSync(notes);
    writeFileSync(path.join(notes, 'important.txt'), 'keep');
    const refused = await run('build', '-i', corpus, '-o', notes, '--no-progress').catch((e) => e);
    expect(describeCliError(refused)).toBe(
      `${notes} exists and is not a passage store written by KARD-TS (no manifest.json); refusing to replace it. Pass --overwrite to replace it anyway.`,
    );
    expect(readFileSync(file, 'utf8')).toBe('keep\n');
    expect(readFileSync(path.join(notes, 'important.txt'), 'utf8')).toBe('keep');
  });

  test('--help on every command', async () => {
    for (const cmd of ['build', 'wikipedia', 'pubmed', 'info', 'get']) {
      out = [];
      await expect(run(cmd, '--help')).rejects.toMatchObject({ code: 'commander.helpDisplayed' });
      expect(out.join('')).toMatch(new RegExp(`^Usage: kard-kb ${cmd} `));
    }
  });
});
