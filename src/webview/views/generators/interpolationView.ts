/**
 * "Interpolation" (issue 15) between two pinned points: A is the pin, B the point pinned as B
 * ("Pin as B", or Shift+click on the map). N decoded steps in z, linear or spherical, each named "Step k of N"; the steps are
 * drawn on the map as a path (mapOverlays.paths, id "interpolation"), each placed by the map's
 * rule for new points (decode/placeOnMap.ts).
 */
import { interpolate } from '../../../analysis/latentWalks';
import { BatchRunner, nextTask } from '../../decode/batchRunner';
import { placeOnMapInSlices, PLACE_K } from '../../decode/placeOnMap';
import { custom, el } from '../../dom/el';
import { setOverlay } from './overlays';
import { type GenContext, imageShape, muOfRow, progressText } from './genContext';
import { ImageGrid } from './imageGrid';

export class InterpolationView {
  readonly root: HTMLElement;
  private grid = new ImageGrid('Interpolation steps from A to B');
  private runner: BatchRunner;
  private ends: HTMLElement;
  private steps: HTMLInputElement;
  private spherical: HTMLInputElement;
  private status: HTMLElement;
  /** Bumped per render: a newer render abandons the older one's path. */
  private gen = 0;

  constructor(private ctx: GenContext) {
    const { store } = ctx.app;
    this.runner = new BatchRunner(ctx.app.decoder);
    this.root = el('div', { class: 'll-gen-view', role: 'tabpanel', id: 'll-gen-interpolation', 'aria-label': 'Interpolation' });
    const bar = el('div', { class: 'll-toolbar' });
    const pinB = custom('vscode-button', { id: 'll-gen-pin-b', secondary: '' }, 'Pin as B');
    pinB.setAttribute('title', 'The pinned point becomes B, the end of the interpolation; then pin another point as A');
    const clearB = custom('vscode-button', { id: 'll-gen-clear-b', secondary: '' }, 'Clear B');
    this.steps = el('input', { id: 'll-gen-steps', type: 'number', min: '2', max: '32', step: '1', value: '8' });
    this.spherical = el('input', { id: 'll-gen-spherical', type: 'checkbox' });
    const stepsCtl = el('span', { class: 'll-control' });
    stepsCtl.append(el('label', { for: 'll-gen-steps' }, 'Steps'), this.steps);
    const sphCtl = el('span', { class: 'll-control' });
    sphCtl.append(this.spherical, el('label', { for: 'll-gen-spherical' }, 'Spherical (slerp)'));
    bar.append(pinB, clearB, stepsCtl, sphCtl);
    this.ends = el('p', { class: 'll-hint' });
    this.status = el('p', { class: 'll-hint', role: 'status' });
    this.root.append(bar, this.ends, this.grid.root, this.status);
    pinB.addEventListener('click', () => {
      const s = store.get();
      if (s.pinnedRow !== null) store.set({ pinnedRowB: s.pinnedRow, pinnedRow: null, probe: null });
      else ctx.app.announce('Pin a point first (click it on the map), then press Pin as B; or Shift+click a point to pin it as B.');
    });
    clearB.addEventListener('click', () => store.set({ pinnedRowB: null }));
    this.steps.addEventListener('change', () => {
      const v = Math.min(32, Math.max(2, Math.round(Number(this.steps.value) || 8)));
      store.set({ generators: { ...store.get().generators, steps: v } });
    });
    this.spherical.addEventListener('change', () => store.set({ generators: { ...store.get().generators, spherical: this.spherical.checked } }));
  }

  async render(): Promise<void> {
    const t0 = performance.now();
    const gen = ++this.gen;
    const { app } = this.ctx;
    const { data, store } = app;
    const s = store.get();
    this.steps.value = String(s.generators.steps);
    this.spherical.checked = s.generators.spherical;
    const shape = imageShape(app);
    const a = muOfRow(app, s.pinnedRow), b = muOfRow(app, s.pinnedRowB);
    const name = (row: number | null) => { const p = row === null ? null : data.rowToPoint(row); return p === null ? 'none' : data.files[p]; };
    this.ends.textContent = `A (the pinned point): ${name(s.pinnedRow)}. B: ${name(s.pinnedRowB)}. ` +
      (a && b ? `The path on the map places each step at the 1/d²-weighted mean of its ${PLACE_K} nearest images in μ space.` : 'Shift+click a point on the map to pin it as B (or pin it and press “Pin as B”); click another to pin it as A.');
    if (!a || !b || !shape || !app.decoder.ready) {
      this.grid.setShape({ rows: 0, cols: 0, names: [] });
      setOverlay(store, 'paths', 'interpolation', null);
      return;
    }
    const N = s.generators.steps;
    const names = Array.from({ length: N }, (_, k) => `Step ${k + 1} of ${N}`);
    this.grid.setShape({ rows: 1, cols: N, names });
    const z = interpolate(a, b, N, s.generators.spherical);
    const pre = performance.now() - t0;
    const res = await this.runner.run({
      z, n: N,
      onChunk: (px, from, to) => this.grid.draw(px, from, to, shape.h, shape.w, shape.c, names),
      onProgress: (done, total) => { this.status.textContent = progressText(done, total); },
    });
    if (!res || gen !== this.gen) return;
    this.ctx.record({ view: 'Interpolation', images: N, ms: performance.now() - t0, firstMs: pre + res.firstMs, calls: res.calls, predictMs: res.predictMs });
    // The path after the images, in slices that each stay short (k-NN over all of μ).
    if (data.mu && data.x && data.y) {
      const xy = await placeOnMapInSlices(z, N, data.mu, data.count, data.latentDim, data.x, data.y, nextTask, () => gen === this.gen);
      if (xy && gen === this.gen) setOverlay(store, 'paths', 'interpolation', { xy, label: `Interpolation, ${N} ${s.generators.spherical ? 'spherical' : 'linear'} steps from ${name(s.pinnedRow)} to ${name(s.pinnedRowB)}` });
    }
  }

  /** Leaving the view: its path leaves the map. */
  hide(): void {
    this.gen++;
    this.runner.cancel();
    setOverlay(this.ctx.app.store, 'paths', 'interpolation', null);
  }

  get images(): readonly HTMLCanvasElement[] {
    return this.grid.canvases;
  }
}
