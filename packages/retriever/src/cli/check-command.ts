import { Command } from 'commander';
import { KardError } from '@kard/core';
import { checkBm25Index } from '../sparse';
import type { CliIo } from './io';

/** Thrown (exit 1) when `kard-retriever check` finds a problem; the summary is already printed. */
export class IndexCheckFailed extends KardError {
  constructor(dir: string, problems: number) {
    super(`index ${dir}: ${problems} problem${problems === 1 ? '' : 's'} found (rebuild the index)`);
    this.name = 'IndexCheckFailed';
  }
}

export function checkCommand(io: CliIo): Command {
  return new Command('check')
    .description(
      "Verify a BM25 index folder: every file's size and crc32, document rows in range, term frequencies >= 1, lengths consistent, ids and terms unique",
    )
    .argument('<index>', 'index folder written by `kard-retriever index`')
    .action((dir: string) => {
      const started = Date.now();
      const r = checkBm25Index(dir);
      const m = r.manifest;
      io.stdout(
        `index ${dir}: ${m.format} version ${m.version}, ${m.counts.documents} documents, ${m.counts.terms} terms, ${m.counts.postings} postings\n`,
      );
      const width = Math.max(...r.files.map((f) => f.file.length));
      for (const f of r.files) {
        const status = { ok: 'crc32 ok', mismatch: 'crc32 MISMATCH' }[f.checksum];
        io.stdout(`  ${f.file.padEnd(width)} ${String(f.bytes).padStart(12)} bytes  ${status}\n`);
      }
      for (const p of r.problems) io.stdout(`problem: ${p}\n`);
      const seconds = ((Date.now() - started) / 1000).toFixed(2);
      if (r.problems.length > 0) throw new IndexCheckFailed(dir, r.problems.length);
      io.stdout(
        `ok in ${seconds} s: checksums match, document rows in range, term frequencies >= 1, lengths match postings, ids and terms unique\n`,
      );
    });
}
