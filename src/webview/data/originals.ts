/**
 * The original images as the page holds them (issue 13): every view that shows an original (the
 * decoded-image section, the selection grid, the neighbours strip, the outliers) asks here.
 *
 * A small run's snapshot carries every point's pixels (`ViewImages.pixels`, up to
 * INLINE_PIXELS_BYTES); a large one carries only their shape, and the originals come on demand
 * from the host — the panel's extension reads just those rows of data/pixels.u8, the report
 * unpacks them from its embedded blocks (host/reportImages.ts). Requests made in one task are
 * sent together (at most MAX_IMAGE_ROWS a request, at most MAX_IN_FLIGHT requests at a time);
 * each *owner* (a canvas) wants one image at a time, so sweeping the mouse over the map asks
 * only for where it stopped once requests back up. Fetched images stay in a least-recently-used
 * cache of CACHE_BYTES. No DOM here: the views draw in their callbacks.
 */
import { MAX_IMAGE_ROWS, type ViewImageRows } from '../../protocol/panelIpc';

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** Fetches the originals of some dataset rows (the host's `images` request). */
export type FetchImages = (rows: number[]) => Promise<ViewImageRows>;

/** Called with the image's pixels (H × W × C bytes), or null and why it is unavailable. */
export type OnImage = (pixels: Uint8Array | null, error?: string) => void;

interface Want { row: number; cb: OnImage; alive: () => boolean }

export const CACHE_BYTES = 48 * 1024 * 1024;
const MAX_IN_FLIGHT = 2;
const RETRY_MS = 5000;

export class Originals {
  shape: ImageShape | null = null;
  /** Every point's pixels, when the snapshot carried them (point order). */
  private inline: Uint8Array | null = null;
  private index: Uint32Array = new Uint32Array(0);
  private fetcher: FetchImages | null = null;
  /** Dataset row → pixels, least recently used first. */
  private cache = new Map<number, Uint8Array>();
  private cachedBytes = 0;
  /** Rows that could not be had, why and when (asked again after RETRY_MS; cleared by a new snapshot). */
  private failed = new Map<number, { why: string; at: number }>();
  private wants = new Map<object, Want>();
  private inFlight = new Set<number>();
  private requests = 0;
  private flushQueued = false;
  private generation = 0;
  /** Requests sent and rows fetched (the test build and the benchmark read them). */
  readonly stats = { requests: 0, rows: 0, cacheHits: 0 };

  /** A new snapshot: its image shape, its pixels when it carried them, its point → dataset row index. */
  reset(shape: ImageShape | null, inlinePixels: Uint8Array | undefined | null, index: Uint32Array, fetcher: FetchImages | null): void {
    this.shape = shape;
    const size = shape ? shape.height * shape.width * shape.channels : 0;
    this.inline = inlinePixels && size && inlinePixels.length >= index.length * size ? inlinePixels : null;
    this.index = index;
    this.fetcher = fetcher;
    this.failed.clear();
    this.wants.clear();
    this.generation++;
  }

  /** True when the originals exist (carried or fetchable), so views may show an original. */
  get available(): boolean {
    return !!this.shape && (!!this.inline || !!this.fetcher);
  }

  /** Pixels of point i now (carried, or cached), or null when they must be fetched. */
  peek(point: number): Uint8Array | null {
    const size = this.size();
    if (!size || point < 0 || point >= this.index.length) return null;
    if (this.inline) return this.inline.subarray(point * size, (point + 1) * size);
    const row = this.index[point];
    const hit = this.cache.get(row);
    if (hit) { this.cache.delete(row); this.cache.set(row, hit); this.stats.cacheHits++; }
    return hit ?? null;
  }

  /**
   * Call `cb` with point i's pixels: at once when they are here, else when they arrive. One
   * image per `owner`: a newer want of the same owner replaces the older one (whose callback is
   * never called). `alive()` false (e.g. the canvas left the page) drops the want.
   */
  want(owner: object, point: number, cb: OnImage, alive: () => boolean = () => true): void {
    this.wants.delete(owner);
    if (!this.shape || point < 0 || point >= this.index.length) { cb(null, 'no original images in this run'); return; }
    const now = this.peek(point);
    if (now) { cb(now); return; }
    const row = this.index[point];
    const err = this.failure(row);
    if (err !== undefined || !this.fetcher) { cb(null, err ?? 'no original images in this run'); return; }
    this.wants.set(owner, { row, cb, alive });
    this.scheduleFlush();
  }

  /** Point i's pixels, fetched when needed. */
  get(point: number): Promise<Uint8Array | null> {
    return new Promise((resolve) => this.want({}, point, (px) => resolve(px)));
  }

  /** Forget an owner's want (its view was cleared). */
  drop(owner: object): void {
    this.wants.delete(owner);
  }

  /** Why row could not be had, while that is recent. */
  private failure(row: number): string | undefined {
    const f = this.failed.get(row);
    if (f && performance.now() - f.at > RETRY_MS) { this.failed.delete(row); return undefined; }
    return f?.why;
  }

  private size(): number {
    const s = this.shape;
    return s ? s.height * s.width * s.channels : 0;
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => { this.flushQueued = false; this.flush(); });
  }

  /** Send the rows wanted now that are neither here nor on their way (within the in-flight limit). */
  private flush(): void {
    const rows: number[] = [];
    const seen = new Set<number>();
    for (const [owner, w] of this.wants) {
      if (!w.alive()) { this.wants.delete(owner); continue; }
      if (this.deliver(owner, w)) continue;
      if (!this.inFlight.has(w.row) && !seen.has(w.row)) { seen.add(w.row); rows.push(w.row); }
    }
    for (let i = 0; i < rows.length && this.requests < MAX_IN_FLIGHT; i += MAX_IMAGE_ROWS) this.send(rows.slice(i, i + MAX_IMAGE_ROWS));
  }

  /** Answer a want from the cache or the failures; true when it was answered. */
  private deliver(owner: object, w: Want): boolean {
    const px = this.cache.get(w.row);
    const err = px ? undefined : this.failure(w.row);
    if (!px && err === undefined) return false;
    this.wants.delete(owner);
    if (px) w.cb(px); else w.cb(null, err);
    return true;
  }

  private send(rows: number[]): void {
    const fetcher = this.fetcher;
    if (!fetcher || !rows.length) return;
    const generation = this.generation;
    this.requests++;
    this.stats.requests++;
    for (const r of rows) this.inFlight.add(r);
    fetcher(rows).then((reply) => {
      if (generation !== this.generation) return;
      const size = this.size();
      if (reply.height * reply.width * reply.channels !== size) throw new Error('the originals have another shape than the run\'s images');
      for (let k = 0; k < reply.rows.length; k++) this.store(reply.rows[k], reply.pixels.slice(k * size, (k + 1) * size));
      this.stats.rows += reply.rows.length;
      for (const r of rows) if (!this.cache.has(r)) this.failed.set(r, { why: 'not in this run\'s images', at: performance.now() });
    }).catch((e: unknown) => {
      if (generation !== this.generation) return;
      const why = e instanceof Error ? e.message : String(e);
      for (const r of rows) if (!this.cache.has(r)) this.failed.set(r, { why, at: performance.now() });
    }).finally(() => {
      for (const r of rows) this.inFlight.delete(r);
      this.requests--;
      if (generation !== this.generation) return;
      for (const [owner, w] of this.wants) this.deliver(owner, w);
      if (this.wants.size) this.scheduleFlush();
    });
  }

  private store(row: number, px: Uint8Array): void {
    if (this.cache.has(row)) return;
    this.cache.set(row, px);
    this.cachedBytes += px.byteLength;
    for (const [r, old] of this.cache) {
      if (this.cachedBytes <= CACHE_BYTES) break;
      this.cache.delete(r);
      this.cachedBytes -= old.byteLength;
    }
  }
}
