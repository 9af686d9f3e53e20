/**
 * Test hooks of the Compare Runs page — only in the test build (dist/webview.test.js): the page
 * as `window.latentLens.compare` (runs, maps, store, `view()`), and inside VS Code the test
 * channel of src/webview/testHooks.ts (`{ latentLensTest: { id, op, args } }` answered with a
 * `test` message): `view`, and `hover` / `select` (`{ run, point }` or null, as a pointer would).
 */
import { parseToWebviewMessage, type ToWebviewMessage } from '../../protocol/panelIpc';
import type { Host } from '../host/host';
import type { Store } from '../store/store';
import type { ComparePage } from './compareMain';
import type { CompareView, PointRef } from './compareState';

export interface CompareTestView {
  ready: boolean;
  runs: string[];
  /** Each map's accessible name. */
  names: string[];
  /** Per map: the point drawn hovered / pinned, and its image path. */
  hovered: (number | null)[];
  hoveredFiles: (string | null)[];
  pinned: (number | null)[];
  tableRows: number;
}

export function installCompareTestHooks(page: () => ComparePage | null, store: Store<CompareView>, host: Host, apply: (m: ToWebviewMessage) => Promise<void>): void {
  const view = (): CompareTestView => {
    const p = page();
    const maps = p?.maps.maps ?? [];
    const hovered = maps.map((m) => m.hovered);
    return {
      ready: document.body.dataset.ready === 'true',
      runs: p?.runs.map((r) => r.title) ?? [],
      names: maps.map((m) => m.overlay.getAttribute('aria-label') ?? ''),
      hovered,
      hoveredFiles: hovered.map((i, k) => (i === null ? null : p!.runs[k].files[i] ?? null)),
      pinned: maps.map((m) => m.pinned),
      tableRows: document.querySelectorAll('table.llc-table tbody tr').length,
    };
  };
  const receive = (raw: unknown) => apply(parseToWebviewMessage(raw));
  window.latentLens = { compare: { get page() { return page(); }, store, view, receive } };
  if (host.kind !== 'panel') return;
  window.addEventListener('message', (e: MessageEvent) => {
    const t = (e.data as { latentLensTest?: { id: number; op: string; args?: unknown } } | null)?.latentLensTest;
    if (!t) return;
    e.stopImmediatePropagation();
    let result: unknown;
    if (t.op === 'hover') { store.set({ hovered: (t.args as PointRef | null) ?? null }); result = view(); }
    else if (t.op === 'select') { store.set({ selected: (t.args as PointRef | null) ?? null }); result = view(); }
    else if (t.op === 'view') result = view();
    else result = { error: `unknown op ${t.op}` };
    host.post({ type: 'test', id: t.id, result });
  }, true);
}
