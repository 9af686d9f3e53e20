/** Sets (or removes, with null) one of this view's entries of the store's mapOverlays, by id. */
import type { Store } from '../../store/store';
import type { ViewState } from '../../store/viewState';

export function setOverlay(store: Store<ViewState>, kind: 'paths' | 'hollow', id: string, entry: { xy: Float32Array; label: string } | null): void {
  const o = store.get().mapOverlays;
  const rest = o[kind].filter((e) => e.id !== id);
  if (!entry && rest.length === o[kind].length) return;
  store.set({ mapOverlays: { ...o, [kind]: entry ? [...rest, { id, ...entry }] : rest } });
}
