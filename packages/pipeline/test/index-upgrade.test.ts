// A run folder whose index was written by an older index format (a @kard/retriever upgrade) gets it rebuilt by the
// index stage, with the same stage hash, instead of every later load failing with "rebuild the index".
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BM25_INDEX_VERSION, Bm25Index } from '@kard/retriever';
import { loadConfig, RunFolder, TrainingPipeline } from '../src';
import { recordOutputs } from '../src/run/outputs';
import { writeCorpusSlice } from './corpus-slice';

test('an index of an older format version is rebuilt in place; its marker hash stays', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-index-upgrade-'));
  try {
    const corpus = writeCorpusSlice(dir);
    const cfg = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), {
      run: path.join(dir, 'run'),
      'knowledge.corpus': [corpus],
    });
    const runIndex = () => new TrainingPipeline(cfg, new RunFolder(cfg.run)).runStage('index');
    await runIndex();
    const markerFile = path.join(cfg.run, '.stages', 'index.json');
    const hash = JSON.parse(fs.readFileSync(markerFile, 'utf8')).inputsHash;
    const fresh = Bm25Index.load(path.join(cfg.run, 'index')).search('genghis khan empire', 5);
    expect(fresh.length).toBeGreaterThan(0);

    // what an older release left: the same folder, its manifest saying version 1
    const manifestFile = path.join(cfg.run, 'index', 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, version: BM25_INDEX_VERSION - 1 }));
    // ... and the marker that release wrote, recording those very files (so the outputs check alone passes them)
    const marker = JSON.parse(fs.readFileSync(markerFile, 'utf8'));
    fs.writeFileSync(markerFile, JSON.stringify({ ...marker, outputs: recordOutputs(cfg.run, ['index']) }));
    expect(() => Bm25Index.load(path.join(cfg.run, 'index'))).toThrow(/rebuild the index/);

    await runIndex();
    expect(JSON.parse(fs.readFileSync(manifestFile, 'utf8')).version).toBe(BM25_INDEX_VERSION);
    expect(JSON.parse(fs.readFileSync(markerFile, 'utf8')).inputsHash).toBe(hash);
    expect(Bm25Index.load(path.join(cfg.run, 'index')).search('genghis khan empire', 5)).toEqual(fresh);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
