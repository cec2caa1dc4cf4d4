import { SingleBar } from 'cli-progress';

/** A passages-embedded bar on stderr: shown when stderr is a TTY or `enabled` is true, hidden when false. */
export class EmbedProgress {
  private readonly bar?: SingleBar;
  private value = 0;

  constructor(label: string, total: number | undefined, enabled: boolean | undefined) {
    if (!(enabled ?? Boolean(process.stderr.isTTY))) return;
    const format =
      total === undefined
        ? `${label} {value} passages | {duration_formatted}`
        : `${label} [{bar}] {percentage}% | {value}/{total} passages | eta {eta_formatted}`;
    this.bar = new SingleBar({ format, stream: process.stderr, hideCursor: true, noTTYOutput: true });
    this.bar.start(total ?? 0, 0);
  }

  increment(n: number): void {
    this.value += n;
    this.bar?.update(this.value);
  }

  stop(): void {
    this.bar?.stop();
  }
}
