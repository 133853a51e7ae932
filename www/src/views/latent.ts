// The latent panel's static views: interpolation between two codes, prior samples, and the
// 2-D manifold (AEVB fig. 4). All redraw when the model moves (at most once a frame).
// A widget may show only some of them (view=samples, view=manifold): each view is drawn
// only when its canvas is under the root, and without a draw panel "your drawing" is z = 0.
import type { DrawPanel } from './draw-panel';
import type { ModelHolder } from '../app/model-holder';
import { image, testSet, type TestSet } from './testset';
import { normalQuantile, normals } from '../pure/math';
import { el, errorMessage, find, frameThrottle, paintGrid, randomSeed, showError, type Root } from './ui';

const STEPS = 10;
const SAMPLES = 64;
const GRID = 15;

type EndKind = 'drawing' | 'test' | 'prior';
interface End {
  kind: EndKind;
  seed: number; // which test digit / prior draw
}

export class LatentViews {
  private ends: [End, End] = [
    { kind: 'drawing', seed: 1 },
    { kind: 'prior', seed: 2 },
  ];
  private tests: { name: string; set: TestSet } | null = null;
  private sampleSeed = 1;
  /** The interpolation's two codes as last painted, and the prior samples' seed (read by
   * the debug hooks: tests decode the same z natively). */
  painted: { ends: [Float32Array, Float32Array] | null; sampleSeed: number } = { ends: null, sampleSeed: 1 };
  private readonly schedule: () => void;

  constructor(
    private readonly holder: ModelHolder,
    private readonly panel: DrawPanel | null,
    /** The page, or a widget's shadow root. */
    private readonly root: Root = document,
  ) {
    this.schedule = frameThrottle(() => this.render());
    holder.subscribe((change) => {
      // A model trained on another data set picks its test digits from that set.
      if (change === 'replaced') void this.prepare();
      else this.schedule();
    });
    panel?.onUpdate(() => this.schedule());
    for (const [i, name] of ['interp-a', 'interp-b'].entries()) {
      find<HTMLSelectElement>(name, root)?.addEventListener('change', (e) => {
        this.ends[i].kind = (e.target as HTMLSelectElement).value as EndKind;
        void this.prepare();
      });
    }
    find('interp-shuffle', root)?.addEventListener('click', () => {
      for (const end of this.ends) end.seed = randomSeed();
      void this.prepare();
    });
    find('samples-resample', root)?.addEventListener('click', () => {
      this.sampleSeed = randomSeed();
      this.schedule();
    });
    // With a draw panel its first drawing triggers the first render; without one, now.
    if (!panel) this.schedule();
  }

  /** Fetches the test set first when an end needs a test digit. */
  private async prepare(): Promise<void> {
    try {
      const name = this.holder.info.dataset;
      const status = find('latent-status', this.root);
      const show = (text: string) => {
        if (status) status.textContent = text;
      };
      if (this.tests?.name !== name && this.ends.some((e) => e.kind === 'test')) this.tests = { name, set: await testSet(name, show) };
    } catch (e) {
      showError(`Could not load test digits: ${errorMessage(e)}`, this.root);
    }
    this.schedule();
  }

  /** The code of one end: the posterior mean of an image, or a prior draw. */
  private code(end: End, n: number): Float32Array {
    const m = this.holder.model;
    if (end.kind === 'test' && this.tests) {
      const set = this.tests.set;
      return Float32Array.from(m.encode(image(set, end.seed % set.labels.length)).mu);
    }
    if (end.kind === 'drawing') {
      const mu = this.panel?.posterior?.mu;
      return mu && mu.length === n ? Float32Array.from(mu) : new Float32Array(n);
    }
    return normals(n, end.seed);
  }

  private render(): void {
    try {
      this.renderInterpolation();
      this.renderSamples();
      this.renderManifold();
    } catch (e) {
      showError(errorMessage(e), this.root);
    }
  }

  private renderInterpolation(): void {
    const canvas = find<HTMLCanvasElement>('interpolation', this.root);
    if (!canvas) return;
    const m = this.holder.model;
    const n = m.latent();
    const [a, b] = this.ends.map((e) => this.code(e, n));
    const rows = new Float32Array(STEPS * n);
    for (let i = 0; i < STEPS; i++) {
      const t = i / (STEPS - 1);
      for (let j = 0; j < n; j++) rows[i * n + j] = (1 - t) * a[j] + t * b[j];
    }
    paintGrid(canvas, m.decode(rows), STEPS, STEPS, 2);
    this.painted.ends = [a, b];
  }

  private renderSamples(): void {
    const canvas = find<HTMLCanvasElement>('samples', this.root);
    if (!canvas) return;
    paintGrid(canvas, this.holder.model.samplePrior(SAMPLES, this.sampleSeed), SAMPLES, 8, 1);
    this.painted.sampleSeed = this.sampleSeed;
  }

  /** With 2 latent dimensions: decode z at evenly spaced quantiles of the prior. */
  private renderManifold(): void {
    const canvas = find<HTMLCanvasElement>('manifold', this.root);
    if (!canvas) return;
    const m = this.holder.model;
    const two = m.latent() === 2;
    canvas.hidden = !two;
    el('manifold-note', this.root).textContent = two
      ? 'Each tile decodes z = (Φ⁻¹(u), Φ⁻¹(v)) for u, v evenly spaced in (0, 1): the whole prior, warped by the decoder.'
      : `This model has ${m.latent()} latent dimensions. Set "Latent dimensions" to 2 and train from scratch to see the learned 2-D manifold.`;
    if (!two) return;
    const rows = new Float32Array(GRID * GRID * 2);
    for (let r = 0; r < GRID; r++) {
      for (let c = 0; c < GRID; c++) {
        rows[(r * GRID + c) * 2] = normalQuantile((c + 0.5) / GRID);
        rows[(r * GRID + c) * 2 + 1] = normalQuantile(1 - (r + 0.5) / GRID); // up is +z2
      }
    }
    paintGrid(canvas, m.decode(rows), GRID * GRID, GRID, 0);
  }
}
