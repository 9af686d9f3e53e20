/**
 * The replay's frames: a map frame (the points of one epoch in the label colours of the panel,
 * src/analysis/palette.ts, a legend and "epoch N") and a samples frame (the decoded grid of fixed
 * z with "epoch N"), each drawn into a raw RGBA buffer (./raster.ts) with its words as an SVG
 * overlay composited by sharp; then every frame stacked into one animated GIF or WebP
 * (sharp's raw input with `pageHeight`).
 */
import sharp from 'sharp';
import { writeFileAtomic } from '../../run/atomic';
import { labelPalette, parseColor } from '../../analysis/palette';
import type { HistorySamples } from '../../protocol/runFormat';
import { Raster, type Rgb } from './raster';

const BACKGROUND: Rgb = [255, 255, 255];
const INK = '#333333';
const MUTED = '#717171';
const LEGEND_WIDTH = 170;
const TITLE_HEIGHT = 28;

export interface Frame { rgba: Uint8Array; width: number; height: number }

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

async function withText(r: Raster, svgBody: string): Promise<Frame> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${r.width}" height="${r.height}"><g font-family="DejaVu Sans, Arial, sans-serif">${svgBody}</g></svg>`;
  const rgba = await sharp(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength), { raw: { width: r.width, height: r.height, channels: 4 } })
    .composite([{ input: Buffer.from(svg) }])
    .raw()
    .toBuffer();
  return { rgba: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength), width: r.width, height: r.height };
}

export interface MapFrameInput {
  epoch: number;
  /** "UMAP", "PCA", "PCA of μ (no map was kept)" … */
  method: string;
  x: Float32Array;
  y: Float32Array;
  labelIndex: Uint16Array;
  labels: string[];
  bounds: { x0: number; x1: number; y0: number; y1: number };
  /** The map's side in pixels (the legend is beside it). */
  size: number;
  title: string;
}

/** One epoch of the map: points, legend, "epoch N". */
export async function mapFrame(f: MapFrameInput): Promise<Frame> {
  const width = f.size + LEGEND_WIDTH, height = f.size + TITLE_HEIGHT;
  const r = new Raster(width, height, BACKGROUND);
  const colors = labelPalette(f.labels.length).map(parseColor);
  const radius = Math.max(1.5, f.size / 170);
  const sx = f.size / (f.bounds.x1 - f.bounds.x0), sy = f.size / (f.bounds.y1 - f.bounds.y0);
  for (let i = 0; i < f.x.length; i++) {
    const px = (f.x[i] - f.bounds.x0) * sx, py = TITLE_HEIGHT + f.size - (f.y[i] - f.bounds.y0) * sy;
    if (Number.isFinite(px) && Number.isFinite(py)) r.disc(px, py, radius, colors[f.labelIndex[i]] ?? [136, 136, 136]);
  }
  const shown = f.labels.slice(0, Math.floor((f.size - 10) / 18));
  let text = `<text x="8" y="19" font-size="15" font-weight="bold" fill="${INK}">epoch ${f.epoch}</text>`;
  text += `<text x="${f.size - 6}" y="19" font-size="11" text-anchor="end" fill="${MUTED}">${escapeXml(`${f.title} · ${f.method}`)}</text>`;
  shown.forEach((name, l) => {
    const y = TITLE_HEIGHT + 10 + l * 18;
    r.fillRect(f.size + 10, y, 12, 12, colors[l]);
    text += `<text x="${f.size + 28}" y="${y + 10}" font-size="12" fill="${INK}">${escapeXml(name.length > 18 ? name.slice(0, 17) + '…' : name)}</text>`;
  });
  if (shown.length < f.labels.length) text += `<text x="${f.size + 10}" y="${TITLE_HEIGHT + 22 + shown.length * 18}" font-size="11" fill="${MUTED}">+${f.labels.length - shown.length} more</text>`;
  return withText(r, text);
}

/** One epoch of the decoded grid of fixed z: rows × cols images scaled to about `size`, "epoch N". */
export async function samplesFrame(epoch: number, spec: HistorySamples, pixels: Uint8Array, size: number): Promise<Frame> {
  const gap = 2;
  const scale = Math.max(1, Math.floor((size - gap * (spec.cols + 1)) / (spec.cols * spec.width)));
  const width = spec.cols * (spec.width * scale + gap) + gap;
  const height = TITLE_HEIGHT + spec.rows * (spec.height * scale + gap) + gap;
  const r = new Raster(width, height, BACKGROUND);
  const per = spec.height * spec.width * spec.channels;
  for (let i = 0; i < spec.rows * spec.cols; i++) {
    const row = Math.floor(i / spec.cols), col = i % spec.cols;
    r.blit(gap + col * (spec.width * scale + gap), TITLE_HEIGHT + gap + row * (spec.height * scale + gap), pixels, i * per, spec.height, spec.width, spec.channels, scale);
  }
  return withText(r, `<text x="8" y="19" font-size="15" font-weight="bold" fill="${INK}">epoch ${epoch}</text><text x="${width - 6}" y="19" font-size="11" text-anchor="end" fill="${MUTED}">decoded fixed z</text>`);
}

/** Every frame (same size) as one animated image: GIF, or WebP when `file` ends in .webp. */
export async function writeAnimation(frames: Frame[], file: string, fps: number): Promise<void> {
  const { width, height } = frames[0];
  const tall = Buffer.alloc(width * height * 4 * frames.length);
  frames.forEach((f, i) => tall.set(f.rgba, i * width * height * 4));
  const img = sharp(tall, { raw: { width, height: height * frames.length, channels: 4, pageHeight: height } });
  const delay = Array.from({ length: frames.length }, (_, i) => Math.round(1000 / fps) * (i === frames.length - 1 ? 3 : 1));
  const out = file.toLowerCase().endsWith('.webp') ? img.webp({ loop: 0, delay, lossless: true }) : img.gif({ loop: 0, delay, dither: 0 });
  await writeFileAtomic(file, await out.toBuffer());
}
