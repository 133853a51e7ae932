// Bring your own data, as a person does it: upload files (idx, a folder of PNGs, bad ones),
// draw and add digits, reload, delete, train on the set. The references are the files the
// test writes itself from data/mnist (their counts and pixels), the 10% held-out share in
// closed form, and each image's centre of mass computed here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { canvasPixels, drawStroke, launch, number, openPage, screenshot, text, until } from './helpers.mjs';
import { ownFiles, range } from './own-files.mjs';

let env;
let own;
before(async () => {
  env = await launch();
  own = await ownFiles('vae-own-');
});
after(async () => {
  await env?.close();
  await own?.remove();
});

/** An 8-bit greyscale PNG (PNG spec: signature, IHDR, one IDAT of filter-0 rows, IEND). */
function png(grey, w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.alloc(h * (w + 1));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rows[y * (w + 1) + 1 + x] = grey[y * w + x];
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** Centre of mass (x, y) of intensities, measured at pixel centres. */
function centre(v, w, h) {
  let m = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      m += v[y * w + x];
      cx += v[y * w + x] * (x + 0.5);
      cy += v[y * w + x] * (y + 0.5);
    }
  }
  return [cx / m, cy / m];
}

/** Pearson correlation of two 28×28 images, at the best shift of b by up to 2 pixels. */
function bestCorrelation(a, b) {
  let best = -1;
  for (let dy = -2; dy <= 2; dy++) {
    for (let dx = -2; dx <= 2; dx++) {
      const s = Float32Array.from({ length: 784 }, (_, k) => {
        const x = (k % 28) - dx;
        const y = Math.floor(k / 28) - dy;
        return x >= 0 && x < 28 && y >= 0 && y < 28 ? b[y * 28 + x] : 0;
      });
      const mean = (v) => v.reduce((p, q) => p + q, 0) / v.length;
      const [ma, ms] = [mean(a), mean(s)];
      let num = 0;
      let da = 0;
      let ds = 0;
      for (let k = 0; k < 784; k++) {
        num += (a[k] - ma) * (s[k] - ms);
        da += (a[k] - ma) ** 2;
        ds += (s[k] - ms) ** 2;
      }
      best = Math.max(best, num / Math.sqrt(da * ds));
    }
  }
  return best;
}

const count = async (page) => number(await text(page, 'own-data-count'));
const message = (page) => text(page, 'own-data-message');

async function trainUntilImproved(page, what) {
  await page.getByTestId('dataset').selectOption('own');
  await page.getByTestId('train-scratch').click();
  await until(async () => /held out of training/.test(await text(page, 'test-note')), { timeout: 120_000, what: `the test note for ${what}` });
  await until(async () => (await page.evaluate(() => window.__vaeDebug.testCurve())).length >= 3 && number(await text(page, 'step-value')) >= 150, { timeout: 120_000, what: `150 steps and three test ELBO points on ${what}` });
  const curve = await page.evaluate(() => window.__vaeDebug.testCurve());
  await page.getByTestId('train-toggle').click();
  await until(async () => (await page.getByTestId('train-toggle').innerText()) === 'Resume training', { what: 'the pause' });
  const shown = number(await text(page, 'elbo-value'));
  assert.ok(Number.isFinite(shown), `the test ELBO is shown (${shown})`);
  assert.ok(curve.at(-1)[1] > curve[0][1] + 5, `the test ELBO improved: ${curve[0][1].toFixed(1)} → ${curve.at(-1)[1].toFixed(1)}`);
  return { note: await text(page, 'test-note'), first: curve[0][1], last: curve.at(-1)[1], shown };
}

