// An upload (files, a folder, zips, gzips) into one set of 28×28 images with labels. Each
// file is recognised by its first bytes, not its name; labels come from an idx label file
// or from the folder an image is in ("3/a.png" is a 3, "cats/a.png" is tagged "cats").
// Image decoding is passed in (createImageBitmap in the import worker), so this stays
// DOM-free and testable in Node.
import { gunzipChecked, isGzip } from './gzip';
import { IMAGES_MAGIC, idxMagic, LABELS_MAGIC, parseIdxImages, parseIdxLabels } from './idx';
import { checkBytes, checkImages, ImportError, PIXELS, type ImageSet } from './limits';
import { isNpy, parseNpy } from './npy';
import { isZip, unzipChecked } from './zip';
import { toDigit, toInk } from './grey';

export interface InFile {
  /** The name, with the folders above it (webkitRelativePath, or a path in a zip). */
  path: string;
  bytes: Uint8Array;
}

export type Decode = (bytes: Uint8Array, path: string) => Promise<{ rgba: ArrayLike<number>; width: number; height: number }>;

export interface Options {
  keep28: boolean;
  decode: Decode;
  /** (images decoded, images to decode) */
  progress?: (done: number, total: number) => void;
}

export interface Imported extends ImageSet {
  /** Files left out, with why: the page says so. */
  skipped: string[];
}

const isPng = (b: Uint8Array) => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** Labels from the folder just above the file: a digit folder is the label, another a tag. */
export function labelOf(path: string): { label: number | null; tag: string } {
  const parts = path.split('/');
  const folder = parts.length >= 2 ? parts[parts.length - 2] : '';
  if (/^[0-9]$/.test(folder)) return { label: Number(folder), tag: '' };
  return { label: null, tag: folder };
}

/** Pairs idx image files with label files: by name without "images"/"labels", else the only one. */
function pairKey(path: string): string {
  return base(path).replace(/\.gz$/, '').replace(/images?|labels?|idx[13]|ubyte/gi, '').replace(/[-_.]/g, '');
}

export async function importFiles(input: InFile[], opts: Options): Promise<Imported> {
  checkBytes(input.reduce((s, f) => s + f.bytes.length, 0), 'The upload');
  // Unwrap gzip and zip (one level of each), checking sizes as declared.
  const files: InFile[] = [];
  for (const f of input) {
    const bytes = isGzip(f.bytes) ? gunzipChecked(f.bytes, base(f.path)) : f.bytes;
    const path = f.path.replace(/\.gz$/, '');
    if (isZip(bytes)) {
      for (const g of unzipChecked(bytes, path)) files.push({ path: g.path, bytes: isGzip(g.bytes) ? gunzipChecked(g.bytes, base(g.path)) : g.bytes });
    } else files.push({ path, bytes });
  }
  checkBytes(files.reduce((s, f) => s + f.bytes.length, 0), 'The upload (decompressed)');

  const arrays: { path: string; count: number; pixels: Uint8Array }[] = [];
  const labelFiles: { path: string; labels: Uint8Array }[] = [];
  const pictures: InFile[] = [];
  const skipped: string[] = [];
  for (const f of files) {
    const magic = idxMagic(f.bytes);
    if (magic === IMAGES_MAGIC) arrays.push({ path: f.path, ...parseIdxImages(f.bytes, base(f.path)) });
    else if (magic === LABELS_MAGIC) labelFiles.push({ path: f.path, labels: parseIdxLabels(f.bytes, base(f.path)) });
    else if (isNpy(f.bytes)) arrays.push({ path: f.path, ...parseNpy(f.bytes, base(f.path)) });
    else if (isPng(f.bytes) || isJpeg(f.bytes)) pictures.push(f);
    // Named as idx but with another magic number: the parser says which number it found.
    else if (/idx3|ubyte/i.test(base(f.path)) && !/idx1|labels?/i.test(base(f.path))) parseIdxImages(f.bytes, base(f.path));
    else if (/idx1|ubyte/i.test(base(f.path))) parseIdxLabels(f.bytes, base(f.path));
    else skipped.push(`${base(f.path)} (not an image, idx or .npy file)`);
  }
  const total = arrays.reduce((s, a) => s + a.count, 0) + pictures.length;
  checkImages(total, 'The upload');
  if (total === 0) {
    const names = files.map((f) => base(f.path)).slice(0, 5).join(', ');
    const what = input.length === 1 && isZip(input[0].bytes) ? `${base(input[0].path)} has nothing usable` : 'Nothing usable in the upload';
    throw new ImportError(`${what}: ${labelFiles.length ? 'idx labels without their images' : `no PNG, JPEG, idx image or .npy file${names ? ` (${names})` : ''}`}.`);
  }

  const pixels = new Uint8Array(total * PIXELS);
  const labels: (number | null)[] = [];
  const tags: string[] = [];
  let n = 0;
  for (const a of arrays) {
    const key = pairKey(a.path);
    const idx = labelFiles.findIndex((l) => pairKey(l.path) === key);
    const pick = idx >= 0 ? idx : labelFiles.length === 1 && arrays.length === 1 ? 0 : -1;
    const lab = pick >= 0 ? labelFiles.splice(pick, 1)[0] : null;
    if (lab && lab.labels.length !== a.count) throw new ImportError(`${base(a.path)} holds ${a.count} images but ${base(lab.path)} holds ${lab.labels.length} labels.`);
    pixels.set(a.pixels, n * PIXELS);
    for (let i = 0; i < a.count; i++) {
      labels.push(lab ? lab.labels[i] : null);
      tags.push('');
    }
    n += a.count;
  }
  for (const l of labelFiles) skipped.push(`${base(l.path)} (labels without matching images)`);
  for (let i = 0; i < pictures.length; i++) {
    const f = pictures[i];
    try {
      const { rgba, width, height } = await opts.decode(f.bytes, f.path);
      const digit = toDigit(toInk(rgba, width, height), width, height, opts.keep28);
      if (!digit) skipped.push(`${base(f.path)} (blank)`);
      else {
        pixels.set(digit, n * PIXELS);
        const { label, tag } = labelOf(f.path);
        labels.push(label);
        tags.push(tag);
        n++;
      }
    } catch {
      skipped.push(`${base(f.path)} (cannot be decoded as an image)`);
    }
    opts.progress?.(i + 1, pictures.length);
  }
  if (n === 0) throw new ImportError(`No usable image in the upload: ${skipped.slice(0, 5).join(', ')}.`);
  return { count: n, pixels: pixels.slice(0, n * PIXELS), labels, tags, skipped };
}
