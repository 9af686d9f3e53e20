/**
 * Drawing a lasso or a box on the map with the pointer: in lasso or box mode a drag draws; in
 * pan mode Shift+drag draws a lasso and Alt+drag a box. The path is kept in CSS px while it is
 * drawn (the overlay shows it) and handed over when the pointer is released; a drag shorter than
 * a few pixels is a click, not a selection.
 */
import type { SelectMode } from '../../store/viewState';

const MIN_DRAG_PX = 4;

export type DragShape = 'lasso' | 'box';

/** Which shape a pointerdown starts, or null (the drag pans). */
export function dragShapeOf(mode: SelectMode, e: { shiftKey: boolean; altKey: boolean; button: number }): DragShape | null {
  if (e.button !== 0) return null;
  if (mode === 'lasso' || mode === 'box') return mode;
  if (e.altKey) return 'box';
  if (e.shiftKey) return 'lasso';
  return null;
}

export class LassoDrag {
  private pts: number[] = [];
  private shape: DragShape = 'lasso';
  active = false;
  /** True after a drag long enough to select (the click that follows is ignored). */
  moved = false;

  start(shape: DragShape, x: number, y: number): void {
    this.shape = shape;
    this.pts = [x, y];
    this.active = true;
    this.moved = false;
  }

  move(x: number, y: number): void {
    if (!this.active) return;
    const dx = x - this.pts[0], dy = y - this.pts[1];
    if (Math.hypot(dx, dy) >= MIN_DRAG_PX) this.moved = true;
    if (this.shape === 'box') this.pts = [this.pts[0], this.pts[1], x, y];
    else this.pts.push(x, y);
  }

  /** The outline being drawn (CSS px), a box as its four corners. */
  outline(): Float32Array | null {
    if (!this.active || !this.moved) return null;
    const p = this.pts;
    if (this.shape === 'box' && p.length === 4) return Float32Array.of(p[0], p[1], p[2], p[1], p[2], p[3], p[0], p[3]);
    return Float32Array.from(p);
  }

  /** Stop drawing; the closed outline in CSS px, or null when the drag was a click. */
  finish(): Float32Array | null {
    const out = this.outline();
    this.active = false;
    return out && out.length >= 6 ? out : null;
  }
}
