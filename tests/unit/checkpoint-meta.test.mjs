// The page's reading of a checkpoint's metadata (www/src/pure/checkpoint-meta.ts) on real
// files: the pretrained model and a zoo model, written by `vae train` (docs/checkpoint.md:
// format vae-playground/1, trained on MNIST; the zoo's Fashion model on fashion-mnist), a
// header written here the way safetensors writes one, and files that are not checkpoints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ROOT } from './import-build.mjs';

let dir;
let read;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vae-meta-'));
  await build({ entryPoints: [join(ROOT, 'www/src/pure/checkpoint-meta.ts')], bundle: true, format: 'esm', platform: 'neutral', outfile: join(dir, 'meta.mjs'), logLevel: 'error' });
  read = (await import(pathToFileURL(join(dir, 'meta.mjs')))).checkpointMetadata;
});
after(() => dir && rm(dir, { recursive: true, force: true }));

/** A safetensors file: u64 LE header length, the JSON header (padded with spaces), data. */
function safetensors(header, data = Buffer.alloc(4)) {
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return new Uint8Array(Buffer.concat([len, Buffer.from(json), data]));
}

test('the CLI-written checkpoints name their format and data set', async () => {
  const pretrained = read(new Uint8Array(await readFile(join(ROOT, 'www/assets/pretrained.safetensors'))));
  assert.equal(pretrained.format, 'vae-playground/1');
  assert.equal(pretrained.dataset, 'mnist');
  assert.equal(JSON.parse(pretrained.config).latent, 10);
  const fashion = read(new Uint8Array(await readFile(join(ROOT, 'www/assets/models/fashion-10d.safetensors'))));
  assert.equal(fashion.dataset, 'fashion-mnist');
});

test('a header written as safetensors writes it; strings only; anything unreadable is no metadata', () => {
  const t = { dtype: 'F32', shape: [1], data_offsets: [0, 4] };
  assert.deepEqual(read(safetensors({ __metadata__: { dataset: 'own', epochs: '3' }, 'a.weight': t })), { dataset: 'own', epochs: '3' });
  assert.deepEqual(read(safetensors({ 'a.weight': t })), {});
  assert.deepEqual(read(safetensors({ __metadata__: { dataset: 7, ok: 'yes' } })), { ok: 'yes' });
  const bad = safetensors({ __metadata__: { dataset: 'own' } });
  assert.deepEqual(read(bad.subarray(0, 20)), {}, 'truncated header');
  assert.deepEqual(read(new Uint8Array(4)), {}, 'shorter than the length field');
  const garbage = new Uint8Array(64).fill(0x41);
  assert.deepEqual(read(garbage), {}, 'a length past the end');
  const notJson = new Uint8Array(16);
  notJson[0] = 8;
  notJson.fill(0x7b, 8);
  assert.deepEqual(read(notJson), {}, 'not JSON');
});
