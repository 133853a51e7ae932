// The one owner of every setting, as TensorFlow Playground's state.ts is: the form, the URL
// hash and a widget's attributes write here; the panels and the training worker read from
// here; the DOM only mirrors it. Each write says where it came from, so a listener can tell
// a choice made in the form from a value the worker reported (a halved rate after a NaN).
import { DEFAULTS, KEYS, type Key, type Settings, type Values } from '../pure/settings';

export type Source =
  /** Someone chose it in the form. */
  | 'form'
  /** The URL's hash (opened or edited). */
  | 'url'
  /** A widget's attributes. */
  | 'attributes'
  /** The model on screen (a loaded file, "Train from scratch"): its architecture. */
  | 'model'
  /** The training worker changed it (a rollback halved the rate). */
  | 'worker'
  /** A saved run came back. */
  | 'restore';

export type Listener = (changed: Key[], source: Source) => void;

export class SettingsStore {
  private values: Values = { ...DEFAULTS };
  private readonly listeners: Listener[] = [];

  get<K extends Key>(key: K): Values[K] {
    return this.values[key];
  }

  all(): Readonly<Values> {
    return this.values;
  }

  /** Writes `s`; the listeners hear of the keys whose value changed. */
  set(s: Settings, source: Source): Key[] {
    const changed = KEYS.filter((k) => s[k] !== undefined && s[k] !== this.values[k]);
    if (!changed.length) return changed;
    this.values = { ...this.values, ...s };
    for (const l of this.listeners) l(changed, source);
    return changed;
  }

  subscribe(l: Listener): void {
    this.listeners.push(l);
  }
}
