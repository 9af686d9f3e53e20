/**
 * The run as the webview holds it: the RunSnapshot (its arrays arrive as typed arrays, used as
 * they are), and the incremental events applied to it. Views read from here; what the *user* set (zoom, pins,
 * hidden labels …) is not here but in the view store (store/viewState.ts). No DOM.
 */
import type { EpochMetrics, RunConfig, StepMetrics } from '../../protocol/trainerIpc';
import { pca2d } from '../../analysis/projectionMath';
import { Originals, type FetchImages } from './originals';
import type { RunSnapshot, ViewDecoder, ViewHistory, ViewLatents, ViewPerImage, ViewProblem, ViewProjection, ViewStatus } from '../../protocol/panelIpc';

/** The shape of the run's images; `pixels` (every point's) only when the snapshot carried them — else ask `originals`. */
export interface Images {
  height: number;
  width: number;
  channels: number;
  pixels?: Uint8Array;
}

export class RunData {
  title = '';
  config: RunConfig | null = null;
  labels: string[] = [];
  count = 0;
  totalCount = 0;
  files: string[] = [];
  labelIndex: Uint16Array = new Uint16Array(0);
  index: Uint32Array = new Uint32Array(0);
  split: Uint8Array = new Uint8Array(0);
  latentDim = 0;
  mu: Float32Array | null = null;
  latentsEpoch = 0;
  /** Bumped whenever μ changes (decode caches key on it). */
  latentsVersion = 0;
  x: Float32Array | null = null;
  y: Float32Array | null = null;
  method: 'pca' | 'umap' | 'none' = 'none';
  projectionEpoch = 0;
  /** True when the layout was computed here (PCA) because the run had none. */
  localProjection = false;
  steps: StepMetrics[] = [];
  epochs: EpochMetrics[] = [];
  klPerDim: number[] = [];
  activeUnits: number | null = null;
  status: ViewStatus | null = null;
  decoder: ViewDecoder | null = null;
  images: Images | null = null;
  /** Every view's originals (issue 13): carried by the snapshot or fetched on demand through `fetchImages`. */
  readonly originals = new Originals();
  /** How the host fetches originals (the panel's `images` request, the report's embedded blocks); null: it cannot. */
  fetchImages: FetchImages | null = null;
  /** The run's damaged files (issue 14; src/webview/views/problems.ts shows them). */
  problems: ViewProblem[] = [];
  // c-inspect (issue 15): recon / KL / mean σ² per point at the last epoch end (null: none yet).
  perImage: ViewPerImage | null = null;
  /** Bumped whenever perImage changes (colouring and outliers key on it). */
  perImageVersion = 0;
  /** Points per label. */
  labelCounts: number[] = [];
  /** Bumped whenever labels, positions or the point set change (the map adapter keys on it). */
  version = 0;
  // ── epoch replay (views/timeline) ──
  /** The kept epochs' maps (snapshot + live projections); null: the run kept none. */
  history: ViewHistory | null = null;
  /** What the map shows instead of the latest layout while the timeline is away from it (null: the latest). */
  timelineXY: { x: Float32Array; y: Float32Array } | null = null;
  /** Told when `history` changed (the timeline redraws its slider). */
  onHistory: (() => void) | null = null;
  /** Dataset row → point index, when the snapshot is a sample (null: identity). */
  private rowToPointMap: Map<number, number> | null = null;

  applySnapshot(s: RunSnapshot): void {
    this.title = s.title;
    this.config = s.config;
    this.labels = s.labels.length ? s.labels : ['(unlabelled)'];
    this.count = s.count;
    this.totalCount = s.totalCount;
    this.files = s.files;
    this.labelIndex = s.labelIndex;
    this.index = s.index;
    this.split = s.split;
    this.rowToPointMap = null;
    if (this.index.some((row, i) => row !== i)) this.rowToPointMap = new Map(Array.from(this.index, (row, i) => [row, i]));
    this.labelCounts = this.labels.map(() => 0);
    for (let i = 0; i < this.count; i++) this.labelCounts[Math.min(this.labelIndex[i], this.labels.length - 1)]++;
    this.steps = s.steps;
    this.epochs = s.epochs;
    this.klPerDim = s.klPerDim;
    this.activeUnits = s.activeUnits;
    this.status = s.status;
    this.decoder = s.decoder;
    this.problems = s.problems ?? [];
    this.images = s.images ? { height: s.images.height, width: s.images.width, channels: s.images.channels, pixels: s.images.pixels } : null;
    this.originals.reset(this.images, s.images?.pixels, s.index, this.fetchImages);
    this.mu = null;
    this.latentDim = s.config?.model.latentDim ?? s.klPerDim.length;
    if (s.latents) this.applyLatents(s.latents);
    this.applyPerImage(s.perImage ?? null);
    this.x = this.y = null;
    this.method = 'none';
    this.history = s.history ?? null; this.timelineXY = null; // epoch replay
    if (s.projection) this.applyProjection(s.projection);
    else this.ensureLayout();
    this.version++;
    this.onHistory?.();
  }

