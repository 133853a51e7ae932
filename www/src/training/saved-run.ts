// The saved training run, as the page shows it: the offer to resume after a reload, the
// "saved at step N" line, and the explicit reset. The training worker writes the run to
// IndexedDB (worker/lead.ts, shared/persist.ts); this side only reads its summary or deletes it.
import * as persist from '../shared/persist';
import { el, errorMessage, nats, type Root } from '../views/ui';

function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export class SavedRunOffer {
  constructor(
    private readonly root: Root,
    onResume: () => void,
  ) {
    el('resume-saved', root).addEventListener('click', () => {
      this.hide();
      onResume();
    });
    el('discard-saved', root).addEventListener('click', () => void this.discard());
  }

  /** Shows the offer when a run is saved. Storage that cannot be read offers nothing. */
  async check(): Promise<void> {
    let meta: persist.SavedMeta | null = null;
    try {
      meta = await persist.loadMeta();
    } catch {
      return;
    }
    if (!meta) return;
    const c = meta.config;
    const test = meta.curves.test.at(-1)?.[1];
    el('resume-text', this.root).textContent =
      `A training run was saved ${ago(meta.savedAt)}: step ${(meta.offset + meta.step).toLocaleString('en-US')}, ` +
      `epoch ${(meta.epochOffset + meta.epoch).toFixed(2)}` +
      (test !== undefined ? `, test ELBO ${nats(test)} nats` : '') +
      ` (${[c.input_dim, ...c.hidden, c.latent].join('-')} on ${meta.dataset}).`;
    el('resume-offer', this.root).hidden = false;
  }

  hide(): void {
    el('resume-offer', this.root).hidden = true;
  }

  /** Forgets the saved run: the one way to reset besides starting a new run. */
  async discard(): Promise<void> {
    this.hide();
    try {
      await persist.clear();
      this.status('Saved run discarded.');
    } catch (e) {
      this.status(`Could not discard the saved run: ${errorMessage(e)}`);
    }
  }

  saved(step: number): void {
    this.status(`Progress saved in this browser at step ${step.toLocaleString('en-US')}.`);
  }

  private status(text: string): void {
    el('saved-status', this.root).textContent = text;
  }
}
