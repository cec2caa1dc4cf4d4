// Preloaded (node --require) into a measured child: at exit it writes the process's peak RSS (getrusage maxRSS, in
// bytes; worker threads included) to $KARD_RSS_FILE.
'use strict';
const fs = require('node:fs');

process.on('exit', () => {
  const file = process.env.KARD_RSS_FILE;
  if (file) fs.writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
});
