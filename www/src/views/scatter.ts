// Scatter of the posterior means of 1000 test images, coloured by label. With more than two
// latent dimensions the means are projected on their top two principal components. "Show my
// digits" adds the personal set's means (views/own-digits.ts) as ringed points, projected on
// the same components, so a person sees where their own digits fall among MNIST's.
import { pca } from '../pure/math';
import type { ModelHolder } from '../app/model-holder';
import { testSet, TEST_COUNT, type TestSet } from './testset';
import { ownDigits, onOwnDigitsChange } from './own-digits';
import { el, errorMessage, find, showError, type Root } from './ui';

const REFRESH_MS = 3000; // while training: re-encode at most this often (~100 ms each)

// Colour-blind-friendly categorical palette (Tableau 10).
const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#79706e'];
/** Own digits encoded at most: the first ones added (encoding 100,000 would take seconds). */
export const OWN_SHOWN = 2000;
/** The fill of an own digit without a 0-9 label; a ring marks every own digit. */
const UNLABELLED = '#ffffff';
const RING = '#000000';

const FASHION = ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Points of the personal set as plotted: means, positions, labels (null: none). */
interface Plotted {
  mu: Float32Array;
  xy: Float32Array;
  labels: (number | null)[];
}

export class Scatter {
  private tests: { name: string; set: TestSet } | null = null;
  private wanted = false;
  private last = 0;
  private timer = 0;
  /** Renders started: one that finds a newer one started while it awaited gives way. */
  private renders = 0;
  /** What the last paint plotted: each point's posterior mean (d values), its position and
   * label (read by the debug hooks: tests compare them with native encodings). */
  plotted: { mu: Float32Array; xy: Float32Array; labels: Uint8Array; own: Plotted | null } | null = null;

