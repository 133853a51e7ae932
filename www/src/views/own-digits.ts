// The personal set as the other views see it (the scatter's highlight, the posterior's
// "your digit #k"): its images, each with its place in the set (1-based, in the order added,
// as the thumbnails show them), and which of them a drawing is. One copy per page, read
// from IndexedDB again only after the set changed.
import type { DrawPanel } from './draw-panel';
import { toBytes } from '../pure/import/grey';
import { listImages, onOwnChange, type OwnImage } from '../shared/own-data-store';

export interface OwnDigits {
  images: OwnImage[];
  /** FNV-1a hash of the 784 bytes -> indices into images (a drawing is looked up on every
   * stroke; a linear scan of 100,000 images would be too slow for that). */
  byHash: Map<number, number[]>;
}

/** The digit's place in the set (1-based) and its record. */
export interface OwnDigit {
  position: number;
  image: OwnImage;
}

let cached: Promise<OwnDigits> | null = null;
onOwnChange(() => {
  cached = null;
});

/** Subscribes to changes of the set (after they are stored). */
export const onOwnDigitsChange = onOwnChange;

function fnv1a(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

/** The set now; empty where IndexedDB is unavailable (the set's own panel says why). */
export function ownDigits(): Promise<OwnDigits> {
  cached ??= listImages()
    .catch(() => [] as OwnImage[])
    .then((images) => {
      const byHash = new Map<number, number[]>();
      images.forEach((r, i) => {
        const h = fnv1a(r.pixels);
        const at = byHash.get(h);
        if (at) at.push(i);
        else byHash.set(h, [i]);
      });
      return { images, byHash };
    });
  return cached;
}

/** The first image of the set equal to the drawing `x` at 8 bits (as the set stores it:
 * a drawing that was added, or a thumbnail put on the pad), or null. */
export function whichDigit(set: OwnDigits, x: Float32Array): OwnDigit | null {
  const bytes = toBytes(x);
  for (const i of set.byHash.get(fnv1a(bytes)) ?? []) {
    const p = set.images[i].pixels;
    if (p.length === bytes.length && p.every((v, k) => v === bytes[k])) return { position: i + 1, image: set.images[i] };
  }
  return null;
}

/** "label 3", "tag smiley" or "" for a digit with neither. */
export function describeDigit(r: OwnImage): string {
  return r.label !== null ? `label ${r.label}` : r.tag ? `tag ${r.tag}` : '';
}

/** Keeps `out` saying "Your digit #k, label 3 (...)" while the drawing is in the personal set
 * (equal at 8 bits, as the set stores it), and nothing otherwise. A hash lookup: cheap
 * enough to follow every stroke. */
export function nameOwnDigit(draw: DrawPanel, out: HTMLElement): void {
  const name = async () => {
    const x = draw.x;
    const set = x ? await ownDigits() : null;
    if (draw.x !== x) return; // a newer drawing answers for itself
    const d = set && x ? whichDigit(set, x) : null;
    const what = d ? describeDigit(d.image) : '';
    out.textContent = d && set ? `Your digit #${d.position}${what ? `, ${what}` : ''} (of the ${set.images.length} in your data set).` : '';
  };
  draw.onUpdate(() => void name());
  onOwnChange(() => void name());
}
