/**
 * The "Decoded image" section: the original and the decoder's image of what the store says is
 * in focus — the hovered point, else the pinned point, else the pinned empty spot (probe, its z
 * estimated from the nearest points) — and the Unpin / Open image buttons' state.
 */
import type { RunData } from '../data/runData';
import type { BrowserDecoder } from '../decode/decoder';
import { estimateZ } from '../decode/estimateZ';
import { clearCanvas, drawFloatImage } from '../decode/images';
import { DecodeScheduler } from '../decode/scheduler';
import type { Store } from '../store/store';
import type { ViewState } from '../store/viewState';
import type { Layout } from '../dom/layout';
import type { Neighbour } from './map/hitTest';
import { PROBE_NEIGHBOURS } from './map/pointMap';
import { damagedFile } from './problems';
import { modelLabelOf } from './labelDecodeView';
import { showOriginal } from './inspector/tiles';

export type DecodeRequest =
  | { kind: 'point'; index: number; mode: 'hover' | 'pinned' }
  | { kind: 'probe'; x: number; y: number; neighbours: Neighbour[]; mode: 'pinned' };

export class DecodeView {
  readonly scheduler: DecodeScheduler<DecodeRequest>;
  private last = '';

  constructor(
    private data: RunData,
    private decoder: BrowserDecoder,
    private store: Store<ViewState>,
    private ui: Layout['decode'],
    private nearest: (x: number, y: number, k: number) => Neighbour[],
  ) {
    this.scheduler = new DecodeScheduler((r) => this.decode(r));
    store.watch(['hovered', 'pinnedRow', 'probe'], () => this.refresh(false));
  }

  /** What is in focus now, or null. */
  private target(): DecodeRequest | null {
    const v = this.store.get();
    const pinned = v.pinnedRow === null ? null : this.data.rowToPoint(v.pinnedRow);
    if (v.hovered !== null && v.hovered < this.data.count) return { kind: 'point', index: v.hovered, mode: v.hovered === pinned ? 'pinned' : 'hover' };
    if (pinned !== null) return { kind: 'point', index: pinned, mode: 'pinned' };
    if (v.probe) return { kind: 'probe', x: v.probe.x, y: v.probe.y, neighbours: this.nearest(v.probe.x, v.probe.y, PROBE_NEIGHBOURS), mode: 'pinned' };
    return null;
  }

  /**
   * Decode what is in focus. `force`: also when it is the same as last time (new weights, new μ,
   * new points); otherwise nothing in focus keeps the last image.
   */
  refresh(force: boolean): void {
    const v = this.store.get();
    const pinnedShown = v.pinnedRow !== null && this.data.rowToPoint(v.pinnedRow) !== null;
    this.ui.unpinBtn.toggleAttribute('disabled', !pinnedShown && !v.probe);
    this.ui.openBtn.toggleAttribute('disabled', !pinnedShown);
    const r = this.target();
    if (!r) return;
    const key = JSON.stringify(r.kind === 'point' ? [r.index, r.mode] : [r.x, r.y]);
    if (!force && key === this.last) return;
    this.last = key;
    if (r.kind === 'point') this.drawOriginal(r.index);
    else { this.data.originals.drop(this.ui.origCanvas); clearCanvas(this.ui.origCanvas, 'Original: none (decoded from an empty spot of the map)'); }
    this.scheduler.request(r);
  }

  /** Decode and draw one request; the decoder's time in ms, or null when nothing was drawn. */
  private decode(r: DecodeRequest): number | null {
    const { data, decoder, ui } = this;
    const t0 = performance.now();
    const mu = data.mu, D = data.latentDim;
    let z: Float32Array | null = null;
    let key: string | undefined;
    if (r.kind === 'point' && mu) {
      z = mu.subarray(r.index * D, r.index * D + D);
      key = `${data.latentsVersion}:${r.index}`;
    } else if (r.kind === 'probe') {
      z = estimateZ(mu, D, r.neighbours);
    }
    const label = r.kind === 'point' ? data.labels[data.labelIndex[r.index]] ?? '' : '';
    // A damaged file is named (issue 14), not mistaken for one not written yet.
    const damagedLatents = damagedFile(data.problems, 'latents/mu', 'latents/index');
    const damagedDecoder = damagedFile(data.problems, 'model/decoder');
    if (!z) {
      clearCanvas(ui.recCanvas, damagedLatents ? `Decoded: decoding unavailable: ${damagedLatents.file} is damaged` : 'Decoded: unavailable (no latents in this run yet)');
      ui.decCaption.textContent = damagedLatents ? `Decoding unavailable: ${damagedLatents.message.replace(/\.?$/, '.')}` : 'No latent vectors yet: the run has not finished an epoch.';
      return null;
    }
    if (!decoder.ready) {
      clearCanvas(ui.recCanvas, damagedDecoder ? `Decoded: decoding unavailable: ${damagedDecoder.file} is damaged` : decoder.error ? 'Decoded: unavailable (the decoder failed to load)' : 'Decoded: unavailable (no decoder yet)');
      ui.decCaption.textContent = damagedDecoder ? `Decoding unavailable: ${damagedDecoder.message.replace(/\.?$/, '.')}` : decoder.error ? `Decoding unavailable: ${decoder.error}` : 'The decoder has not been saved yet.';
      return null;
    }
    // A conditional decoder decodes with the point's label (a probe: its nearest point's).
    const img = decoder.decode(z, key, r.kind === 'point' ? modelLabelOf(data, r.index) : r.neighbours[0] && modelLabelOf(data, r.neighbours[0].index));
    const computeMs = performance.now() - t0;
    if (!img || !data.images && !data.config) return null;
    const h = data.images?.height ?? data.config!.model.imageHeight;
    const w = data.images?.width ?? data.config!.model.imageWidth;
    const c = data.images?.channels ?? data.config!.model.channels;
    if (r.kind === 'point') {
      const file = data.files[r.index] ?? '';
      drawFloatImage(ui.recCanvas, img, h, w, c, `Decoded reconstruction of ${file} (label ${label}), from its μ`);
      ui.decCaption.textContent = `${r.mode === 'pinned' ? 'Pinned' : 'Hovered'}: ${file} · ${label}${data.split[r.index] ? ' · validation' : ''}`;
    } else {
      const k = r.neighbours.length;
      drawFloatImage(ui.recCanvas, img, h, w, c, `Decoded latent vector estimated at map position (${r.x.toFixed(2)}, ${r.y.toFixed(2)}) from the ${k} nearest points`);
      const labs = [...new Set(r.neighbours.map((n) => data.labels[data.labelIndex[n.index]]))].slice(0, 3).join(', ');
      ui.decCaption.textContent = `Empty spot (${r.x.toFixed(2)}, ${r.y.toFixed(2)}): z = inverse-distance-weighted mean (weights 1/d²) of the μ of the ${k} nearest points on the map (${labs}).`;
    }
    return computeMs;
  }

  /** The original: at once when the page has it, else when the host sends it (issue 13). */
  private drawOriginal(i: number): void {
    showOriginal(this.data, this.ui.origCanvas, i, `Original: ${this.data.files[i] ?? ''}`);
  }
}
