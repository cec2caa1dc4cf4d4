import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@kard/core';
import { hashJson } from './hash';
import { outputsChanged, recordOutputs, unrecordedOutputsProblem, type OutputRecord } from './outputs';

/** What a finished stage leaves behind: the hash of everything it read, so a rerun can tell if it is still valid. */
export interface StageMarker {
  stage: string;
  inputsHash: string;
  inputs: unknown;
  finishedAt: string;
  seconds: number;
  /** Whatever the stage reports (counts, losses, output hashes). */
  result: unknown;
  /**
   * The files the stage left under its output paths (relative to the run folder), checked before the stage is
   * skipped. Absent in markers written before outputs were recorded (see `RunFolder.stage`).
   */
  outputs?: OutputRecord[];
}

export interface StageOptions {
  /** The paths the stage writes, relative to the run folder (files or folders): recorded in its marker. */
  outputs?: string[];
}

export type StageOutcome<R> =
  { skipped: true; marker: StageMarker } | { skipped: false; marker: StageMarker; result: R };

/** One JSON object per line: the run's log, appended as it goes. */
export class JsonlLog {
  constructor(
    readonly file: string,
    private readonly echo?: (line: string) => void,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  write(event: string, fields: Record<string, unknown> = {}): void {
    fs.appendFileSync(this.file, `${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
    this.echo?.(`${event}${fields.stage ? ` ${fields.stage}` : ''}${fields.message ? `: ${fields.message}` : ''}`);
  }
}

/**
 * A run folder: `run.json`, `log.jsonl`, `data/`, `index/`, `student/`, `reranker/`, `eval/` and `.stages/`
 * (one marker per finished stage). A stage whose marker carries the same inputs hash, and whose recorded outputs
 * are still there unchanged, is skipped; any change of its inputs (config keys it reads, data hashes, the markers
 * of the stages it depends on) or of its outputs reruns it. One process at a time: see `lockRunFolder`.
 */
export class RunFolder {
  readonly log: JsonlLog;

  constructor(
    readonly dir: string,
    opts: { echo?: (line: string) => void } = {},
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.log = new JsonlLog(path.join(dir, 'log.jsonl'), opts.echo);
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  private markerFile(stage: string): string {
    return this.path('.stages', `${stage.replace(/[^a-z0-9._-]/gi, '_')}.json`);
  }

  marker(stage: string): StageMarker | undefined {
    const file = this.markerFile(stage);
    if (!fs.existsSync(file)) return undefined;
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as StageMarker;
    } catch {
      return undefined; // a torn marker means the stage is not known to be done
    }
  }

  /** Whether `stage` finished with exactly these inputs. */
  isDone(stage: string, inputs: unknown): boolean {
    return this.marker(stage)?.inputsHash === hashJson(inputs);
  }

  /** Forgets a stage (its outputs stay until it reruns). */
  invalidate(stage: string): void {
    fs.rmSync(this.markerFile(stage), { force: true });
  }

  private workPath(stage: string): string {
    return this.path('.work', stage.replace(/[^a-z0-9._-]/gi, '_'));
  }

  /**
   * A scratch folder for a stage's resumable work (checkpoints), tied to its inputs: when the inputs changed
   * since the folder was made, the stale work is wiped, so a resume never continues from other data.
   */
  workDir(stage: string, inputs: unknown): string {
    const dir = this.workPath(stage);
    const stamp = path.join(dir, 'inputs.sha256');
    const hash = hashJson(inputs);
    if (fs.existsSync(dir) && (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== hash))
      fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.existsSync(stamp)) writeFileAtomic(stamp, hash);
    return dir;
  }

  /**
   * Why a marker's outputs cannot be trusted any more (a recorded file missing or changed), or undefined. A marker
   * from before outputs were recorded is trusted as long as each of `outputs` exists and its safetensors files
   * have the size their headers give.
   */
  outputsChanged(marker: StageMarker, outputs: readonly string[] = []): string | undefined {
    if (marker.outputs) return outputsChanged(this.dir, marker.outputs);
    return unrecordedOutputsProblem(this.dir, outputs);
  }

  /**
   * Runs `fn` unless the stage is done with these inputs and its outputs are as it left them; on success writes
   * the marker (atomically), recording `opts.outputs`. Markers written before outputs were recorded keep their
   * hash and are trusted when their output paths exist; such a marker is upgraded on its next skip by recording
   * the outputs found then, so later changes are caught.
   */
  async stage<R>(
    stage: string,
    inputs: unknown,
    fn: (workDir: string) => Promise<R>,
    opts: StageOptions = {},
  ): Promise<StageOutcome<R>> {
    const inputsHash = hashJson(inputs);
    const previous = this.marker(stage);
    const changed = previous?.inputsHash === inputsHash ? this.outputsChanged(previous, opts.outputs) : undefined;
    if (previous?.inputsHash === inputsHash && changed === undefined) {
      // a kill between the marker and the cleanup below leaves the finished stage's checkpoints behind
      fs.rmSync(this.workPath(stage), { recursive: true, force: true });
      if (!previous.outputs && opts.outputs) {
        previous.outputs = recordOutputs(this.dir, opts.outputs);
        this.writeMarker(previous);
      }
      this.log.write('stage-skip', { stage, message: 'already done with the same inputs', inputsHash });
      return { skipped: true, marker: previous };
    }
    this.log.write('stage-start', {
      stage,
      inputsHash,
      ...(changed
        ? { message: `${changed}; rerunning` }
        : previous
          ? { message: 'inputs changed: rerunning', previousHash: previous.inputsHash }
          : {}),
    });
    const started = Date.now();
    const work = this.workDir(stage, inputs);
    let result: R;
    try {
      result = await fn(work);
    } catch (err) {
      this.log.write('stage-failed', { stage, message: (err as Error).message });
      throw err;
    }
    const marker: StageMarker = {
      stage,
      inputsHash,
      inputs,
      finishedAt: new Date().toISOString(),
      seconds: (Date.now() - started) / 1000,
      result,
      ...(opts.outputs ? { outputs: recordOutputs(this.dir, opts.outputs) } : {}),
    };
    this.writeMarker(marker);
    fs.rmSync(work, { recursive: true, force: true });
    this.log.write('stage-done', { stage, seconds: marker.seconds });
    return { skipped: false, marker, result };
  }

  private writeMarker(marker: StageMarker): void {
    fs.mkdirSync(path.dirname(this.markerFile(marker.stage)), { recursive: true });
    writeFileAtomic(this.markerFile(marker.stage), `${JSON.stringify(marker, null, 2)}\n`);
  }
}
