// Progress bars on stderr behind a small interface, so libraries report progress without knowing how (or whether)
// it is drawn, and output meant for machines (--json, pipes, CI logs) stays clean.
import { SingleBar } from 'cli-progress';

/** Values for the `{name}` placeholders of a format beyond cli-progress's own (`{bar}`, `{value}`, ...). */
export type ProgressPayload = Record<string, string | number>;

/** A running progress display. Every method is cheap and safe to call when nothing is shown. */
export interface Progress {
  /** Sets the absolute position (steps done, bytes read, passages written). */
  update(value: number, payload?: ProgressPayload): void;
  /** Moves the position forward by `n` (default 1). */
  increment(n?: number, payload?: ProgressPayload): void;
  /** Changes the total (for work whose size is learnt as it goes). */
  setTotal(total: number): void;
  /** Ends the display (draws the final state and releases the line). Call it in a `finally`. */
  stop(): void;
}

/** The option every long library operation takes: `true` forces a bar, `false` hides it, unset shows it on a TTY. */
export interface ProgressOption {
  progress?: boolean;
}

export interface ProgressOptions {
  /** What is counted, printed first: `store`, `train`, `reranker`. */
  label: string;
  /** Expected final value; unset shows a running count with a rate instead of a bar and an ETA. */
  total?: number;
  /** Unit named after the count in the default format (default `items`). */
  unit?: string;
  /**
   * A cli-progress format string; `{rate}` (per second since start) is always available, and `payload` fills
   * the rest. Default: `label [bar] pct | value/total unit | eta`, or `label value unit | rate/s | duration`.
   */
  format?: string;
  /** Initial values of the format's own placeholders. */
  payload?: ProgressPayload;
  /** Initial position (a resumed run starts part-way). Default 0. */
  start?: number;
  /**
   * `true` shows the bar even when the stream is not a TTY (then a line every 10 s); `false` hides it. Default: shown
   * on a TTY.
   */
  show?: boolean;
  /** Machine-readable output mode (`--json`): never shown, whatever `show` says. */
  json?: boolean;
  /** Where the bar is drawn (default process.stderr, so stdout stays data). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Progress that shows nothing: the default for library calls that were given no display. */
export const noProgress: Progress = {
  update() {},
  increment() {},
  setTotal() {},
  stop() {},
};

/** Whether a display with these options would draw anything. */
export function progressShown(options: Pick<ProgressOptions, 'show' | 'json' | 'stream'>): boolean {
  if (options.json) return false;
  return options.show ?? Boolean((options.stream ?? process.stderr).isTTY);
}

/** A progress bar on stderr when shown (see `progressShown`), otherwise `noProgress`. */
export function createProgress(options: ProgressOptions): Progress {
  if (!progressShown(options)) return noProgress;
  const unit = options.unit ?? 'items';
  const format =
    options.format ??
    (options.total === undefined
      ? `${options.label} {value} ${unit} | {rate}/s | {duration_formatted}`
      : `${options.label} [{bar}] {percentage}% | {value}/{total} ${unit} | eta {eta_formatted}`);
  const bar = new SingleBar({
    format,
    stream: options.stream ?? process.stderr,
    hideCursor: true,
    // when forced onto a pipe or a log file, print the state every 10 s rather than redraw a line
    noTTYOutput: true,
    notTTYSchedule: 10_000,
    etaBuffer: 50,
  });
  const started = Date.now();
  let value = options.start ?? 0;
  const rate = (v: number): number => {
    const seconds = (Date.now() - started) / 1000;
    return seconds > 0 ? Math.round((v - (options.start ?? 0)) / seconds) : 0;
  };
  bar.start(options.total ?? 0, value, { rate: 0, ...options.payload });
  return {
    update(v, payload) {
      value = v;
      bar.update(v, { rate: rate(v), ...payload });
    },
    increment(n = 1, payload) {
      this.update(value + n, payload);
    },
    setTotal(total) {
      bar.setTotal(total);
    },
    stop() {
      bar.stop();
    },
  };
}
