// The npm package (dist/package.json, written by scripts/build-dist.sh) as an author uses it:
// `npm pack`, installed offline into an empty folder, then (1) a TypeScript consumer checked
// against the shipped declarations, (2) a page bundled with esbuild that imports the package,
// (3) a page with a plain <script type="module"> into node_modules. Both pages reconstruct
// MNIST test digit 0, compared with the native CLI (`vae reconstruct --greyscale --json`).
// Tolerance as in widget-api.test.mjs: 1e-4 + 1e-4·|ref| (f32 on both sides, different
// summation orders: differences ~1e-6; a real error in the model's reading is > 1e-2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, ROOT } from './helpers.mjs';
import { start } from '../../scripts/serve.mjs';

const BIN = join(ROOT, 'node_modules/.bin');
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function cliDigit0() {
  const bin = process.env.VAE_BIN ?? (run('cargo', ['build', '-q', '-p', 'vae-cli'], ROOT), join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug/vae'));
  return JSON.parse(run(bin, ['reconstruct', '--model', 'www/assets/pretrained.safetensors', '--image-index', '0', '--greyscale', '--json'], ROOT)).images[0];
}

const HEAD = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>consumer</title><link rel="icon" href="data:,">`;

// Uses the API with the right types, and with wrong ones that tsc must reject.
const CONSUMER_TS = `import { VaePlayground, type ProgressDetail, type Reconstruction } from 'vae-playground';
const w: VaePlayground = document.createElement('vae-playground');
const r: Promise<Reconstruction> = w.reconstruct(new Float32Array(784));
w.addEventListener('progress', (e) => { const p: ProgressDetail = e.detail; console.log(p.step, p.testElbo ?? 'none'); });
w.addEventListener('error', (e) => console.log(e.detail.message.length));
const jsx: JSX.IntrinsicElements['vae-playground'] = { view: 'train', lr: '0.001' };
void r; void jsx;
// @ts-expect-error: pixels are a Float32Array, not a string
void w.reconstruct('a digit');
// @ts-expect-error: decode gives a Float32Array, not a Reconstruction
const wrong: Promise<Reconstruction> = w.decode(new Float32Array(10));
// @ts-expect-error: no such view
const badView: JSX.IntrinsicElements['vae-playground'] = { view: 'everything' };
// @ts-expect-error: progress details have no 'loss'
w.addEventListener('progress', (e) => e.detail.loss);
void wrong; void badView;
`;

let env;
let dir;
before(async () => {
  if (!existsSync(join(ROOT, 'dist/package.json'))) throw new Error('dist/package.json missing: run npm run build');
  env = await launch({ isolate: false });
  dir = await mkdtemp(join(tmpdir(), 'vae-package-'));
});
after(async () => {
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Opens url, waits for the widget, reconstructs digit 0 there. */
async function reconstructIn(url, x) {
  const page = await env.context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(url);
  const got = await page.evaluate(async (x) => {
    await customElements.whenDefined('vae-playground');
    const w = document.querySelector('vae-playground');
    const model = await w.ready;
    const r = await w.reconstruct(Float32Array.from(x));
    return { origin: model.origin, mean: Array.from(r.mean), reconstruction: Array.from(r.reconstruction) };
  }, x);
  await page.close();
  return { ...got, errors };
}

function close(got, want, what) {
  assert.equal(got.length, want.length, what);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= 1e-4 + 1e-4 * Math.abs(want[i]), `${what}[${i}]: ${g} vs ${want[i]}`));
}

test('npm pack → npm install (offline) → types check, a bundled page and a script tag both reconstruct as the CLI does', async () => {
  run('npm', ['pack', '--pack-destination', dir, '--silent'], join(ROOT, 'dist'));
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  assert.match(tarball, /^vae-playground-\d+\.\d+\.\d+\.tgz$/);
  const app = join(dir, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, tarball)], app);
  const installed = join(app, 'node_modules/vae-playground');
  assert.ok(existsSync(join(installed, 'vae-playground.d.ts')) && existsSync(join(installed, 'pkg/vae_wasm_bg.wasm')), 'installed with its types and wasm');

  // (1) Types: correct uses compile, each wrong one is an error (else @ts-expect-error fails).
  await writeFile(join(app, 'consumer.ts'), CONSUMER_TS);
  await writeFile(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], strict: true, noEmit: true }, files: ['consumer.ts'] }));
  run(join(BIN, 'tsc'), ['-p', 'tsconfig.json'], app);
  // ... and the same file with one @ts-expect-error removed fails: the check can fail.
  await writeFile(join(app, 'consumer.ts'), CONSUMER_TS.replace("// @ts-expect-error: pixels are a Float32Array, not a string\n", ''));
  assert.throws(() => run(join(BIN, 'tsc'), ['-p', 'tsconfig.json'], app), (e) => /consumer\.ts\(\d+,\d+\): error TS2345/.test(e.stdout));

  const x = cliDigit0();
  // (2) A bundler: esbuild bundles `import 'vae-playground'`; the package's other files go
  // next to the bundle (docs/widget.md), where the module looks for them.
  const site = join(dir, 'site');
  await cp(installed, site, { recursive: true });
  await writeFile(join(app, 'main.js'), `import { VaePlayground } from 'vae-playground';\ndocument.body.append(Object.assign(document.createElement('vae-playground'), { id: 'w' }));\nconsole.log(VaePlayground.name);\n`);
  run(join(BIN, 'esbuild'), ['main.js', '--bundle', '--format=esm', `--outfile=${join(site, 'app.js')}`, '--log-level=warning'], app);
  await writeFile(join(site, 'index.html'), `${HEAD}<script type="module" src="app.js"></script></head><body></body></html>`);
  // (3) The plain script tag, straight from node_modules.
  await writeFile(join(app, 'plain.html'), `${HEAD}<script type="module" src="node_modules/vae-playground/vae-playground.js"></script></head><body><vae-playground view="draw"></vae-playground></body></html>`);

  const servers = [await start(0, site, { isolate: false }), await start(0, app, { isolate: false })];
  try {
    for (const url of [`${servers[0].url}index.html`, `${servers[1].url}plain.html`]) {
      const got = await reconstructIn(url, x.x);
      assert.equal(got.origin, 'pretrained', url);
      close(got.mean, x.mu, `${url} mean`);
      close(got.reconstruction, x.reconstruction, `${url} reconstruction`);
      assert.deepEqual(got.errors, [], url);
    }
  } finally {
    for (const s of servers) await s.close();
  }
});
