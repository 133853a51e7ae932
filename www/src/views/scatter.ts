// Scatter of the posterior means of 1000 test images, coloured by label. With more than two
// latent dimensions the means are projected on their top two principal components.
import { pca } from '../pure/math';
import type { ModelHolder } from '../app/model-holder';
import { testSet, TEST_COUNT, type TestSet } from './testset';
import { el, errorMessage, showError, type Root } from './ui';

const REFRESH_MS = 3000; // while training: re-encode at most this often (~100 ms each)

// Colour-blind-friendly categorical palette (Tableau 10).
const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#79706e'];
const FASHION = ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export class Scatter {
  private tests: { name: string; set: TestSet } | null = null;
  private wanted = false;
  private last = 0;
  private timer = 0;
  /** What the last paint plotted: each point's posterior mean (d values), its position and
   * label (read by the debug hooks: tests compare them with native encodings). */
  plotted: { mu: Float32Array; xy: Float32Array; labels: Uint8Array } | null = null;

  constructor(
    private readonly holder: ModelHolder,
    /** The page, or a widget's shadow root. */
    private readonly root: Root = document,
  ) {
    el('scatter-button', this.root).addEventListener('click', () => {
      this.wanted = true;
      void this.render();
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
    const name = this.holder.info.dataset;
    try {
      if (this.tests?.name !== name) this.tests = { name, set: await testSet(name) };
    } catch (e) {
      showError(`Could not load the test set: ${errorMessage(e)}`, this.root);
      return;
    }
    this.last = performance.now();
    const { images, labels } = this.tests.set;
    const m = this.holder.model;
    const d = m.latent();
    const mu = new Float32Array(TEST_COUNT * d);
    for (let i = 0; i < TEST_COUNT; i++) mu.set(m.encode(images.subarray(i * 784, (i + 1) * 784)).mu, i * d);
    const xy = new Float32Array(TEST_COUNT * 2);
    if (d === 1) {
      for (let i = 0; i < TEST_COUNT; i++) xy[2 * i] = mu[i];
    } else if (d === 2) {
      xy.set(mu);
    } else {
      const [p1, p2] = pca(mu, TEST_COUNT, d);
      for (let i = 0; i < TEST_COUNT; i++) {
        for (let j = 0; j < d; j++) {
          xy[2 * i] += mu[i * d + j] * p1[j];
          xy[2 * i + 1] += mu[i * d + j] * p2[j];
        }
      }
    }
    this.paint(xy, labels, name === 'fashion-mnist' ? FASHION : null);
    this.plotted = { mu, xy, labels };
    el('scatter-note', this.root).textContent =
      d > 2
        ? `Posterior means of ${TEST_COUNT} test images, projected on their first two principal components (of ${d} dimensions).`
        : `Posterior means of ${TEST_COUNT} test images (z1 across, z2 up).`;
  }

  private paint(xy: Float32Array, labels: Uint8Array, names: string[] | null): void {
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
    for (let i = 0; i < xy.length; i += 2) {
      x0 = Math.min(x0, xy[i]);
      x1 = Math.max(x1, xy[i]);
      y0 = Math.min(y0, xy[i + 1]);
      y1 = Math.max(y1, xy[i + 1]);
    }
    const pad = 10 * dpr;
    const sx = (w - 2 * pad) / (x1 - x0 || 1);
    const sy = (h - 2 * pad) / (y1 - y0 || 1);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    for (let i = 0; i < labels.length; i++) {
      ctx.fillStyle = COLOURS[labels[i] % 10];
      ctx.beginPath();
      ctx.arc(pad + (xy[2 * i] - x0) * sx, h - pad - (xy[2 * i + 1] - y0) * sy, 2.5 * dpr, 0, 2 * Math.PI);
      ctx.fill();
    }
    const legend = el('scatter-legend', this.root);
    legend.replaceChildren(
      ...COLOURS.map((c, i) => {
        const li = document.createElement('li');
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = c;
        li.append(swatch, names ? names[i] : String(i));
        return li;
      }),
    );
  }
}
