/**
 * Where the view state is kept between page loads:
 *  - VS Code: `acquireVsCodeApi().getState()/setState()` — VS Code keeps it while the panel is
 *    hidden (its webview is torn down) and across a window reload (the serializer gets it back);
 *    the view state sits under `view`, next to what the host's shim merges in (the run folder);
 *  - the standalone report: sessionStorage (per tab, per file), or memory where it is refused.
 * Saving is debounced (a pan fires many changes) and flushed when the page is hidden.
 */
import type { Store } from './store';
import { fromPersisted, toPersisted, type ViewState } from './viewState';

export interface StateSlot {
  /** The view state saved last (unknown shape). */
  read(): unknown;
  write(value: unknown): void;
  /** Everything kept in the slot (VS Code: the whole webview state, with what the host merged in). */
  whole(): unknown;
}

/** The VS Code webview state (whatever else the host keeps in it is left as it is). */
export function vscodeSlot(api: { getState(): unknown; setState(s: unknown): void }): StateSlot {
  return {
    read: () => (api.getState() as { view?: unknown } | undefined)?.view,
    write: (view) => {
      const cur = api.getState();
      api.setState({ ...(cur && typeof cur === 'object' ? cur : {}), view });
    },
    whole: () => api.getState(),
  };
}

/** sessionStorage under `key`, falling back to memory (file: pages may refuse storage). */
export function sessionSlot(key: string): StateSlot {
  let memory: unknown;
  const read = () => {
    try {
      const s = sessionStorage.getItem(key);
      if (s) return JSON.parse(s);
    } catch {
      /* no storage: memory */
    }
    return memory;
  };
  return {
    read,
    whole: read,
    write: (value) => {
      memory = value;
      try {
        sessionStorage.setItem(key, JSON.stringify(value));
      } catch {
        /* memory only */
      }
    },
  };
}

export function restoreView(slot: StateSlot): ViewState {
  try {
    return fromPersisted(slot.read());
  } catch {
    return fromPersisted(undefined);
  }
}

const SAVE_DELAY_MS = 150;

/** Save the store's persisted part to `slot` after each change (debounced); returns flush(). */
export function persistView(store: Store<ViewState>, slot: StateSlot): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = JSON.stringify(toPersisted(store.get()));
  const flush = () => {
    if (timer !== undefined) { clearTimeout(timer); timer = undefined; }
    const now = toPersisted(store.get());
    const json = JSON.stringify(now);
    if (json === last) return;
    last = json;
    slot.write(now);
  };
  store.subscribe((_s, _p, changed) => {
    if ([...changed].every((k) => k === 'hovered' || k === 'selection' || k === 'mapOverlays' || k === 'selectionPage')) return;
    if (timer === undefined) timer = setTimeout(flush, SAVE_DELAY_MS);
  });
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flush(); });
  window.addEventListener('pagehide', flush);
  return flush;
}
