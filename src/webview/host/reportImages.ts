/**
 * The standalone report's originals on demand (issue 13): a large report packs its images in
 * raw-deflate blocks (src/trainer/report.ts, `ReportImagesHeader` in src/protocol/panelIpc.ts);
 * this unpacks only the blocks of the images asked for (DecompressionStream) and keeps the last
 * few unpacked, so the page never holds every image. Same answer as the panel's `images` request.
 */
import { REPORT_IMAGES_ID, ReportImagesHeader, type ViewImageRows } from '../../protocol/panelIpc';
import { base64ToBytes } from '../../protocol/rpc';

/** Unpacked blocks kept (each about 1 MB). */
const KEEP_BLOCKS = 8;

/** The report's packed originals, or null when the page has none. `index`: the snapshot's point → dataset row. */
export function reportImages(index: Uint32Array): ((rows: number[]) => Promise<ViewImageRows>) | null {
  const headText = document.getElementById(REPORT_IMAGES_ID)?.textContent;
  if (!headText) return null;
  const parsed = ReportImagesHeader.safeParse(JSON.parse(headText));
  if (!parsed.success) return null;
  const head = parsed.data;
  const size = head.height * head.width * head.channels;
  const rowToPoint = new Map<number, number>();
  for (let i = 0; i < index.length; i++) rowToPoint.set(index[i], i);
  const blocks = new Map<number, Promise<Uint8Array>>();

  const block = (k: number): Promise<Uint8Array> => {
    const hit = blocks.get(k);
    if (hit) { blocks.delete(k); blocks.set(k, hit); return hit; }
    const p = unpack(k);
    blocks.set(k, p);
    p.catch(() => blocks.delete(k));
    for (const key of blocks.keys()) { if (blocks.size <= KEEP_BLOCKS) break; blocks.delete(key); }
    return p;
  };
  const unpack = async (k: number): Promise<Uint8Array> => {
    const text = document.getElementById(`${REPORT_IMAGES_ID}-${k}`)?.textContent;
    if (!text) throw new Error(`this report lacks its image block ${k}`);
    if (typeof DecompressionStream !== 'function') throw new Error('this browser cannot unpack the report\'s images (no DecompressionStream)');
    const packed = base64ToBytes(JSON.parse(text) as string);
    const stream = new Blob([packed.buffer as ArrayBuffer]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  };

  return async (rows) => {
    const found: number[] = [];
    const parts: Promise<Uint8Array>[] = [];
    for (const r of rows) {
      const p = rowToPoint.get(r);
      if (p === undefined || p >= head.blocks * head.chunk) continue;
      found.push(r);
      const k = Math.floor(p / head.chunk), off = (p - k * head.chunk) * size;
      parts.push(block(k).then((b) => b.subarray(off, off + size)));
    }
    const pixels = new Uint8Array(found.length * size);
    (await Promise.all(parts)).forEach((px, i) => pixels.set(px, i * size));
    return { height: head.height, width: head.width, channels: head.channels, rows: Uint32Array.from(found), pixels };
  };
}
