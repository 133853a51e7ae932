#!/usr/bin/env node
// Static server for the VAE playground: serves the repo root (index.html, /www/...).
// Plain node:http, no dependencies. The COOP/COEP headers make the page
// crossOriginIsolated (SharedArrayBuffer and precise timers become available).
//
//   node scripts/serve.mjs            # PORT env, default 8080
//   import { start } from './serve.mjs'; const s = await start(0); s.url; await s.close();
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  // Served as opaque bytes: the page gunzips .gz itself with DecompressionStream, so no
  // Content-Encoding (the browser would otherwise decompress it behind our back).
  '.gz': 'application/octet-stream',
  '.safetensors': 'application/octet-stream',
};

// COOP + COEP make the page cross-origin isolated (SharedArrayBuffer for the workers).
// Without them (isolate: false) the page must still work: that is how an embedding page
// or a plain static host serves it.
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
// The strict policy the page and the widget are built for: scripts only from this origin
// (plus compiling wasm), no inline script, no eval. Workers get it too: a worker's policy
// comes from its own script's response.
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': CSP };

/** Maps a URL path to a file under root, or null when it must not be served. */
export function resolvePath(root, urlPath) {
  let p;
  try {
    p = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null; // malformed %-escape
  }
  if (p.includes('\0') || p.includes('\\')) return null;
  if (p.endsWith('/')) p += 'index.html';
  // Hidden files and folders (.git, .env) are never served; ".." segments are refused
  // outright rather than normalised away.
  const segments = p.split('/').filter((s) => s !== '');
  if (segments.some((s) => s.startsWith('.'))) return null;
  const file = resolve(root, ...segments);
  if (file !== root && !file.startsWith(root + sep)) return null;
  return file;
}

function send(res, status, text, headers) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}

async function handle(root, req, res, headers) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'Method Not Allowed\n', headers);
  }
  const file = resolvePath(root, req.url || '/');
  if (!file) return send(res, 404, 'Not Found\n', headers);
  let info;
  try {
    info = await stat(file);
  } catch {
    return send(res, 404, 'Not Found\n', headers);
  }
  if (!info.isFile()) return send(res, 404, 'Not Found\n', headers); // no directory listings
  res.writeHead(200, {
    'Content-Type': MIME[extname(file).toLowerCase()] || 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
    ...headers,
  });
  if (req.method === 'HEAD') return res.end();
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Starts the server; port 0 picks a free one. Resolves to {server, port, url, close}.
 * isolate: false serves without COOP/COEP (a page that is not cross-origin isolated). */
export function start(port = 8080, root = ROOT, { isolate = true } = {}) {
  const absRoot = resolve(root);
  const headers = isolate ? { ...BASE_HEADERS, ...ISOLATION_HEADERS } : BASE_HEADERS;
  const server = createServer((req, res) => {
    handle(absRoot, req, res, headers).catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal Server Error\n', headers);
      else res.destroy();
    });
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, () => {
      const actual = server.address().port;
      ok({
        server,
        port: actual,
        url: `http://localhost:${actual}/`,
        close: () => new Promise((done) => {
          server.closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT || 8080);
  start(port).then(
    (s) => console.log(`VAE playground: ${s.url}`),
    (e) => {
      console.error(`serve: cannot listen on port ${port}: ${e.message}`);
      process.exit(1);
    },
  );
}

export { ROOT };