test('bad uploads each get their message, and the set stays as it was; an empty set cannot train', async () => {
  const { page, errors } = await openPage(env, '?debug');
  assert.equal(await count(page), 0);
  const cases = [];
  await writeFile(join(own.dir, 'notes.txt'), 'not an image');
  cases.push(['notes.txt', /no PNG, JPEG, idx image or \.npy file \(notes\.txt\)/]);
  await writeFile(join(own.dir, 'junk.zip'), zipSync({ 'a.txt': strToU8('x'), 'b/c.csv': strToU8('1,2') }));
  cases.push(['junk.zip', /junk\.zip has nothing usable: no PNG, JPEG, idx image or \.npy file \(a\.txt, c\.csv\)/]);
  const magic = Buffer.concat([own.mnist.images.subarray(0, 16), own.mnist.images.subarray(16, 16 + 784)]);
  magic.writeUInt32BE(1, 4);
  magic[3] = 0x04;
  await writeFile(join(own.dir, 'magic-idx3-ubyte'), magic);
  cases.push(['magic-idx3-ubyte', /wrong magic number 0x00000804 for idx images \(expected 0x00000803\)/]);
  const count3 = Buffer.from(magic);
  count3[3] = 0x03;
  count3.writeUInt32BE(3, 4); // says 3 images, holds 1
  await writeFile(join(own.dir, 'count-idx3-ubyte'), count3);
  cases.push(['count-idx3-ubyte', /truncated: the header says 3 images/]);
  const npyHeader = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 784), }";
  const pad = npyHeader + ' '.repeat(63 - ((10 + npyHeader.length) % 64)) + '\n';
  const npy = Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, pad.length & 255, pad.length >> 8]), Buffer.from(pad, 'latin1'), Buffer.alloc(784 * 8)]);
  await writeFile(join(own.dir, 'wrong.npy'), npy);
  cases.push(['wrong.npy', /dtype <f8 is not supported/]);
  const bomb = gzipSync(Buffer.alloc(1000));
  bomb.writeUInt32LE(300_000_000, bomb.length - 4); // says it inflates to 300 MB
  await writeFile(join(own.dir, 'bomb-idx3-ubyte.gz'), bomb);
  cases.push(['bomb-idx3-ubyte.gz', /is 300 MB: the limit is 200 MB/]);
  const many = Buffer.from(magic.subarray(0, 16));
  many[3] = 0x03;
  many.writeUInt32BE(100_001, 4);
  await writeFile(join(own.dir, 'many-idx3-ubyte'), many);
  cases.push(['many-idx3-ubyte', /holds 100,001 images: the limit is 100,000/]);
  for (const [file, want] of cases) {
    await page.getByTestId('data-upload').setInputFiles(join(own.dir, file));
    await until(async () => want.test(await message(page)), { what: `the message for ${file} (now: ${await message(page)})` });
    assert.equal(await count(page), 0, `${file} added nothing`);
  }
  // An empty set: training says how many images are needed, and the model stays.
  const before = await canvasPixels(page, 'reconstruction');
  await page.getByTestId('dataset').selectOption('own');
  await page.getByTestId('train-scratch').click();
  await until(async () => /at least 2 are needed to train/.test(await text(page, 'error')), { what: 'the too-small message' });
  assert.deepEqual(await canvasPixels(page, 'reconstruction'), before, 'the model was not replaced');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an idx pair of 200 MNIST test images: the count shows 200, and training on them improves the held-out ELBO', async () => {
  const { page, errors } = await openPage(env, '?debug');
  // The images gzipped, the labels raw: both are accepted.
  await page.getByTestId('data-upload').setInputFiles((await own.writeIdx(range(200), 'mine', { gzip: true })).files);
  await until(async () => (await count(page)) === 200, { what: 'the count of 200' });
  assert.match(await message(page), /Added 200 images \(200 in your set\)/);
  const r = await trainUntilImproved(page, '200 uploaded images');
  assert.match(r.note, /on the 20 images of your data set held out of training \(10%/); // 10% of 200
  console.log(`200-image upload: test ELBO ${r.first.toFixed(1)} → ${r.last.toFixed(1)} (shown ${r.shown})`);
  await screenshot(page, 'own-data-upload');
  await page.getByTestId('own-data-clear').click();
  await until(async () => (await count(page)) === 0, { what: 'the set to be emptied' });
  assert.deepEqual(errors, []);
  await page.close();
});

/** Draws one digit-like stroke, numbered i (each a different shape), and waits until the
 * page has read it. */
async function drawDigit(page, i) {
  const shapes = [
    [[0.5, 0.2], [0.5, 0.8]], // 1
    [[0.5, 0.2], [0.3, 0.5], [0.5, 0.8], [0.7, 0.5], [0.5, 0.2]], // 0
    [[0.3, 0.3], [0.5, 0.2], [0.7, 0.3], [0.3, 0.8], [0.7, 0.8]], // 2
    [[0.3, 0.2], [0.7, 0.2], [0.45, 0.8]], // 7
  ];
  const jitter = (i % 3) * 0.03;
  await drawStroke(page, 'draw-canvas', shapes[i % shapes.length].map(([x, y]) => [x + jitter, y - jitter]), 3);
  await until(async () => !(await page.locator('#draw-hint').isVisible()), { what: 'the drawing to be read', interval: 40 });
}

