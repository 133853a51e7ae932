// Starting a run (a fresh model or the page's checkpoint) and restoring the one saved in
// IndexedDB exactly where it was saved.
import * as persist from '../shared/persist';
import type { ToWorker } from '../shared/protocol';
import { Lead } from '../shared/wasm';
import { getData, prepareOwn } from './lead-data';
import { post, run } from './lead-run';
import { checkpointNow, startTeam } from './rollback';
import { resume, sendParams, stop, testElbo } from './schedule';
import { initialK } from './workers-k';

/** Readies the loop at (step, epoch). */
function begin(step: number, epoch: number): void {
  run.rate = 0;
  run.rollbacks = 0;
  run.lastEpoch = epoch;
  run.lastStep = step;
  run.lastEpochFraction = epoch;
}

export async function start(m: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const own = await prepareOwn(m.dataset, m.own);
  await stop();
  run.id = m.run;
  const d = await getData(m.dataset, own);
  post({ type: 'status', text: 'Building the model…' });
  const lead = (run.lead =
    m.from.kind === 'fresh'
      ? Lead.fresh(m.from.model, m.train, m.binarization, m.init, d)
      : Lead.fromCheckpoint(m.from.bytes, m.train, m.binarization, d));
  run.persistOn = m.persist ?? false;
  try {
    if (run.persistOn) run.saveGeneration = await persist.generation();
  } catch {
    // Unreadable storage: the first save fails too and says so.
  }
  run.savedRun = { dataset: m.dataset, own: m.own, binarization: m.binarization, config: lead.config(), offset: m.offset ?? 0, epochOffset: m.epochOffset ?? 0 };
  run.curves = { train: [], test: [], terms: [] };
  run.snapshot = lead.state({});
  await startTeam(run.snapshot, initialK());
  begin(0, 0);
  post({ type: 'started', run: run.id, trainLen: d.trainLen(), config: lead.config(), testNote: run.data!.note, hostPath: run.team.hostPath });
  testElbo(0); // the chart's first point: where training starts from
  await checkpointNow(); // the first rollback point
  post({ type: 'status', text: '' });
  resume();
}

/** Continues the run saved in IndexedDB exactly where it was saved. */
export async function restore(m: Extract<ToWorker, { type: 'restore' }>): Promise<void> {
  await stop();
  run.id = m.run;
  const saved = await persist.loadState();
  if (!saved) {
    post({ type: 'error', message: 'There is no saved training run to resume.', kind: null });
    post({ type: 'paused' });
    return;
  }
  const { state, meta } = saved;
  run.saveGeneration = saved.generation;
  const d = await getData(meta.dataset, await prepareOwn(meta.dataset, meta.own));
  post({ type: 'status', text: 'Restoring the saved run…' });
  const lead = (run.lead = Lead.fromState(state, d));
  run.persistOn = true;
  run.savedRun = { dataset: meta.dataset, own: meta.own, binarization: meta.binarization, config: meta.config, offset: meta.offset, epochOffset: meta.epochOffset };
  run.curves = meta.curves;
  const step = lead.step();
  run.snapshot = state;
  await startTeam(state, initialK());
  begin(step, Math.floor(meta.epoch));
  run.lastSave = performance.now();
  post({ type: 'restored', run: run.id, checkpoint: lead.toCheckpoint(run.team.replica!, {}), meta: { ...meta, step }, testNote: run.data!.note });
  post({ type: 'status', text: '' });
  sendParams();
  resume();
}
