/**
 * The sprite of the TensorBoard projector: every image of a run in one picture, row-major in a
 * square grid (⌈√n⌉ × ⌈√n⌉ cells, the cells after the last image black), the layout the projector expects
 * (the cell size goes in projector_config.pbtxt as single_image_dim).
 *
 * TensorBoard draws the sprite as one WebGL texture and refuses one over 8192 × 8192 pixels.
 * When the grid of full-size images would be larger, every image is shrunk (box average, aspect
 * ratio kept) to the largest cell that fits; below MIN_SPRITE_CELL pixels a side there is no
 * useful picture left and no sprite is made (the projector then shows points without images).
 */

/** TensorBoard's largest sprite side, in pixels. */
export const MAX_SPRITE_SIDE = 8192;
/** The smallest thumbnail side worth drawing. */
export const MIN_SPRITE_CELL = 4;

export interface Sprite {
  /** Raw pixels, height × width × channels, uint8 (grid × grid cells). */
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
  /** Size of one thumbnail. */
  cellWidth: number;
  cellHeight: number;
  /** Thumbnails per row (and rows). */
  grid: number;
  /** True when the images were shrunk to fit MAX_SPRITE_SIDE. */
  shrunk: boolean;
}

/** The cell size for `count` images of width × height, or undefined when it would be below MIN_SPRITE_CELL. */
export function spriteLayout(count: number, width: number, height: number, maxSide = MAX_SPRITE_SIDE): { grid: number; cellWidth: number; cellHeight: number } | undefined {
  const grid = Math.max(1, Math.ceil(Math.sqrt(count)));
  const scale = Math.min(1, maxSide / (grid * width), maxSide / (grid * height));
  const cellWidth = Math.floor(width * scale), cellHeight = Math.floor(height * scale);
  if (Math.min(cellWidth, cellHeight) < Math.min(MIN_SPRITE_CELL, width, height)) return undefined;
  return { grid, cellWidth, cellHeight };
}

/** The sprite of `count` images (uint8, count × height × width × channels), or undefined (see spriteLayout). */
export function composeSprite(pixels: Uint8Array, count: number, shape: { height: number; width: number; channels: 1 | 3 }, maxSide = MAX_SPRITE_SIDE): Sprite | undefined {
  const { height: h, width: w, channels: ch } = shape;
  const layout = spriteLayout(count, w, h, maxSide);
  if (!layout) return undefined;
  const { grid, cellWidth: cw, cellHeight: chh } = layout;
  const width = grid * cw, height = grid * chh;
  const data = new Uint8Array(width * height * ch);
  // Source rows / columns each target pixel averages (box filter; identity when not shrunk).
  const span = (n: number, target: number) => Array.from({ length: target }, (_, t) => {
    const a = Math.floor((t * n) / target);
    return [a, Math.max(a + 1, Math.floor(((t + 1) * n) / target))] as const;
  });
  const ys = span(h, chh), xs = span(w, cw);
  for (let i = 0; i < count; i++) {
    const img = i * h * w * ch;
    const ox = (i % grid) * cw, oy = Math.floor(i / grid) * chh;
    for (let ty = 0; ty < chh; ty++) {
      const [y0, y1] = ys[ty];
      for (let tx = 0; tx < cw; tx++) {
        const [x0, x1] = xs[tx];
        const out = ((oy + ty) * width + ox + tx) * ch;
        for (let c = 0; c < ch; c++) {
          let sum = 0;
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += pixels[img + (y * w + x) * ch + c];
          data[out + c] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
        }
      }
    }
  }
  return { data, width, height, channels: ch, cellWidth: cw, cellHeight: chh, grid, shrunk: cw < w || chh < h };
}
