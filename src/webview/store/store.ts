/**
 * A small subscribe/notify store (no framework): one state object, replaced (never mutated) by
 * `set`, and listeners told what changed. The webview's views subscribe to it and draw what it
 * holds; user actions go back to it through `set`. Modelled on vscode-hexeditor's state.ts and
 * GitLens's webview state providers.
 */

export type Listener<S> = (state: Readonly<S>, prev: Readonly<S>, changed: ReadonlySet<keyof S>) => void;

export class Store<S extends object> {
  private state: S;
  private readonly listeners = new Set<Listener<S>>();

  constructor(initial: S) {
    this.state = initial;
  }

  get(): Readonly<S> {
    return this.state;
  }

  /** Merge `patch` into the state; listeners run only when some value actually changed. */
  set(patch: Partial<S>): void {
    const prev = this.state;
    const changed = new Set<keyof S>();
    for (const k of Object.keys(patch) as (keyof S)[]) {
      if (!sameValue(prev[k], patch[k])) changed.add(k);
    }
    if (!changed.size) return;
    this.state = { ...prev, ...patch };
    for (const fn of [...this.listeners]) fn(this.state, prev, changed);
  }

  /** Call `fn` after every change; returns the unsubscribe function. */
  subscribe(fn: Listener<S>): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Like subscribe, but only when one of `keys` changed. */
  watch(keys: readonly (keyof S)[], fn: Listener<S>): () => void {
    return this.subscribe((s, p, changed) => {
      if (keys.some((k) => changed.has(k))) fn(s, p, changed);
    });
  }
}

/** Structural equality for the plain JSON values the store holds (numbers, strings, arrays, small objects). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  // Typed arrays (selections, overlays) are compared by identity: a new array is a new value.
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
