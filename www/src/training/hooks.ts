// The benchmark's and the tests' questions to the training worker (app/debug.ts exposes
// them with ?bench and ?debug): each asks once and waits for the worker's one answer. The
// messages are debug-protocol.ts's, in the page protocol's one `debug` message.
import type { AnswerTo, Asked, DebugAnswer, DebugRequest } from '../shared/debug-protocol';
import type { FromWorker, ToWorker } from '../shared/protocol';

export type { BenchResult, EquivalenceResult, ReproduceResult } from '../shared/debug-protocol';
export type ReproduceRequest = Omit<Extract<DebugRequest, { hook: 'reproduce' }>, 'hook'>;

export class WorkerQuestions {
  /** The waiting question of each kind (a second one replaces the first's waiter). */
  private readonly waiting = new Map<Asked, (a: DebugAnswer) => void>();

  constructor(private readonly send: (m: ToWorker) => void) {}

  /** Sends `request` and resolves with the worker's answer to it. */
  ask<H extends Asked>(request: DebugRequest & { hook: H }): Promise<AnswerTo<H>> {
    return new Promise((ok) => {
      this.waiting.set(request.hook, ok as (a: DebugAnswer) => void);
      this.send({ type: 'debug', request });
    });
  }

  /** Sends a request that has no answer (a simulated crash). */
  tell(request: Extract<DebugRequest, { hook: 'crash' | 'crash-helper' }>): void {
    this.send({ type: 'debug', request });
  }

  /** Takes the worker's answers; true when `m` was one. */
  answer(m: FromWorker): boolean {
    if (m.type !== 'debug') return false;
    this.waiting.get(m.answer.hook)?.(m.answer);
    this.waiting.delete(m.answer.hook);
    return true;
  }
}
