#!/usr/bin/env node
// The `kard-reranker` command: a committed file that loads the build, because npm links a workspace's bins at install
// time only if their files exist then, and dist/ is built afterwards.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error(
    `kard-reranker: ${cli} is not built yet; run \`npm run build\` (or \`npx nx run @kard/reranker:build\`) first.`,
  );
  process.exit(1);
}
require(cli);
