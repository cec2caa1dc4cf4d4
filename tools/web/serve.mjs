#!/usr/bin/env node
// A tiny static server for apps/kard-web: the built page at /, a web bundle at /data/. Plain files only: GET and
// HEAD, no directory listings, nothing outside the two folders (a path that climbs out is a 404). For localhost use.
//
//   node tools/web/serve.mjs [--app apps/kard-web/dist] [--data dist/kard-web-data] [--port 8080] [--host 127.0.0.1]
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.png': 'image/png',
  '.safetensors': 'application/octet-stream',
};

/**
 * Serves `app` at / and `data` at /data/. Resolves to the listening server once it accepts connections; `log`
 * receives one line per request ("GET /path 200").
 * @param {{ app: string, data: string, port?: number, host?: string, log?: (line: string) => void }} o
 * @returns {Promise<http.Server & { url: string }>}
 */
export function serveKardWeb(o) {
  const roots = [
    ['/data/', path.resolve(o.data)],
    ['/', path.resolve(o.app)],
  ];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let status = 404;
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        status = 405;
        return void res.writeHead(405).end();
      }
      const [prefix, root] = roots.find(([p]) => url.pathname.startsWith(p));
      let rel = decodeURIComponent(url.pathname.slice(prefix.length));
      if (rel === '' || rel.endsWith('/')) rel += 'index.html';
      const file = path.resolve(root, rel);
      if (!file.startsWith(root + path.sep) || !fs.statSync(file, { throwIfNoEntry: false })?.isFile())
        return void res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${url.pathname}\n`);
      status = 200;
      const size = fs.statSync(file).size;
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-length': size,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') return void res.end();
      fs.createReadStream(file).pipe(res);
    } finally {
      o.log?.(`${req.method} ${url.pathname} ${status}`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      resolve(Object.assign(server, { url: `http://${o.host ?? '127.0.0.1'}:${port}/` }));
    });
  });
}

if (process.argv[1] === import.meta.filename) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  if (process.argv.includes('--help')) {
    console.log('usage: node tools/web/serve.mjs [--app DIR] [--data DIR] [--port N] [--host H]');
    process.exit(0);
  }
  const server = await serveKardWeb({
    app: arg('app', 'apps/kard-web/dist'),
    data: arg('data', 'dist/kard-web-data'),
    port: Number(arg('port', '8080')),
    host: arg('host', '127.0.0.1'),
  });
  console.log(`kard-web: serving on ${server.url} (Ctrl-C stops)`);
}
