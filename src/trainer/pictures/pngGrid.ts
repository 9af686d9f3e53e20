/**
 * One PNG of many small images in a grid: what the CLI's picture commands write (`samples`;
 * later `recon`, `traverse`, `interpolate`). Tiles are floats in [0, 1], grey or RGB; the grid
 * is split by `pad` pixels of background and scaled up by a whole factor (nearest neighbour, so
 * every model pixel stays a sharp square).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

export interface Tiles {
  /** count × height × width × channels floats in [0, 1], row-major. */
  pixels: Float32Array;
  count: number;
  height: number;
  width: number;
  channels: 1 | 3;
}

export interface GridOptions {
  /** Tiles per row; default: a near-square grid. */
  columns?: number;
  /** Background pixels between and around tiles (model pixels, before scaling). Default 2. */
  pad?: number;
  /** Whole-number upscaling. Default 1. */
  scale?: number;
  /** Background grey level 0–255. Default 128 (mid grey: neither black nor white tiles merge into it). */
  background?: number;
}

/** Where each tile lies in the written PNG (before scaling: multiply by `scale`). */
export interface GridInfo {
  file: string;
  count: number;
  rows: number;
  columns: number;
  tileHeight: number;
  tileWidth: number;
  channels: 1 | 3;
  pad: number;
  scale: number;
  /** Size of the PNG in pixels. */
  width: number;
  height: number;
}

/** Tiles laid out as one image, uint8 (H × W × C), and the layout. */
export function gridPixels(tiles: Tiles, opts: GridOptions = {}): { data: Uint8Array; width: number; height: number; rows: number; columns: number; pad: number } {
  const { count, height: th, width: tw, channels: c } = tiles;
  if (count < 1) throw new Error('a picture grid needs at least one image');
  const columns = Math.max(1, Math.min(count, opts.columns ?? Math.ceil(Math.sqrt(count))));
  const rows = Math.ceil(count / columns);
  const pad = opts.pad ?? 2;
  const width = columns * tw + (columns + 1) * pad;
  const height = rows * th + (rows + 1) * pad;
  const data = new Uint8Array(width * height * c).fill(opts.background ?? 128);
  for (let t = 0; t < count; t++) {
    const x0 = pad + (t % columns) * (tw + pad), y0 = pad + Math.floor(t / columns) * (th + pad);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        for (let k = 0; k < c; k++) {
          const v = tiles.pixels[((t * th + y) * tw + x) * c + k];
          data[((y0 + y) * width + x0 + x) * c + k] = Math.round(Math.min(1, Math.max(0, v)) * 255);
        }
      }
    }
  }
  return { data, width, height, rows, columns, pad };
}

/** Write the tiles as one PNG grid (folders created); returns the layout. */
export async function writePngGrid(file: string, tiles: Tiles, opts: GridOptions = {}): Promise<GridInfo> {
  const g = gridPixels(tiles, opts);
  const scale = Math.max(1, Math.round(opts.scale ?? 1));
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  let image = sharp(g.data, { raw: { width: g.width, height: g.height, channels: tiles.channels } });
  if (scale > 1) image = image.resize(g.width * scale, g.height * scale, { kernel: 'nearest' });
  image = tiles.channels === 1 ? image.toColourspace('b-w') : image;
  await image.png({ compressionLevel: 9 }).toFile(file);
  return {
    file: path.resolve(file), count: tiles.count, rows: g.rows, columns: g.columns, tileHeight: tiles.height, tileWidth: tiles.width,
    channels: tiles.channels, pad: g.pad, scale, width: g.width * scale, height: g.height * scale,
  };
}
