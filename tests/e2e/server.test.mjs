// scripts/serve.mjs: headers that make the page cross-origin isolated, MIME types the
// browser insists on (wasm streaming compile needs application/wasm), and nothing served
// from outside the repo or from hidden folders.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { start, resolvePath } from '../../scripts/serve.mjs';

let server;
before(async () => {
  server = await start(0);
});
after(async () => {
  await server?.close();
});

/** Raw GET (fetch would normalise away the ".." we want to send). */
function get(path, method = 'GET') {
  return new Promise((ok, fail) => {
    const req = request({ host: 'localhost', port: server.port, path, method }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('serves index.html at / with COOP/COEP', async () => {
  const r = await get('/');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/html/);
  assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.match(r.body.toString(), /<title>The VAE playground<\/title>/);
});

test('MIME types', async () => {
  for (const [path, type] of [
    ['/scripts/serve.mjs', /^text\/javascript/],
    ['/www/style.css', /^text\/css/],
    ['/package.json', /^application\/json/],
  ]) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.match(r.headers['content-type'], type, path);
  }
  const head = await get('/www/style.css', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.ok(Number(head.headers['content-length']) > 0);
});

test('built files: wasm as application/wasm, .gz without Content-Encoding', async (t) => {
  const wasm = await get('/www/build/pkg/vae_wasm_bg.wasm', 'HEAD');
  if (wasm.status === 404) return t.skip('not built');
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  const gz = await get('/www/build/data/mnist/t10k-labels-idx1-ubyte.gz');
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-type'], 'application/octet-stream');
  assert.equal(gz.headers['content-encoding'], undefined);
  assert.deepEqual([...gz.body.subarray(0, 2)], [0x1f, 0x8b]);
});

test('404s: missing files, directories, traversal, hidden files, bad escapes', async () => {
  for (const path of ['/nope.html', '/www', '/www/', '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/www/..%2f..%2f..%2fetc/passwd', '/.git/config', '/www/%E0%A4%A', '/a%00b']) {
    const r = await get(path);
    assert.equal(r.status, 404, path);
    assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
  }
  assert.equal((await get('/', 'POST')).status, 405);
});

test('resolvePath keeps to the root', () => {
  assert.equal(resolvePath('/srv', '/a/b.js'), '/srv/a/b.js');
  assert.equal(resolvePath('/srv', '/a/../../x'), null);
  assert.equal(resolvePath('/srv', '/..'), null);
  assert.equal(resolvePath('/srv', '/.env'), null);
  assert.equal(resolvePath('/srv', '/'), '/srv/index.html');
});
