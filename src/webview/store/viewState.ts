/**
 * What the user set in the view — zoom and pan, the pinned point or probe, hidden labels, point
 * size, loss smoothing and scale, KL sort, report theme — plus the hovered point (not persisted).
 * The persisted part survives a tab switch and a window reload (store/persistence.ts); anything
 * read back is checked field by field, since it may come from an older version of the page.
 */
export type KlSort = 'dimension' | 'kl-desc' | 'kl-asc';
export type ReportTheme = 'light' | 'dark' | 'hc';

/**
 * The map's viewport: the data (map) coordinates at the centre of the view and the zoom factor
 * relative to "fit all points". Data-centred, so it survives a resized panel.
 */
export interface Viewport {
  cx: number;
  cy: number;
  k: number;
}

// ── c-inspect (issue 15): colouring, selection, map overlays ──
/** What colours the map: the label, a per-image quantity, or one μ dimension (`mu:3`). */
export type ColorBy = 'label' | 'recon' | 'kl' | 'meanVar' | `mu:${number}`;
/** What a drag on the map does: pan (default), draw a lasso, or draw a box. */
export type SelectMode = 'pan' | 'lasso' | 'box';
/** A set of snapshot point indices (sorted); `id` changes with every new selection. */
export interface Selection {
  id: number;
  points: Uint32Array;
}
/** What other views draw on the map (the contract in docs/latent-panel.md), each entry by its id. */
export interface MapOverlays {
  /** Polylines with markers; xy = x0, y0, x1, y1 … in map data coordinates. */
  paths: { id: string; xy: Float32Array; label: string }[];
  /** Hollow rings at data coordinates. */
  hollow: { id: string; xy: Float32Array; label: string }[];
  /** Snapshot point indices drawn emphasised. */
  highlight: { id: string; points: Uint32Array }[];
}
export const NO_OVERLAYS: MapOverlays = { paths: [], hollow: [], highlight: [] };

export function isColorBy(v: unknown): v is ColorBy {
  return v === 'label' || v === 'recon' || v === 'kl' || v === 'meanVar' || (typeof v === 'string' && /^mu:\d{1,4}$/.test(v));
}

/** Generators (issue 15): which view is open and its settings. */
export type GeneratorTab = 'traversal' | 'interpolation' | 'samples';
export interface GeneratorState {
  tab: GeneratorTab;
  /** Traversal of one dimension alone (with a slider), or null for the grid of all. */
  dim: number | null;
  /** The slider's value, in σ. */
  dimValue: number;
  steps: number;
  spherical: boolean;
  temperature: number;
  seed: number;
}

export interface ViewState {
  /** null: fit all points (the initial view, "Reset view"). */
  viewport: Viewport | null;
  /** The pinned point as a dataset row (snapshot.index), stable across sampled snapshots. */
  pinnedRow: number | null;
  /** A pinned empty spot of the map (data coordinates): its z is estimated from neighbours. */
  probe: { x: number; y: number } | null;
  /** Label names hidden on the map (names, not indexes: robust to a changed label list). */
  hiddenLabels: string[];
  pointSize: number;
  smoothing: number;
  logScale: boolean;
  klSort: KlSort;
  /** Report only: the theme picked in the page (null: URL parameter or the system's). */
  theme: ReportTheme | null;
  /** Point index under the pointer or keyboard cursor. Transient: never persisted. */
  hovered: number | null;
  // ── epoch replay (views/timeline): the epoch the map shows (null: the latest, following a live run); transient ──
  timelineEpoch: number | null;
  // ── c-inspect (issue 15): colourBy is persisted; the rest is transient ──
  colorBy: ColorBy;
  selectMode: SelectMode;
  selection: Selection | null;
  /** Page of the selection grid (0-based). */
  selectionPage: number;
  // ── Generators (issue 15) ──
  /** The second pinned point ("pin as B"), a dataset row: the interpolation runs from the pin to it. */
  pinnedRowB: number | null;
  generators: GeneratorState;
  /** Paths, hollow markers and highlights the views put on the map. Transient: never persisted. */
  mapOverlays: MapOverlays;
}

