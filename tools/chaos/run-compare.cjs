// Compares two kard-train run folders file by file: the chaos suite's definition of "identical outputs".
//
// Every file is compared byte for byte, except:
// - log.jsonl: the run's history (start, kills, resumes, skips), which differs by design after an interruption;
// - in the JSON metadata files (run.json, .stages/*.json and every manifest.json), the fields listed in
//   VOLATILE_FIELDS, and the run folder's own path (the two runs live in different folders).
// Both folders must hold the same set of files: a temp file or a checkpoint folder left behind is a difference.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Files left out entirely, with the reason. */
const EXCLUDED_FILES = {
  'log.jsonl': 'the history of the processes that ran (start, resumed, stage-skip events): differs by design',
};

/** JSON fields dropped (at any depth) from the metadata files before comparing, with the reason. */
const VOLATILE_FIELDS = {
  finishedAt: 'timestamp',
  updatedAt: 'timestamp',
  createdAt: 'timestamp',
  seconds: 'timing',
  tokensPerSecond: 'timing',
  resumedFromStep: 'which checkpoint the last process resumed from (0 when it did not)',
  firstLoss: 'first training loss seen by the last process (a resumed process starts after its checkpoint)',
  finalLoss: 'mean training loss of the steps run by the last process (ditto)',
  outputs:
    "a stage marker's record of its output files (path, size, fingerprint): each of those files is compared " +
    'itself, and the fingerprints of manifests cover their timestamps',
};

/** The metadata files whose VOLATILE_FIELDS are ignored (paths relative to the run folder, / separated). */
function isMetadataFile(rel) {
  return rel === 'run.json' || /^\.stages\/[^/]+\.json$/.test(rel) || path.posix.basename(rel) === 'manifest.json';
}

/** Every file under `dir` (relative, / separated), sorted; folders are listed only when empty. */
function listFiles(dir) {
  const out = [];
  const walk = (rel) => {
    const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    if (entries.length === 0 && rel) out.push(`${rel}/`);
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out.sort();
}

function normalised(file, runDir) {
  const text = fs.readFileSync(file, 'utf8').split(runDir).join('<run>');
  const strip = (v) => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .filter((k) => !(k in VOLATILE_FIELDS))
          .sort()
          .map((k) => [k, strip(v[k])]),
      );
    return v;
  };
  return JSON.stringify(strip(JSON.parse(text)));
}

/**
 * The differences between run folders `a` and `b` (empty when they hold identical outputs):
 * `{ file, why }` for each file missing on one side or different.
 */
function compareRuns(a, b) {
  const keep = (f) => !(f in EXCLUDED_FILES);
  const fa = listFiles(a).filter(keep);
  const fb = listFiles(b).filter(keep);
  const diffs = [];
  const inB = new Set(fb);
  const inA = new Set(fa);
  for (const f of fa) if (!inB.has(f)) diffs.push({ file: f, why: `only in ${a}` });
  for (const f of fb) if (!inA.has(f)) diffs.push({ file: f, why: `only in ${b}` });
  for (const f of fa) {
    if (!inB.has(f) || f.endsWith('/')) continue;
    const pa = path.join(a, f);
    const pb = path.join(b, f);
    if (isMetadataFile(f)) {
      let same;
      try {
        same = normalised(pa, a) === normalised(pb, b);
      } catch (err) {
        diffs.push({ file: f, why: `unreadable JSON: ${err.message}` });
        continue;
      }
      if (!same) diffs.push({ file: f, why: 'JSON differs (beyond timestamps and timings)' });
    } else if (!fs.readFileSync(pa).equals(fs.readFileSync(pb))) {
      diffs.push({ file: f, why: 'bytes differ' });
    }
  }
  return diffs;
}

module.exports = { EXCLUDED_FILES, VOLATILE_FIELDS, isMetadataFile, listFiles, compareRuns };
