// The page's one model, shared by every panel. Panels subscribe and redraw when its
// parameters move (training) or when it is replaced (load, train from scratch).
import type { DatasetName } from '../shared/protocol';
import type { Model } from '../shared/wasm';

export type ModelChange = 'params' | 'replaced';

export interface ModelInfo {
  /** What the model was trained on: decides which test set the scatter uses. */
  dataset: DatasetName;
  /** For people: "pretrained", "untrained", "bad.safetensors". */
  origin: string;
}

export class ModelHolder {
  private listeners = new Set<(change: ModelChange) => void>();

  constructor(
    private current: Model,
    public info: ModelInfo,
  ) {}

  get model(): Model {
    return this.current;
  }

  get latent(): number {
    return this.current.latent();
  }

  subscribe(f: (change: ModelChange) => void): void {
    this.listeners.add(f);
  }

  replace(m: Model, info: ModelInfo): void {
    const old = this.current;
    this.current = m;
    this.info = info;
    old.free();
    this.notify('replaced');
  }

  /** Follows a training worker. Returns false (and changes nothing) on a size mismatch, which
   * happens only when parameters from an old run arrive after the model was replaced. */
  setParams(p: Float32Array): boolean {
    if (p.length !== this.current.numParams()) return false;
    this.current.setParams(p);
    this.notify('params');
    return true;
  }

  /** The owner is gone (a removed widget): nobody hears of changes any more, and the model's
   * wasm memory is freed after the frames already scheduled have run. */
  dispose(): void {
    this.listeners.clear();
    const m = this.current;
    requestAnimationFrame(() => requestAnimationFrame(() => m.free()));
  }

  private notify(change: ModelChange): void {
    for (const f of this.listeners) f(change);
  }
}
