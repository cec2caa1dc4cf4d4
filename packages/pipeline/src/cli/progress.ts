import { createProgress, progressShown, type Progress } from '@kard/core';

/** One bar per stage on stderr, shown when stderr is a TTY or when forced; otherwise a line every ~5 s. */
export function stageProgress(force?: boolean): {
  update(stage: string, done: number, total: number, info?: string): void;
  stop(): void;
} {
  const show = progressShown({ show: force });
  let bar: Progress | undefined;
  let current = '';
  let lastLine = 0;
  return {
    update(stage, done, total, info = '') {
      if (!show) {
        if (Date.now() - lastLine > 5000 || done === total) {
          process.stderr.write(`${stage}: ${done}${total ? `/${total}` : ''} ${info}\n`);
          lastLine = Date.now();
        }
        return;
      }
      if (stage !== current) {
        bar?.stop();
        bar = createProgress({
          label: stage,
          total: total || 1,
          start: done,
          payload: { info },
          show: true,
          format: `${stage.padEnd(16)} [{bar}] {value}/{total} {info} eta {eta}s`,
        });
        current = stage;
      }
      bar!.setTotal(total || Math.max(done, 1));
      bar!.update(done, { info });
    },
    stop() {
      bar?.stop();
      bar = undefined;
      current = '';
    },
  };
}
