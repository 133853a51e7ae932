// What an upload may hold, and the error every import step throws. Checked before anything
// large is allocated: a header's count or a zip's declared sizes, not the data.
export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
/** Bytes in all (the upload, or what a gzip or zip says it decompresses to). */
export const MAX_BYTES = 200_000_000;
export const MAX_IMAGES = 100_000;

/** A problem with the user's input, said so that they can fix it. */
export class ImportError extends Error {
  override name = 'ImportError';
}

export function checkBytes(n: number, what: string): void {
  if (n > MAX_BYTES) throw new ImportError(`${what} is ${mb(n)} MB: the limit is ${mb(MAX_BYTES)} MB.`);
}

export function checkImages(n: number, what: string): void {
  if (n > MAX_IMAGES) throw new ImportError(`${what} holds ${n.toLocaleString('en')} images: the limit is ${MAX_IMAGES.toLocaleString('en')}.`);
}

const mb = (n: number) => String(Math.round(n / 1e5) / 10);

/** Images as the core stores them: count x 784 bytes (intensity x 255), with a label per image
 * (0-9, or null) and a free tag ('' when none). */
export interface ImageSet {
  count: number;
  pixels: Uint8Array;
  labels: (number | null)[];
  tags: string[];
}
