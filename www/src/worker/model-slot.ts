// A worker's copy of the page's model (lab-worker.ts, posterior-worker.ts). The page sends
// it as a checkpoint in a "model" message; one that fails to load leaves no model, and the
// reason is then the answer to every request until a checkpoint loads.
import { errorMessage as message } from '../pure/error-message';
import { Model } from '../shared/wasm';

export class ModelSlot {
  private current: Model | null = null;
  private why = 'no model yet';

  /** Replaces the model by the checkpoint's; the old one is freed first either way. */
  load(bytes: Uint8Array): void {
    this.current?.free();
    this.current = null;
    try {
      this.current = Model.fromCheckpoint(bytes);
    } catch (e) {
      this.why = `the model could not be loaded: ${message(e)}`;
    }
  }

  /** The model, or null (then `problem` says why). */
  get model(): Model | null {
    return this.current;
  }

  /** Why there is no model. */
  get problem(): string {
    return this.why;
  }
}
