/**
 * Lets queued I/O callbacks and signal handlers run (a resolved promise alone would not: its continuation is a
 * microtask). Training steps are synchronous, so trainers await this between steps for Ctrl-C / SIGTERM to work.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
