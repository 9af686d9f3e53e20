/**
 * The Compare Runs page's view state, one store for all its maps: the hovered and the selected
 * point (as run + point: every other map shows the point with the same image path), each map's
 * viewport and the point size. The selection (as an image path) and the viewports persist
 * (checked field by field on load); the hover never does.
 */
import type { Viewport } from '../store/viewState';

export interface PointRef {
  run: number;
  point: number;
}

export interface CompareView {
  hovered: PointRef | null;
  selected: PointRef | null;
  viewports: (Viewport | null)[];
  pointSize: number;
}

export const DEFAULT_COMPARE: CompareView = { hovered: null, selected: null, viewports: [], pointSize: 3 };

export interface PersistedCompare {
  v: 1;
  selectedPath: string | null;
  viewports: (Viewport | null)[];
  pointSize: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function readPersistedCompare(raw: unknown): PersistedCompare {
  const out: PersistedCompare = { v: 1, selectedPath: null, viewports: [], pointSize: 3 };
  if (!raw || typeof raw !== 'object') return out;
  const r = raw as Record<string, unknown>;
  if (typeof r.selectedPath === 'string') out.selectedPath = r.selectedPath;
  if (Array.isArray(r.viewports)) {
    out.viewports = r.viewports.slice(0, 4).map((v) => {
      const o = v as Record<string, unknown> | null;
      return o && finite(o.cx) && finite(o.cy) && finite(o.k) && o.k > 0 ? { cx: o.cx, cy: o.cy, k: o.k } : null;
    });
  }
  if (finite(r.pointSize)) out.pointSize = Math.min(8, Math.max(1, Math.round(r.pointSize)));
  return out;
}
