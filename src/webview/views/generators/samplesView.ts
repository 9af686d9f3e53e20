/**
 * "Prior samples" (issue 15): a grid decoded from z ~ N(0, T² I) (temperature T, seeded; "Reseed"
 * draws new ones), each named "Sample k of N"; with "Where do they land" the decoded samples are
 * encoded again (decode/encoder.ts) and their μ shown on the map as hollow markers
 * (mapOverlays.hollow, id "prior-samples"), placed by decode/placeOnMap.ts: where the prior has
 * mass but the data has none, the markers pile up on the nearest data instead.
 */
import { priorSamples } from '../../../analysis/latentWalks';
import { BatchRunner, nextTask } from '../../decode/batchRunner';
import { placeOnMapInSlices, PLACE_K } from '../../decode/placeOnMap';
import { custom, el } from '../../dom/el';
import { type GenContext, imageShape, progressText } from './genContext';
import { ImageGrid } from './imageGrid';
import { setOverlay } from './overlays';

export const PRIOR_SAMPLES = 64;
/** Samples encoded per task ("where do they land"): the encoder is ~1/20 of the decoder's work. */
const ENCODE_CHUNK = 16;

export class SamplesView {
  readonly root: HTMLElement;
  private grid = new ImageGrid('Prior samples');
  private runner: BatchRunner;
  private temp: HTMLInputElement;
  private tempOut: HTMLOutputElement;
  private land: HTMLInputElement;
  private status: HTMLElement;
  private note: HTMLElement;
  /** Bumped per render: a newer render abandons the older one's placement. */
  private gen = 0;

  constructor(private ctx: GenContext) {
    const { store } = ctx.app;
    this.runner = new BatchRunner(ctx.app.decoder);
    this.root = el('div', { class: 'll-gen-view', role: 'tabpanel', id: 'll-gen-samples', 'aria-label': 'Prior samples' });
    const bar = el('div', { class: 'll-toolbar' });
    this.temp = el('input', { id: 'll-gen-temperature', type: 'range', min: '0.1', max: '2', step: '0.1', value: '1' });
    this.tempOut = el('output', { for: 'll-gen-temperature' }, '1.0');
    const tempCtl = el('span', { class: 'll-control' });
    tempCtl.append(el('label', { for: 'll-gen-temperature' }, 'Temperature'), this.temp, this.tempOut);
    const reseed = custom('vscode-button', { id: 'll-gen-reseed', secondary: '' }, 'Reseed');
    this.land = el('input', { id: 'll-gen-land', type: 'checkbox', checked: '' });
    const landCtl = el('span', { class: 'll-control' });
    landCtl.append(this.land, el('label', { for: 'll-gen-land' }, 'Where do they land (hollow markers on the map)'));
    bar.append(tempCtl, reseed, landCtl);
    this.note = el('p', { class: 'll-hint' });
    this.status = el('p', { class: 'll-hint', role: 'status' });
    this.root.append(bar, this.note, this.grid.root, this.status);
    const setGen = (p: Partial<ReturnType<typeof store.get>['generators']>) => store.set({ generators: { ...store.get().generators, ...p } });
    this.temp.addEventListener('input', () => setGen({ temperature: Number(this.temp.value) }));
    reseed.addEventListener('click', () => setGen({ seed: (store.get().generators.seed + 1) >>> 0 }));
    this.land.addEventListener('change', () => void this.render());
  }

  async render(): Promise<void> {
    const t0 = performance.now();
    const gen = ++this.gen;
    const { app } = this.ctx;
    const { data, store } = app;
    const g = store.get().generators;
    this.temp.value = String(g.temperature);
    this.tempOut.textContent = g.temperature.toFixed(1);
    const shape = imageShape(app);
    const D = data.latentDim;
    if (!shape || !D || !app.decoder.ready) { this.status.textContent = 'No decoder yet.'; return; }
    const N = PRIOR_SAMPLES;
    const names = Array.from({ length: N }, (_, k) => `Sample ${k + 1} of ${N}`);
    this.grid.setShape({ rows: Math.ceil(N / 8), cols: 8, names });
    this.note.textContent = `z ~ N(0, ${g.temperature.toFixed(1)}² I), seed ${g.seed}.` +
      (this.land.checked ? ` Encoded again, each sample is a ring on the map at the 1/d²-weighted mean of its ${PLACE_K} nearest images in μ space.` : '');
    const z = priorSamples(N, D, g.temperature, g.seed);
    const pre = performance.now() - t0;
    const res = await this.runner.run({
      z, n: N,
      onChunk: (px, from, to) => this.grid.draw(px, from, to, shape.h, shape.w, shape.c, names),
      onProgress: (done, total) => { this.status.textContent = progressText(done, total); },
    });
    if (!res || gen !== this.gen) return;
    this.ctx.record({ view: 'Prior samples', images: N, ms: performance.now() - t0, firstMs: pre + res.firstMs, calls: res.calls, predictMs: res.predictMs });
    // Where they land: encoded and placed after the images, in tasks that each stay short.
    const alive = () => gen === this.gen;
    const mu = this.land.checked ? await this.encodeInChunks(res.pixels, N, shape, alive) : null;
    if (!alive()) return;
    const xy = mu && data.mu && data.x && data.y ? await placeOnMapInSlices(mu, N, data.mu, data.count, D, data.x, data.y, nextTask, alive) : null;
    if (!alive()) return;
    if (xy) {
      setOverlay(store, 'hollow', 'prior-samples', { xy, label: `${N} prior samples (temperature ${g.temperature.toFixed(1)}), encoded again` });
    } else {
      setOverlay(store, 'hollow', 'prior-samples', null);
      if (this.land.checked && !this.ctx.encoder.ready) this.status.textContent = 'The run has no encoder in this view: where the samples land cannot be shown.';
    }
    this.ctx.record({ view: 'Prior samples placed', images: N, ms: performance.now() - t0, firstMs: pre + res.firstMs, calls: res.calls, predictMs: res.predictMs });
  }

  /** μ of the n decoded images, ENCODE_CHUNK per task (padded to that shape); null when replaced or no encoder. */
  private async encodeInChunks(px: Float32Array, n: number, s: { h: number; w: number; c: number }, alive: () => boolean): Promise<Float32Array | null> {
    const size = s.h * s.w * s.c;
    let out: Float32Array | null = null;
    for (let from = 0; from < n; from += ENCODE_CHUNK) {
      await nextTask();
      if (!alive()) return null;
      const k = Math.min(ENCODE_CHUNK, n - from);
      const batch = new Float32Array(ENCODE_CHUNK * size);
      batch.set(px.subarray(from * size, (from + k) * size));
      const mu = this.ctx.encoder.encodeMu(batch, ENCODE_CHUNK, s.h, s.w, s.c);
      if (!mu) return null;
      const D = mu.length / ENCODE_CHUNK;
      out ??= new Float32Array(n * D);
      out.set(mu.subarray(0, k * D), from * D);
    }
    return out;
  }

  hide(): void {
    this.gen++;
    this.runner.cancel();
    setOverlay(this.ctx.app.store, 'hollow', 'prior-samples', null);
  }

  get images(): readonly HTMLCanvasElement[] {
    return this.grid.canvases;
  }
}
