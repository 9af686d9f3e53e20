/**
 * Test hooks — only in the test build (dist/webview.test.js, esbuild `define`
 * __LATENT_LENS_TEST_HOOKS__ = true); the production bundle has no trace of them.
 *
 *  - `window.latentLens`: the run data (`data`, alias `state`), the view `store`, the `map`, the
 *    `decoder`, the charts, `receive(message)` (validate and apply, timed), `estimateZ`, and
 *    `perf` timings kept in bounded ring buffers — for test/browser and scripts/bench-browser.mjs.
 *  - In VS Code, a test channel for the integration suite (test/integration/panelState.test.ts):
 *    a raw message `{ latentLensTest: { id, op, args } }` posted to the webview (outside the
 *    envelope) is answered with a `test` event `{ id, result }` (src/protocol/panelIpc.ts). Ops:
 *    `view` (the view state, the whole saved state, page facts, the types the run's arrays arrived
 *    as), `set` (store.set(args), as the controls do, then save at once), `echo` (`args` sent back
 *    as they arrived, with their type: binary payloads both ways through VS Code), `lasso` (select
 *    with an outline given as fractions of the map, `{ fx, fy }`) and `selection` (count, grid name, tiles).
 */
import { parseToWebviewMessage, type ToWebviewMessage } from '../protocol/panelIpc';
import type { App } from './app';
import { estimateZ } from './decode/estimateZ';
import { toPersisted, type ViewState } from './store/viewState';
import type { Neighbour } from './views/map/hitTest';
import { applySelection, selectTiming } from './views/inspector/inspector';

/** The newest `capacity` numbers pushed (an array view, oldest first, via `values()`). */
export class RingBuffer {
  private buf: number[] = [];
  private next = 0;
  /** How many were ever pushed. */
  count = 0;
  constructor(private capacity = 4096) {}
  push(v: number): void {
    if (this.buf.length < this.capacity) this.buf.push(v);
    else this.buf[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
    this.count++;
  }
  values(): number[] {
    return this.buf.length < this.capacity ? [...this.buf] : [...this.buf.slice(this.next), ...this.buf.slice(0, this.next)];
  }
}

const typeName = (v: unknown): string => (v === null || v === undefined ? String(v) : Object.prototype.toString.call(v).slice(8, -1));

declare global {
  interface Window {
    latentLens?: unknown;
  }
}

export function installTestHooks(app: App, apply: (msg: ToWebviewMessage) => Promise<void>): void {
  const decodeMs = new RingBuffer(), decodeComputeMs = new RingBuffer();
  const receiveMs: Record<string, RingBuffer> = {};
  let lastDrawnAt = 0;
  app.decodeView.scheduler.observer = (t) => { decodeMs.push(t.totalMs); decodeComputeMs.push(t.computeMs); lastDrawnAt = performance.now(); };
  const perf = {
    get decodeMs() { return decodeMs.values(); },
    get decodeComputeMs() { return decodeComputeMs.values(); },
    get decodes() { return decodeMs.count; },
    /** performance.now() when the last hovered point's decoded image was drawn. */
    get lastDrawnAt() { return lastDrawnAt; },
    get receiveMs() { return Object.fromEntries(Object.entries(receiveMs).map(([k, r]) => [k, r.values()])); },
  };
  /** Validate and apply one host → webview message, timed (the host's path; the benchmark's feed). */
  const receive = async (raw: unknown) => {
    const t0 = performance.now();
    const msg = parseToWebviewMessage(raw);
    await apply(msg);
    (receiveMs[msg.type] ??= new RingBuffer()).push(performance.now() - t0);
  };
  const view = () => ({
    view: toPersisted(app.store.get()),
    saved: app.host.slot.whole() ?? null,
    ready: document.body.dataset.ready === 'true',
    count: app.data.count,
    mapName: document.getElementById('ll-map')?.getAttribute('aria-label') ?? '',
    caption: app.ui.decode.decCaption.textContent ?? '',
    /** What the run's arrays arrived as (typed arrays through VS Code, not base64 strings). */
    arrays: {
      mu: typeName(app.data.mu), x: typeName(app.data.x), index: typeName(app.data.index),
      pixels: typeName(app.data.images?.pixels), weights: typeName(app.data.decoder?.weights),
    },
  });
  /** The selection as the page shows it (c-inspect, issue 15). */
  const selectionView = () => {
    const grid = document.getElementById('ll-selection-grid');
    return {
      selected: app.store.get().selection?.points.length ?? 0,
      name: document.getElementById('ll-selection-section')?.getAttribute('aria-label') ?? '',
      tiles: grid?.querySelectorAll('.ll-tile').length ?? 0,
      decoded: Number(grid?.dataset.decoded ?? 0),
    };
  };
  window.latentLens = {
    data: app.data, state: app.data, store: app.store, map: app.map, decoder: app.decoder, kl: app.kl, loss: app.loss,
    perf, receive, view, flushState: app.flushState,
    // c-inspect (issue 15): a lasso/box in map data coordinates, as the map's drag reports it; its timing.
    select: (poly: Float32Array, additive = false) => applySelection(app, poly, additive), selectTiming,
    generators: app.generators, // Generators (issue 15): views, timings, `pending` (the render in flight)
    estimateZ: (neighbours: Neighbour[]) => estimateZ(app.data.mu, app.data.latentDim, neighbours),
  };

  if (app.host.kind !== 'panel') return;
  // Before the host's own listener (capture phase at the window): test messages never reach it.
  window.addEventListener('message', (e: MessageEvent) => {
    const t = (e.data as { latentLensTest?: { id: number; op: string; args?: unknown } } | null)?.latentLensTest;
    if (!t) return;
    e.stopImmediatePropagation();
    let result: unknown;
    if (t.op === 'set') {
      app.store.set(t.args as Partial<ViewState>);
      app.flushState();
      result = view();
    } else if (t.op === 'view') {
      app.flushState();
      result = view();
    } else if (t.op === 'lasso') {
      // c-inspect (issue 15): a lasso through the map's own path; args: { fx, fy } fractions of the map's box.
      const a = t.args as { fx: number[]; fy: number[] };
      const r = app.map.overlay.getBoundingClientRect();
      const outline = new Float32Array(2 * a.fx.length);
      a.fx.forEach((fx, k) => { outline[2 * k] = fx * r.width; outline[2 * k + 1] = a.fy[k] * r.height; });
      app.map.selectOutline(outline);
      result = selectionView();
    } else if (t.op === 'selection') {
      result = selectionView();
    } else if (t.op === 'canvas') {
      // Issue 13 (originals on demand): what a canvas shows — its state, name and red channel.
      const cv = document.querySelector((t.args as { selector: string }).selector) as HTMLCanvasElement | null;
      result = cv && {
        original: cv.dataset.original ?? null,
        label: cv.getAttribute('aria-label'),
        red: Array.from(cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data.filter((_, k) => k % 4 === 0)),
      };
    } else if (t.op === 'echo') {
      result = { type: typeName(t.args), args: t.args };
    } else {
      result = { error: `unknown op ${t.op}` };
    }
    app.host.post({ type: 'test', id: t.id, result });
  }, true);
}
