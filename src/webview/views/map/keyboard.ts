/**
 * The map's keyboard: arrows move the cursor, Shift+arrows pan, + and − zoom, 0 resets, N and
 * P step through points, Enter pins or decodes (Shift+Enter pins a point as B, the interpolation's end), S selects the points in view, Escape clears the
 * selection, then unpins. Keys map to actions of a
 * KeyTarget (the PointMap), so this file knows keys and nothing about drawing.
 */

export const KEY_STEP_PX = 16;
export const KEY_PAN_PX = 60;
const ZOOM_STEP = 1.5;

export interface KeyTarget {
  moveCursor(dx: number, dy: number): void;
  panBy(dx: number, dy: number): void;
  zoomBy(factor: number): void;
  resetView(): void;
  activate(asB?: boolean): void;
  unpin(): void;
  step(dir: 1 | -1): void;
  /** S: select the visible points in the current view (the lasso's keyboard alternative). */
  selectInView(): void;
}

const ARROWS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/** Run the action of `e` on `t`; false when the key is not the map's. */
export function handleMapKey(e: KeyboardEvent, t: KeyTarget): boolean {
  if (e.key in ARROWS) {
    const [ax, ay] = ARROWS[e.key];
    if (e.shiftKey) t.panBy(-ax * KEY_PAN_PX, -ay * KEY_PAN_PX);
    else t.moveCursor(ax * KEY_STEP_PX, ay * KEY_STEP_PX);
  } else if (e.key === '+' || e.key === '=') {
    t.zoomBy(ZOOM_STEP);
  } else if (e.key === '-' || e.key === '_') {
    t.zoomBy(1 / ZOOM_STEP);
  } else if (e.key === '0' || e.key === 'Home') {
    t.resetView();
  } else if (e.key === 'Enter' || e.key === ' ') {
    t.activate(e.shiftKey);
  } else if (e.key === 'Escape') {
    t.unpin();
  } else if (e.key === 's' && !e.ctrlKey && !e.metaKey) {
    t.selectInView();
  } else if (e.key === 'n' || e.key === 'p') {
    t.step(e.key === 'n' ? 1 : -1);
  } else {
    return false;
  }
  return true;
}
