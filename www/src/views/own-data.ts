// The personal data set's panel: "Add" the current drawing (with an optional label), upload
// files (parsed in worker/import-worker.ts), the thumbnails with a delete button each, the
// count, export as idx .gz. A failed upload stores nothing: the set stays as it was. Where
// there is a drawing pad, clicking a thumbnail puts that digit on it (the other panels then
// show it: its reconstruction, its posterior, "your digit #k").
import { gzipSync } from 'fflate';
import type { DrawPanel } from './draw-panel';
import type { DrawPad } from './draw-pad';
import { el, errorMessage, find, paintDigit, type Root } from './ui';
import type { FromImport, ToImport } from '../shared/import-protocol';
import { toBytes } from '../pure/import/grey';
import { PIXELS } from '../pure/import/limits';
import { exportIdx } from '../pure/import/own-split';
import * as own from '../shared/own-data-store';
import { describeDigit } from './own-digits';

/** Thumbnails drawn at most (a set of 100,000 would be a page of canvases); the count is exact. */
const THUMBS = 500;

export class OwnData {
  private worker: Worker | null = null;
  private disposed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly draw: DrawPanel | null,
    private readonly pad: DrawPad | null,
    private readonly root: Root = document,
  ) {
    // A widget's train view has no pad: there the panel uploads, exports and deletes only.
    find('own-data-add', root)?.addEventListener('click', () => void this.addDrawing());
    for (const id of ['data-upload', 'data-upload-folder']) {
      const input = el<HTMLInputElement>(id, root);
      input.addEventListener('change', () => {
        const files = [...(input.files ?? [])].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
        input.value = ''; // the same files again should upload again
        if (files.length) this.upload(files);
      });
    }
    el('own-data-export', root).addEventListener('click', () => void this.export());
    el('own-data-clear', root).addEventListener('click', () => void own.clearImages().then(() => this.refresh('Your set is empty.')));
    // Another panel of the page (a widget's, say) changed the set: show it as it is now.
    this.unsubscribe = own.onOwnChange(() => void this.refresh());
    void this.refresh();
  }

  /** A removed widget's panel: no more refreshes (its markup is gone), no import running. */
  dispose(): void {
    this.disposed = true;
    this.unsubscribe();
    this.worker?.terminate();
    this.worker = null;
  }

  private say(text: string, error = false): void {
    const m = el('own-data-message', this.root);
    m.textContent = text;
    m.classList.toggle('error-text', error);
  }

  /** "3" is a label, any other text a tag. */
  private async addDrawing(): Promise<void> {
    const x = this.draw?.x;
    if (!x) return this.say('Draw a digit first, then add it.', true);
    const text = find<HTMLInputElement>('own-label', this.root)?.value.trim() ?? '';
    const label = /^[0-9]$/.test(text) ? Number(text) : null;
    try {
      const n = await own.addImages({ count: 1, pixels: toBytes(x), labels: [label], tags: [label === null ? text : ''] }, 'drawn');
      await this.refresh(`Added (${n} in your set).`);
    } catch (e) {
      this.say(errorMessage(e), true);
    }
  }

  private upload(files: ToImport['files']): void {
    this.worker?.terminate();
    const w = new Worker(new URL('./import-worker.js', import.meta.url), { type: 'module', name: 'vae-import' });
    this.worker = w;
    const bar = el<HTMLProgressElement>('own-data-progress', this.root);
    bar.hidden = false;
    bar.removeAttribute('value'); // indeterminate until the worker reports
    this.say(`Reading ${files.length} file${files.length === 1 ? '' : 's'}…`);
    const done = () => {
      bar.hidden = true;
      w.terminate();
      if (this.worker === w) this.worker = null;
    };
    w.onmessage = async (e: MessageEvent<FromImport>) => {
      const m = e.data;
      if (m.type === 'progress') {
        bar.max = m.total;
        bar.value = m.done;
        this.say(`${m.what}: ${m.done} / ${m.total}`);
        return;
      }
      done();
      if (m.type === 'error') return this.say(m.message, true);
      try {
        const n = await own.addImages(m, 'upload');
        const skipped = m.skipped.length ? ` Left out: ${m.skipped.slice(0, 5).join(', ')}${m.skipped.length > 5 ? ` and ${m.skipped.length - 5} more` : ''}.` : '';
        await this.refresh(`Added ${m.count} image${m.count === 1 ? '' : 's'} (${n} in your set).${skipped}`);
      } catch (err) {
        this.say(errorMessage(err), true);
      }
    };
    w.onerror = (e) => {
      done();
      this.say(`The upload could not be read: ${e.message}`, true);
    };
    w.postMessage({ files, keep28: el<HTMLInputElement>('own-keep28', this.root).checked } satisfies ToImport);
  }

  /** The count and the thumbnails from IndexedDB, then `message`. */
  private async refresh(message?: string): Promise<void> {
    let all: own.OwnImage[];
    try {
      all = await own.listImages();
    } catch (e) {
      if (!this.disposed) this.say(`Your data set cannot be stored in this browser (${errorMessage(e)}).`, true);
      return;
    }
    if (this.disposed) return;
    el('own-data-count', this.root).textContent = `${all.length} image${all.length === 1 ? '' : 's'}`;
    const strip = el('own-data-thumbs', this.root);
    strip.replaceChildren(
      ...all.slice(-THUMBS).map((r, i) => {
        const position = Math.max(0, all.length - THUMBS) + i + 1; // 1-based, as "your digit #k" counts
        const item = document.createElement('figure');
        item.className = 'own-thumb';
        const c = document.createElement('canvas');
        c.className = 'digit';
        const what = describeDigit(r);
        c.setAttribute('aria-label', `Your digit #${position}${what ? `, ${what}` : ''}`);
        const x = Float32Array.from(r.pixels, (b) => b / 255);
        paintDigit(c, x);
        let picture: HTMLElement = c;
        const pad = this.pad;
        if (pad) {
          const pick = document.createElement('button');
          pick.type = 'button';
          pick.className = 'own-pick';
          pick.dataset.testid = 'own-data-pick';
          pick.title = 'Put this digit on the drawing pad';
          pick.append(c);
          pick.addEventListener('click', () => pad.show(x));
          picture = pick;
        }
        const del = document.createElement('button');
        del.type = 'button';
        del.textContent = '×';
        del.dataset.testid = 'own-data-delete';
        del.setAttribute('aria-label', `Delete image ${r.id}`);
        del.addEventListener('click', () => void own.removeImage(r.id).then(() => this.refresh('Deleted.')));
        const cap = document.createElement('figcaption');
        cap.textContent = r.label !== null ? String(r.label) : r.tag;
        item.append(picture, cap, del);
        return item;
      }),
    );
    if (message !== undefined) this.say(message);
  }

  /** Two downloads, the idx pair gzipped, as `vae train --data DIR` reads them. */
  private async export(): Promise<void> {
    const set = await own.loadSet();
    if (set.count === 0) return this.say('Your set is empty: nothing to export.', true);
    const [images, labels] = exportIdx(set);
    for (const [name, bytes] of [['own-images-idx3-ubyte.gz', images], ['own-labels-idx1-ubyte.gz', labels]] as const) {
      const url = URL.createObjectURL(new Blob([gzipSync(bytes) as Uint8Array<ArrayBuffer>], { type: 'application/gzip' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }
    this.say(`Exported ${set.count} images (${(set.count * PIXELS) / 1e6} MB before gzip).`);
  }
}
