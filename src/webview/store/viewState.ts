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
}

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
};

export type PersistedView = Omit<ViewState, 'hovered' | 'timelineEpoch'> & { v: 1 };

export function toPersisted(s: Readonly<ViewState>): PersistedView {
  const { hovered: _hovered, timelineEpoch: _timelineEpoch, ...rest } = s;
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
  return s;
}
