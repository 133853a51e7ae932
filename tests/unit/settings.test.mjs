// The settings parser and the URL hash, in Node: what reaches the store from someone
// else's link or page. A fuzz test throws random text at the parser; a property test sends
// random valid settings through the hash and back. esbuild compiles the TypeScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir;
let s;
let h;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vae-unit-'));
  await build({
    entryPoints: { settings: join(ROOT, 'www/src/pure/settings.ts'), hash: join(ROOT, 'www/src/pure/hash.ts') },
    bundle: true, format: 'esm', platform: 'neutral', outdir: dir, outExtension: { '.js': '.mjs' }, logLevel: 'error',
  });
  s = await import(pathToFileURL(join(dir, 'settings.mjs')));
  h = await import(pathToFileURL(join(dir, 'hash.mjs')));
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A seeded generator (mulberry32), so a failure can be replayed. */
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ALPHABET = 'ab019.-e+&=#%lrLATENThidenworkersauto _\u00e9\u0000';
const randomText = (r, n) => Array.from({ length: Math.floor(r() * n) }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join('');

test('valid values are read; bad ones are dropped and named', () => {
  const q = new URLSearchParams('latent=2&hidden=-5&lr=1e-3&batch=0&workers=banana&estimator=iwae');
  const { settings, rejected } = s.parseSettings((k) => q.get(k));
  assert.deepEqual(settings, { latent: 2, lr: '0.001', estimator: 'iwae' });
  assert.deepEqual(rejected.sort(), ['batch', 'hidden', 'workers']);
});

test('the learning rate stays the decimal that was written', () => {
  for (const [text, kept] of [['0.0005', '0.0005'], ['5e-4', '0.0005'], ['0.00100', '0.001'], ['1', '1']]) assert.equal(s.parseValue('lr', text), kept);
  for (const bad of ['0', '-0.1', '1.5', 'NaN', 'Infinity', '', ' ']) assert.equal(s.parseValue('lr', bad), undefined, bad);
  assert.equal(s.trainConfigOf({ ...s.DEFAULTS, lr: '0.0005' }, 1).lr, 0.0005);
});

test('fuzz: no hash, however odd, makes the parser throw, and every value it keeps is valid', () => {
  const r = rng(12);
  for (let i = 0; i < 5000; i++) {
    const hash = '#' + Array.from({ length: Math.floor(r() * 6) }, () => `${r() < 0.7 ? s.KEYS[Math.floor(r() * s.KEYS.length)] : randomText(r, 8)}=${randomText(r, 10)}`).join('&');
    const { settings, view, rejected } = h.readHash(hash);
    for (const [k, v] of Object.entries(settings)) {
      assert.ok(s.KEYS.includes(k), `unknown key ${k} from ${hash}`);
      assert.deepEqual(s.parseValue(k, s.formatValue(v)), v, `${k}=${v} from ${hash} reads back`);
    }
    assert.ok(view === null || h.VIEWS.includes(view));
    assert.ok(Array.isArray(rejected));
  }
});

test('property: valid settings and a view come back from the hash they write', () => {
  const r = rng(7);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const ints = { latent: [1, 200], hidden: [1, 2000], batch: [1, 1000], samples: [1, 100] };
  for (let i = 0; i < 2000; i++) {
    const v = {
      ...s.DEFAULTS,
      ...Object.fromEntries(Object.entries(ints).map(([k, [lo, hi]]) => [k, lo + Math.floor(r() * (hi - lo + 1))])),
      activation: pick(['relu', 'tanh']),
      decoder: pick(['bernoulli', 'gaussian']),
      dataset: pick(['mnist', 'fashion-mnist']),
      optimizer: pick(['adam', 'adagrad']),
      estimator: pick(['a', 'b', 'iwae']),
      lr: String(Number((r() * 0.999 + 0.0005).toPrecision(1 + Math.floor(r() * 4)))),
      workers: r() < 0.3 ? 'auto' : 1 + Math.floor(r() * 16),
      latent2: r() < 0.5 ? 0 : 1 + Math.floor(r() * 200),
      family: pick(['gaussian', 'laplace', 'logistic']),
      init: pick(['glorot', 'paper']),
      binarization: pick(['dynamic', 'fixed']),
    };
    const view = pick([null, ...h.VIEWS]);
    const back = h.readHash(h.hashFor(v, view));
    assert.deepEqual(back.rejected, []);
    assert.equal(back.view, view);
    assert.deepEqual({ ...s.DEFAULTS, ...back.settings }, v);
  }
});