  /** The point showing dataset row `row`, or null when it is not in this snapshot. */
  rowToPoint(row: number): number | null {
    if (this.rowToPointMap) return this.rowToPointMap.get(row) ?? null;
    return row >= 0 && row < this.count ? row : null;
  }

  applyLatents(l: ViewLatents): void {
    const mu = l.mu;
    if (mu.length !== this.count * l.latentDim) return;
    this.mu = mu;
    this.latentDim = l.latentDim;
    this.latentsEpoch = l.epoch;
    this.latentsVersion++;
    if (this.localProjection) { this.ensureLayout(true); this.version++; }
  }

  /** New per-image quantities (ignored when they do not match the point count). */
  applyPerImage(p: ViewPerImage | null): void {
    this.perImage = p && p.recon.length === this.count && p.kl.length === this.count && p.meanVar.length === this.count ? p : null;
    this.perImageVersion++;
  }

  applyProjection(p: ViewProjection): boolean {
    const { x, y } = p;
    if (x.length !== this.count || y.length !== this.count) return false;
    this.x = x;
    this.y = y;
    this.method = p.method;
    this.projectionEpoch = p.epoch;
    this.localProjection = false;
    this.version++;
    this.addHistoryEpoch(p); // epoch replay: a live run adds its epochs as they come
    return true;
  }

  /** A new layout of epoch `p.epoch` joins the history (replacing that epoch's quick PCA); older epochs are left as kept. */
  private addHistoryEpoch(p: ViewProjection): void {
    const h = this.history ?? { epochs: [], methods: [], x: [], y: [], kept: '' };
    const at = h.epochs.indexOf(p.epoch);
    const last = h.epochs[h.epochs.length - 1];
    if (at < 0 && last !== undefined && p.epoch < last) return;
    if (at >= 0) { h.methods[at] = p.method; h.x[at] = p.x; h.y[at] = p.y; }
    else { h.epochs.push(p.epoch); h.methods.push(p.method); h.x.push(p.x); h.y.push(p.y); }
    this.history = h;
    this.onHistory?.();
  }

  /** A run without a projection yet: show PCA of μ at once (computed here, milliseconds). */
  ensureLayout(force = false): void {
    if ((this.x && !force) || !this.mu) return;
    const { x, y } = pca2d(this.mu, this.count, this.latentDim);
    this.x = x;
    this.y = y;
    this.method = 'pca';
    this.projectionEpoch = this.latentsEpoch;
    this.localProjection = true;
  }

  applySteps(steps: StepMetrics[]): void {
    for (const s of steps) {
      this.steps.push(s);
      if (s.klPerDim.length && !this.epochs.some((e) => e.step >= s.step)) this.klPerDim = s.klPerDim;
    }
  }

  applyEpoch(e: EpochMetrics): void {
    this.epochs.push(e);
    if (e.klPerDim.length) this.klPerDim = e.klPerDim;
    this.activeUnits = e.activeUnits;
  }

  /** Per label: shown on the map, given the names the user hid. */
  visibleMask(hidden: readonly string[]): boolean[] {
    const h = new Set(hidden);
    return this.labels.map((name) => !h.has(name));
  }

  /** Number of points whose label is shown. */
  shownCount(visible: readonly boolean[]): number {
    let n = 0;
    for (let l = 0; l < this.labels.length; l++) if (visible[l]) n += this.labelCounts[l];
    return n;
  }

  shownLabels(visible: readonly boolean[]): number {
    return visible.filter((v, l) => v && this.labelCounts[l] > 0).length;
  }
}