test('draw and add 12 digits, reload: still 12; delete one; training on them alone improves the held-out ELBO', async () => {
  const { page, errors } = await openPage(env, '?debug');
  await page.locator('#clear-button').click();
  for (let i = 0; i < 12; i++) {
    await drawDigit(page, i);
    await page.getByTestId('own-label').fill(String([1, 0, 2, 7][i % 4]));
    await page.getByTestId('own-data-add').click();
    await until(async () => (await count(page)) === i + 1, { what: `drawing ${i + 1} to be added`, interval: 40 });
    await page.locator('#clear-button').click();
    await until(async () => page.locator('#draw-hint').isVisible(), { what: 'the cleared pad', interval: 40 });
  }
  await page.reload();
  await page.waitForFunction(() => window.__vaeReady !== undefined);
  await until(async () => (await count(page)) === 12, { what: 'the 12 drawings after a reload' });
  assert.equal(await page.getByTestId('own-data-delete').count(), 12, 'a thumbnail with a delete button per drawing');
  assert.deepEqual(await page.locator('.own-thumb figcaption').allInnerTexts(), Array.from({ length: 12 }, (_, i) => String([1, 0, 2, 7][i % 4])));
  await page.getByTestId('own-data-delete').first().click();
  await until(async () => (await count(page)) === 11, { what: 'the deletion' });
  await page.reload();
  await page.waitForFunction(() => window.__vaeReady !== undefined);
  await until(async () => (await count(page)) === 11, { what: '11 after the second reload' });
  const r = await trainUntilImproved(page, '11 drawings');
  assert.match(r.note, /on the 1 image of your data set held out of training/); // max(1, round(11 × 10%))
  console.log(`11 drawn digits: test ELBO ${r.first.toFixed(1)} → ${r.last.toFixed(1)} (shown ${r.shown})`);
  await screenshot(page, 'own-data-drawn');
  await page.getByTestId('own-data-clear').click();
  await until(async () => (await count(page)) === 0, { what: 'the set to be emptied' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a folder of PNGs: greyscale, labels from the folder names, and a centred digit stays centred', async () => {
  const { page, errors } = await openPage(env);
  const folder = join(own.dir, 'pngs');
  const want = [];
  for (let i = 0; i < 5; i++) {
    // MNIST test digit i, 3× larger (84×84), dark ink on white paper as a photo would be.
    const src = own.image(i);
    const big = new Uint8Array(84 * 84);
    for (let y = 0; y < 84; y++) for (let x = 0; x < 84; x++) big[y * 84 + x] = 255 - src[Math.floor(y / 3) * 28 + Math.floor(x / 3)];
    const label = own.mnist.labels[8 + i];
    await mkdir(join(folder, String(label)), { recursive: true });
    await writeFile(join(folder, String(label), `digit-${i}.png`), png(big, 84, 84));
    const orig = Float32Array.from(src, (b) => b / 255);
    want.push({ label, src: orig, centre: centre(orig, 28, 28) });
  }
  await page.getByTestId('data-upload-folder').setInputFiles(folder);
  await until(async () => (await count(page)) === 5, { what: 'the 5 PNGs' });
  const thumbs = await page.evaluate(() =>
    [...document.querySelectorAll('.own-thumb')].map((f) => {
      const c = f.querySelector('canvas');
      return { label: f.querySelector('figcaption').textContent, rgba: Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data) };
    }),
  );
  // Upload order within the folder is the browser's: match by label (the five differ).
  for (const w of want) {
    const t = thumbs.find((x) => x.label === String(w.label));
    assert.ok(t, `an image labelled ${w.label} (from its folder's name)`);
    const grey = Float32Array.from({ length: 784 }, (_, k) => t.rgba[4 * k] / 255);
    assert.ok(t.rgba.every((v, k) => k % 4 === 3 || v === t.rgba[k - (k % 4)]), 'greyscale');
    const [cx, cy] = centre(grey, 28, 28);
    const was = `was (${w.centre.map((v) => v.toFixed(2)).join(', ')})`;
    // Centred as a drawing is: the centre of mass within half a pixel of the frame's centre
    // (a whole-pixel shift, as MNIST's own). MNIST puts it at pixel index 14, half a pixel
    // further than the drawing's preprocessing does, and the 20-px box rescales a little:
    // so about a pixel from the original.
    assert.ok(Math.abs(cx - 14) <= 0.5 && Math.abs(cy - 14) <= 0.5, `digit ${w.label}: centre of mass (${cx.toFixed(2)}, ${cy.toFixed(2)}), ${was}`);
    assert.ok(Math.abs(cx - w.centre[0]) <= 1.1 && Math.abs(cy - w.centre[1]) <= 1.1, `digit ${w.label} stayed where it was: (${cx.toFixed(2)}, ${cy.toFixed(2)}), ${was}`);
    // And it is the same digit, white on black again: correlation with the original at the best whole-pixel shift.
    assert.ok(bestCorrelation(grey, w.src) > 0.9, `digit ${w.label} looks like the original (r = ${bestCorrelation(grey, w.src).toFixed(3)})`);
  }
  await page.getByTestId('own-data-clear').click();
  await until(async () => (await count(page)) === 0, { what: 'the set to be emptied' });
  assert.deepEqual(errors, []);
  await page.close();
});