export const DEFAULT_GENERATORS: GeneratorState = { tab: 'traversal', dim: null, dimValue: 0, steps: 8, spherical: false, temperature: 1, seed: 1 };

export const DEFAULT_VIEW: ViewState = {
  viewport: null,
  pinnedRow: null,
  probe: null,
  hiddenLabels: [],
  pointSize: 3,
  smoothing: 0.6,
  logScale: false,
  klSort: 'dimension',
  theme: null,
  hovered: null,
  timelineEpoch: null, // epoch replay
  // c-inspect (issue 15)
  colorBy: 'label',
  selectMode: 'pan',
  selection: null,
  selectionPage: 0,
  // Generators (issue 15)
  pinnedRowB: null,
  generators: DEFAULT_GENERATORS,
  mapOverlays: NO_OVERLAYS,
};

/** Fields never persisted (transient, or large typed arrays). */
type Transient = 'hovered' | 'timelineEpoch' | 'selectMode' | 'selection' | 'selectionPage' | 'mapOverlays';
export type PersistedView = Omit<ViewState, Transient> & { v: 1 };

export function toPersisted(s: Readonly<ViewState>): PersistedView {
  const { hovered: _h, timelineEpoch: _t, selectMode: _m, selection: _s, selectionPage: _p, mapOverlays: _o, ...rest } = s;
  return { v: 1, ...rest };
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** A ViewState from whatever was persisted (unknown shape): valid fields kept, the rest default. */
export function fromPersisted(raw: unknown): ViewState {
  const s: ViewState = { ...DEFAULT_VIEW };
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  const vp = r.viewport as Record<string, unknown> | null | undefined;
  if (vp && finite(vp.cx) && finite(vp.cy) && finite(vp.k) && vp.k > 0) s.viewport = { cx: vp.cx, cy: vp.cy, k: vp.k };
  if (finite(r.pinnedRow) && Number.isInteger(r.pinnedRow) && r.pinnedRow >= 0) s.pinnedRow = r.pinnedRow;
  const pr = r.probe as Record<string, unknown> | null | undefined;
  if (pr && finite(pr.x) && finite(pr.y)) s.probe = { x: pr.x, y: pr.y };
  if (Array.isArray(r.hiddenLabels)) s.hiddenLabels = r.hiddenLabels.filter((l): l is string => typeof l === 'string');
  if (finite(r.pointSize)) s.pointSize = clamp(Math.round(r.pointSize), 1, 8);
  if (finite(r.smoothing)) s.smoothing = clamp(r.smoothing, 0, 0.99);
  if (typeof r.logScale === 'boolean') s.logScale = r.logScale;
  if (r.klSort === 'dimension' || r.klSort === 'kl-desc' || r.klSort === 'kl-asc') s.klSort = r.klSort;
  if (r.theme === 'light' || r.theme === 'dark' || r.theme === 'hc') s.theme = r.theme;
  if (isColorBy(r.colorBy)) s.colorBy = r.colorBy;
  // Generators (issue 15)
  if (finite(r.pinnedRowB) && Number.isInteger(r.pinnedRowB) && r.pinnedRowB >= 0) s.pinnedRowB = r.pinnedRowB;
  const g = r.generators as Record<string, unknown> | null | undefined;
  if (g && typeof g === 'object') {
    const d = DEFAULT_GENERATORS;
    s.generators = {
      tab: g.tab === 'traversal' || g.tab === 'interpolation' || g.tab === 'samples' ? g.tab : d.tab,
      dim: finite(g.dim) && Number.isInteger(g.dim) && g.dim >= 0 ? g.dim : null,
      dimValue: finite(g.dimValue) ? clamp(g.dimValue, -3, 3) : d.dimValue,
      steps: finite(g.steps) ? clamp(Math.round(g.steps), 2, 32) : d.steps,
      spherical: typeof g.spherical === 'boolean' ? g.spherical : d.spherical,
      temperature: finite(g.temperature) ? clamp(g.temperature, 0.1, 3) : d.temperature,
      seed: finite(g.seed) && Number.isInteger(g.seed) ? g.seed >>> 0 : d.seed,
    };
  }
  return s;
}
