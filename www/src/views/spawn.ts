// The inference panels' workers (posterior map, estimator lab, KL bars): a module worker from
// the bundle next to the page's, loading the same wasm build as the page (withVariant).
import { withVariant } from '../shared/wasm';
import { errorMessage } from './ui';

/** The worker, or null after onFail when the browser refuses to start it; a worker that fails
 * to load later reports through onFail too. */
export function spawn<T>(file: string, name: string, onMessage: (m: T) => void, onFail: (reason: string) => void): Worker | null {
  try {
    const w = new Worker(withVariant(new URL(`./${file}`, import.meta.url)), { type: 'module', name });
    w.onmessage = (e: MessageEvent<T>) => onMessage(e.data);
    w.onerror = (e) => onFail(e.message || `could not load ${file}`);
    return w;
  } catch (e) {
    onFail(errorMessage(e));
    return null;
  }
}
