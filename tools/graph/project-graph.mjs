#!/usr/bin/env node
// Prints the workspace's project graph as Nx sees it (projects, tags, dependencies) as a list and as a Mermaid
// diagram, the picture in the root README. Usage: node tools/graph/project-graph.mjs [--mermaid]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(tmpdir(), 'kard-graph-'));
try {
  const file = path.join(dir, 'graph.json');
  execFileSync('npx', ['nx', 'graph', `--file=${file}`], { stdio: 'ignore' });
  const { nodes, dependencies } = JSON.parse(readFileSync(file, 'utf8')).graph;
  const names = Object.keys(nodes).sort();
  const deps = (n) =>
    (dependencies[n] ?? [])
      .map((d) => d.target)
      .filter((t) => nodes[t])
      .sort();
  if (process.argv.includes('--mermaid')) {
    const id = (n) => n.replace(/[^a-z0-9]/gi, '_');
    console.log('```mermaid\nflowchart BT');
    for (const n of names) console.log(`  ${id(n)}["${n}"]`);
    for (const n of names) for (const d of deps(n)) console.log(`  ${id(n)} --> ${id(d)}`);
    console.log('```');
  } else {
    for (const n of names) {
      const tags = (nodes[n].data.tags ?? []).filter((t) => !t.startsWith('npm:')).join(', ');
      console.log(`${n.padEnd(22)} [${tags}] -> ${deps(n).join(', ') || '(nothing of ours)'}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
