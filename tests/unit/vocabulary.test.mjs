// The page's settings against the core's vocabulary (www/src/pure/vocabulary.json, which
// crates/vae-core/tests/vocabulary.rs keeps equal to the core's), in Node: the defaults are
// the core's, every name offered is one the core knows, the page's ranges lie within the
// core's, and every option of the form is a value the parser accepts, the default selected.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir;
let s;
let form;
let core;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vae-unit-'));
  await build({
    entryPoints: { settings: join(ROOT, 'www/src/pure/settings.ts'), form: join(ROOT, 'www/src/app/sections-train.ts') },
    bundle: true, format: 'esm', platform: 'neutral', outdir: dir, outExtension: { '.js': '.mjs' }, logLevel: 'error',
  });
  s = await import(pathToFileURL(join(dir, 'settings.mjs')));
  form = (await import(pathToFileURL(join(dir, 'form.mjs')))).trainSection();
  core = JSON.parse(await readFile(join(ROOT, 'www/src/pure/vocabulary.json'), 'utf8'));
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("the page's defaults are the core's", () => {
  const { model, train } = core.defaults;
  const d = s.DEFAULTS;
  assert.deepEqual(
    [d.latent, d.hidden, d.activation, d.decoder, d.latent2, d.family, d.init, d.binarization, d.dataset],
    [model.latent, model.hidden[0], model.activation, model.decoder, model.latent2 ?? 0, model.family, core.defaults.init, core.defaults.binarization, core.defaults.dataset],
  );
  assert.deepEqual([Number(d.lr), d.optimizer, d.batch, d.estimator, d.samples], [train.lr, train.optimizer, train.batch_size, train.estimator, train.samples]);
  assert.equal(d.lr, '0.001', 'the rate as the decimal the core wrote');
});

test('every name the page offers is one the core knows', () => {
  for (const [key, offered] of Object.entries(s.CHOICES)) {
    const known = key === 'dataset' ? [...core.names.dataset, 'own', 'own-mnist'] : core.names[key];
    for (const v of offered) assert.ok(known.includes(v), `${key}: ${v} is not among ${known}`);
  }
  // The choices the page offers in full.
  for (const key of ['activation', 'decoder', 'family', 'optimizer', 'estimator']) assert.deepEqual([...s.CHOICES[key]].sort(), [...core.names[key]].sort(), key);
});

test("the page's ranges lie within the core's", () => {
  const l = core.limits;
  for (const key of ['latent', 'hidden', 'batch', 'samples']) assert.ok(s.PAGE_LIMITS[key] <= l[key][1], key);
  assert.ok(s.PAGE_LIMITS.latent2 <= l.latent[1]);
  assert.equal(s.parseValue('lr', String(l.lr_max)), String(l.lr_max));
  assert.equal(s.parseValue('lr', String(l.lr_max * 1.5)), undefined);
  assert.equal(s.parseValue('workers', String(l.workers[1])), l.workers[1]);
  assert.equal(s.parseValue('workers', String(l.workers[1] + 1)), undefined);
});

test("the form offers values the parser accepts, with the core's default selected", () => {
  const selects = [...form.matchAll(/<select id="opt-([a-z0-9]+)"[^>]*>([\s\S]*?)<\/select>/g)];
  assert.equal(selects.length, 17);
  for (const [, key, body] of selects) {
    const opts = [...body.matchAll(/<option(?: value="([^"]*)")?( selected)?>([^<]*)<\/option>/g)].map((m) => ({ value: m[1] ?? m[3], selected: !!m[2] }));
    assert.ok(opts.length > 1, key);
    for (const o of opts) assert.notEqual(s.parseValue(key, o.value), undefined, `${key}=${o.value}`);
    assert.deepEqual(opts.filter((o) => o.selected).map((o) => o.value), [s.formatValue(s.DEFAULTS[key])], key);
  }
  const workers = selects.find(([, key]) => key === 'workers')[2];
  assert.ok(workers.includes(`<option>${core.limits.workers[1]}</option>`), 'the largest team is offered');
});
