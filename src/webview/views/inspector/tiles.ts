/**
 * One image tile of the inspector's grids and strips: a button holding the original image above
 * its reconstruction (decoded here), named for what it is; clicking it pins the point.
 */
import type { RunData } from '../../data/runData';
import { el } from '../../dom/el';
import { drawByteImage, drawFloatImage } from '../../decode/images';

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
  const im = data.images;
  if (im) drawByteImage(orig, im.pixels, i, im.height, im.width, im.channels, `Original: ${file}`);
  else orig.setAttribute('aria-label', 'Original: not included in this run');
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