  constructor(
    private readonly holder: ModelHolder,
    /** The page, or a widget's shadow root. */
    private readonly root: Root = document,
  ) {
    el('scatter-button', this.root).addEventListener('click', () => {
      this.wanted = true;
      void this.render();
    });
    // Switching the highlight on is asking for the plot; a set that changes redraws it.
    const mine = find<HTMLInputElement>('scatter-own', this.root);
    mine?.addEventListener('change', () => {
      this.wanted ||= mine.checked;
      if (this.wanted) void this.render();
    });
    onOwnDigitsChange(() => {
      if (this.wanted && mine?.checked) void this.render();
    });
    holder.subscribe((change) => {
      if (!this.wanted) return;
      // Training moves the parameters twice a second; re-encoding 1000 images that often
      // would make drawing stutter.
      const wait = change === 'replaced' ? 0 : Math.max(0, this.last + REFRESH_MS - performance.now());
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.render(), wait);
    });
  }

  private async render(): Promise<void> {
    const id = ++this.renders;
    const name = this.holder.info.dataset;
    try {
      if (this.tests?.name !== name) this.tests = { name, set: await testSet(name) };
    } catch (e) {
      showError(`Could not load the test set: ${errorMessage(e)}`, this.root);
      return;
    }
    const showMine = find<HTMLInputElement>('scatter-own', this.root)?.checked ?? false;
    const set = showMine ? await ownDigits() : null;
    if (id !== this.renders) return;
    this.last = performance.now();
    const { images, labels } = this.tests.set;
    const m = this.holder.model;
    const d = m.latent();
    const mu = new Float32Array(TEST_COUNT * d);
    for (let i = 0; i < TEST_COUNT; i++) mu.set(m.encode(images.subarray(i * 784, (i + 1) * 784)).mu, i * d);
    const mine = set ? set.images.slice(0, OWN_SHOWN) : [];
    const ownMu = new Float32Array(mine.length * d);
    // The set stores intensity x 255; the model reads intensities in [0, 1], as a drawing.
    mine.forEach((r, i) => ownMu.set(m.encode(Float32Array.from(r.pixels, (b) => b / 255)).mu, i * d));
    const project = this.projection(mu, TEST_COUNT, d);
    const xy = project(mu, TEST_COUNT);
    const own: Plotted | null = set ? { mu: ownMu, xy: project(ownMu, mine.length), labels: mine.map((r) => r.label) } : null;
    this.paint(xy, labels, name === 'fashion-mnist' ? FASHION : null, own);
    this.plotted = { mu, xy, labels, own };
    el('scatter-note', this.root).textContent =
      d > 2
        ? `Posterior means of ${TEST_COUNT} test images, projected on their first two principal components (of ${d} dimensions).`
        : `Posterior means of ${TEST_COUNT} test images (z1 across, z2 up).`;
    const count = find('scatter-own-count', this.root);
    if (count) {
      const all = set?.images.length ?? 0;
      count.textContent = !set
        ? ''
        : all === 0
          ? 'Your data set is empty: add drawings or upload images (Your data set, above) to see them here.'
          : `${mine.length} of your digits ringed${all > mine.length ? ` (the first ${mine.length} of ${all})` : ''}, filled with their label's colour (white: no label).`;
    }
  }

  /** The plotted plane: the means themselves (latent 1 or 2) or, above that, their top two
   * principal components, found from the test digits and applied to every point. */
  private projection(mu: Float32Array, n: number, d: number): (v: Float32Array, k: number) => Float32Array {
    const pcs = d > 2 ? pca(mu, n, d) : null;
    return (v, k) => {
      const xy = new Float32Array(k * 2);
      for (let i = 0; i < k; i++) {
        if (!pcs) {
          xy[2 * i] = v[i * d];
          if (d === 2) xy[2 * i + 1] = v[i * d + 1];
          continue;
        }
        for (let j = 0; j < d; j++) {
          xy[2 * i] += v[i * d + j] * pcs[0][j];
          xy[2 * i + 1] += v[i * d + j] * pcs[1][j];
        }
      }
      return xy;
    };
  }

  private paint(xy: Float32Array, labels: Uint8Array, names: string[] | null, own: Plotted | null): void {
    const canvas = el<HTMLCanvasElement>('scatter', this.root);
    canvas.hidden = false;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * dpr) || 400;
    const h = Math.round(canvas.clientHeight * dpr) || 400;
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    // The range covers the own digits too: one far from MNIST's is still on the plot.
    for (const v of own ? [xy, own.xy] : [xy]) {
      for (let i = 0; i < v.length; i += 2) {
        x0 = Math.min(x0, v[i]);
        x1 = Math.max(x1, v[i]);
        y0 = Math.min(y0, v[i + 1]);
        y1 = Math.max(y1, v[i + 1]);
      }
    }
    const pad = 10 * dpr;
    const sx = (w - 2 * pad) / (x1 - x0 || 1);
    const sy = (h - 2 * pad) / (y1 - y0 || 1);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    const at = (v: Float32Array, i: number): [number, number] => [pad + (v[2 * i] - x0) * sx, h - pad - (v[2 * i + 1] - y0) * sy];
    for (let i = 0; i < labels.length; i++) {
      ctx.fillStyle = COLOURS[labels[i] % 10];
      ctx.beginPath();
      ctx.arc(...at(xy, i), 2.5 * dpr, 0, 2 * Math.PI);
      ctx.fill();
    }
    // Over the test digits, larger and ringed in black: a person's few among the thousand.
    own?.labels.forEach((label, i) => {
      ctx.beginPath();
      ctx.arc(...at(own.xy, i), 4.5 * dpr, 0, 2 * Math.PI);
      ctx.fillStyle = label === null ? UNLABELLED : COLOURS[label % 10];
      ctx.fill();
      ctx.lineWidth = 2 * dpr;
      ctx.strokeStyle = RING;
      ctx.stroke();
    });
    const legend = el('scatter-legend', this.root);
    const item = (text: string, style: (s: HTMLSpanElement) => void) => {
      const li = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      style(swatch);
      li.append(swatch, text);
      return li;
    };
    legend.replaceChildren(
      ...COLOURS.map((c, i) => item(names ? names[i] : String(i), (s) => (s.style.background = c))),
      ...(own?.labels.length
        ? [
            item(`your digits (${own.labels.length})`, (s) => {
              s.classList.add('ringed');
              s.dataset.testid = 'scatter-own-legend';
            }),
          ]
        : []),
    );
  }
}
