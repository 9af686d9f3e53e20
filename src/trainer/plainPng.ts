/**
 * The decoder's fast path for small plain PNGs (the usual form of MNIST-like datasets: one
 * 28×28 8-bit grayscale PNG per image). sharp costs ~0.5 ms of fixed overhead per call (a
 * libvips pipeline on libuv's thread pool), which for a 700-byte PNG is almost all of the work;
 * this decodes such a file in-process (zlib inflate + PNG row filters) in a few microseconds.
 *
 * Only the case whose result is byte-identical to sharp's pipeline of dataset.ts is taken:
 * 8-bit, non-interlaced, grayscale (to 1 channel) or RGB (to 3 channels), no transparency, no
 * colour-management chunks (iCCP, gAMA, cHRM, sBIT, tRNS), already at the model size (no resize),
 * every chunk's CRC right. Anything else returns null and sharp decodes it (and names what is
 * wrong with a broken file). test/unit/pixelCache.test.ts holds it byte-equal to sharp.
 */
import { crc32, inflateSync } from 'node:zlib';
import type { ImageShape } from '../protocol/runFormat';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Ancillary chunks that do not change the pixels sharp produces. */
const HARMLESS = new Set(['tEXt', 'zTXt', 'iTXt', 'tIME', 'pHYs', 'sRGB', 'bKGD', 'hIST', 'sPLT', 'eXIf']);

/** The pixels of `buf` (N × H × W × C) when it is a plain PNG of exactly `shape`, else null. */
export function decodePlainPng(buf: Uint8Array, shape: ImageShape): Uint8Array | null {
  if (buf.length < 57) return null;
  for (let i = 0; i < 8; i++) if (buf[i] !== SIGNATURE[i]) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 8;
  let width = 0, height = 0, colourType = -1;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (pos + 12 <= buf.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(buf[pos + 4], buf[pos + 5], buf[pos + 6], buf[pos + 7]);
    const end = pos + 12 + len;
    if (end > buf.length) return null;
    if (crc32(buf.subarray(pos + 4, pos + 8 + len)) !== view.getUint32(pos + 8 + len)) return null;
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      if (len !== 13) return null;
      width = view.getUint32(pos + 8); height = view.getUint32(pos + 12);
      const [depth, colour, compression, filter, interlace] = data.subarray(8, 13);
      if (depth !== 8 || compression !== 0 || filter !== 0 || interlace !== 0) return null;
      colourType = colour;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') { ended = true; break; }
    else if (!HARMLESS.has(type)) return null;
    pos = end;
  }
  if (!ended || idat.length === 0) return null;
  const channels = colourType === 0 ? 1 : colourType === 2 ? 3 : 0;
  if (channels === 0 || channels !== shape.channels || width !== shape.width || height !== shape.height) return null;
  let raw: Buffer;
  try { raw = inflateSync(idat.length === 1 ? idat[0] : Buffer.concat(idat)); } catch { return null; }
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) return null;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1, dst = y * stride, up = dst - stride;
    for (let x = 0; x < stride; x++) {
      const v = raw[src + x];
      const a = x >= channels ? out[dst + x - channels] : 0;
      const b = y > 0 ? out[up + x] : 0;
      let p: number;
      switch (f) {
        case 0: p = v; break;
        case 1: p = v + a; break;
        case 2: p = v + b; break;
        case 3: p = v + ((a + b) >> 1); break;
        case 4: {
          const c = x >= channels && y > 0 ? out[up + x - channels] : 0;
          const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
          p = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: return null;
      }
      out[dst + x] = p & 255;
    }
  }
  return out;
}
