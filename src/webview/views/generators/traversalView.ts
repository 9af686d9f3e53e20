/**
 * "Latent traversal" (issue 15): from the pinned point (or z = 0), one row per latent dimension
 * ordered by KL (collapsed dimensions marked), columns at fixed prior quantiles −3σ … +3σ in 9
 * steps; or one dimension alone with a slider (picked here, or by clicking its KL bar). Each image
 * is named like "Dimension 3 at +1.5σ". All rows decode in one batched job (decode/batchRunner.ts).
 */
import { activeDims, muVariance } from '../../../analysis/collapseRule';
import { sigmaText, traversalGrid, traversalValues } from '../../../analysis/latentWalks';
import { BatchRunner } from '../../decode/batchRunner';
import { drawFloatImage } from '../../decode/images';
import { el } from '../../dom/el';
import { type GenContext, imageShape, progressText, startPoint } from './genContext';
import { ImageGrid } from './imageGrid';

export const TRAVERSAL_STEPS = 9;

export class TraversalView {
  readonly root: HTMLElement;
  private grid = new ImageGrid('Traversal images, one row per dimension');
  private runner: BatchRunner;
  private dimSelect: HTMLSelectElement;
  private slider: HTMLInputElement;
  private sliderOut: HTMLOutputElement;
  private single: HTMLCanvasElement;
  private singleWrap: HTMLElement;
  private note: HTMLElement;
  private status: HTMLElement;
  private dimsKey = '';
  /** Which dimensions are collapsed, per μ array and count (a pass over all of μ: not on every render). */
  private activeCache: { mu: Float32Array | null; count: number; active: boolean[] } | null = null;

  constructor(private ctx: GenContext) {
    const { store } = ctx.app;
    this.runner = new BatchRunner(ctx.app.decoder);
    this.root = el('div', { class: 'll-gen-view', role: 'tabpanel', id: 'll-gen-traversal', 'aria-label': 'Latent traversal' });
    const bar = el('div', { class: 'll-toolbar' });
    this.dimSelect = el('select', { id: 'll-gen-dim', 'aria-label': 'Dimension to traverse' });
    const dimLabel = el('label', { for: 'll-gen-dim' }, 'Show');
    this.slider = el('input', { id: 'll-gen-dim-value', type: 'range', min: '-3', max: '3', step: '0.25', value: '0', 'aria-label': 'Value of the dimension, in σ of the prior' });
    this.sliderOut = el('output', { for: 'll-gen-dim-value' }, '0σ');
    this.single = el('canvas', { class: 'll-gen-single', role: 'img', 'aria-label': 'Dimension at 0σ' });
    this.singleWrap = el('div', { class: 'll-gen-singlewrap' });
    this.singleWrap.append(el('label', { for: 'll-gen-dim-value' }, 'Value'), this.slider, this.sliderOut, this.single);
    const dimCtl = el('span', { class: 'll-control' });
    dimCtl.append(dimLabel, this.dimSelect);
    bar.append(dimCtl);
    this.note = el('p', { class: 'll-hint' });
    this.status = el('p', { class: 'll-hint', role: 'status' });
    this.root.append(bar, this.note, this.singleWrap, this.grid.root, this.status);
    this.dimSelect.addEventListener('change', () => {
      const v = this.dimSelect.value;
      store.set({ generators: { ...store.get().generators, dim: v === 'all' ? null : Number(v) } });
    });
    this.slider.addEventListener('input', () => store.set({ generators: { ...store.get().generators, dimValue: Number(this.slider.value) } }));
  }

  /** Dimensions by KL (largest first) and which are collapsed (the trainer's active-unit rule). */
  private dims(): { order: number[]; active: boolean[]; kl: number[] } {
    const { data } = this.ctx.app;
    const D = data.latentDim;
    const kl = Array.from({ length: D }, (_, d) => data.klPerDim[d] ?? 0);
    const c = this.activeCache;
    const active = c && c.mu === data.mu && c.count === data.count && c.active.length === D ? c.active
      : data.mu ? activeDims(muVariance(data.mu, data.count, D)) : kl.map(() => true);
    this.activeCache = { mu: data.mu, count: data.count, active };
    const order = Array.from({ length: D }, (_, d) => d).sort((a, b) => kl[b] - kl[a] || a - b);
    return { order, active, kl };
  }

  /** Decode what the store asks for; resolves when the images are drawn (or replaced). */
  async render(): Promise<void> {
    const t0 = performance.now();
    const { app } = this.ctx;
    const shape = imageShape(app);
    const D = app.data.latentDim;
    if (!shape || !D || !app.decoder.ready) { this.status.textContent = 'No decoder yet.'; return; }
    const g = app.store.get().generators;
    const { order, active, kl } = this.dims();
    const key = JSON.stringify([order, active]);
    if (key !== this.dimsKey) {
      this.dimsKey = key;
      this.dimSelect.replaceChildren(el('option', { value: 'all' }, 'All dimensions, by KL'),
        ...order.map((d) => el('option', { value: String(d) }, `Dimension ${d} alone (${kl[d].toFixed(2)} nats${active[d] ? '' : ', collapsed'})`)));
    }
    const dim = g.dim !== null && g.dim < D ? g.dim : null;
    this.dimSelect.value = dim === null ? 'all' : String(dim);
    this.singleWrap.hidden = dim === null;
    const start = startPoint(app);
    const dims = dim === null ? order : [dim];
    const values = traversalValues(TRAVERSAL_STEPS);
    const names = dims.flatMap((d) => values.map((v) => `Dimension ${d} at ${sigmaText(v)}`));
    this.note.textContent = `From ${start.name}; columns at −3σ … +3σ of the prior; rows by KL, largest first. Collapsed dimensions (variance of μ ≤ 0.01) are dimmed.`;
    this.grid.setShape({
      rows: dims.length, cols: values.length, names, colHeaders: values.map(sigmaText),
      rowHeaders: dims.map((d) => ({ text: `Dim ${d} · ${kl[d].toFixed(2)}${active[d] ? '' : ' · collapsed'}`, muted: !active[d] })),
    });
    const z = traversalGrid(start.z, dims, values);
    let zSingle: Float32Array | null = null;
    if (dim !== null) {
      zSingle = start.z.slice();
      zSingle[dim] = g.dimValue;
      this.slider.value = String(g.dimValue);
      this.sliderOut.textContent = sigmaText(g.dimValue);
    }
    const n = names.length + (zSingle ? 1 : 0);
    const all = new Float32Array(n * D);
    all.set(z);
    if (zSingle) all.set(zSingle, names.length * D);
    const pre = performance.now() - t0;
    const res = await this.runner.run({
      z: all, n,
      onChunk: (px, from, to) => this.grid.draw(px, from, Math.min(to, names.length), shape.h, shape.w, shape.c, names),
      onProgress: (done, total) => { this.status.textContent = progressText(done, total); },
    });
    if (!res) return;
    if (zSingle && dim !== null) {
      const size = shape.h * shape.w * shape.c;
      drawFloatImage(this.single, res.pixels.subarray((n - 1) * size, n * size), shape.h, shape.w, shape.c, `Dimension ${dim} at ${sigmaText(g.dimValue)}`);
    }
    this.ctx.record({ view: 'Latent traversal', images: n, ms: performance.now() - t0, firstMs: pre + res.firstMs, calls: res.calls, predictMs: res.predictMs });
  }

  get images(): readonly HTMLCanvasElement[] {
    return this.grid.canvases;
  }
}
