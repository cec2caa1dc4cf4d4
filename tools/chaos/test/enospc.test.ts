// A full disk (ENOSPC) on a small tmpfs: each writer fails with a message naming what it was writing, leaves
// nothing half-written (no temp files, no folder that loads), and succeeds when run again with space.
// Mounting needs root (or CAP_SYS_ADMIN); without it the tests are skipped with a message saying so.
// Uses the built CLIs (npx nx run-many -t build).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassageStore } from '@kard/knowledge-base';
import { Bm25Index } from '@kard/retriever';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compareRuns } = require('../run-compare.cjs') as {
  compareRuns: (a: string, b: string) => Array<{ file: string; why: string }>;
};

const root = path.resolve(__dirname, '../../..');
const CORPUS = path.join(root, 'datasets/wikipedia/strategyqa_paragraphs.jsonl'); // its index needs ~4 MB
const SMALL = path.join(root, 'datasets/wikipedia/hotpotqa_paragraphs.jsonl'); // its store needs ~3 MB
const TINY = path.join(root, 'packages/pipeline/test/fixtures/tiny.config.yaml'); // its run needs ~27 MB

const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-enospc-'));
const mount = (size: string, remount = false) =>
  spawnSync('mount', ['-t', 'tmpfs', '-o', `${remount ? 'remount,' : ''}size=${size}`, 'tmpfs', mnt], {
    encoding: 'utf8',
  });
const tried = mount('2m');
const mounted = tried.status === 0;
if (!mounted)
  console.warn(
    `ENOSPC tests skipped: cannot mount a tmpfs on ${mnt} (${(tried.stderr || tried.error?.message || '').trim()}); run them as root`,
  );
const onTmpfs = mounted ? test : test.skip;

afterAll(() => {
  if (mounted) spawnSync('umount', [mnt]);
  fs.rmSync(mnt, { recursive: true, force: true });
});

function cli(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 120000 });
}

/** Empties the tmpfs and sets its size. */
function fresh(size: string) {
  for (const e of fs.readdirSync(mnt)) fs.rmSync(path.join(mnt, e), { recursive: true, force: true });
  expect(mount(size, true).status).toBe(0);
}

function expectCleanFailure(r: ReturnType<typeof cli>, prog: string, target: string) {
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`${prog}: no space left on the device writing ${target} (ENOSPC): nothing was written`);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

onTmpfs(
  'kard-retriever index: ENOSPC leaves no index and no temp folder; with space, the same index',
  () => {
    fresh('2m');
    const out = path.join(mnt, 'idx');
    const r = cli(['packages/retriever/bin/kard-retriever.js', 'index', '--corpus', CORPUS, '--out', out]);
    expectCleanFailure(r, 'kard-retriever', out);
    expect(fs.readdirSync(mnt)).toEqual([]);
    expect(() => Bm25Index.load(out)).toThrow(/no such folder/);

    expect(mount('16m', true).status).toBe(0);
    expect(cli(['packages/retriever/bin/kard-retriever.js', 'index', '--corpus', CORPUS, '--out', out]).status).toBe(0);
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-enospc-ref-'));
    expect(
      cli(['packages/retriever/bin/kard-retriever.js', 'index', '--corpus', CORPUS, '--out', elsewhere]).status,
    ).toBe(0);
    for (const f of fs.readdirSync(elsewhere).filter((f) => f !== 'manifest.json'))
      expect(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(elsewhere, f)))).toBe(true);
    expect(Bm25Index.load(out).search('mongol empire', 5)).toEqual(
      Bm25Index.load(elsewhere).search('mongol empire', 5),
    );
    fs.rmSync(elsewhere, { recursive: true, force: true });
  },
  60000,
);

onTmpfs(
  'kard-kb build: ENOSPC leaves no store and no temp folder; with space, the store opens whole',
  () => {
    fresh('2m');
    const out = path.join(mnt, 'store');
    const r = cli(['packages/knowledge-base/bin/kard-kb.js', 'build', '-i', SMALL, '-o', out]);
    expectCleanFailure(r, 'kard-kb', out);
    expect(fs.readdirSync(mnt)).toEqual([]);
    expect(() => PassageStore.open(out)).toThrow(/folder not found/);

    expect(mount('16m', true).status).toBe(0);
    expect(cli(['packages/knowledge-base/bin/kard-kb.js', 'build', '-i', SMALL, '-o', out]).status).toBe(0);
    const store = PassageStore.open(out);
    expect(store.size).toBe(fs.readFileSync(SMALL, 'utf8').trim().split('\n').length);
    store.close();
  },
  60000,
);

onTmpfs(
  'kard-train: ENOSPC mid-run fails naming the output; with space, the run finishes as an uninterrupted one',
  () => {
    fresh('8m');
    const run = path.join(mnt, 'run');
    const args = ['apps/kard-train/dist/cli.js', 'all', '-c', TINY, '--run', run];
    const r = cli(args);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/kard-train: no space left on the device writing \S+ \(ENOSPC\): nothing was written/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // temp files and folders of core's atomic writes are named .<name>.tmp-<pid>-... / .old-<pid>-...
    const all = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? [p, ...all(p)] : [p];
      });
    expect(all(run).filter((p) => /\.(tmp|old)-\d+-/.test(path.basename(p)))).toEqual([]);

    expect(mount('64m', true).status).toBe(0);
    const again = cli(args);
    expect(again.status).toBe(0);
    const reference = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-enospc-ref-'));
    expect(cli(['apps/kard-train/dist/cli.js', 'all', '-c', TINY, '--run', reference]).status).toBe(0);
    expect(compareRuns(reference, run)).toEqual([]);
    fs.rmSync(reference, { recursive: true, force: true });
  },
  120000,
);
