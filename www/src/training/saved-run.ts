// The saved training run, as the page shows it: read at start-up into a model (so every
// panel shows it, paused, before anyone clicks), the box that says so with "Resume" and
// "Discard saved run", and the "saved at step N" line. The training worker writes the run to
// IndexedDB (worker/lead.ts, shared/persist.ts); this side reads it or discards it.
import * as persist from '../shared/persist';
import { Model, Replica } from '../shared/wasm';
import { ARCHITECTURE_KEYS, DEFAULTS, settingsOf, trainSettingsOf, type Settings } from '../pure/settings';
import { el, errorMessage, nats, type Root } from '../views/ui';

/** The saved run: its model (the parameters of its training state) and what it showed. */
export interface SavedRun {
  model: Model;
  meta: persist.SavedMeta;
}

/** The saved run, built here from its training state (no data needed), or null when none is
 * saved, storage cannot be read, or the record no longer loads (it is then only offered). */
export async function loadSavedRun(): Promise<SavedRun | null> {
  let saved;
  try {
    saved = await persist.loadState();
  } catch {
    return null;
  }
  if (!saved) return null;
  let replica: Replica | null = null;
  let model: Model | null = null;
  try {
    // One replica of one worker holds every parameter: the same vector the training worker
    // sends the page while it trains.
    replica = Replica.fromState(saved.state, 1, 0);
    const params = replica.paramsView().slice();
    model = Model.fresh(saved.meta.config, 0);
    model.setParams(params);
    return { model, meta: saved.meta };
  } catch {
    model?.free();
    return null;
  } finally {
    replica?.free();
  }
}

/** Whether a link's architecture is the saved run's: a link that names a shape (a key it
 * leaves out is the default, as in any link) is someone's explicit choice, so a run of
 * another shape is then only offered, not shown. A link naming no shape agrees. */
export function linkAgrees(link: Settings, run: Settings): boolean {
  if (!ARCHITECTURE_KEYS.some((k) => link[k] !== undefined)) return true;
  return ARCHITECTURE_KEYS.every((k) => (link[k] ?? DEFAULTS[k]) === (run[k] ?? DEFAULTS[k]));
}

/** Both settings forms' values for a saved run: its architecture and how it trained. */
export function runSettings(meta: persist.SavedMeta): Settings {
  return {
    ...settingsOf(meta.config),
    ...trainSettingsOf(meta.train),
    dataset: meta.dataset,
    // A Gaussian decoder's run trained on greyscale: the binarization setting is not its.
    ...(meta.binarization !== 'greyscale' && { binarization: meta.binarization }),
    ...(meta.own && { holdout: Math.round(meta.own.holdout * 100), mix: Math.round(meta.own.mix * 100) }),
    ...(meta.workers !== undefined && { workers: meta.workers }),
  };
}

/** Where the saved run stands: step, epoch, test ELBO, shape and data set. */
function summary(meta: persist.SavedMeta): string {
  const c = meta.config;
  const test = meta.curves.test.at(-1)?.[1];
  return (
    `step ${(meta.offset + meta.step).toLocaleString('en-US')}, epoch ${(meta.epochOffset + meta.epoch).toFixed(2)}` +
    (test !== undefined ? `, test ELBO ${nats(test)} nats` : '') +
    ` (${[c.input_dim, ...c.hidden, c.latent].join('-')} on ${meta.dataset})`
  );
}

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
    /** After the record is gone (the page then shows the pretrained model again). */
    private readonly onDiscarded: () => Promise<void>,
  ) {
    el('resume-saved', root).addEventListener('click', () => {
      this.hide();
      onResume();
    });
    el('discard-saved', root).addEventListener('click', () => void this.discard());
  }

  /** The page shows the saved run: says so, with the two ways on. */
  shown(meta: persist.SavedMeta): void {
    el('resume-text', this.root).textContent =
      `This is your training run, saved ${ago(meta.savedAt)} and paused: ${summary(meta)}. ` +
      `"Resume" continues it where it stopped; "Discard saved run" goes back to the pretrained model.`;
    el('resume-offer', this.root).hidden = false;
  }

  /** Offers a saved run the page does not show (a link named another model). Storage that
   * cannot be read offers nothing. */
  async check(): Promise<void> {
    let meta: persist.SavedMeta | null = null;
    try {
      meta = await persist.loadMeta();
    } catch {
      return;
    }
    if (!meta) return;
    el('resume-text', this.root).textContent = `A training run was saved ${ago(meta.savedAt)}: ${summary(meta)}.`;
    el('resume-offer', this.root).hidden = false;
  }

  hide(): void {
    el('resume-offer', this.root).hidden = true;
  }

  /** Forgets the saved run: the one way to reset besides starting a new run. */
  async discard(): Promise<void> {
    this.hide();
    try {
      await persist.discard();
    } catch (e) {
      this.status(`Could not discard the saved run: ${errorMessage(e)}`);
      return;
    }
    await this.onDiscarded();
    this.status('Saved run discarded.');
  }

  saved(step: number): void {
    this.status(`Progress saved in this browser at step ${step.toLocaleString('en-US')}.`);
  }

  /** A save of this run was refused: the saved run was discarded after this run began. */
  dropped(): void {
    this.status('No longer saved: the saved run was discarded (in this or another tab) after this run began, so this run trains on unsaved.');
  }

  private status(text: string): void {
    el('saved-status', this.root).textContent = text;
  }
}
