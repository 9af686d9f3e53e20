/**
 * A small event emitter shaped like vscode.EventEmitter (`event(listener) → Disposable`), so the
 * Run model and the registry can be used, and tested, without the `vscode` module. An `Event<T>`
 * from here is assignable to a `vscode.Event<T>`.
 */
export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: Disposable[]) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => unknown>();
  private disposed = false;

  /** Subscribe; the returned Disposable unsubscribes. */
  readonly event: Event<T> = (listener, thisArgs, disposables) => {
    const fn = thisArgs === undefined ? listener : listener.bind(thisArgs);
    if (!this.disposed) this.listeners.add(fn);
    const d = { dispose: () => { this.listeners.delete(fn); } };
    disposables?.push(d);
    return d;
  };

  /** Call every listener; one that throws does not stop the others. */
  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        console.error('[latent-lens] an event listener threw:', err);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}

/** Dispose a list of disposables, newest first; one that throws does not stop the others. */
export function disposeAll(list: Disposable[]): void {
  while (list.length) {
    try { list.pop()?.dispose(); } catch { /* already gone */ }
  }
}
