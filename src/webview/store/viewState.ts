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

/** Drawn on the map by views/map (c-inspect); any view sets its own entries, by id. Never persisted. */
export interface MapOverlays {
  paths: { id: string; xy: Float32Array /* x0,y0,x1,y1… in map data coordinates */; label: string }[];
  hollow: { id: string; xy: Float32Array; label: string }[];
  highlight: { id: string; points: Uint32Array /* snapshot point indices */ }[];
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
  pinnedRowB: null,
  generators: DEFAULT_GENERATORS,
  mapOverlays: { paths: [], hollow: [], highlight: [] },
};

export type PersistedView = Omit<ViewState, 'hovered' | 'mapOverlays'> & { v: 1 };

export function toPersisted(s: Readonly<ViewState>): PersistedView {
  const { hovered: _hovered, mapOverlays: _overlays, ...rest } = s;
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
