import { SingleBar } from 'cli-progress';

/** Shared by every long operation: `true` forces a bar, `false` hides it, unset shows it when stderr is a TTY. */
export interface ProgressOption {
  progress?: boolean;
}

/**
 * A progress bar on stderr, or nothing. With an unknown total it shows a running count and rate instead of a bar.
 */
export class Progress {
  private readonly bar?: SingleBar;
  private value = 0;
  private started = 0;

  constructor(label: string, total: number | undefined, enabled: boolean | undefined, unit = 'passages') {
    if (!(enabled ?? Boolean(process.stderr.isTTY))) return;
    const format =
      total === undefined
        ? `${label} {value} ${unit} | {rate}/s | {duration_formatted}`
        : `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | eta {eta_formatted}`;
    this.bar = new SingleBar({
      format,
      stream: process.stderr,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
      etaBuffer: 50,
    });
    this.bar.start(total ?? 0, 0, { rate: 0 });
    this.started = Date.now();
  }

  /** Sets the absolute position (bytes read, passages written). */
  update(value: number): void {
    this.value = value;
    if (!this.bar) return;
    const seconds = (Date.now() - this.started) / 1000;
    this.bar.update(value, { rate: seconds > 0 ? Math.round(value / seconds) : 0 });
  }

  increment(n = 1): void {
    this.update(this.value + n);
  }

  stop(): void {
    this.bar?.stop();
  }
}
