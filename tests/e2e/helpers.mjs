// Shared by the e2e tests: the page's server on an ephemeral port, Debian's Chromium via
// playwright-core (its own browser download cannot work offline), and a record of every
// console error and uncaught page error so each test can assert there were none.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { start } from '../../scripts/serve.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RESULTS = join(ROOT, 'test-results');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Headless as root on a machine with no network: no sandbox, no GPU, no background traffic.
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Fails early, with the fix, when the page has not been built. */
export function requireBuild() {
  for (const f of ['www/build/main.js', 'www/build/worker.js', 'www/build/pkg/vae_wasm_bg.wasm']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} missing: run npm run build:web first`);
  }
}

/** Starts the server and a browser (fresh profile). Call close() when done.
 * isolate: false serves without COOP/COEP, as an embedding page would. */
export async function launch({ isolate = true } = {}) {
  requireBuild();
  await mkdir(RESULTS, { recursive: true });
  const server = await start(0, undefined, { isolate });
  const profile = await mkdtemp(join(tmpdir(), 'vae-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 1000 },
    acceptDownloads: true,
  });
  return {
    server,
    context,
    async close() {
      await context.close();
      await server.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the page and waits for the first reconstruction. errors collects problems. */
export async function openPage(env, query = '') {
  const page = await env.context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // ERR_ABORTED is the browser cancelling a request whose page or worker went away (a reload
  // while a new worker team fetches its wasm, a team restarted): nothing a person sees fail.
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (!why.includes('ERR_ABORTED')) errors.push(`requestfailed: ${r.url()} ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(env.server.url + query);
  await page.waitForFunction(() => window.__vaeReady !== undefined, null, { timeout: 60_000 });
  return { page, errors };
}

/** The visible text of the element with data-testid `id`. */
export function text(page, id) {
  return page.getByTestId(id).innerText();
}

/** The first number in a text ("-104.3 nats", "1,234"), or NaN. */
export function number(s) {
  const m = /-?\d+(\.\d+)?/.exec(s.replaceAll(',', ''));
  return m ? Number(m[0]) : NaN;
}

/** RGBA bytes of a canvas, as a plain array. */
export function canvasPixels(page, testid) {
  return page.evaluate((id) => {
    const c = document.querySelector(`[data-testid="${id}"]`);
    return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
  }, testid);
}

/** Number of distinct grey levels (a blank canvas has one). */
export function levels(rgba) {
  const seen = new Set();
  for (let i = 0; i < rgba.length; i += 4) seen.add(rgba[i]);
  return seen.size;
}

/** Sum of absolute differences between two pixel arrays. */
export function difference(a, b) {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i] - b[i]);
  return d;
}

/** Draws a stroke through points given in fractions of the canvas, like a person would. */
export async function drawStroke(page, testid, points, steps = 8) {
  const box = await page.getByTestId(testid).boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps });
  await page.mouse.up();
}

/** Polls fn until it returns a truthy value (no timed assertions: waits are generous). */
export async function until(fn, { timeout = 60_000, interval = 250, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
}
