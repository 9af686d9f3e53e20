/**
 * One image tile of the inspector's grids and strips: a button holding the original image above
 * its reconstruction (decoded here), named for what it is; clicking it pins the point.
 */
import type { RunData } from '../../data/runData';
import { el } from '../../dom/el';
import { clearCanvas, drawByteImage, drawFloatImage } from '../../decode/images';

export interface Tile {
  root: HTMLButtonElement;
  recon: HTMLCanvasElement;
  point: number;
}

/** A tile for point `i`; `prefix` starts its name ("Neighbour 3 of …"). */
export function makeTile(data: RunData, i: number, prefix: string, onPick: (i: number) => void): Tile {
  const file = data.files[i] ?? '', label = data.labels[data.labelIndex[i]] ?? '';
  const root = el('button', { class: 'll-tile', type: 'button', 'aria-label': `${prefix}${file} (${label}): original above its reconstruction. Pin this point` });
  const orig = el('canvas', { class: 'll-tile-img', role: 'img', 'aria-label': `Original: ${file}` });
  const recon = el('canvas', { class: 'll-tile-img', role: 'img', 'aria-label': `Reconstruction of ${file}: decoding…` });
  showOriginal(data, orig, i, `Original: ${file}`);
  root.append(orig, recon);
  root.addEventListener('click', () => onPick(i));
  return { root, recon, point: i };
}

/** Draw a decoded image into a tile. */
export function fillTile(data: RunData, t: Tile, pixels: Float32Array): void {
  const h = data.images?.height ?? data.config?.model.imageHeight ?? 0;
  const w = data.images?.width ?? data.config?.model.imageWidth ?? 0;
  const c = data.images?.channels ?? data.config?.model.channels ?? 1;
  if (!h || !w) return;
  drawFloatImage(t.recon, pixels, h, w, c, `Reconstruction of ${data.files[t.point] ?? ''}`);
}

/**
 * Draw point i's original into `cv`, named `name`: at once when the page has it, else when it
 * arrives from the host (issue 13: originals on demand; the canvas is blank and named
 * "… (loading)" meanwhile). `cv.dataset.original` says which: loading, shown, unavailable.
 */
export function showOriginal(data: RunData, cv: HTMLCanvasElement, i: number, name: string): void {
  const o = data.originals, shape = o.shape;
  if (!shape || !o.available) {
    o.drop(cv);
    clearCanvas(cv, 'Original: not included in this run');
    cv.dataset.original = 'unavailable';
    return;
  }
  if (!o.peek(i)) { clearCanvas(cv, `${name} (loading)`); cv.dataset.original = 'loading'; }
  o.want(cv, i, (px, why) => {
    if (px) { drawByteImage(cv, px, 0, shape.height, shape.width, shape.channels, name); cv.dataset.original = 'shown'; }
    else { clearCanvas(cv, `Original: unavailable (${why ?? 'unknown'})`); cv.dataset.original = 'unavailable'; }
  }, () => cv.isConnected);
}
