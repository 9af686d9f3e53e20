/**
 * What the generator views share: the app, the encoder, the image shape, μ of a pinned point, and
 * a progress line; plus the timing record the test build and the benchmark read.
 */
import type { App } from '../../app';
import type { BrowserEncoder } from '../../decode/encoder';
import { estimateZ } from '../../decode/estimateZ';

export interface GenContext {
  app: App;
  encoder: BrowserEncoder;
  /** Each finished grid: which view, images, ms from the render's start to the last (and first) image, predict calls and their summed time. */
  record(t: GenTiming): void;
}

export interface GenTiming { view: string; images: number; ms: number; firstMs: number; calls: number; predictMs: number }

export function imageShape(app: App): { h: number; w: number; c: number } | null {
  const m = app.data.config?.model;
  if (m) return { h: m.imageHeight, w: m.imageWidth, c: m.channels };
  const im = app.data.images;
  return im ? { h: im.height, w: im.width, c: im.channels } : null;
}

/** μ of dataset row `row` when it is in the snapshot, else null. */
export function muOfRow(app: App, row: number | null): Float32Array | null {
  const { data } = app;
  if (row === null || !data.mu) return null;
  const p = data.rowToPoint(row);
  if (p === null) return null;
  return data.mu.slice(p * data.latentDim, (p + 1) * data.latentDim);
}

/** Where the traversal starts: the pinned point, the pinned probe (estimated z), or z = 0; and its name. */
export function startPoint(app: App): { z: Float32Array; name: string } {
  const s = app.store.get();
  const D = app.data.latentDim;
  const pinned = muOfRow(app, s.pinnedRow);
  if (pinned) {
    const p = app.data.rowToPoint(s.pinnedRow!)!;
    return { z: pinned, name: `the pinned image ${app.data.files[p] ?? ''}` };
  }
  if (s.probe) {
    const z = estimateZ(app.data.mu, D, app.map.nearest(s.probe.x, s.probe.y, 8));
    if (z) return { z, name: 'the pinned spot of the map' };
  }
  return { z: new Float32Array(D), name: 'z = 0' };
}

/** A small visually quiet status line (role status) for progress and notes. */
export function progressText(done: number, total: number): string {
  return done >= total ? '' : `Decoding ${done} of ${total} images…`;
}
