/**
 * A grid of equally sized images as one PNG (sharp): `rows × cols` cells of H × W pixels, row
 * after row, with a `gap`-pixel border between cells; cells after the last image stay black.
 * The one grid writer of the picture commands (recon, samples, traverse, interpolate).
 */
import sharp from 'sharp';

export interface GridImages {
  /** count × height × width × channels, floats in [0, 1] (decoded) or bytes (originals). */
  pixels: Float32Array | Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: 1 | 3;
}

export interface GridLayout {
  rows: number;
  cols: number;
  /** Pixels between cells (and around the grid). Default 2. */
  gap?: number;
}

/** The grid's size in pixels. */
export function gridSize(images: Pick<GridImages, 'height' | 'width'>, layout: GridLayout): { width: number; height: number } {
  const gap = layout.gap ?? 2;
  return { width: layout.cols * images.width + (layout.cols + 1) * gap, height: layout.rows * images.height + (layout.rows + 1) * gap };
}

/** The grid as raw bytes (height × width × channels). */
export function gridPixels(images: GridImages, layout: GridLayout): { data: Uint8Array; width: number; height: number } {
  const { height: h, width: w, channels: c, pixels } = images;
  const gap = layout.gap ?? 2;
  const size = gridSize(images, layout);
  const data = new Uint8Array(size.width * size.height * c);
  const scale = pixels instanceof Float32Array ? 255 : 1;
  const n = Math.min(images.count, layout.rows * layout.cols);
  for (let i = 0; i < n; i++) {
    const r = Math.floor(i / layout.cols), col = i % layout.cols;
    const x0 = gap + col * (w + gap), y0 = gap + r * (h + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w * c; x++) {
        const v = pixels[((i * h + y) * w) * c + x] * scale;
        data[((y0 + y) * size.width + x0) * c + x] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    }
  }
  return { data, ...size };
}

/** Write the grid to `file` as PNG; returns its size. */
export async function writePngGrid(file: string, images: GridImages, layout: GridLayout): Promise<{ width: number; height: number }> {
  const g = gridPixels(images, layout);
  await sharp(Buffer.from(g.data.buffer, g.data.byteOffset, g.data.byteLength), { raw: { width: g.width, height: g.height, channels: images.channels } })
    .png()
    .toFile(file);
  return { width: g.width, height: g.height };
}
