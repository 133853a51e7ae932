// The personal set as the training worker's data: a held-out share for the test ELBO (at
// least one image, and at least one left to train on), optionally mixed into MNIST's
// training set at a ratio, all as idx bytes for Data.fromIdx (the core's one data path).
import { writeIdxImages, writeIdxLabels } from './idx';
import { ImportError, PIXELS, type ImageSet } from './limits';

/** One to test on and one to train on. */
export const MIN_OWN = 2;

/** What a person is told when their set has n < MIN_OWN images. */
export function tooSmall(n: number): string {
  return `Your set has ${n} image${n === 1 ? '' : 's'}: at least ${MIN_OWN} are needed to train (one is held out for the test ELBO). Add some drawings or upload images.`;
}

/** Images held out of n at `share` (0..1): at least 1, at most n - 1. */
export function heldOut(n: number, share: number): number {
  return Math.min(n - 1, Math.max(1, Math.round(n * share)));
}

/** Every k-th image is held out (spread over the order added, so a set drawn digit by
 * digit is tested on several digits, and the split is the same on every run). */
export function splitOwn(set: ImageSet, share: number): { train: number[]; test: number[] } {
  if (set.count < MIN_OWN) throw new ImportError(tooSmall(set.count));
  const t = heldOut(set.count, share);
  const test: number[] = [];
  const train: number[] = [];
  for (let i = 0; i < set.count; i++) (test.length < t && Math.floor(((i + 1) * t) / set.count) > test.length ? test : train).push(i);
  return { train, test };
}

/** Copies of the own training images so that they are `mix` (0..1) of a set with `others`. */
export function copiesFor(own: number, others: number, mix: number): number {
  return Math.max(1, Math.round((mix * others) / ((1 - mix) * own)));
}

function gather(set: ImageSet, rows: number[], copies: number, extra?: { pixels: Uint8Array; labels: Uint8Array }): Uint8Array[] {
  const base = extra ? extra.labels.length : 0;
  const n = base + rows.length * copies;
  const pixels = new Uint8Array(n * PIXELS);
  const labels = new Uint8Array(n);
  if (extra) {
    pixels.set(extra.pixels.subarray(0, base * PIXELS));
    labels.set(extra.labels);
  }
  let k = base;
  for (let c = 0; c < copies; c++) {
    for (const i of rows) {
      pixels.set(set.pixels.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
      // idx labels are digits: an image with a tag or no label is written as 0.
      labels[k++] = set.labels[i] ?? 0;
    }
  }
  return [writeIdxImages(pixels, n), writeIdxLabels(labels)];
}

/** [trainImages, trainLabels, testImages, testLabels] as idx bytes. mnist: MNIST's training
 * images and labels (no header) to mix into, with the own images `mix` of the result. */
export function ownIdx(set: ImageSet, share: number, mnist?: { pixels: Uint8Array; labels: Uint8Array; mix: number }): Uint8Array[] {
  const { train, test } = splitOwn(set, share);
  const copies = mnist ? copiesFor(train.length, mnist.labels.length, mnist.mix) : 1;
  return [...gather(set, train, copies, mnist), ...gather(set, test, 1)];
}

/** The whole set as an idx pair (the export: `vae train --data DIR` reads it). */
export function exportIdx(set: ImageSet): Uint8Array[] {
  return [writeIdxImages(set.pixels, set.count), writeIdxLabels(set.labels.map((l) => l ?? 0))];
}
