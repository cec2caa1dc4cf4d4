// What the benches print about the machine beside their timings.
import * as os from 'node:os';

/** "load average 1.2 0.9 0.7 on 16 cores": a busy machine slows every figure, so a table says how busy it was. */
export function loadLine() {
  return `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.availableParallelism()} cores`;
}
