import type { Command } from 'commander';

/** Adds the dense-retrieval commands to the CLI (filled in by the dense side of the package). */
export function registerDenseCommands(_p: Command): void {}
