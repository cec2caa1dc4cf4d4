import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonFile, writeFileAtomic } from '@kard/core';
import type { KardConfig } from '../config/schema';
import type { RunFolder, StageMarker } from './run-folder';

const PACKAGES = [
  '@kard/pipeline',
  '@kard/cot-data',
  '@kard/knowledge-base',
  '@kard/retriever',
  '@kard/nn',
  '@kard/student',
  '@kard/reranker',
  '@tensorflow/tfjs-core',
];

function versionOf(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

/** `run.json`: config, versions, backend, seed, per-stage timings and input hashes (from the stage markers). */
export function writeRunInfo(
  run: RunFolder,
  cfg: KardConfig,
  backend: string,
  extra: Record<string, unknown> = {},
): void {
  const stagesDir = run.path('.stages');
  const stages = fs.existsSync(stagesDir)
    ? Object.fromEntries(
        fs
          .readdirSync(stagesDir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => {
            const m = readJsonFile<Omit<StageMarker, 'inputs'> & { inputs?: { data?: unknown; corpus?: unknown } }>(
              path.join(stagesDir, f),
            );
            return [
              m.stage,
              {
                finishedAt: m.finishedAt,
                seconds: m.seconds,
                inputsHash: m.inputsHash,
                dataHashes: m.inputs?.data ?? m.inputs?.corpus,
                result: m.result,
              },
            ];
          }),
      )
    : {};
  const info = {
    config: cfg,
    versions: Object.fromEntries(PACKAGES.map((p) => [p, versionOf(p)])),
    node: process.version,
    backend,
    seeds: { global: cfg.seed },
    stages,
    updatedAt: new Date().toISOString(),
    ...extra,
  };
  writeFileAtomic(run.path('run.json'), `${JSON.stringify(info, null, 2)}\n`);
}
