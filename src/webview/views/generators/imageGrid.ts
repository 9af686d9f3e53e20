/**
 * A grid of decoded images for the generators: one canvas per cell (role img, named by the view:
 * "Dimension 3 at +1.5σ", "Step 2 of 8", "Sample 5 of 64"), optional row headers and column
 * headers, drawn chunk by chunk as the batch runner delivers them.
 */
import { drawFloatImage } from '../../decode/images';
import { el } from '../../dom/el';

export interface GridShape {
  rows: number;
  cols: number;
  /** Per row: its header text (null: no header column). */
  rowHeaders?: { text: string; muted?: boolean }[] | null;
  colHeaders?: string[] | null;
  /** Per cell, row-major: its accessible name. */
  names: string[];
}

export class ImageGrid {
  readonly root: HTMLElement;
  private cells: HTMLCanvasElement[] = [];
  private shapeKey = '';

  constructor(label: string) {
    this.root = el('div', { class: 'll-gen-grid', role: 'group', 'aria-label': label });
  }

  /** Lay out the cells (kept when the shape and names are unchanged). */
  setShape(s: GridShape): void {
    const key = JSON.stringify([s.rows, s.cols, s.rowHeaders, s.colHeaders, s.names]);
    if (key === this.shapeKey) return;
    this.shapeKey = key;
    const headers = !!s.rowHeaders;
    this.root.style.gridTemplateColumns = `${headers ? 'max-content ' : ''}repeat(${s.cols}, var(--ll-gen-cell, 40px))`;
    const parts: HTMLElement[] = [];
    if (s.colHeaders) {
      if (headers) parts.push(el('span', { class: 'll-gen-corner', 'aria-hidden': 'true' }));
      for (const c of s.colHeaders) parts.push(el('span', { class: 'll-gen-colhead', 'aria-hidden': 'true' }, c));
    }
    this.cells = [];
    for (let r = 0; r < s.rows; r++) {
      const h = s.rowHeaders?.[r];
      if (h) parts.push(el('span', { class: `ll-gen-rowhead${h.muted ? ' ll-gen-muted' : ''}` }, h.text));
      for (let c = 0; c < s.cols; c++) {
        const cv = el('canvas', { class: 'll-gen-cell', role: 'img', 'aria-label': `${s.names[r * s.cols + c]} (decoding)`, width: '1', height: '1' });
        this.cells.push(cv);
        parts.push(cv);
      }
    }
    this.root.replaceChildren(...parts);
  }

  /** Draw images [from, to) of `pixels` (n × H × W × C in [0, 1]) into their cells. */
  draw(pixels: Float32Array, from: number, to: number, h: number, w: number, c: number, names: readonly string[]): void {
    const size = h * w * c;
    for (let i = from; i < to && i < this.cells.length; i++) {
      drawFloatImage(this.cells[i], pixels.subarray(i * size, (i + 1) * size), h, w, c, names[i]);
    }
  }

  get canvases(): readonly HTMLCanvasElement[] {
    return this.cells;
  }
}
