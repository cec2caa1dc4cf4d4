import { Writable } from 'node:stream';
import { createProgress, noProgress, progressShown } from './progress';

/** A stream that records what is written to it; `isTTY` as asked. */
function capture(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as Writable & { isTTY?: boolean; columns?: number; cursorTo?: unknown; clearLine?: unknown; moveCursor?: unknown };
  stream.isTTY = isTTY;
  if (isTTY) {
    stream.columns = 120;
    stream.cursorTo = (_x: number, _y: unknown, cb?: () => void) => (cb?.(), true);
    stream.clearLine = (_d: number, cb?: () => void) => (cb?.(), true);
    stream.moveCursor = (_dx: number, _dy: number, cb?: () => void) => (cb?.(), true);
  }
  return { stream, text: () => chunks.join('') };
}

function run(options: Parameters<typeof createProgress>[0]) {
  const p = createProgress(options);
  p.update(5, { loss: '0.500' });
  p.increment(2);
  p.stop();
  return p;
}

test('silent when the stream is not a TTY', () => {
  const out = capture(false);
  expect(run({ label: 'train', total: 10, stream: out.stream })).toBe(noProgress);
  expect(out.text()).toBe('');
});

test('silent in --json mode even on a TTY or when forced', () => {
  const tty = capture(true);
  expect(run({ label: 'train', total: 10, stream: tty.stream, json: true, show: true })).toBe(noProgress);
  expect(tty.text()).toBe('');
  expect(progressShown({ json: true, show: true })).toBe(false);
});

test('show: false hides the bar on a TTY', () => {
  const tty = capture(true);
  run({ label: 'train', total: 10, stream: tty.stream, show: false });
  expect(tty.text()).toBe('');
});

test('draws on a TTY: the label, the final position and the payload', () => {
  const tty = capture(true);
  run({
    label: 'train',
    total: 10,
    stream: tty.stream,
    format: '{label} {value}/{total} loss {loss}',
    payload: { label: 'train', loss: '-' },
  });
  expect(tty.text()).toContain('train 7/10 loss 0.500');
});

test('forced onto a pipe, the default format names label, count and unit', () => {
  const pipe = capture(false);
  run({ label: 'store', total: 10, unit: 'passages', stream: pipe.stream, show: true });
  expect(pipe.text()).toContain('store');
  expect(pipe.text()).toContain('7/10 passages');
});

test('noProgress accepts every call', () => {
  expect(() => {
    noProgress.update(1);
    noProgress.increment();
    noProgress.setTotal(3);
    noProgress.stop();
  }).not.toThrow();
});
